package remote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/object"
)

// A server that stops reading an upload's body fails that shard after
// StallTimeout, and only that one: the split goes on streaming the other
// shards to their servers, which get exactly the bytes their names say.
func TestUploadSinkStalledServer(t *testing.T) {
	defer func(d time.Duration) { StallTimeout = d }(StallTimeout)
	StallTimeout = 300 * time.Millisecond

	var mu sync.Mutex
	stored := map[string]bool{}
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := sha256.New()
		io.Copy(h, r.Body)
		if got := hex.EncodeToString(h.Sum(nil)); got != r.Header.Get("X-SHA-256") {
			http.Error(w, "hash mismatch", http.StatusBadRequest)
			return
		}
		mu.Lock()
		stored[r.Header.Get("X-SHA-256")] = true
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	defer good.Close()
	release := make(chan struct{})
	stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.CopyN(io.Discard, r.Body, 4096)
		select { // and then read no more
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer stall.Close()
	defer close(release)

	// Shards far larger than the sockets' buffers, so that the stall is
	// felt by the writer.
	data := make([]byte, 96<<20)
	rand.NewChaCha8([32]byte{5}).Read(data)
	opts := object.SplitOptions{K: 2, N: 3}
	res, err := object.Split(context.Background(), bytes.NewReader(data), uint64(len(data)), opts, discardSink{})
	if err != nil {
		t.Fatal(err)
	}
	m := res.Manifest

	s := NewSession(nil, ptr(key(t)), io.Discard, nil)
	p := &pusher{s: s}
	sink := &uploadSink{p: p, ctx: context.Background(), m: m,
		servers: []string{good.URL, stall.URL, good.URL}, send: []bool{true, true, true}, done: make([]chan error, m.N)}
	opts.Expect = m
	start := time.Now()
	if _, err := object.Split(context.Background(), bytes.NewReader(data), uint64(len(data)), opts, sink); err != nil {
		t.Fatalf("split: %v", err)
	}
	errs := make([]error, m.N)
	for i, ch := range sink.done {
		errs[i] = <-ch
	}
	if errs[0] != nil || errs[2] != nil {
		t.Fatalf("uploads to the good server: %v, %v", errs[0], errs[2])
	}
	if errs[1] == nil || !strings.Contains(errs[1].Error(), "stalled") {
		t.Fatalf("upload to the stalled server: %v", errs[1])
	}
	for _, i := range []int{0, 2} {
		if !stored[hex.EncodeToString(m.Shards[i][:])] {
			t.Fatalf("shard %d not stored under its name", i)
		}
	}
	if d := time.Since(start); d > 20*StallTimeout+5*time.Second {
		t.Fatalf("took %v", d)
	}
	if got := s.Stats.ShardsUploaded.Load(); got != 2 {
		t.Fatalf("%d shards counted as uploaded", got)
	}
}

func ptr[T any](v T) *T { return &v }
