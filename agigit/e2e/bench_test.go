package e2e

import (
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
)

// benchSize is the repository the push and clone benchmark moves: one
// weights file of a billion bytes.
const benchSize = 1_000_000_000

// BenchmarkPushClone1GB pushes a 1 GB repository to three relays on
// loopback (k=2, n=3: a shard per relay, so the push uploads 1.5 GB and the
// clone downloads the two data shards, 1 GB) and clones it, and measures in
// the same run a plain HTTP GET of the same bytes from one net/http server
// into a file (synced), the baseline, and a plain HTTP PUT of them to a
// server that writes and syncs a file. It runs three rounds, each on fresh
// relays, alternating baselines and agigit so that load from other
// processes falls on both; the best round of each is reported. Figures:
// MB/s of the repository's bytes, push and clone as fractions of the GET
// (target: 0.7), push as a fraction of the PUT.
func BenchmarkPushClone1GB(b *testing.B) {
	if testing.Short() {
		b.Skip("moves gigabytes")
	}
	const rounds = 3
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		owner := newUser(b)
		dir := filepath.Join(b.TempDir(), "model")
		owner.ok("", "init", "--name", "bench-model", dir)
		weights := filepath.Join(dir, "model.safetensors")
		writeRandom(b, weights, benchSize)
		os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"hidden": 4096}`), 0o644)
		owner.ok(dir, "add", ".")
		owner.ok(dir, "commit", "-m", "1 GB of weights")
		var get, put, push, clone time.Duration
		best := func(d *time.Duration, v time.Duration) {
			if *d == 0 || v < *d {
				*d = v
			}
		}
		for round := 0; round < rounds; round++ {
			g := plainGet(b, weights, filepath.Join(b.TempDir(), "got"))
			p := plainPut(b, weights, filepath.Join(b.TempDir(), "put"))
			ps, cl := pushCloneRound(b, owner, dir)
			best(&get, g)
			best(&put, p)
			best(&push, ps)
			best(&clone, cl)
		}
		b.StartTimer()
		mb := float64(benchSize) / 1e6
		b.ReportMetric(mb/get.Seconds(), "get-MB/s")
		b.ReportMetric(mb/put.Seconds(), "put-MB/s")
		b.ReportMetric(mb/push.Seconds(), "push-MB/s")
		b.ReportMetric(mb/clone.Seconds(), "clone-MB/s")
		b.ReportMetric(get.Seconds()/push.Seconds(), "push/get")
		b.ReportMetric(put.Seconds()/push.Seconds(), "push/put")
		b.ReportMetric(get.Seconds()/clone.Seconds(), "clone/get")
	}
}

// pushCloneRound pushes the repository in dir to three fresh relays and
// clones it once. The repository forgets its earlier pushes first (its
// relays, relay refs and push records), so every round uploads everything.
func pushCloneRound(b *testing.B, owner *user, dir string) (push, clone time.Duration) {
	relays := startRelays(b, 3)
	st := filepath.Join(dir, ".agigit")
	for _, p := range []string{"state/pushed", "state/manifests", "state/push", "state/remote-state.json", "state/announcement.json", "refs/relays"} {
		os.RemoveAll(filepath.Join(st, p))
	}
	if out, _ := owner.ok(dir, "relay", "list", "--offline"); out != "" {
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			owner.ok(dir, "relay", "remove", strings.Fields(l)[0])
		}
	}
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	start := time.Now()
	_, errs := owner.ok(dir, "push")
	push = time.Since(start)
	// The weights' 256 MiB segments and config.json, three shards each.
	want := 3 * (int((benchSize+repo.DefaultSegmentSize-1)/repo.DefaultSegmentSize) + 1)
	if n := pushStat(b, errs); n != want {
		b.Fatalf("push uploaded %d shards, want %d\n%s", n, want, errs)
	}
	naddr := address(b, owner, dir)
	reader := newUser(b)
	work := b.TempDir()
	start = time.Now()
	reader.ok(work, "clone", naddr, "c")
	clone = time.Since(start)
	weights := filepath.Join(dir, "model.safetensors")
	if a, c := fileSize(b, weights), fileSize(b, filepath.Join(work, "c", "model.safetensors")); a != c {
		b.Fatalf("clone has %d bytes, want %d", c, a)
	}
	os.RemoveAll(work)
	for _, r := range relays {
		r.Stop()
		os.RemoveAll(r.BlobDir)
	}
	return push, clone
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
