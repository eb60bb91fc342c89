package service

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nbd-wtf/go-nostr"
)

// Benchmarks run against the PostgreSQL of DATABASE_URL (make bench starts
// a throwaway one with fsync off, so they measure the relayer and the
// database's CPU, not the disk's commit latency). Each reports its figure
// next to a baseline measured in the same run.

func benchRelayer(b *testing.B) *testRelayer {
	cfg := baseConfig(b)
	cfg.DBMaxConns = 16
	cfg.Blob.MaxBlobBytes = 1 << 30
	return startRelayer(b, cfg)
}

func connectN(b *testing.B, tr *testRelayer, n int) []*nostr.Relay {
	rs := make([]*nostr.Relay, n)
	for i := range rs {
		rs[i] = tr.connect(b)
	}
	return rs
}

// presign makes n events from a few authors, so signing stays out of the
// timed part.
func presign(b *testing.B, n int, tag string) []nostr.Event {
	keys := []keypair{newKey(b), newKey(b), newKey(b), newKey(b)}
	evs := make([]nostr.Event, n)
	var wg sync.WaitGroup
	const workers = 4
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				evs[i] = keys[i%len(keys)].sign(b, nostr.Event{
					Kind: 1, Content: fmt.Sprint("benchmark event ", i, " ", tag),
					Tags: nostr.Tags{{"t", "bench"}, {"x", fmt.Sprintf("%064x", i%97)}},
				})
			}
		}()
	}
	wg.Wait()
	return evs
}

// BenchmarkPublish: events per second published by 1 and by 50 clients, each
// waiting for OK (go-nostr's Publish). Baseline: the work no relay can skip,
// done by as many goroutines without websocket or JSON: check each event's
// id and signature, then save it to the store; ratio = relay / baseline.
func BenchmarkPublish(b *testing.B) {
	tr := benchRelayer(b)
	for _, clients := range []int{1, 50} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			rs := connectN(b, tr, clients)
			evs := presign(b, b.N, fmt.Sprint("relay ", clients, b.N, time.Now().UnixNano()))
			base := presign(b, b.N, fmt.Sprint("store ", clients, b.N, time.Now().UnixNano()))
			raws := make([][]byte, len(base))
			for i := range base {
				raws[i], _ = base[i].MarshalJSON()
			}
			b.ResetTimer()
			relay, floor := interleave(b, b.N, func(lo, hi int) {
				parallel(clients, hi-lo, func(c, i int) {
					if err := rs[c].Publish(context.Background(), evs[lo+i]); err != nil {
						b.Error(err)
					}
				})
			}, func(lo, hi int) {
				parallel(clients, hi-lo, func(_, i int) {
					e := &base[lo+i]
					if ok, _ := e.CheckSignature(); !ok || !e.CheckID() {
						b.Error("bad signature")
					}
					if _, err := tr.svc.DB().SaveEvent(context.Background(), e, raws[lo+i]); err != nil {
						b.Error(err)
					}
				})
			})
			relayRate := float64(b.N) / relay.Seconds()
			floorRate := float64(b.N) / floor.Seconds()
			b.ReportMetric(relayRate, "events/s")
			b.ReportMetric(floorRate, "verify+store-events/s")
			b.ReportMetric(relayRate/floorRate, "relay/baseline")
		})
	}
}

// interleave splits n jobs into rounds and alternates the measured work and
// its baseline round by round, timing each, so that load from other
// processes on the machine falls on both alike. The timer runs only during
// the measured work.
func interleave(b *testing.B, n int, work, baseline func(lo, hi int)) (tw, tb time.Duration) {
	const rounds = 8
	for r := 0; r < rounds; r++ {
		lo, hi := n*r/rounds, n*(r+1)/rounds
		if lo == hi {
			continue
		}
		b.StartTimer()
		start := time.Now()
		work(lo, hi)
		tw += time.Since(start)
		b.StopTimer()
		start = time.Now()
		baseline(lo, hi)
		tb += time.Since(start)
	}
	return tw, tb
}

// parallel runs n jobs on workers goroutines, job i on worker i%workers.
func parallel(workers, n int, job func(worker, i int)) {
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				job(w, i)
			}
		}()
	}
	wg.Wait()
}

// BenchmarkQuery: events per second received by 1 and by 50 clients, each
// running REQs for the newest 500 of 10000 stored events until EOSE.
// The clients read the wire protocol directly and only count EVENT
// messages: go-nostr's client verifies every event's signature, which on a
// shared machine would measure the client instead of the relay. Baseline:
// the same filter run on the store directly by as many goroutines.
func BenchmarkQuery(b *testing.B) {
	tr := benchRelayer(b)
	const stored, limit = 10000, 500
	evs := presign(b, stored, "query corpus")
	parallel(8, stored, func(_, i int) {
		raw, _ := evs[i].MarshalJSON()
		if _, err := tr.svc.DB().SaveEvent(context.Background(), &evs[i], raw); err != nil {
			b.Error(err)
		}
	})
	// A live relay's tables have planner statistics (autovacuum); a table
	// loaded a second ago does not yet.
	if _, err := tr.svc.DB().Pool().Exec(context.Background(), "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	filter := nostr.Filter{Kinds: []int{1}, Tags: nostr.TagMap{"t": {"bench"}}, Limit: limit}
	req := []byte(`["REQ","q",{"kinds":[1],"#t":["bench"],"limit":500}]`)
	for _, clients := range []int{1, 50} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			cs := make([]*rawClient, clients)
			for i := range cs {
				cs[i] = tr.dialRaw(b)
			}
			var mu sync.Mutex
			received, direct := 0, 0
			b.ResetTimer()
			relay, store := interleave(b, b.N, func(lo, hi int) {
				parallel(clients, hi-lo, func(c, _ int) {
					n := cs[c].countREQ(req)
					if n != limit {
						b.Errorf("query: %d events, want %d", n, limit)
					}
					mu.Lock()
					received += n
					mu.Unlock()
				})
			}, func(lo, hi int) {
				parallel(clients, hi-lo, func(_, _ int) {
					n := 0
					f := filter
					tr.svc.DB().QueryEvents(context.Background(), &f, limit, storeVisibilityAll, func(id, raw []byte) error {
						n++
						return nil
					})
					mu.Lock()
					direct += n
					mu.Unlock()
				})
			})
			relayRate := float64(received) / relay.Seconds()
			storeRate := float64(direct) / store.Seconds()
			b.ReportMetric(relayRate, "events/s")
			b.ReportMetric(storeRate, "store-events/s")
			b.ReportMetric(relayRate/storeRate, "relay/store")
		})
	}
}

// countREQ sends a REQ and counts EVENT messages until EOSE.
func (c *rawClient) countREQ(req []byte) int {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, req); err != nil {
		c.t.Error(err)
		return 0
	}
	n := 0
	for {
		_, data, err := c.ws.Read(ctx)
		if err != nil {
			c.t.Error(err)
			return n
		}
		switch {
		case bytes.HasPrefix(data, []byte(`["EVENT"`)):
			n++
		case bytes.HasPrefix(data, []byte(`["EOSE"`)):
			return n
		}
	}
}

const benchBlobSize = 32 << 20

// plainServer is the baseline: net/http's file server for GET, and for PUT
// a handler that writes the body to a file, fsyncs and renames it.
func plainServer(b *testing.B, dir string) string {
	mux := http.NewServeMux()
	mux.Handle("GET /", http.FileServer(http.Dir(dir)))
	mux.HandleFunc("PUT /upload", func(w http.ResponseWriter, r *http.Request) {
		f, err := os.CreateTemp(dir, "put-*")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer os.Remove(f.Name())
		if _, err := io.Copy(f, r.Body); err != nil {
			f.Close()
			http.Error(w, err.Error(), 400)
			return
		}
		f.Sync()
		f.Close()
		os.Rename(f.Name(), f.Name()+".done")
		os.Remove(f.Name() + ".done")
		w.WriteHeader(http.StatusCreated)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

func fetch(b *testing.B, client *http.Client, url string) int64 {
	resp, err := client.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || n != benchBlobSize {
		b.Fatalf("GET %s: %d, %d bytes, %v", url, resp.StatusCode, n, err)
	}
	return n
}

// BenchmarkBlobGet: throughput of GET /<sha256> for a 32 MiB blob against
// net/http's file server sending the same file from the same disk; ratio =
// relayer / plain.
func BenchmarkBlobGet(b *testing.B) {
	tr := benchRelayer(b)
	k := newKey(b)
	data, sha := randomBlob(b, benchBlobSize)
	if resp, _ := tr.put(b, data, k.token(b, "upload", time.Hour, nostr.Tag{"x", sha}), nil); resp.StatusCode != 201 {
		b.Fatalf("upload: %d", resp.StatusCode)
	}
	plainDir := b.TempDir()
	if err := os.WriteFile(filepath.Join(plainDir, sha), data, 0o644); err != nil {
		b.Fatal(err)
	}
	plain := plainServer(b, plainDir)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	fetch(b, client, tr.httpURL+"/"+sha) // warm both page caches and connections
	fetch(b, client, plain+"/"+sha)
	b.SetBytes(benchBlobSize)
	b.ResetTimer()
	ours, base := interleave(b, b.N, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fetch(b, client, tr.httpURL+"/"+sha)
		}
	}, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fetch(b, client, plain+"/"+sha)
		}
	})
	mbps := func(d time.Duration) float64 { return float64(b.N) * benchBlobSize / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(ours), "MB/s")
	b.ReportMetric(mbps(base), "plain-MB/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "relayer/plain")
}

// BenchmarkBlobPut: throughput of PUT /upload (stream to a temporary file
// while hashing, fsync, rename, record in PostgreSQL) of distinct 32 MiB
// blobs, against a plain net/http handler that only writes, fsyncs and
// renames the same bytes; ratio = relayer / plain.
func BenchmarkBlobPut(b *testing.B) {
	tr := benchRelayer(b)
	plain := plainServer(b, b.TempDir())
	k := newKey(b)
	data, _ := randomBlob(b, benchBlobSize)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	put := func(url, auth string) {
		req, _ := http.NewRequest("PUT", url, bytes.NewReader(data))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			b.Fatalf("PUT %s: %d %s", url, resp.StatusCode, resp.Header.Get("X-Reason"))
		}
	}
	b.SetBytes(benchBlobSize)
	var ours, base time.Duration
	b.ResetTimer()
	b.StopTimer()
	for i := 0; i < b.N; i++ {
		// A distinct blob each time, hashed outside the timed part.
		copy(data, fmt.Sprintf("%016d", i+int(time.Now().UnixNano()%1e9)))
		sum := sha256.Sum256(data)
		sha := hex.EncodeToString(sum[:])
		auth := k.token(b, "upload", time.Hour, nostr.Tag{"x", sha})
		b.StartTimer()
		start := time.Now()
		put(tr.httpURL+"/upload", auth)
		ours += time.Since(start)
		start = time.Now()
		put(plain+"/upload", "")
		base += time.Since(start)
		b.StopTimer()
		// Keep the disk from filling: forget the blob again.
		req, _ := http.NewRequest("DELETE", tr.httpURL+"/"+sha, nil)
		req.Header.Set("Authorization", k.token(b, "delete", time.Hour, nostr.Tag{"x", sha}))
		if resp, _ := httpDo(b, req); resp.StatusCode != 204 {
			b.Fatalf("delete: %d", resp.StatusCode)
		}
	}
	mbps := func(d time.Duration) float64 { return float64(b.N) * benchBlobSize / d.Seconds() / 1e6 }
	b.ReportMetric(mbps(ours), "MB/s")
	b.ReportMetric(mbps(base), "plain-MB/s")
	b.ReportMetric(base.Seconds()/ours.Seconds(), "relayer/plain")
}
