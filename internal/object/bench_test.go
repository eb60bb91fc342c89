package object

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/reedsolomon"

	"github.com/agi-nostr/agi-nostr/internal/objcrypt"
	"github.com/agi-nostr/agi-nostr/internal/sha256x2"
)

// discardSink hashes nothing and keeps nothing: it measures the pipeline,
// not a disk.
type discardSink struct{}

func (discardSink) Create(int) (ShardWriter, error) { return discardWriter{}, nil }

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (discardWriter) Commit(Hash) error           { return nil }
func (discardWriter) Abort() error                { return nil }

type discardFile struct{}

func (discardFile) WriteAt(p []byte, _ int64) (int, error) { return len(p), nil }

// BenchmarkPipeline measures, on the same buffer and in the same run, the
// primitives alone (sha256 as one stream, AES-256-GCM in 64 KiB chunks,
// Reed–Solomon 10+4 with 1 MiB blocks) and then split and join of a public
// and a private object (k=10, n=14, shards kept in memory). Each round
// runs every measurement once; the best round of each is reported, as MB/s
// and as a fraction of sha256, the slowest primitive; then the same
// pipelines on one core.
func BenchmarkPipeline(b *testing.B) {
	const size = 128 << 20
	const k, n = 10, 14
	data := randomBytes(99, size)
	_, recipients := testKeys(b, 10, 1)
	secrets, _ := testKeys(b, 10, 1)
	ctx := context.Background()

	key, _ := objcrypt.NewDataKey(rand.NewChaCha8([32]byte{}))
	block, _ := aes.NewCipher(key[:])
	gcm, _ := cipher.NewGCM(block)
	sealed := make([]byte, 0, size+size/objcrypt.DefaultChunkSize*objcrypt.TagSize+16)
	enc, _ := reedsolomon.New(k, n-k)
	rsBuf := make([][]byte, n)
	for i := k; i < n; i++ {
		rsBuf[i] = make([]byte, DefaultBlockSize)
	}

	pubOpts := SplitOptions{K: k, N: n}
	privOpts := SplitOptions{K: k, N: n, Recipients: recipients, Rand: rand.NewChaCha8([32]byte{1})}
	pub, pubStore := split(b, data, pubOpts)
	priv, privStore := split(b, data, privOpts)
	privKey, err := priv.Manifest.DataKey(secrets[0])
	if err != nil {
		b.Fatal(err)
	}

	type measure struct {
		name      string
		run       func()
		best, cpu time.Duration
	}
	ms := []*measure{
		{name: "sha256", run: func() { sha256.Sum256(data) }},
		{name: "sha256pair", run: func() { sha256x2.Sum256(data[:size/2], data[size/2:]) }},
		{name: "sha256x2", run: func() {
			var wg sync.WaitGroup
			wg.Go(func() { sha256.Sum256(data[:size/2]) })
			wg.Go(func() { sha256.Sum256(data[size/2:]) })
			wg.Wait()
		}},
		{name: "aes-gcm", run: func() {
			var nonce [12]byte
			out := sealed[:0]
			for off := 0; off < size; off += objcrypt.DefaultChunkSize {
				out = gcm.Seal(out, nonce[:], data[off:off+objcrypt.DefaultChunkSize], nil)
			}
		}},
		{name: "rs", run: func() {
			stripe := k * DefaultBlockSize
			for off := 0; off+stripe <= size; off += stripe {
				for i := range k {
					rsBuf[i] = data[off+i*DefaultBlockSize : off+(i+1)*DefaultBlockSize]
				}
				enc.Encode(rsBuf)
			}
		}},
		{name: "split", run: func() {
			if _, err := Split(ctx, bytes.NewReader(data), size, pubOpts, discardSink{}); err != nil {
				b.Fatal(err)
			}
		}},
		{name: "join", run: func() {
			if _, err := Join(ctx, pub.Manifest, pubStore, discardFile{}, JoinOptions{}); err != nil {
				b.Fatal(err)
			}
		}},
		{name: "split-private", run: func() {
			if _, err := Split(ctx, bytes.NewReader(data), size, privOpts, discardSink{}); err != nil {
				b.Fatal(err)
			}
		}},
		{name: "join-private", run: func() {
			if _, err := Join(ctx, priv.Manifest, privStore, discardFile{}, JoinOptions{Key: &privKey}); err != nil {
				b.Fatal(err)
			}
		}},
	}
	// The pipelines again on one core: their cost in CPU, which a machine
	// shared with other work does not distort as much as the use of a
	// second core.
	for _, name := range []string{"split", "join", "split-private", "join-private"} {
		for _, m := range ms {
			if m.name == name {
				run := m.run
				ms = append(ms, &measure{name: name + "-1core", run: func() {
					prev := runtime.GOMAXPROCS(1)
					defer runtime.GOMAXPROCS(prev)
					run()
				}})
			}
		}
	}
	b.SetBytes(size)
	for b.Loop() {
		for range 3 {
			for _, m := range ms {
				runtime.GC()
				cpu := processCPU(b)
				start := time.Now()
				m.run()
				if d := time.Since(start); m.best == 0 || d < m.best {
					m.best = d
				}
				if c := processCPU(b) - cpu; m.cpu == 0 || c < m.cpu {
					m.cpu = c
				}
			}
		}
	}
	rate, cpuRate := map[string]float64{}, map[string]float64{}
	for _, m := range ms {
		rate[m.name] = size / m.best.Seconds() / 1e6
		cpuRate[m.name] = size / m.cpu.Seconds() / 1e6
		b.ReportMetric(rate[m.name], m.name+"-MB/s")
		b.ReportMetric(cpuRate[m.name], m.name+"-cpu-MB/s")
	}
	for _, name := range []string{"split", "join", "split-private", "join-private"} {
		b.ReportMetric(rate[name]/rate["sha256"], name+"/sha256")
		b.ReportMetric(rate[name+"-1core"]/rate["sha256"], name+"-1core/sha256")
		// Bytes per processor second over sha256's: what the pipeline
		// costs, whatever else the machine runs; twice this is its ratio
		// on two cores it keeps busy.
		b.ReportMetric(cpuRate[name]/cpuRate["sha256"], name+"/sha256-cpu")
	}
}

// processCPU is the processor time (user and system, all threads) this
// process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestPeakMemory splits and joins objects of two sizes through files and
// checks that peak heap does not grow with the size.
func TestPeakMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 600 MB of shards")
	}
	_, recipients := testKeys(t, 11, 1)
	secrets, _ := testKeys(t, 11, 1)
	peaks := map[string]uint64{}
	for _, private := range []bool{false, true} {
		for _, size := range []uint64{16 << 20, 128 << 20} {
			dir := Dir(t.TempDir())
			opts := SplitOptions{K: 4, N: 6}
			if private {
				opts.Recipients = recipients
			}
			src := &generated{size: size}
			var res *SplitResult
			splitPeak := peakHeap(t, func() error {
				var err error
				res, err = Split(context.Background(), src, size, opts, dir)
				return err
			})
			var key *objcrypt.DataKey
			if private {
				k, _ := res.Manifest.DataKey(secrets[0])
				key = &k
			}
			joinPeak := peakHeap(t, func() error {
				_, err := Join(context.Background(), res.Manifest, dir, discardFile{}, JoinOptions{Key: key})
				return err
			})
			t.Logf("private=%v size %3d MiB: peak heap split %5.1f MiB, join %5.1f MiB", private, size>>20, mib(splitPeak), mib(joinPeak))
			peaks[fmt.Sprint(private, size, "split")] = splitPeak
			peaks[fmt.Sprint(private, size, "join")] = joinPeak
			os.RemoveAll(string(dir))
		}
		for _, op := range []string{"split", "join"} {
			small, large := peaks[fmt.Sprint(private, uint64(16<<20), op)], peaks[fmt.Sprint(private, uint64(128<<20), op)]
			// Eight times the data costs no more memory: a few stripes and
			// read-ahead buffers (which of them a collection catches at once
			// varies, hence the margin), far below the 128 MiB a buffered
			// object would need.
			if large > 64<<20 || large > small+24<<20 {
				t.Errorf("private=%v %s: peak heap %.1f MiB for 128 MiB vs %.1f MiB for 16 MiB", private, op, mib(large), mib(small))
			}
		}
	}
}

func mib(n uint64) float64 { return float64(n) / (1 << 20) }

// peakHeap runs f while sampling the live heap (a collection, then the heap
// in use, every few milliseconds; garbage awaiting collection is not memory
// the code needs) and returns the peak above the heap in use before f.
func peakHeap(t *testing.T, f func() error) uint64 {
	t.Helper()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	err := f()
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if peak < base {
		return 0
	}
	return peak - base
}

// generated is a ReaderAt over size pseudo-random bytes held in one 1 MiB
// block, so the input itself takes no memory in proportion to its size.
type generated struct {
	size  uint64
	once  sync.Once
	block []byte
}

func (g *generated) ReadAt(p []byte, off int64) (int, error) {
	g.once.Do(func() { g.block = randomBytes(1, 1<<20) })
	if uint64(off) >= g.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(p) && uint64(off)+uint64(n) < g.size {
		pos := (uint64(off) + uint64(n)) % uint64(len(g.block))
		c := copy(p[n:], g.block[pos:])
		c = int(min(uint64(c), g.size-uint64(off)-uint64(n)))
		n += c
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
