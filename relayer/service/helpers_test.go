package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/pgtest"
	"github.com/agi-nostr/agi-nostr/relayer/blob"
	"github.com/agi-nostr/agi-nostr/relayer/policy"
	"github.com/agi-nostr/agi-nostr/relayer/relay"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// testRelayer is a running Service on a loopback port.
type testRelayer struct {
	svc     *Service
	cfg     Config
	httpURL string
	wsURL   string
}

func testLogger() *slog.Logger {
	if os.Getenv("RELAYER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// baseConfig is a relayer with default limits and no rate limits, on a
// fresh schema and blob directory.
func baseConfig(t testing.TB) Config {
	url, schema := pgtest.Schema(t)
	return Config{
		Listen:      "127.0.0.1:0",
		DatabaseURL: url,
		Schema:      schema,
		BlobDir:     t.TempDir(),
		DBMaxConns:  8,
		Relay: relay.Config{
			Limits: policy.DefaultLimits(),
			Access: &policy.Access{},
		},
		Blob:            blob.Config{MaxBlobBytes: 64 << 20},
		ShutdownTimeout: 10 * time.Second,
		Log:             testLogger(),
	}
}

func startRelayer(t testing.TB, cfg Config) *testRelayer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	svc, err := New(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	addr, err := svc.Listen()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("relayer stopped with: %v", err)
		}
	})
	return &testRelayer{svc: svc, cfg: cfg, httpURL: "http://" + addr.String(), wsURL: "ws://" + addr.String()}
}

func (tr *testRelayer) connect(t testing.TB) *nostr.Relay {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := nostr.RelayConnect(ctx, tr.wsURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

type keypair struct{ sk, pk string }

func newKey(t testing.TB) keypair {
	sk := nostr.GeneratePrivateKey()
	pk, err := nostr.GetPublicKey(sk)
	if err != nil {
		t.Fatal(err)
	}
	return keypair{sk, pk}
}

func (k keypair) sign(t testing.TB, evt nostr.Event) nostr.Event {
	t.Helper()
	if evt.CreatedAt == 0 {
		evt.CreatedAt = nostr.Now()
	}
	if evt.Tags == nil {
		evt.Tags = nostr.Tags{}
	}
	if err := evt.Sign(k.sk); err != nil {
		t.Fatal(err)
	}
	return evt
}

func (k keypair) note(t testing.TB, content string, tags ...nostr.Tag) nostr.Event {
	return k.sign(t, nostr.Event{Kind: 1, Content: content, Tags: tags})
}

func publish(t testing.TB, r *nostr.Relay, evt nostr.Event) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.Publish(ctx, evt); err != nil {
		t.Fatalf("publish %s: %v", evt.ID, err)
	}
}

func publishErr(t testing.TB, r *nostr.Relay, evt nostr.Event) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.Publish(ctx, evt)
}

// rawClient speaks the wire protocol directly, so tests see exactly what
// the relay sends (go-nostr's client filters and deduplicates).
type rawClient struct {
	t  testing.TB
	ws *websocket.Conn
}

func (tr *testRelayer) dialRaw(t testing.TB) *rawClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, tr.wsURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ws.SetReadLimit(64 << 20)
	t.Cleanup(func() { ws.CloseNow() })
	c := &rawClient{t: t, ws: ws}
	if m := c.recv(); m[0] != "AUTH" {
		t.Fatalf("first message %v, want the AUTH challenge", m)
	}
	return c
}

func (c *rawClient) send(msg string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) sendJSON(v ...any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatal(err)
	}
	c.send(string(b))
}

// recv returns the next message as a decoded JSON array.
func (c *rawClient) recv() []any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m []any
	if err := json.Unmarshal(data, &m); err != nil || len(m) == 0 {
		c.t.Fatalf("relay sent a non-array message %q", data)
	}
	return m
}

// ok publishes an event and returns the OK's flag and reason.
func (c *rawClient) ok(evt nostr.Event) (bool, string) {
	c.t.Helper()
	b, _ := evt.MarshalJSON()
	c.send(`["EVENT",` + string(b) + `]`)
	return c.expectOK(evt.ID)
}

func (c *rawClient) expectOK(id string) (bool, string) {
	c.t.Helper()
	m := c.recv()
	if m[0] != "OK" || len(m) != 4 {
		c.t.Fatalf("got %v, want OK", m)
	}
	if m[1] != id {
		c.t.Fatalf("OK for %v, want %s", m[1], id)
	}
	return m[2].(bool), m[3].(string)
}

// req sends a REQ and collects events until EOSE; a CLOSED ends it with
// the reason.
func (c *rawClient) req(sub string, filters ...any) (events []nostr.Event, closed string) {
	c.t.Helper()
	c.sendJSON(append([]any{"REQ", sub}, filters...)...)
	for {
		m := c.recv()
		switch m[0] {
		case "EVENT":
			if m[1] != sub {
				c.t.Fatalf("event for subscription %v, want %s", m[1], sub)
			}
			b, _ := json.Marshal(m[2])
			var e nostr.Event
			if err := json.Unmarshal(b, &e); err != nil {
				c.t.Fatal(err)
			}
			events = append(events, e)
		case "EOSE":
			return events, ""
		case "CLOSED":
			return events, m[2].(string)
		case "AUTH":
		default:
			c.t.Fatalf("unexpected %v during REQ", m)
		}
	}
}

func hasPrefix(reason, prefix string) bool { return strings.HasPrefix(reason, prefix+":") }

func httpDo(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

var storeVisibilityAll = store.Visibility{}

func reopen(t testing.TB, cfg Config) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), cfg.DatabaseURL, cfg.Schema, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// counterValue reads a metric (summed over labels) from /metrics.
func counterValue(t testing.TB, tr *testRelayer, name string) float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", tr.httpURL+"/metrics", nil)
	_, body := httpDo(t, req)
	var total float64
	for _, line := range strings.Split(string(body), "\n") {
		if !strings.HasPrefix(line, name) || strings.HasPrefix(line, "#") {
			continue
		}
		rest := strings.TrimPrefix(line, name)
		if rest != "" && rest[0] != ' ' && rest[0] != '{' {
			continue
		}
		var v float64
		fields := strings.Fields(line)
		fmt.Sscan(fields[len(fields)-1], &v)
		total += v
	}
	return total
}

// authenticate performs NIP-42 AUTH, retrying while the client has not yet
// received the challenge the relay sends on connect.
func authenticate(t testing.TB, r *nostr.Relay, k keypair) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := r.Auth(ctx, func(e *nostr.Event) error { return e.Sign(k.sk) })
		cancel()
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "challenge") || time.Now().After(deadline) {
			t.Fatalf("AUTH: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
