package e2e

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// benchSize is the repository the push and clone benchmark moves: one
// weights file of a billion bytes.
const benchSize = 1_000_000_000

// BenchmarkPushClone1GB pushes a 1 GB repository to three relays on
// loopback (k=2, n=3: a shard per relay, so the push uploads 1.5 GB and the
// clone downloads the two data shards, 1 GB) and clones it, and measures in
// the same run a plain HTTP GET of the same bytes from one net/http server
// into a file (synced), the baseline, and a plain HTTP PUT of them to a
// server that writes and syncs a file. Reported: MB/s of each (of the
// repository's bytes), and push and clone as fractions of the GET (target:
// 0.7), push as a fraction of the PUT.
func BenchmarkPushClone1GB(b *testing.B) {
	if testing.Short() {
		b.Skip("moves gigabytes")
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		get, put, push, clone := pushCloneOnce(b)
		b.StartTimer()
		mb := float64(benchSize) / 1e6
		b.ReportMetric(mb/get.Seconds(), "get-MB/s")
		b.ReportMetric(mb/put.Seconds(), "put-MB/s")
		b.ReportMetric(put.Seconds()/push.Seconds(), "push/put")
		b.ReportMetric(mb/push.Seconds(), "push-MB/s")
		b.ReportMetric(mb/clone.Seconds(), "clone-MB/s")
		b.ReportMetric(get.Seconds()/push.Seconds(), "push/get")
		b.ReportMetric(get.Seconds()/clone.Seconds(), "clone/get")
	}
}

func pushCloneOnce(b *testing.B) (get, put, push, clone time.Duration) {
	relays := startRelays(b, 3)
	owner := newUser(b)
	dir := filepath.Join(b.TempDir(), "model")
	owner.ok("", "init", "--name", "bench-model", dir)
	weights := filepath.Join(dir, "model.safetensors")
	writeRandom(b, weights, benchSize)
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"hidden": 4096}`), 0o644)
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "1 GB of weights")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}

	// Baseline: the same bytes from one plain HTTP server, into a file.
	get = plainGet(b, weights, filepath.Join(b.TempDir(), "got"))
	put = plainPut(b, weights, filepath.Join(b.TempDir(), "put"))

	start := time.Now()
	_, errs := owner.ok(dir, "push")
	push = time.Since(start)
	if n := pushStat(b, errs); n != 6 {
		b.Fatalf("push uploaded %d shards, want 6\n%s", n, errs)
	}
	naddr := address(b, owner, dir)

	reader := newUser(b)
	work := b.TempDir()
	start = time.Now()
	reader.ok(work, "clone", naddr, "c")
	clone = time.Since(start)
	if a, c := fileSize(b, weights), fileSize(b, filepath.Join(work, "c", "model.safetensors")); a != c {
		b.Fatalf("clone has %d bytes, want %d", c, a)
	}
	return get, put, push, clone
}

func fileSize(b *testing.B, p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	return st.Size()
}

// plainGet serves path with net/http on loopback and downloads it once
// into dst, the way any HTTP client saves a file.
func plainGet(b *testing.B, path, dst string) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFile(w, r, path)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	start := time.Now()
	resp, err := http.Get("http://" + ln.Addr().String() + "/blob")
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(f, resp.Body)
	resp.Body.Close()
	if err == nil {
		err = f.Sync()
	}
	f.Close()
	d := time.Since(start)
	if err != nil || n != benchSize {
		b.Fatalf("GET: %d bytes, %v", n, err)
	}
	os.Remove(dst)
	return d
}

// writeRandom writes n pseudo-random bytes to path in chunks.
func writeRandom(b *testing.B, path string, n int64) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	rng := rand.NewChaCha8([32]byte{42})
	if _, err := io.Copy(f, io.LimitReader(rng, n)); err != nil {
		b.Fatal(err)
	}
}

// plainPut uploads path once to a net/http server on loopback that writes
// the body to dst and syncs it, as a blob server must before it answers.
func plainPut(b *testing.B, path, dst string) time.Duration {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Create(dst)
		if err == nil {
			_, err = io.Copy(f, r.Body)
			if err == nil {
				err = f.Sync()
			}
			f.Close()
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	start := time.Now()
	req, _ := http.NewRequest(http.MethodPut, "http://"+ln.Addr().String()+"/upload", f)
	req.ContentLength = benchSize
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("PUT: %v %v", err, resp)
	}
	resp.Body.Close()
	d := time.Since(start)
	os.Remove(dst)
	return d
}
