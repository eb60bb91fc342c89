package delta_test

import (
	"bytes"
	"fmt"
	"io"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
)

// benchSpecs is a small transformer in BF16, as LLMs are published: 71 MB.
func benchSpecs() []synthmodel.Spec {
	specs := []synthmodel.Spec{{Name: "model.embed_tokens.weight", Dtype: safetensors.BF16, Shape: []uint64{8192, 1024}}}
	for l := range 2 {
		p := fmt.Sprintf("model.layers.%d.", l)
		for _, m := range []string{"q_proj", "k_proj", "v_proj", "o_proj"} {
			specs = append(specs, synthmodel.Spec{Name: p + "self_attn." + m + ".weight", Dtype: safetensors.BF16, Shape: []uint64{1024, 1024}})
		}
		specs = append(specs,
			synthmodel.Spec{Name: p + "mlp.up_proj.weight", Dtype: safetensors.BF16, Shape: []uint64{2816, 1024}},
			synthmodel.Spec{Name: p + "mlp.down_proj.weight", Dtype: safetensors.BF16, Shape: []uint64{1024, 2816}},
			synthmodel.Spec{Name: p + "input_layernorm.weight", Dtype: safetensors.F32, Shape: []uint64{1024}})
	}
	return append(specs,
		synthmodel.Spec{Name: "model.norm.weight", Dtype: safetensors.F32, Shape: []uint64{1024}},
		synthmodel.Spec{Name: "lm_head.weight", Dtype: safetensors.BF16, Shape: []uint64{8192, 1024}})
}

// fineTune is one benchmark case: a fine-tune of the base and the updates
// on offer to the encoder.
type fineTune struct {
	name    string
	file    []byte
	terms   map[string][]delta.Term
	adapter int // bytes of the adapter file, when there is one
}

func applyAdapter(tb testing.TB, base *synthmodel.Model, seed uint64, spec synthmodel.AdapterSpec) ([]byte, *lora.Adapter, int) {
	tb.Helper()
	ad, err := synthmodel.NewAdapter(seed, base, spec)
	if err != nil {
		tb.Fatal(err)
	}
	la, err := ad.Parse()
	if err != nil {
		tb.Fatal(err)
	}
	bb := base.Bytes()
	var out bytes.Buffer
	if _, err := lora.Apply(&out, bytes.NewReader(bb), int64(len(bb)), la); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes(), la, len(ad.Weights)
}

func fineTunes(tb testing.TB, base *synthmodel.Model) []fineTune {
	tb.Helper()
	var out []fineTune
	// A LoRA fine-tune: rank 8 on q_proj and v_proj of every layer.
	var mods []string
	for l := range 2 {
		mods = append(mods, fmt.Sprintf("model.layers.%d.self_attn.q_proj", l), fmt.Sprintf("model.layers.%d.self_attn.v_proj", l))
	}
	f, la, n := applyAdapter(tb, base, 3, synthmodel.AdapterSpec{Modules: mods, R: 8, Alpha: 16, Dtype: safetensors.BF16})
	out = append(out, fineTune{name: "lora-r8", file: f, terms: termsOf(la), adapter: n})
	// Two tensors changed slightly, one through a rank-8 adapter.
	f, la, n = applyAdapter(tb, base, 4, synthmodel.AdapterSpec{Modules: []string{"model.layers.0.self_attn.q_proj"}, R: 8, Alpha: 16, Dtype: safetensors.BF16})
	m := mustDecode(tb, f)
	m.Nudge(5, "model.layers.1.mlp.up_proj.weight", 0.01)
	out = append(out, fineTune{name: "two-tensors", file: m.Bytes(), terms: termsOf(la), adapter: n})
	// A dense full fine-tune: every float tensor moves slightly.
	full := base.Clone()
	full.NudgeAll(6, 0.001)
	out = append(out, fineTune{name: "full", file: full.Bytes()})
	return out
}

func zstdSize(tb testing.TB, b []byte) int {
	tb.Helper()
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithAllLitEntropyCompression(true), zstd.WithEncoderConcurrency(1))
	if err != nil {
		tb.Fatal(err)
	}
	defer enc.Close()
	return len(enc.EncodeAll(b, nil))
}

// BenchmarkStoredBytes encodes each fine-tune of a 71 MB BF16 model and
// reports the stored delta against the full file (delta/file) and against
// zstd of the full file (default level, literal entropy coding on), both
// measured in the same run; the time per operation is the encoding's.
func BenchmarkStoredBytes(b *testing.B) {
	base := synthmodel.New(1, benchSpecs())
	bb := base.Bytes()
	for _, ft := range fineTunes(b, base) {
		b.Run(ft.name, func(b *testing.B) {
			z := zstdSize(b, ft.file)
			b.SetBytes(int64(len(ft.file)))
			var st *delta.Stat
			out, ref := file(ft.file), file(bb) // ids known, as in a store
			for b.Loop() {
				var err error
				if st, err = delta.Encode(io.Discard, out, ref, &delta.Options{LowRank: ft.terms}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(st.Size), "delta-bytes")
			b.ReportMetric(float64(len(ft.file)), "file-bytes")
			b.ReportMetric(float64(z), "zstd-bytes")
			b.ReportMetric(float64(st.Size)/float64(len(ft.file)), "delta/file")
			b.ReportMetric(float64(st.Size)/float64(z), "delta/zstd")
			if ft.adapter > 0 {
				b.ReportMetric(float64(st.Size)/float64(ft.adapter), "delta/adapter")
			}
		})
	}
}

// BenchmarkLoRA4096 is a rank-8 update of one 4096×4096 F32 tensor (64
// MiB): the stored delta against the adapter file's size (target: at most
// 1.1).
func BenchmarkLoRA4096(b *testing.B) {
	specs := []synthmodel.Spec{{Name: "model.layers.0.mlp.down_proj.weight", Dtype: safetensors.F32, Shape: []uint64{4096, 4096}}}
	base := synthmodel.New(1, specs)
	ft, la, n := applyAdapter(b, base, 2, synthmodel.AdapterSpec{Modules: []string{"model.layers.0.mlp.down_proj"}, R: 8, Alpha: 16, Dtype: safetensors.F32})
	bb := base.Bytes()
	b.SetBytes(int64(len(ft)))
	var st *delta.Stat
	out, ref := file(ft), file(bb)
	for b.Loop() {
		var err error
		if st, err = delta.Encode(io.Discard, out, ref, &delta.Options{LowRank: termsOf(la)}); err != nil {
			b.Fatal(err)
		}
	}
	if st.Tensors[0].Kind != delta.KindLowRank || st.Tensors[0].Residual {
		b.Fatalf("stored as %v", st.Tensors[0].Kind)
	}
	b.ReportMetric(float64(st.Size), "delta-bytes")
	b.ReportMetric(float64(n), "adapter-bytes")
	b.ReportMetric(float64(st.Size)/float64(n), "delta/adapter")
}

// cpuTime is the CPU time this process has used (user and system, every
// thread): on a machine shared with other jobs it measures the work done,
// where wall time measures the wait for a core too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rates runs f reps times and returns its best wall-clock rate and its
// rate per CPU second, in MB/s of n bytes.
func rates(n, reps int, f func()) (wall, cpu float64) {
	f()
	best := time.Duration(1 << 62)
	c0 := cpuTime()
	for range reps {
		t := time.Now()
		f()
		best = min(best, time.Since(t))
	}
	used := cpuTime() - c0
	return float64(n) / best.Seconds() / 1e6, float64(n) * float64(reps) / used.Seconds() / 1e6
}

// memcpyRate is the speed of copy() over n bytes on this machine now.
func memcpyRate(n int) (wall, cpu float64) {
	src := bytes.Repeat([]byte{1}, n)
	dst := make([]byte, n)
	return rates(n, 20, func() { copy(dst, src) })
}

// hashRate is the speed of computing the object id of b, the check every
// materialization ends with.
func hashRate(b []byte) (wall, cpu float64) {
	return rates(len(b), 3, func() { merkle.SumBytes(b) })
}

// BenchmarkMaterialize rebuilds each fine-tune from its delta and the base
// (object id check included) and reports the speed against copy() of the
// same number of bytes measured in the same run (x-memcpy: materialize
// MB/s over memcpy MB/s), and against computing the object id alone
// (x-hash), the floor of any verified rebuild. The cpu- figures divide the
// bytes by the CPU time used (all threads), which other jobs on a shared
// machine disturb far less than wall time.
func BenchmarkMaterialize(b *testing.B) {
	base := synthmodel.New(1, benchSpecs())
	bb := base.Bytes()
	cases := fineTunes(b, base)
	specs := []synthmodel.Spec{{Name: "model.layers.0.mlp.down_proj.weight", Dtype: safetensors.F32, Shape: []uint64{4096, 4096}}}
	b4 := synthmodel.New(1, specs)
	ft4, la4, _ := applyAdapter(b, b4, 2, synthmodel.AdapterSpec{Modules: []string{"model.layers.0.mlp.down_proj"}, R: 8, Alpha: 16, Dtype: safetensors.F32})
	for _, ft := range append(cases, fineTune{name: "lora-4096-f32", file: ft4, terms: termsOf(la4)}) {
		ref := bb
		if ft.name == "lora-4096-f32" {
			ref = b4.Bytes()
		}
		b.Run(ft.name, func(b *testing.B) {
			var d bytes.Buffer
			if _, err := delta.Encode(&d, file(ft.file), file(ref), &delta.Options{LowRank: ft.terms}); err != nil {
				b.Fatal(err)
			}
			mc, mcCPU := memcpyRate(len(ft.file))
			hr, hrCPU := hashRate(ft.file)
			b.SetBytes(int64(len(ft.file)))
			rf := file(ref) // its id computed once, as a store knows it
			c0 := cpuTime()
			for b.Loop() {
				if _, err := delta.Materialize(io.Discard, bytes.NewReader(d.Bytes()), rf); err != nil {
					b.Fatal(err)
				}
			}
			n := float64(len(ft.file)) * float64(b.N)
			rate := n / b.Elapsed().Seconds() / 1e6
			cpu := n / (cpuTime() - c0).Seconds() / 1e6
			b.ReportMetric(mc, "memcpy-MB/s")
			b.ReportMetric(rate/mc, "x-memcpy")
			b.ReportMetric(hr, "hash-MB/s")
			b.ReportMetric(rate/hr, "x-hash")
			b.ReportMetric(cpu, "cpu-MB/s")
			b.ReportMetric(cpu/mcCPU, "cpu-x-memcpy")
			b.ReportMetric(cpu/hrCPU, "cpu-x-hash")
		})
	}
}
