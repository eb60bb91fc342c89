package service

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/nostrkind"
	"github.com/agi-nostr/agi-nostr/relayer/blob"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
)

func randomBlob(t testing.TB, n int) ([]byte, string) {
	b := make([]byte, n)
	rand.Read(b)
	h := sha256.Sum256(b)
	return b, hex.EncodeToString(h[:])
}

// token builds a BUD-11 authorization header value.
func (k keypair) token(t testing.TB, verb string, expires time.Duration, tags ...nostr.Tag) string {
	t.Helper()
	all := nostr.Tags{{"t", verb}, {"expiration", strconv.FormatInt(time.Now().Add(expires).Unix(), 10)}}
	all = append(all, tags...)
	evt := k.sign(t, nostr.Event{Kind: nostrkind.BlossomAuth, Content: verb + " blob", Tags: all, CreatedAt: nostr.Now() - 1})
	b, _ := evt.MarshalJSON()
	return "Nostr " + base64.RawURLEncoding.EncodeToString(b)
}

func (tr *testRelayer) put(t testing.TB, body []byte, auth string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("PUT", tr.httpURL+"/upload", bytes.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return httpDo(t, req)
}

func (tr *testRelayer) get(t testing.TB, path string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", tr.httpURL+path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	return httpDo(t, req)
}

// blobFiles lists the files under the blob directory (blobs and temporary
// files), to check that refused uploads leave nothing.
func blobFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return nil
	})
	return out
}

func TestBlobLifecycle(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	k := newKey(t)
	data, sha := randomBlob(t, 3<<20+17)

	resp, body := tr.put(t, data, k.token(t, "upload", time.Minute, nostr.Tag{"x", sha}), map[string]string{"Content-Type": "application/octet-stream", "X-SHA-256": sha})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %d %s %s", resp.StatusCode, resp.Header.Get("X-Reason"), body)
	}
	var d blob.Descriptor
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != sha || d.Size != int64(len(data)) || d.Type != "application/octet-stream" || d.URL != tr.httpURL+"/"+sha+".bin" || d.Uploaded == 0 {
		t.Fatalf("descriptor %+v", d)
	}
	// Uploading it again (by another key) answers 200, the blob already exists.
	k2 := newKey(t)
	if resp, _ := tr.put(t, data, k2.token(t, "upload", time.Minute, nostr.Tag{"x", sha}), nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("second upload: %d", resp.StatusCode)
	}

	// GET, with and without extension; HEAD; ranges.
	for _, path := range []string{"/" + sha, "/" + sha + ".bin", "/" + strings.ToUpper(sha) + ".safetensors"} {
		resp, got := tr.get(t, path, nil)
		if resp.StatusCode != 200 || !bytes.Equal(got, data) || resp.Header.Get("Content-Type") != "application/octet-stream" {
			t.Fatalf("GET %s: %d, %d bytes", path, resp.StatusCode, len(got))
		}
	}
	req, _ := http.NewRequest("HEAD", tr.httpURL+"/"+sha, nil)
	resp, got := httpDo(t, req)
	if resp.StatusCode != 200 || len(got) != 0 || resp.ContentLength != int64(len(data)) || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("HEAD: %d len %d %v", resp.StatusCode, resp.ContentLength, resp.Header)
	}
	resp, got = tr.get(t, "/"+sha, map[string]string{"Range": "bytes=1000-1999"})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[1000:2000]) {
		t.Fatalf("range: %d, %d bytes", resp.StatusCode, len(got))
	}
	resp, got = tr.get(t, "/"+sha, map[string]string{"Range": "bytes=-10"})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(got, data[len(data)-10:]) {
		t.Fatalf("suffix range: %d", resp.StatusCode)
	}
	if resp, _ := tr.get(t, "/"+sha, map[string]string{"Range": fmt.Sprintf("bytes=%d-", len(data)+5)}); resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Fatalf("range past the end: %d", resp.StatusCode)
	}
	if resp, _ := tr.get(t, "/"+strings.Repeat("ab", 32), nil); resp.StatusCode != 404 {
		t.Fatalf("unknown blob: %d", resp.StatusCode)
	}
	if resp, _ := tr.get(t, "/not-a-hash", nil); resp.StatusCode != 400 {
		t.Fatalf("malformed path: %d", resp.StatusCode)
	}

	// List (BUD-12).
	resp, body = tr.get(t, "/list/"+k.pk, nil)
	var list []blob.Descriptor
	if json.Unmarshal(body, &list); resp.StatusCode != 200 || len(list) != 1 || list[0].SHA256 != sha {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}

	// Delete: only an owner, only with a delete token naming the blob.
	del := func(auth string) int {
		req, _ := http.NewRequest("DELETE", tr.httpURL+"/"+sha, nil)
		req.Header.Set("Authorization", auth)
		resp, _ := httpDo(t, req)
		return resp.StatusCode
	}
	stranger := newKey(t)
	if c := del(stranger.token(t, "delete", time.Minute, nostr.Tag{"x", sha})); c != 404 {
		t.Fatalf("stranger's delete: %d", c)
	}
	if c := del(k.token(t, "delete", time.Minute)); c != 401 {
		t.Fatalf("delete token without x: %d", c)
	}
	if c := del(k.token(t, "upload", time.Minute, nostr.Tag{"x", sha})); c != 401 {
		t.Fatalf("upload token used to delete: %d", c)
	}
	if c := del(k.token(t, "delete", time.Minute, nostr.Tag{"x", sha})); c != 204 {
		t.Fatalf("owner's delete: %d", c)
	}
	// k2 still owns it: still served.
	if resp, _ := tr.get(t, "/"+sha, nil); resp.StatusCode != 200 {
		t.Fatalf("blob gone while another owner holds it: %d", resp.StatusCode)
	}
	if c := del(k2.token(t, "delete", time.Minute, nostr.Tag{"x", sha})); c != 204 {
		t.Fatalf("last owner's delete: %d", c)
	}
	if resp, _ := tr.get(t, "/"+sha, nil); resp.StatusCode != 404 {
		t.Fatalf("deleted blob still served: %d", resp.StatusCode)
	}
	if files := blobFiles(t, tr.cfg.BlobDir); len(files) != 0 {
		t.Fatalf("files left after deleting the only blob: %v", files)
	}
	if v := counterValue(t, tr, "relayer_blob_bytes_in_total"); v != float64(2*len(data)) {
		t.Fatalf("bytes in metric %v, want %d", v, 2*len(data))
	}
}

func TestBadUploadsStoreNothing(t *testing.T) {
	cfg := baseConfig(t)
	allowed := newKey(t)
	cfg.Blob.Uploaders = policy.KeySet{allowed.pk: {}}
	cfg.Blob.MaxBlobBytes = 1 << 20
	cfg.Blob.QuotaBytes = 3 << 20
	tr := startRelayer(t, cfg)
	data, sha := randomBlob(t, 100_000)
	_, otherSHA := randomBlob(t, 10)
	good := func() string { return allowed.token(t, "upload", time.Minute, nostr.Tag{"x", sha}) }

	wrongKind := func() string {
		evt := allowed.sign(t, nostr.Event{Kind: 1, Tags: nostr.Tags{{"t", "upload"}, {"x", sha}, {"expiration", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)}}})
		b, _ := evt.MarshalJSON()
		return "Nostr " + base64.StdEncoding.EncodeToString(b)
	}
	badSig := func() string {
		evt := allowed.sign(t, nostr.Event{Kind: nostrkind.BlossomAuth, Tags: nostr.Tags{{"t", "upload"}, {"x", sha}, {"expiration", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)}}})
		evt.Sig = strings.Repeat("0", 128)
		b, _ := evt.MarshalJSON()
		return "Nostr " + base64.RawURLEncoding.EncodeToString(b)
	}
	for _, c := range []struct {
		name   string
		auth   string
		hdr    map[string]string
		body   []byte
		status int
	}{
		{"no authorization", "", nil, data, 401},
		{"not base64", "Nostr !!!", nil, data, 401},
		{"wrong scheme", "Bearer " + base64.StdEncoding.EncodeToString([]byte("{}")), nil, data, 401},
		{"wrong kind", wrongKind(), nil, data, 401},
		{"bad signature", badSig(), nil, data, 401},
		{"expired", allowed.token(t, "upload", -time.Minute, nostr.Tag{"x", sha}), nil, data, 401},
		{"wrong verb", allowed.token(t, "delete", time.Minute, nostr.Tag{"x", sha}), nil, data, 401},
		{"no x tag", allowed.token(t, "upload", time.Minute), nil, data, 401},
		{"x names another blob", allowed.token(t, "upload", time.Minute, nostr.Tag{"x", otherSHA}), nil, data, 403},
		{"scoped to another server", allowed.token(t, "upload", time.Minute, nostr.Tag{"x", sha}, nostr.Tag{"server", "elsewhere.example"}), nil, data, 403},
		{"not an uploader", newKey(t).token(t, "upload", time.Minute, nostr.Tag{"x", sha}), nil, data, 403},
		{"wrong X-SHA-256", allowed.token(t, "upload", time.Minute, nostr.Tag{"x", sha}, nostr.Tag{"x", otherSHA}), map[string]string{"X-SHA-256": otherSHA}, data, 409},
		{"malformed X-SHA-256", good(), map[string]string{"X-SHA-256": "abc"}, data, 400},
		{"too large", good(), nil, make([]byte, 1<<20+1), 413},
	} {
		resp, _ := tr.put(t, c.body, c.auth, c.hdr)
		if resp.StatusCode != c.status || resp.Header.Get("X-Reason") == "" {
			t.Errorf("%s: %d %q, want %d with X-Reason", c.name, resp.StatusCode, resp.Header.Get("X-Reason"), c.status)
		}
	}
	// Too large without a Content-Length (chunked): cut off while streaming.
	req, _ := http.NewRequest("PUT", tr.httpURL+"/upload", io.MultiReader(bytes.NewReader(make([]byte, 1<<20)), bytes.NewReader([]byte{1})))
	req.ContentLength = -1
	req.Header.Set("Authorization", good())
	if resp, _ := httpDo(t, req); resp.StatusCode != 413 {
		t.Errorf("chunked oversize upload: %d", resp.StatusCode)
	}

	// Truncated: announce more bytes than are sent, then hang up.
	conn, err := net.Dial("tcp", strings.TrimPrefix(tr.httpURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "PUT /upload HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nContent-Length: %d\r\n\r\n", good(), len(data))
	conn.Write(data[:len(data)/2])
	time.Sleep(100 * time.Millisecond)
	conn.Close()
	time.Sleep(200 * time.Millisecond)

	if files := blobFiles(t, cfg.BlobDir); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}
	if resp, _ := tr.get(t, "/"+sha, nil); resp.StatusCode != 404 {
		t.Fatalf("refused blob is served: %d", resp.StatusCode)
	}

	// Quota: three 1 MiB blobs fit in 3 MiB, a fourth does not.
	for i := 0; i < 4; i++ {
		b, s := randomBlob(t, 1<<20)
		resp, _ := tr.put(t, b, allowed.token(t, "upload", time.Minute, nostr.Tag{"x", s}), nil)
		want := 201
		if i == 3 {
			want = 429
		}
		if resp.StatusCode != want {
			t.Fatalf("upload %d under quota: %d %q, want %d", i, resp.StatusCode, resp.Header.Get("X-Reason"), want)
		}
	}
	if got := len(blobFiles(t, cfg.BlobDir)); got != 3 {
		t.Fatalf("%d files after the quota refusal, want 3", got)
	}
	// Preflight (BUD-06) says the same before any byte is sent.
	head := func(auth string, hdr map[string]string) int {
		req, _ := http.NewRequest("HEAD", tr.httpURL+"/upload", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, _ := httpDo(t, req)
		return resp.StatusCode
	}
	_, small := randomBlob(t, 5)
	tok := allowed.token(t, "upload", time.Minute, nostr.Tag{"x", small})
	for _, c := range []struct {
		name string
		auth string
		hdr  map[string]string
		want int
	}{
		{"over quota", tok, map[string]string{"X-SHA-256": small, "X-Content-Length": "100"}, 429},
		{"over size", tok, map[string]string{"X-SHA-256": small, "X-Content-Length": strconv.Itoa(2 << 20)}, 413},
		{"no length", tok, map[string]string{"X-SHA-256": small}, 411},
		{"no hash", tok, map[string]string{"X-Content-Length": "5"}, 400},
		{"no auth", "", map[string]string{"X-SHA-256": small, "X-Content-Length": "5"}, 401},
	} {
		if got := head(c.auth, c.hdr); got != c.want {
			t.Errorf("HEAD /upload %s: %d, want %d", c.name, got, c.want)
		}
	}
}

func TestBlobPreflightAccepts(t *testing.T) {
	tr := startRelayer(t, baseConfig(t))
	k := newKey(t)
	_, sha := randomBlob(t, 10)
	req, _ := http.NewRequest("HEAD", tr.httpURL+"/upload", nil)
	req.Header.Set("Authorization", k.token(t, "upload", time.Minute, nostr.Tag{"x", sha}))
	req.Header.Set("X-SHA-256", sha)
	req.Header.Set("X-Content-Length", "10")
	req.Header.Set("X-Content-Type", "application/octet-stream")
	if resp, _ := httpDo(t, req); resp.StatusCode != 200 {
		t.Fatalf("preflight: %d %s", resp.StatusCode, resp.Header.Get("X-Reason"))
	}
	// CORS preflight from browsers.
	req, _ = http.NewRequest("OPTIONS", tr.httpURL+"/upload", nil)
	resp, _ := httpDo(t, req)
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "PUT") {
		t.Fatalf("CORS preflight headers: %v", resp.Header)
	}
}

func TestMetricsToken(t *testing.T) {
	cfg := baseConfig(t)
	cfg.MetricsToken = "s3cret"
	tr := startRelayer(t, cfg)
	if resp, _ := tr.get(t, "/metrics", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("metrics without token: %d", resp.StatusCode)
	}
	if resp, _ := tr.get(t, "/metrics", map[string]string{"Authorization": "Bearer wrong"}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("metrics with a wrong token: %d", resp.StatusCode)
	}
	resp, body := tr.get(t, "/metrics", map[string]string{"Authorization": "Bearer s3cret"})
	if resp.StatusCode != 200 || !strings.Contains(string(body), "relayer_connections") {
		t.Fatalf("metrics with the token: %d", resp.StatusCode)
	}
}

// An upload in progress when shutdown starts finishes and is acknowledged;
// the blob is there after a restart.
func TestShutdownFinishesUploads(t *testing.T) {
	cfg := baseConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	addr, _ := svc.Listen()
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	k := newKey(t)
	data, sha := randomBlob(t, 4<<20)
	pr, pw := io.Pipe()
	go func() {
		for off := 0; off < len(data); off += 256 << 10 {
			if off == 1<<20 {
				cancel() // shutdown begins with three quarters still to send
			}
			pw.Write(data[off : off+256<<10])
			time.Sleep(20 * time.Millisecond)
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("PUT", "http://"+addr.String()+"/upload", pr)
	req.ContentLength = int64(len(data))
	req.Header.Set("Authorization", k.token(t, "upload", time.Minute, nostr.Tag{"x", sha}))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload during shutdown: %d %s", resp.StatusCode, resp.Header.Get("X-Reason"))
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	tr := startRelayer(t, cfg)
	if resp, got := tr.get(t, "/"+sha, nil); resp.StatusCode != 200 || !bytes.Equal(got, data) {
		t.Fatalf("blob after restart: %d, %d bytes", resp.StatusCode, len(got))
	}
}

// BUD-04: PUT /mirror fetches a blob from a URL and stores it under the
// same authorization as an upload; bytes that are not the blob the
// authorization names, origins inside the server's network (unless
// allowed) and bad requests store nothing.
func TestMirror(t *testing.T) {
	data, sha := randomBlob(t, 300_000)
	other, _ := randomBlob(t, 1000)
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/" + sha:
			w.Header().Set("Content-Type", "application/octet-stream")
			w.Write(data)
		case "/liar":
			w.Write(other)
		default:
			http.NotFound(w, r)
		}
	}))
	defer origin.Close()

	cfg := baseConfig(t)
	cfg.Blob.MirrorPrivate = true // the origin is on loopback
	tr := startRelayer(t, cfg)
	k := newKey(t)
	mirror := func(tr *testRelayer, body string, auth string) (*http.Response, []byte) {
		req, _ := http.NewRequest("PUT", tr.httpURL+"/mirror", strings.NewReader(body))
		req.Header.Set("Authorization", auth)
		return httpDo(t, req)
	}
	auth := k.token(t, "upload", time.Hour, nostr.Tag{"x", sha})

	for name, c := range map[string]struct {
		body   string
		status int
	}{
		"not JSON":          {`url=x`, http.StatusBadRequest},
		"not HTTP":          {`{"url": "file:///etc/passwd"}`, http.StatusBadRequest},
		"origin says 404":   {`{"url": "` + origin.URL + `/missing"}`, http.StatusBadGateway},
		"bytes of another":  {`{"url": "` + origin.URL + `/liar"}`, http.StatusForbidden},
		"nothing listening": {`{"url": "http://127.0.0.1:1/x"}`, http.StatusBadGateway},
	} {
		if resp, body := mirror(tr, c.body, auth); resp.StatusCode != c.status {
			t.Errorf("%s: %d %s, want %d", name, resp.StatusCode, body, c.status)
		}
	}
	if files := blobFiles(t, cfg.BlobDir); len(files) != 0 {
		t.Fatalf("refused mirrors left %v", files)
	}
	if resp, body := mirror(tr, `{"url": "`+origin.URL+`/`+sha+`"}`, ""); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("mirror without authorization: %d %s", resp.StatusCode, body)
	}

	resp, body := mirror(tr, `{"url": "`+origin.URL+`/`+sha+`"}`, auth)
	if resp.StatusCode != http.StatusCreated || !strings.Contains(string(body), sha) {
		t.Fatalf("mirror: %d %s", resp.StatusCode, body)
	}
	if resp, got := tr.get(t, "/"+sha, nil); resp.StatusCode != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET after mirror: %d, %d bytes", resp.StatusCode, len(got))
	}

	// A server with the default settings does not reach into its own
	// network.
	guarded := startRelayer(t, baseConfig(t))
	resp, body = mirror(guarded, `{"url": "`+origin.URL+`/`+sha+`"}`, auth)
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "loopback, private or link-local") {
		t.Fatalf("mirror from loopback: %d %s", resp.StatusCode, body)
	}
}
