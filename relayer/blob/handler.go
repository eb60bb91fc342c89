package blob

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/relayer/metrics"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// Config configures the Blossom HTTP endpoints.
type Config struct {
	// PublicURL is the server's public base URL for blob descriptors and
	// for "server" tag scoping; empty derives it from each request.
	PublicURL string
	// MaxBlobBytes bounds one blob (0: no limit).
	MaxBlobBytes int64
	// QuotaBytes bounds the bytes each uploader owns (0: no quota).
	QuotaBytes int64
	// Uploaders admits only these keys to upload; empty admits any key
	// with a valid authorization.
	Uploaders policy.KeySet
	// ListAuth makes GET /list/<pubkey> require that key's authorization.
	ListAuth bool
	// IPRequests limits Blossom requests per client address; Uploads
	// limits uploads per key. nil disables either.
	IPRequests *policy.RateLimiter
	Uploads    *policy.RateLimiter
	// TrustForwarded takes the client address and scheme from proxy
	// headers.
	TrustForwarded bool
	// NoMirror turns off BUD-04 PUT /mirror. MirrorPrivate lets a mirror
	// fetch from loopback, private and link-local addresses, which are
	// refused by default so that clients cannot make the server reach into
	// its own network. MirrorTimeout bounds one mirror fetch (0: 10 minutes).
	NoMirror      bool
	MirrorPrivate bool
	MirrorTimeout time.Duration
}

// Handler serves the Blossom endpoints.
type Handler struct {
	cfg     Config
	store   *Store
	index   Index
	metrics *metrics.Metrics
	log     *slog.Logger
	now     func() time.Time
	// mirrorHTTP fetches BUD-04 mirror origins.
	mirrorHTTP *http.Client
}

// NewHandler builds the HTTP side of a blob store.
func NewHandler(cfg Config, s *Store, m *metrics.Metrics, log *slog.Logger) *Handler {
	if cfg.MirrorTimeout <= 0 {
		cfg.MirrorTimeout = 10 * time.Minute
	}
	return &Handler{cfg: cfg, store: s, index: s.index, metrics: m, log: log, now: time.Now,
		mirrorHTTP: mirrorClient(cfg.MirrorPrivate, cfg.MirrorTimeout)}
}

// Route is one endpoint for the server's mux.
type Route struct {
	Pattern string // net/http ServeMux pattern
	Name    string // metrics label
	Handler http.HandlerFunc
}

// Routes lists the endpoints (GET patterns also answer HEAD).
func (h *Handler) Routes() []Route {
	return []Route{
		{"PUT /upload", "upload", h.limited(h.upload)},
		{"HEAD /upload", "upload-check", h.limited(h.uploadCheck)},
		{"PUT /mirror", "mirror", h.limited(h.mirror)},
		{"GET /list/{pubkey}", "list", h.limited(h.list)},
		{"GET /{blob}", "blob", h.limited(h.get)},
		{"DELETE /{blob}", "delete", h.limited(h.delete)},
	}
}

func (h *Handler) limited(fn http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ip := policy.ClientIP(r, h.cfg.TrustForwarded)
		if !h.cfg.IPRequests.Allow(ip) {
			h.metrics.RateLimited.WithLabelValues("http-ip").Inc()
			w.Header().Set("Retry-After", "1")
			fail(w, http.StatusTooManyRequests, "too many requests from your address; slow down")
			return
		}
		fn(w, r)
	}
}

// fail answers an error with BUD-01's X-Reason header.
func fail(w http.ResponseWriter, status int, reason string) {
	w.Header().Set("X-Reason", reason)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, reason+"\n")
}

func failAuth(w http.ResponseWriter, err error) {
	var ae *authError
	if errors.As(err, &ae) {
		fail(w, ae.status, ae.reason)
		return
	}
	fail(w, http.StatusUnauthorized, err.Error())
}

// parseBlobName reads "<sha256>[.ext]".
func parseBlobName(name string) ([]byte, string, bool) {
	hexPart, ext, hasExt := strings.Cut(name, ".")
	if hasExt && (len(ext) == 0 || len(ext) > 16 || strings.ContainsFunc(ext, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	})) {
		return nil, "", false
	}
	hexPart = strings.ToLower(hexPart)
	if !policy.IsLowerHex(hexPart, 64) {
		return nil, "", false
	}
	sha, _ := hex.DecodeString(hexPart)
	return sha, hexPart, true
}

func (h *Handler) get(w http.ResponseWriter, r *http.Request) {
	sha, shaHex, ok := parseBlobName(r.PathValue("blob"))
	if !ok {
		fail(w, http.StatusBadRequest, "not a blob address: want /<sha256>[.ext]")
		return
	}
	b, found, err := h.index.Blob(r.Context(), sha)
	if err != nil {
		h.metrics.StoreErrors.WithLabelValues("blob").Inc()
		h.log.Error("look up blob", "sha256", shaHex, "err", err)
		fail(w, http.StatusServiceUnavailable, "blob index unavailable; retry later")
		return
	}
	if !found {
		fail(w, http.StatusNotFound, "no such blob")
		return
	}
	f, err := h.store.Open(sha)
	if err != nil {
		h.metrics.BlobsMissing.Inc()
		h.log.Error("blob file missing for a stored blob", "sha256", shaHex, "err", err)
		fail(w, http.StatusNotFound, "blob bytes are missing on this server")
		return
	}
	defer f.Close()
	hdr := w.Header()
	hdr.Set("Content-Type", b.Type)
	hdr.Set("ETag", `"`+shaHex+`"`)
	// Content-addressed: the bytes behind a URL never change.
	hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	cw := &countingWriter{ResponseWriter: w}
	http.ServeContent(cw, r, "", time.Unix(b.Uploaded, 0), f)
	h.metrics.BlobBytesOut.Add(float64(cw.n))
}

// countingWriter counts body bytes and keeps the ReaderFrom fast path
// (sendfile) of the underlying writer.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.ResponseWriter.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		c.n += n
		return n, err
	}
	n, err := io.Copy(struct{ io.Writer }{c.ResponseWriter}, r)
	c.n += n
	return n, err
}

func (c *countingWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// Descriptor is a BUD-02 blob descriptor.
type Descriptor struct {
	URL      string `json:"url"`
	SHA256   string `json:"sha256"`
	Size     int64  `json:"size"`
	Type     string `json:"type"`
	Uploaded int64  `json:"uploaded"`
}

func (h *Handler) descriptor(r *http.Request, b store.Blob) Descriptor {
	shaHex := hex.EncodeToString(b.SHA256)
	return Descriptor{
		URL:      h.baseURL(r) + "/" + shaHex + extension(b.Type),
		SHA256:   shaHex,
		Size:     b.Size,
		Type:     b.Type,
		Uploaded: b.Uploaded,
	}
}

func (h *Handler) baseURL(r *http.Request) string {
	if h.cfg.PublicURL != "" {
		return strings.TrimSuffix(h.cfg.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if h.cfg.TrustForwarded {
		if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
			scheme = p
		}
	}
	return scheme + "://" + r.Host
}

// serverHost is this server's domain for BUD-11 "server" tags.
func (h *Handler) serverHost(r *http.Request) string {
	if h.cfg.PublicURL != "" {
		if u, err := url.Parse(h.cfg.PublicURL); err == nil {
			return strings.ToLower(u.Hostname())
		}
	}
	host := r.Host
	if hn, _, err := net.SplitHostPort(host); err == nil {
		host = hn
	}
	return strings.ToLower(strings.Trim(host, "[]"))
}

var extensions = map[string]string{
	"application/octet-stream": ".bin",
	"application/json":         ".json",
	"application/pdf":          ".pdf",
	"application/gzip":         ".gz",
	"application/zip":          ".zip",
	"application/x-tar":        ".tar",
	"application/zstd":         ".zst",
	"text/plain":               ".txt",
	"image/png":                ".png",
	"image/jpeg":               ".jpg",
}

// extension picks the URL extension BUD-02 wants for a media type.
func extension(mediaType string) string {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return ".bin"
	}
	if ext, ok := extensions[mt]; ok {
		return ext
	}
	if exts, err := mime.ExtensionsByType(mt); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ".bin"
}

// mediaType normalizes a Content-Type for storage.
func mediaType(header string) string {
	mt, params, err := mime.ParseMediaType(header)
	if err != nil || mt == "" {
		return "application/octet-stream"
	}
	s := mime.FormatMediaType(mt, params)
	if s == "" || len(s) > 200 {
		return "application/octet-stream"
	}
	return s
}

// authorize parses and checks a request's authorization for verb.
func (h *Handler) authorize(r *http.Request, verb, sha string, requireX bool) (*nostr.Event, error) {
	evt, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return nil, err
	}
	if err := checkToken(evt, verb, h.serverHost(r), sha, requireX, h.now()); err != nil {
		return nil, err
	}
	return evt, nil
}

func (h *Handler) uploadRefused(w http.ResponseWriter, status int, result, reason string) {
	h.metrics.BlobUploads.WithLabelValues(result).Inc()
	fail(w, status, reason)
}

// readHexHeader reads an optional lowercase-hex sha256 header.
func readHexHeader(r *http.Request, name string) (string, bool) {
	v := strings.ToLower(strings.TrimSpace(r.Header.Get(name)))
	if v == "" {
		return "", true
	}
	return v, policy.IsLowerHex(v, 64)
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request) {
	claimed, ok := readHexHeader(r, "X-SHA-256")
	if !ok {
		h.uploadRefused(w, http.StatusBadRequest, "bad-request", "X-SHA-256 must be 64 hex digits")
		return
	}
	auth, err := h.authorize(r, VerbUpload, claimed, true)
	if err != nil {
		h.metrics.BlobUploads.WithLabelValues("unauthorized").Inc()
		failAuth(w, err)
		return
	}
	if !h.admitUploader(w, auth) {
		return
	}
	owner, _ := hex.DecodeString(auth.PubKey)
	if !h.admitSize(w, r, owner, r.ContentLength) {
		return
	}

	p, err := h.store.Receive(r.Body, r.ContentLength, h.cfg.MaxBlobBytes, func(n int) { h.metrics.BlobBytesIn.Add(float64(n)) })
	switch {
	case errors.Is(err, ErrTooLarge):
		h.refuseTooLarge(w)
		return
	case errors.Is(err, ErrTruncated):
		h.uploadRefused(w, http.StatusBadRequest, "truncated", "upload ended before its Content-Length; nothing was stored")
		return
	case err != nil:
		h.log.Info("upload failed", "pubkey", auth.PubKey, "err", err)
		h.uploadRefused(w, http.StatusBadRequest, "failed", "upload failed: "+err.Error())
		return
	}
	defer p.Discard()
	shaHex := hex.EncodeToString(p.SHA256)
	if claimed != "" && claimed != shaHex {
		h.uploadRefused(w, http.StatusConflict, "hash-mismatch", "body hashes to "+shaHex+", not the X-SHA-256 "+claimed)
		return
	}
	h.commitUpload(w, r, auth, owner, p, mediaType(r.Header.Get("Content-Type")))
}

// commitUpload records a received blob for its uploader (upload and
// mirror) once the authorization is seen to name it, and answers with its
// descriptor.
func (h *Handler) commitUpload(w http.ResponseWriter, r *http.Request, auth *nostr.Event, owner []byte, p *Pending, mt string) {
	shaHex := hex.EncodeToString(p.SHA256)
	if !namesBlob(auth, shaHex) {
		h.uploadRefused(w, http.StatusForbidden, "unauthorized", "authorization's x tags do not name blob "+shaHex)
		return
	}
	uploaded := h.now().Unix()
	// The commit outlives a client that hangs up now: it is quick, and the
	// blob is either fully recorded or not at all.
	created, err := h.store.Commit(context.WithoutCancel(r.Context()), p, mt, uploaded, owner, h.cfg.QuotaBytes)
	if errors.Is(err, store.ErrQuota) {
		used, _ := h.index.BlobUsage(r.Context(), owner)
		h.uploadRefused(w, http.StatusTooManyRequests, "quota", quotaReason(used, h.cfg.QuotaBytes))
		return
	}
	if err != nil {
		h.metrics.StoreErrors.WithLabelValues("commit-blob").Inc()
		h.log.Error("commit blob", "sha256", shaHex, "err", err)
		h.uploadRefused(w, http.StatusInternalServerError, "error", "could not store the blob; retry later")
		return
	}
	b, _, err := h.index.Blob(r.Context(), p.SHA256)
	if err != nil || b.SHA256 == nil {
		b = store.Blob{SHA256: p.SHA256, Size: p.Size, Type: mt, Uploaded: uploaded}
	}
	status, result := http.StatusOK, "existing"
	if created {
		status, result = http.StatusCreated, "created"
	}
	h.metrics.BlobUploads.WithLabelValues(result).Inc()
	h.log.Info("blob uploaded", "sha256", shaHex, "size", p.Size, "pubkey", auth.PubKey, "new", created)
	writeJSON(w, status, h.descriptor(r, b))
}

// admitUploader refuses (and answers) a key that may not upload here or
// is uploading too fast (upload and mirror).
func (h *Handler) admitUploader(w http.ResponseWriter, auth *nostr.Event) bool {
	if !h.cfg.Uploaders.Allows(auth.PubKey) {
		h.uploadRefused(w, http.StatusForbidden, "forbidden", "this key may not upload to this server")
		return false
	}
	if !h.cfg.Uploads.Allow(auth.PubKey) {
		h.metrics.RateLimited.WithLabelValues("upload-pubkey").Inc()
		w.Header().Set("Retry-After", "1")
		h.uploadRefused(w, http.StatusTooManyRequests, "rate-limited", "too many uploads from this key; slow down")
		return false
	}
	return true
}

// admitSize refuses (and answers) a blob of announced length (-1:
// unknown) that exceeds the size limit or the owner's quota, before any
// byte is read; the limits are enforced again while receiving and
// committing.
func (h *Handler) admitSize(w http.ResponseWriter, r *http.Request, owner []byte, length int64) bool {
	if h.cfg.MaxBlobBytes > 0 && length > h.cfg.MaxBlobBytes {
		h.refuseTooLarge(w)
		return false
	}
	if h.cfg.QuotaBytes > 0 && length > 0 {
		used, err := h.index.BlobUsage(r.Context(), owner)
		if err != nil {
			h.metrics.StoreErrors.WithLabelValues("usage").Inc()
			h.uploadRefused(w, http.StatusServiceUnavailable, "error", "blob index unavailable; retry later")
			return false
		}
		if used+length > h.cfg.QuotaBytes {
			h.uploadRefused(w, http.StatusTooManyRequests, "quota", quotaReason(used, h.cfg.QuotaBytes))
			return false
		}
	}
	return true
}

func (h *Handler) refuseTooLarge(w http.ResponseWriter) {
	h.uploadRefused(w, http.StatusRequestEntityTooLarge, "too-large", tooLargeReason(h.cfg.MaxBlobBytes))
}

func tooLargeReason(max int64) string {
	return "blob is larger than this server's limit of " + strconv.FormatInt(max, 10) + " bytes"
}

func quotaReason(used, quota int64) string {
	return "upload would exceed your quota: " + strconv.FormatInt(used, 10) + " of " + strconv.FormatInt(quota, 10) + " bytes used"
}

// uploadCheck answers BUD-06 HEAD /upload from the X-SHA-256,
// X-Content-Length and X-Content-Type headers.
func (h *Handler) uploadCheck(w http.ResponseWriter, r *http.Request) {
	sha, ok := readHexHeader(r, "X-SHA-256")
	if !ok || sha == "" {
		fail(w, http.StatusBadRequest, "X-SHA-256 must be 64 hex digits")
		return
	}
	auth, err := h.authorize(r, VerbUpload, sha, true)
	if err != nil {
		failAuth(w, err)
		return
	}
	if !h.cfg.Uploaders.Allows(auth.PubKey) {
		fail(w, http.StatusForbidden, "this key may not upload to this server")
		return
	}
	lenHeader := r.Header.Get("X-Content-Length")
	if lenHeader == "" {
		fail(w, http.StatusLengthRequired, "X-Content-Length is required")
		return
	}
	size, err := strconv.ParseInt(lenHeader, 10, 64)
	if err != nil || size < 0 {
		fail(w, http.StatusBadRequest, "X-Content-Length must be a byte count")
		return
	}
	if h.cfg.MaxBlobBytes > 0 && size > h.cfg.MaxBlobBytes {
		fail(w, http.StatusRequestEntityTooLarge, tooLargeReason(h.cfg.MaxBlobBytes))
		return
	}
	if h.cfg.QuotaBytes > 0 {
		owner, _ := hex.DecodeString(auth.PubKey)
		used, err := h.index.BlobUsage(r.Context(), owner)
		if err != nil {
			fail(w, http.StatusServiceUnavailable, "blob index unavailable; retry later")
			return
		}
		if used+size > h.cfg.QuotaBytes {
			fail(w, http.StatusTooManyRequests, quotaReason(used, h.cfg.QuotaBytes))
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (h *Handler) delete(w http.ResponseWriter, r *http.Request) {
	sha, shaHex, ok := parseBlobName(r.PathValue("blob"))
	if !ok {
		fail(w, http.StatusBadRequest, "not a blob address: want /<sha256>")
		return
	}
	auth, err := h.authorize(r, VerbDelete, shaHex, true)
	if err != nil {
		failAuth(w, err)
		return
	}
	owner, _ := hex.DecodeString(auth.PubKey)
	owned, removed, err := h.store.Remove(context.WithoutCancel(r.Context()), sha, owner)
	if err != nil {
		h.metrics.StoreErrors.WithLabelValues("delete-blob").Inc()
		h.log.Error("delete blob", "sha256", shaHex, "err", err)
		fail(w, http.StatusInternalServerError, "could not delete the blob; retry later")
		return
	}
	if !owned {
		fail(w, http.StatusNotFound, "this key has no blob "+shaHex)
		return
	}
	if removed {
		h.metrics.BlobsDeleted.Inc()
	}
	h.log.Info("blob deleted", "sha256", shaHex, "pubkey", auth.PubKey, "bytes_removed", removed)
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	pk := r.PathValue("pubkey")
	if !policy.IsLowerHex(pk, 64) {
		fail(w, http.StatusBadRequest, "pubkey must be 64 lowercase hex digits")
		return
	}
	if h.cfg.ListAuth {
		auth, err := h.authorize(r, VerbList, "", false)
		if err != nil {
			failAuth(w, err)
			return
		}
		if auth.PubKey != pk {
			fail(w, http.StatusForbidden, "only the owner may list these blobs")
			return
		}
	}
	q := store.ListQuery{Limit: 100}
	q.Owner, _ = hex.DecodeString(pk)
	v := r.URL.Query()
	if c := v.Get("cursor"); c != "" {
		if !policy.IsLowerHex(c, 64) {
			fail(w, http.StatusBadRequest, "cursor must be the sha256 of a listed blob")
			return
		}
		q.Cursor, _ = hex.DecodeString(c)
	}
	for _, p := range []struct {
		name string
		dst  *int64
		max  int64
	}{{"since", &q.Since, 1 << 62}, {"until", &q.Until, 1 << 62}, {"limit", nil, 1000}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 || n > p.max || (p.name == "limit" && n == 0) {
			fail(w, http.StatusBadRequest, p.name+" must be a positive integer")
			return
		}
		if p.dst != nil {
			*p.dst = n
		} else {
			q.Limit = int(n)
		}
	}
	blobs, err := h.index.ListBlobs(r.Context(), q)
	if err != nil {
		h.metrics.StoreErrors.WithLabelValues("list-blobs").Inc()
		h.log.Error("list blobs", "pubkey", pk, "err", err)
		fail(w, http.StatusServiceUnavailable, "blob index unavailable; retry later")
		return
	}
	out := make([]Descriptor, len(blobs))
	for i, b := range blobs {
		out[i] = h.descriptor(r, b)
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
