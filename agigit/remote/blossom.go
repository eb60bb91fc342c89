package remote

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
)

// KindBlossomAuth is the kind of a Blossom authorization event (BUD-11).
const KindBlossomAuth = nostrkind.BlossomAuth

// BlossomURL is the HTTP base of the Blossom server a relay serves on the
// same host and port: ws becomes http, wss becomes https, the path is
// dropped (Blossom endpoints live at the root).
func BlossomURL(relayURL string) (string, error) {
	u, err := url.Parse(relayURL)
	if err != nil {
		return "", err
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	case "http", "https":
	default:
		return "", fmt.Errorf("relay URL %q: want ws:// or wss://", relayURL)
	}
	return u.Scheme + "://" + u.Host, nil
}

// newHTTPClient makes the client for blob transfers: connections kept per
// server for parallel shards (HTTP/1.1: one TCP connection per shard rather
// than all of them multiplexed on one), large buffers for throughput, and
// a deadline on response headers so a stalled server is noticed; it is
// long because a server answers an upload only once the blob is synced.
// Bodies have no overall timeout: a shard of gigabytes takes what it takes.
func newHTTPClient() *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 5 * time.Minute,
		ExpectContinueTimeout: time.Second,
		WriteBufferSize:       256 << 10,
		ReadBufferSize:        256 << 10,
	}
	return &http.Client{Transport: tr}
}

// Blossom talks to one Blossom server.
type Blossom struct {
	// Base is the server's root URL, "http://host:port".
	Base   string
	Client *http.Client
	// Signer signs upload authorizations (BUD-11).
	Signer repo.Signer
}

// HTTPError is a non-success answer from a Blossom server.
type HTTPError struct {
	Op     string
	URL    string
	Status int
	Reason string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Op, e.URL, e.Status)
	if e.Reason != "" {
		s += " (" + e.Reason + ")"
	}
	return s
}

// ErrBlobNotFound is wrapped when a server does not have a blob.
var ErrBlobNotFound = errors.New("blob not found")

func httpError(op, u string, resp *http.Response) error {
	reason := resp.Header.Get("X-Reason")
	e := &HTTPError{Op: op, URL: u, Status: resp.StatusCode, Reason: reason}
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%w: %w", ErrBlobNotFound, e)
	}
	return e
}

// Has reports whether the server holds the blob (HEAD /<sha256>) and its
// size.
func (b *Blossom) Has(ctx context.Context, sha string) (bool, int64, error) {
	u := b.Base + "/" + sha
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
		if err != nil {
			return false, 0, err
		}
		resp, err := b.Client.Do(req)
		if err != nil {
			return false, 0, fmt.Errorf("HEAD %s: %w", u, err)
		}
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return true, resp.ContentLength, nil
		case resp.StatusCode == http.StatusNotFound:
			return false, 0, nil
		case resp.StatusCode == http.StatusTooManyRequests && attempt < 5:
			if err := sleepRetry(ctx, resp, attempt); err != nil {
				return false, 0, err
			}
		default:
			return false, 0, httpError("HEAD", u, resp)
		}
	}
}

// sleepRetry waits before retrying a rate-limited request: Retry-After when
// given, else an exponential backoff.
func sleepRetry(ctx context.Context, resp *http.Response, attempt int) error {
	d := time.Duration(100<<attempt) * time.Millisecond
	if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s < 60 {
		d = time.Duration(s)*time.Second + d/2
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// authHeader makes a BUD-11 authorization for one verb and blob, scoped to
// this server's host, valid for an hour.
func (b *Blossom) authHeader(verb, sha, what string) (string, error) {
	if b.Signer == nil {
		return "", errors.New("uploading blobs needs a key")
	}
	now := time.Now()
	ev := &nostr.Event{
		Kind:      KindBlossomAuth,
		CreatedAt: nostr.Timestamp(now.Unix() - 1),
		Content:   what,
		Tags: nostr.Tags{
			{"t", verb},
			{"x", sha},
			{"expiration", strconv.FormatInt(now.Add(time.Hour).Unix(), 10)},
		},
	}
	if u, err := url.Parse(b.Base); err == nil && u.Hostname() != "" {
		ev.Tags = append(ev.Tags, nostr.Tag{"server", strings.ToLower(u.Hostname())})
	}
	if err := b.Signer.Sign(ev); err != nil {
		return "", err
	}
	j, err := json.Marshal(ev)
	if err != nil {
		return "", err
	}
	return "Nostr " + base64.RawURLEncoding.EncodeToString(j), nil
}

// Upload stores a blob of size bytes read from body (PUT /upload, BUD-02)
// and reports whether the server stored it anew. The server checks the
// bytes against sha.
func (b *Blossom) Upload(ctx context.Context, sha string, size int64, body io.Reader) (bool, error) {
	u := b.Base + "/upload"
	auth, err := b.authHeader("upload", sha, "Upload agigit shard")
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, body)
	if err != nil {
		return false, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = http.NoBody
	}
	req.Header.Set("Authorization", auth)
	req.Header.Set("X-SHA-256", sha)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := b.Client.Do(req)
	if err != nil {
		return false, fmt.Errorf("PUT %s: %w", u, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch resp.StatusCode {
	case http.StatusCreated:
		return true, nil
	case http.StatusOK:
		return false, nil
	}
	return false, httpError("PUT", u, resp)
}

// Get opens a blob from offset (GET /<sha256> with a Range header when
// offset > 0). It returns the body and the blob's total size.
func (b *Blossom) Get(ctx context.Context, sha string, offset int64) (io.ReadCloser, int64, error) {
	u := b.Base + "/" + sha
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, 0, err
		}
		if offset > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
		}
		resp, err := b.Client.Do(req)
		if err != nil {
			return nil, 0, fmt.Errorf("GET %s: %w", u, err)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			if offset > 0 {
				// The server ignored the range: skip what we have.
				if _, err := io.CopyN(io.Discard, resp.Body, offset); err != nil {
					resp.Body.Close()
					return nil, 0, fmt.Errorf("GET %s: %w", u, err)
				}
			}
			return newStallGuard(resp.Body), resp.ContentLength, nil
		case resp.StatusCode == http.StatusPartialContent && offset > 0:
			total := int64(-1)
			if cr := resp.Header.Get("Content-Range"); cr != "" {
				if i := strings.LastIndexByte(cr, '/'); i >= 0 {
					total, _ = strconv.ParseInt(cr[i+1:], 10, 64)
				}
			}
			return newStallGuard(resp.Body), total, nil
		case resp.StatusCode == http.StatusTooManyRequests && attempt < 5:
			resp.Body.Close()
			if err := sleepRetry(ctx, resp, attempt); err != nil {
				return nil, 0, err
			}
		default:
			resp.Body.Close()
			return nil, 0, httpError("GET", u, resp)
		}
	}
}

// StallTimeout is how long a blob download may go without receiving a
// byte before it is abandoned (and another server or shard tried).
var StallTimeout = 30 * time.Second

// stallGuard closes a response body that stops delivering bytes, so that a
// server that hangs mid-transfer fails the read instead of blocking it
// forever.
type stallGuard struct {
	body  io.ReadCloser
	timer *time.Timer
}

func newStallGuard(body io.ReadCloser) *stallGuard {
	g := &stallGuard{body: body}
	g.timer = time.AfterFunc(StallTimeout, func() { body.Close() })
	return g
}

func (g *stallGuard) Read(p []byte) (int, error) {
	n, err := g.body.Read(p)
	g.timer.Reset(StallTimeout)
	return n, err
}

func (g *stallGuard) Close() error {
	g.timer.Stop()
	return g.body.Close()
}
