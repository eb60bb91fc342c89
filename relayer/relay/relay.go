// Package relay speaks the Nostr relay protocol over websockets: NIP-01
// (EVENT, REQ, CLOSE, EOSE, OK, NOTICE, CLOSED), NIP-09 deletions (applied
// by the store), NIP-11 information, NIP-42 authentication, NIP-45 COUNT
// and NIP-70 protected events.
//
// Each connection has one reader, one writer and a bounded number of
// message handlers. Messages to a client go through a bounded queue that
// is never waited on by anyone else: a client that does not keep up is
// disconnected, and never slows down the others.
package relay

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"
	"github.com/nbd-wtf/go-nostr/nip11"

	"github.com/agi-nostr/agi-nostr/relayer/metrics"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// Store is what the relay needs from the event store.
type Store interface {
	SaveEvent(ctx context.Context, evt *nostr.Event, raw []byte) (store.SaveResult, error)
	QueryPage(ctx context.Context, f *nostr.Filter, n int, maxBytes int64, vis store.Visibility, after *store.Cursor) ([]store.Row, error)
	CountEvents(ctx context.Context, filters []nostr.Filter, vis store.Visibility) (int64, error)
}

// Validator checks kind-specific rules (the project's repository kinds)
// after the signature is verified; nil accepts everything.
type Validator func(evt *nostr.Event) *policy.Rejection

// Info is the operator-provided part of the NIP-11 document.
type Info struct {
	Name, Description, PubKey, Contact, Icon, Software, Version string
}

// Config configures a Relay. Zero durations and sizes take the defaults
// noted on each field.
type Config struct {
	Limits policy.Limits
	Access *policy.Access
	// Rate limits; nil disables one.
	IPEvents     *policy.RateLimiter // EVENT messages per IP
	PubkeyEvents *policy.RateLimiter // events per author
	IPReqs       *policy.RateLimiter // REQ and COUNT per IP
	// MaxConnsPerIP caps simultaneous websockets from one address (0: no cap).
	MaxConnsPerIP int
	// TrustForwarded takes the client address from X-Forwarded-For or
	// X-Real-IP (set it only behind a reverse proxy that sets them).
	TrustForwarded bool
	// PublicURL is the relay's public address (https://... or wss://...),
	// used to check NIP-42 relay tags; empty trusts the Host header.
	PublicURL string
	Info      Info
	Validate  Validator
	// WriteTimeout is how long one message may take to write before the
	// client is considered stuck and dropped (default 10s).
	WriteTimeout time.Duration
	// SendQueue is how many messages may wait for a slow client before it
	// is dropped (default 1024).
	SendQueue int
	// PingInterval is how often idle clients are pinged; a client that does
	// not answer within the interval is dropped (default 30s).
	PingInterval time.Duration
	// InFlight bounds the messages one connection has being processed at
	// once; the connection is not read further meanwhile (default 8).
	InFlight int
	// StoreTimeout bounds one database call (default 30s).
	StoreTimeout time.Duration
}

func (c *Config) setDefaults() {
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 10 * time.Second
	}
	if c.SendQueue <= 0 {
		c.SendQueue = 1024
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.InFlight <= 0 {
		c.InFlight = 8
	}
	if c.StoreTimeout <= 0 {
		c.StoreTimeout = 30 * time.Second
	}
	if c.Access == nil {
		c.Access = &policy.Access{}
	}
}

// Relay serves Nostr clients. Create it with New, mount ServeHTTP, and call
// Shutdown to stop.
type Relay struct {
	cfg     Config
	store   Store
	metrics *metrics.Metrics
	log     *slog.Logger
	subs    *registry
	work    tracker // message handlers in flight

	mu      sync.Mutex
	conns   map[*conn]struct{}
	perIP   map[string]int
	closing bool
}

// New builds a relay on a store.
func New(cfg Config, st Store, m *metrics.Metrics, log *slog.Logger) *Relay {
	cfg.setDefaults()
	return &Relay{
		cfg: cfg, store: st, metrics: m, log: log,
		subs:  newRegistry(),
		conns: map[*conn]struct{}{},
		perIP: map[string]int{},
	}
}

// IsWebsocket reports whether r asks for a websocket upgrade.
func IsWebsocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// WantsInfo reports whether r asks for the NIP-11 document.
func WantsInfo(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "application/nostr+json")
}

// ServeHTTP upgrades a request to a Nostr websocket connection and serves
// it until either side closes.
func (rl *Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ip := rl.clientIP(r)
	if !rl.admit(ip) {
		w.Header().Set("Retry-After", "10")
		http.Error(w, "too many connections from your address, or the relay is shutting down", http.StatusTooManyRequests)
		return
	}
	bw := &batchingWriter{ResponseWriter: w, timeout: rl.cfg.WriteTimeout}
	ws, err := websocket.Accept(bw, r, &websocket.AcceptOptions{
		// Nostr clients run in browsers on any origin.
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		rl.release(ip)
		rl.log.Debug("websocket upgrade failed", "ip", ip, "err", err)
		return
	}
	c := newConn(rl, ws, bw.conn, ip, rl.relayHost(r))
	if !rl.track(c) {
		ws.Close(websocket.StatusGoingAway, "relay shutting down")
		rl.release(ip)
		return
	}
	c.serve()
	rl.untrack(c)
	rl.release(ip)
}

func (rl *Relay) admit(ip string) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.closing {
		return false
	}
	if rl.cfg.MaxConnsPerIP > 0 && rl.perIP[ip] >= rl.cfg.MaxConnsPerIP {
		return false
	}
	rl.perIP[ip]++
	return true
}

func (rl *Relay) release(ip string) {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.perIP[ip]--; rl.perIP[ip] <= 0 {
		delete(rl.perIP, ip)
	}
}

func (rl *Relay) track(c *conn) bool {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if rl.closing {
		return false
	}
	rl.conns[c] = struct{}{}
	rl.metrics.Connections.Inc()
	return true
}

func (rl *Relay) untrack(c *conn) {
	rl.mu.Lock()
	delete(rl.conns, c)
	rl.mu.Unlock()
	rl.metrics.Connections.Dec()
}

func (rl *Relay) clientIP(r *http.Request) string { return policy.ClientIP(r, rl.cfg.TrustForwarded) }

// relayHost is the host[:port] AUTH events must name.
func (rl *Relay) relayHost(r *http.Request) string {
	if rl.cfg.PublicURL != "" {
		return hostOf(rl.cfg.PublicURL)
	}
	scheme := "ws"
	if r.TLS != nil {
		scheme = "wss"
	}
	return hostOf(scheme + "://" + r.Host)
}

// Broadcast offers a stored or ephemeral event to live subscriptions. Other
// components of the relayer may call it for events they store themselves.
func (rl *Relay) Broadcast(evt *nostr.Event, raw []byte) {
	rl.subs.broadcast(evt, raw, func(c *conn, e *nostr.Event) bool {
		return rl.cfg.Access.Visible(e, c.authed())
	})
}

// Shutdown stops accepting connections and messages, waits for messages
// being processed (so every acknowledged event is committed and its OK
// sent), then closes every connection. It returns ctx's error if the wait
// is cut short.
func (rl *Relay) Shutdown(ctx context.Context) error {
	rl.mu.Lock()
	rl.closing = true
	rl.mu.Unlock()
	err := rl.work.closeAndWait(ctx)

	rl.mu.Lock()
	conns := make([]*conn, 0, len(rl.conns))
	for c := range rl.conns {
		conns = append(conns, c)
	}
	rl.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.shutdown(ctx)
		}()
	}
	wg.Wait()
	return err
}

// ServeInfo writes the NIP-11 relay information document.
func (rl *Relay) ServeInfo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/nostr+json")
	json.NewEncoder(w).Encode(rl.InfoDocument())
}

// InfoDocument builds the NIP-11 document from the configuration.
func (rl *Relay) InfoDocument() nip11.RelayInformationDocument {
	l := rl.cfg.Limits
	a := rl.cfg.Access
	info := rl.cfg.Info
	doc := nip11.RelayInformationDocument{
		Name:          info.Name,
		Description:   info.Description,
		PubKey:        info.PubKey,
		Contact:       info.Contact,
		Icon:          info.Icon,
		Software:      info.Software,
		Version:       info.Version,
		SupportedNIPs: []any{1, 9, 11, 40, 42, 45, 50, 70},
		Limitation: &nip11.RelayLimitationDocument{
			MaxMessageLength: l.MaxMessageBytes,
			MaxSubscriptions: l.MaxSubscriptions,
			MaxLimit:         l.MaxLimit,
			DefaultLimit:     l.DefaultLimit,
			MaxSubidLength:   l.MaxSubIDLength,
			MaxEventTags:     l.MaxEventTags,
			MaxContentLength: l.MaxContentChars,
			// auth_required means every action needs AUTH; here at most
			// writes do, which restricted_writes says.
			AuthRequired:     false,
			RestrictedWrites: len(a.Writers) > 0 || a.AuthWrites,
		},
	}
	if l.CreatedAtPast > 0 {
		doc.Limitation.CreatedAtLowerLimit = int64(l.CreatedAtPast / time.Second)
	}
	if l.CreatedAtFuture > 0 {
		doc.Limitation.CreatedAtUpperLimit = int64(l.CreatedAtFuture / time.Second)
	}
	return doc
}

// tracker counts work in flight and lets shutdown wait for it; once closed
// it admits no new work.
type tracker struct {
	mu     sync.Mutex
	n      int
	closed bool
	zero   chan struct{}
}

func (t *tracker) add() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.n++
	return true
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.zero != nil {
		close(t.zero)
		t.zero = nil
	}
}

func (t *tracker) closeAndWait(ctx context.Context) error {
	t.mu.Lock()
	t.closed = true
	if t.n == 0 {
		t.mu.Unlock()
		return nil
	}
	if t.zero == nil {
		t.zero = make(chan struct{})
	}
	zero := t.zero
	t.mu.Unlock()
	select {
	case <-zero:
		return nil
	case <-ctx.Done():
		return errors.New("relay shutdown: messages still in flight: " + ctx.Err().Error())
	}
}
