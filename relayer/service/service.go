// Package service assembles the relayer process: the PostgreSQL store, the
// Nostr relay, the Blossom blob server and /metrics on one HTTP listener,
// plus any long-running components (the order agent is one), with a
// graceful shutdown that finishes in-flight writes.
package service

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/agi-nostr/agi-nostr/relayer/blob"
	"github.com/agi-nostr/agi-nostr/relayer/metrics"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/relay"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// Config configures a Service.
type Config struct {
	Listen      string // host:port
	DatabaseURL string
	Schema      string
	BlobDir     string
	// TLSCert and TLSKey serve HTTPS/WSS directly; empty serves plain HTTP
	// (the usual setup behind a TLS-terminating proxy).
	TLSCert, TLSKey string
	DBMaxConns      int32
	Relay           relay.Config
	Blob            blob.Config
	// MetricsToken, when set, must be presented as "Authorization: Bearer
	// <token>" to read /metrics.
	MetricsToken string
	// ShutdownTimeout bounds the graceful shutdown (default 30s).
	ShutdownTimeout time.Duration
	Log             *slog.Logger
}

// Component is a long-running part of the relayer process. Run returns
// when ctx is cancelled, after finishing the work it has in hand.
type Component interface {
	Name() string
	Run(ctx context.Context) error
}

// Service is an assembled relayer.
type Service struct {
	cfg        Config
	log        *slog.Logger
	db         *store.DB
	metrics    *metrics.Metrics
	relay      *relay.Relay
	blobs      *blob.Store
	mux        *http.ServeMux
	components []Component

	mu       sync.Mutex
	listener net.Listener
}

// New opens the store (creating or migrating its schema), prepares the blob
// directory (sweeping what interrupted uploads left) and wires the HTTP
// routes. It does not listen yet.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if cfg.DatabaseURL == "" {
		return nil, errors.New("no database: set DATABASE_URL to a PostgreSQL connection string")
	}
	if cfg.BlobDir == "" {
		return nil, errors.New("no blob directory: set --blob-dir")
	}
	s := &Service{cfg: cfg, log: cfg.Log, metrics: metrics.New(), mux: http.NewServeMux()}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.Schema, store.Options{MaxConns: cfg.DBMaxConns})
	if err != nil {
		return nil, err
	}
	s.db = db
	version, _ := db.Version(ctx)
	s.log.Info("store ready", "schema", cfg.Schema, "version", version)

	blobs, err := blob.Open(cfg.BlobDir, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	swept, err := blobs.Sweep(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.blobs = blobs
	s.log.Info("blob store ready", "dir", cfg.BlobDir, "blobs", swept.Blobs,
		"removed_partial_uploads", swept.Temporary, "removed_unrecorded_files", swept.Unowned)

	if cfg.Relay.Validate == nil {
		cfg.Relay.Validate = policy.CheckProjectKinds
	}
	s.relay = relay.New(cfg.Relay, db, s.metrics, s.log.With("part", "relay"))
	a, l := cfg.Relay.Access, cfg.Relay.Limits
	if a == nil {
		a = &policy.Access{}
	}
	s.log.Info("policy",
		"max_message_bytes", l.MaxMessageBytes, "max_event_tags", l.MaxEventTags, "max_subscriptions", l.MaxSubscriptions,
		"writers", len(a.Writers), "auth_writes", a.AuthWrites, "protected_kinds", policy.SortedKinds(a.ProtectedKinds),
		"uploaders", len(cfg.Blob.Uploaders), "max_blob_bytes", cfg.Blob.MaxBlobBytes, "quota_bytes", cfg.Blob.QuotaBytes,
		"public_url", cfg.Relay.PublicURL)
	s.routes(blob.NewHandler(cfg.Blob, blobs, s.metrics, s.log.With("part", "blob")))
	s.Add(&expiryPurge{db: db, log: s.log.With("part", "expiry"), every: 10 * time.Minute})
	return s, nil
}

// expiryPurge deletes events past their NIP-40 expiration, at start and
// then every so often, in batches so that no statement holds many rows.
type expiryPurge struct {
	db    *store.DB
	log   *slog.Logger
	every time.Duration
}

func (e *expiryPurge) Name() string { return "expiry" }

func (e *expiryPurge) Run(ctx context.Context) error {
	t := time.NewTicker(e.every)
	defer t.Stop()
	for {
		var total int64
		for {
			n, err := e.db.DeleteExpired(ctx, time.Now().Unix(), 1000)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				// Not fatal: expired events are not served anyway.
				e.log.Warn("purge expired events", "err", err)
				break
			}
			total += n
			if n < 1000 {
				break
			}
		}
		if total > 0 {
			e.log.Info("purged expired events", "events", total)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// DB, Relay, Blobs and Metrics give components access to the shared parts.
func (s *Service) DB() *store.DB             { return s.db }
func (s *Service) Relay() *relay.Relay       { return s.relay }
func (s *Service) Blobs() *blob.Store        { return s.blobs }
func (s *Service) Metrics() *metrics.Metrics { return s.metrics }

// Add registers a component to run alongside the servers.
func (s *Service) Add(c Component) { s.components = append(s.components, c) }

// Handle mounts an extra HTTP route (a ServeMux pattern) on the shared
// listener, with CORS and request metrics under the given name.
func (s *Service) Handle(pattern, name string, h http.Handler) {
	s.mux.Handle(pattern, s.instrument(name, h))
}

func (s *Service) routes(bh *blob.Handler) {
	s.mux.HandleFunc("GET /{$}", s.root)
	s.mux.Handle("GET /metrics", s.instrument("metrics", s.metricsHandler()))
	s.mux.Handle("GET /healthz", s.instrument("healthz", http.HandlerFunc(s.health)))
	s.mux.Handle("OPTIONS /", s.instrument("preflight", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})))
	for _, rt := range bh.Routes() {
		s.mux.Handle(rt.Pattern, s.instrument(rt.Name, rt.Handler))
	}
}

// root serves "/": the websocket, the NIP-11 document, or a short page
// for browsers.
func (s *Service) root(w http.ResponseWriter, r *http.Request) {
	switch {
	case relay.IsWebsocket(r):
		s.relay.ServeHTTP(w, r)
	case relay.WantsInfo(r):
		s.instrument("nip11", http.HandlerFunc(s.relay.ServeInfo)).ServeHTTP(w, r)
	default:
		s.instrument("index", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "AGI Nostr relayer: a Nostr relay (connect a websocket here; NIP-11 with Accept: application/nostr+json)\n"+
				"and a Blossom blob server (GET /<sha256>, PUT /upload, GET /list/<pubkey>, DELETE /<sha256>).\n")
		})).ServeHTTP(w, r)
	}
}

// metricsHandler serves /metrics, behind a bearer token when one is set.
func (s *Service) metricsHandler() http.Handler {
	h := s.metrics.Handler()
	if s.cfg.MetricsToken == "" {
		return h
	}
	want := []byte("Bearer " + s.cfg.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need a bearer token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Service) health(w http.ResponseWriter, r *http.Request) {
	if err := s.db.Ping(r.Context()); err != nil {
		http.Error(w, "database unreachable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ok\n")
}

// setCORS allows any origin (BUD-01, NIP-11): browsers fetch shards and
// relay information from pages on other domains.
func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Headers", "Authorization, *")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, PUT, DELETE, OPTIONS")
	h.Set("Access-Control-Expose-Headers", "X-Reason, Content-Length, Content-Range, ETag")
	h.Set("Access-Control-Max-Age", "86400")
}

func (s *Service) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		setCORS(w.Header())
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		s.metrics.ObserveHTTP(name, r.Method, rec.code, time.Since(start))
	})
}

// statusRecorder remembers the status code and keeps the fast paths of the
// writer it wraps (ReadFrom for sendfile, Flush, Unwrap for hijacking).
type statusRecorder struct {
	http.ResponseWriter
	code        int
	wroteHeader bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wroteHeader {
		r.code, r.wroteHeader = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(p []byte) (int, error) {
	r.wroteHeader = true
	return r.ResponseWriter.Write(p)
}

func (r *statusRecorder) ReadFrom(src io.Reader) (int64, error) {
	r.wroteHeader = true
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(src)
	}
	return io.Copy(struct{ io.Writer }{r.ResponseWriter}, src)
}

func (r *statusRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Handler is the whole HTTP surface (for tests that bring their own server).
func (s *Service) Handler() http.Handler { return s.mux }

// Addr is the listening address once Run has started listening.
func (s *Service) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Listen opens the listening socket (Run calls it if needed); useful to
// learn the port of ":0" before Run.
func (s *Service) Listen() (net.Addr, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listener != nil {
		return s.listener.Addr(), nil
	}
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	if s.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLSCert, s.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("load TLS certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	}
	s.listener = ln
	return ln.Addr(), nil
}

// Run serves until ctx is cancelled or a part fails, then shuts down
// gracefully: no new connections or messages are accepted, events being
// stored and uploads in progress finish (and are acknowledged), components
// finish their work, and the store closes. Run closes the store; the
// Service cannot be run twice.
func (s *Service) Run(ctx context.Context) error {
	defer s.db.Close()
	if _, err := s.Listen(); err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           s.mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errs := make(chan error, 1+len(s.components))
	go func() {
		if err := srv.Serve(s.listener); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("http server: %w", err)
		}
	}()
	s.log.Info("listening", "addr", s.listener.Addr().String())

	compCtx, stopComponents := context.WithCancel(context.WithoutCancel(ctx))
	defer stopComponents()
	var compWG sync.WaitGroup
	for _, c := range s.components {
		compWG.Add(1)
		go func() {
			defer compWG.Done()
			s.log.Info("component started", "component", c.Name())
			if err := c.Run(compCtx); err != nil && compCtx.Err() == nil {
				errs <- fmt.Errorf("%s: %w", c.Name(), err)
			}
		}()
	}

	var runErr error
	select {
	case <-ctx.Done():
		s.log.Info("shutting down")
	case runErr = <-errs:
		s.log.Error("stopping after a failure", "err", runErr)
	}

	sdCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if err := srv.Shutdown(sdCtx); err != nil {
			s.log.Warn("http shutdown incomplete", "err", err)
			srv.Close()
		}
	}()
	go func() {
		defer wg.Done()
		if err := s.relay.Shutdown(sdCtx); err != nil {
			s.log.Warn("relay shutdown incomplete", "err", err)
		}
	}()
	wg.Wait()
	stopComponents()
	done := make(chan struct{})
	go func() { compWG.Wait(); close(done) }()
	select {
	case <-done:
	case <-sdCtx.Done():
		s.log.Warn("components did not stop in time")
	}
	s.log.Info("stopped")
	return runErr
}
