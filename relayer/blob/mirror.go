package blob

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// maxMirrorBody bounds the JSON body of PUT /mirror.
const maxMirrorBody = 8 << 10

// errPrivateAddress is a mirror origin inside the server's own network.
var errPrivateAddress = errors.New("the address is loopback, private or link-local")

// mirrorClient fetches mirror origins. Unless private is set, it refuses to
// connect to addresses inside the server's network: the check runs on the
// address actually dialled, after name resolution and on every redirect,
// so a name that resolves inwards cannot slip past it.
func mirrorClient(private bool, timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second}
	if !private {
		d.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return err
			}
			ip := ap.Addr().Unmap()
			if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
				ip.IsMulticast() || ip.IsUnspecified() || ip.IsInterfaceLocalMulticast() {
				return fmt.Errorf("%s: %w", ip, errPrivateAddress)
			}
			return nil
		}
	}
	return &http.Client{
		Timeout: timeout,
		// No proxy: it would dial on the client's behalf, past the check.
		Transport: &http.Transport{DialContext: d.DialContext, TLSHandshakeTimeout: 10 * time.Second,
			ResponseHeaderTimeout: time.Minute, MaxIdleConns: 16, IdleConnTimeout: 30 * time.Second},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return errors.New("more than 3 redirects")
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return errors.New("redirect to a non-HTTP URL")
			}
			return nil
		},
	}
}

// mirror serves BUD-04 PUT /mirror: the server fetches a blob from the
// URL in the JSON body and stores it as if it had been uploaded, under the
// same authorization (kind 24242, t=upload, an x tag naming the blob),
// quota and limits. The bytes are checked against the x tags before
// anything is recorded.
func (h *Handler) mirror(w http.ResponseWriter, r *http.Request) {
	if h.cfg.NoMirror {
		fail(w, http.StatusNotFound, "this server does not mirror blobs")
		return
	}
	auth, err := h.authorize(r, VerbUpload, "", true)
	if err != nil {
		h.metrics.BlobUploads.WithLabelValues("unauthorized").Inc()
		failAuth(w, err)
		return
	}
	if !h.admitUploader(w, auth) {
		return
	}
	var body struct {
		URL string `json:"url"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxMirrorBody))
	if err := dec.Decode(&body); err != nil {
		h.uploadRefused(w, http.StatusBadRequest, "bad-request", "body must be JSON {\"url\": \"...\"}: "+err.Error())
		return
	}
	u, err := url.Parse(body.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		h.uploadRefused(w, http.StatusBadRequest, "bad-request", "url must be an absolute http or https URL")
		return
	}

	ctx, cancel := context.WithTimeout(r.Context(), h.cfg.MirrorTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		h.uploadRefused(w, http.StatusBadRequest, "bad-request", "url: "+err.Error())
		return
	}
	resp, err := h.mirrorHTTP.Do(req)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, errPrivateAddress) {
			status = http.StatusForbidden
		}
		h.uploadRefused(w, status, "fetch-failed", "could not fetch the url: "+err.Error())
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.uploadRefused(w, http.StatusBadGateway, "fetch-failed", "the url answered "+resp.Status)
		return
	}
	owner, _ := hex.DecodeString(auth.PubKey)
	if !h.admitSize(w, r, owner, resp.ContentLength) {
		return
	}
	p, err := h.store.Receive(resp.Body, resp.ContentLength, h.cfg.MaxBlobBytes, func(n int) { h.metrics.BlobBytesIn.Add(float64(n)) })
	switch {
	case errors.Is(err, ErrTooLarge):
		h.refuseTooLarge(w)
		return
	case err != nil:
		h.uploadRefused(w, http.StatusBadGateway, "fetch-failed", "fetching the url failed: "+err.Error())
		return
	}
	defer p.Discard()
	h.commitUpload(w, r, auth, owner, p, mediaType(resp.Header.Get("Content-Type")))
}
