package delta_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// writeModel streams a model of n F32 tensors of 4 MiB to a file, one
// tensor in memory at a time; nudge > 0 moves every value by N(0, nudge).
func writeModel(t *testing.T, path string, n int, nudge float32) delta.File {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	infos := make([]safetensors.TensorInfo, n)
	for i := range infos {
		infos[i] = safetensors.TensorInfo{Name: fmt.Sprintf("layer.%03d.weight", i), Dtype: safetensors.F32, Shape: []uint64{1024, 1024}}
	}
	h := merkle.New()
	w, err := safetensors.NewWriter(io.MultiWriter(f, h), infos, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := make([]float32, 1024*1024)
	b := make([]byte, 4*len(v))
	for i := range n {
		rng := rand.New(rand.NewPCG(uint64(i), 1))
		for j := range v {
			v[j] = float32(rng.NormFloat64()*0.02) + nudge*float32(rng.NormFloat64())
		}
		tensormath.Encode(b, v, safetensors.F32)
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, _ := f.Stat()
	r, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return delta.File{R: r, Size: st.Size(), ID: h.ID()}
}

// peakHeap runs f while sampling the live heap (collecting garbage before
// each sample, so that what is counted is what f holds, not what the
// collector has yet to free) and returns the highest growth over the heap
// before it.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			runtime.GC()
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > before && m.HeapAlloc-before > peak.Load() {
				peak.Store(m.HeapAlloc - before)
			}
		}
	}()
	f()
	close(done)
	return peak.Load()
}

// TestBoundedMemory: encoding and materializing a 16 MiB and a 64 MiB
// file of 4 MiB tensors, every one changed, take about the same memory:
// it depends on the largest tensor (and the compressor's window), not on
// the file. (From 64 to 128 MiB the peaks stay within a few MiB too.)
func TestBoundedMemory(t *testing.T) {
	dir := t.TempDir()
	peaks := map[int][2]uint64{}
	for _, n := range []int{4, 16} {
		base := writeModel(t, filepath.Join(dir, fmt.Sprintf("base%d", n)), n, 0)
		ft := writeModel(t, filepath.Join(dir, fmt.Sprintf("ft%d", n)), n, 1e-4)
		dp := filepath.Join(dir, fmt.Sprintf("delta%d", n))
		df, err := os.Create(dp)
		if err != nil {
			t.Fatal(err)
		}
		var encErr, matErr error
		enc := peakHeap(func() { _, encErr = delta.Encode(df, ft, base, &delta.Options{TempDir: dir}) })
		df.Close()
		if encErr != nil {
			t.Fatal(encErr)
		}
		dr, err := os.Open(dp)
		if err != nil {
			t.Fatal(err)
		}
		mat := peakHeap(func() { _, matErr = delta.Materialize(io.Discard, dr, base) })
		dr.Close()
		if matErr != nil {
			t.Fatal(matErr)
		}
		peaks[n] = [2]uint64{enc, mat}
		t.Logf("%d MiB: encode peak %d KiB, materialize peak %d KiB", 4*n, enc>>10, mat>>10)
	}
	for i, what := range []string{"encode", "materialize"} {
		small, large := peaks[4][i], peaks[16][i]
		if large > small+16<<20 {
			t.Errorf("%s: %d KiB for 64 MiB against %d KiB for 8 MiB", what, large>>10, small>>10)
		}
	}
}
