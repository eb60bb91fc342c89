package service

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// testComponent stands in for a long-running part such as the order agent.
type testComponent struct {
	started, stopped atomic.Bool
	fail             error
}

func (c *testComponent) Name() string { return "test component" }

func (c *testComponent) Run(ctx context.Context) error {
	c.started.Store(true)
	if c.fail != nil {
		return c.fail
	}
	<-ctx.Done()
	time.Sleep(50 * time.Millisecond) // finishing the work in hand
	c.stopped.Store(true)
	return nil
}

func TestComponentsRunAndStopWithTheService(t *testing.T) {
	cfg := baseConfig(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	svc, err := New(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	comp := &testComponent{}
	svc.Add(comp)
	svc.Handle("GET /component/status", "component", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("alive"))
	}))
	addr, _ := svc.Listen()
	done := make(chan error, 1)
	go func() { done <- svc.Run(ctx) }()
	tr := &testRelayer{svc: svc, httpURL: "http://" + addr.String()}
	resp, body := tr.get(t, "/component/status", nil)
	if resp.StatusCode != 200 || string(body) != "alive" || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("mounted route: %d %q", resp.StatusCode, body)
	}
	if !comp.started.Load() {
		t.Fatal("component not started")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !comp.stopped.Load() {
		t.Fatal("Run returned before the component finished")
	}
}

func TestFailingComponentStopsTheService(t *testing.T) {
	cfg := baseConfig(t)
	svc, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	svc.Add(&testComponent{fail: errors.New("chain unreachable")})
	err = svc.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "chain unreachable") {
		t.Fatalf("Run: %v, want the component's error", err)
	}
}
