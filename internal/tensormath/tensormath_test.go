package tensormath

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// refRound rounds a float32 to a format with mantissa bits m, minimum
// normal exponent emin and maximum finite value maxv, to nearest even, by
// exact big.Float arithmetic: an independent reference for the bit tricks.
func refRound(f float32, m uint, emin int, maxv float64) float64 {
	x := new(big.Float).SetFloat64(float64(f))
	if x.Sign() == 0 {
		return float64(f)
	}
	// Quantum of the result: 2^(e-m) for |x| in [2^e, 2^(e+1)), never
	// below the subnormal quantum 2^(emin-m).
	e := x.MantExp(nil) - 1
	e = max(e, emin)
	q := new(big.Float).SetMantExp(big.NewFloat(1), e-int(m))
	r := new(big.Float).Quo(x, q) // exact: power of two
	fl, _ := r.Float64()
	n := math.RoundToEven(fl)
	v := n * math.Ldexp(1, e-int(m))
	if math.Abs(v) > maxv {
		return math.Inf(int(math.Copysign(1, v)))
	}
	return v
}

func TestF16Exhaustive(t *testing.T) {
	// Every half widens and narrows back to itself (NaNs to the
	// canonical NaN).
	for h := range 1 << 16 {
		f := F16ToF32(uint16(h))
		back := F32ToF16(f)
		isNaN := h&0x7c00 == 0x7c00 && h&0x3ff != 0
		if isNaN {
			if f == f || back != NaN16 {
				t.Fatalf("NaN %#04x -> %v -> %#04x", h, f, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("%#04x -> %v -> %#04x", h, f, back)
		}
	}
}

func TestBF16Exhaustive(t *testing.T) {
	for h := range 1 << 16 {
		f := BF16ToF32(uint16(h))
		back := F32ToBF16(f)
		if f != f {
			if back != NaNBF {
				t.Fatalf("NaN %#04x -> %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("%#04x -> %v -> %#04x", h, f, back)
		}
	}
}

// samples are float32 bit patterns: every exponent with edge mantissas,
// halfway cases around every half and bfloat16, and random patterns.
func samples() []uint32 {
	var out []uint32
	for e := uint32(0); e < 256; e++ {
		for _, m := range []uint32{0, 1, 0x1000, 0xfff, 0x2000, 0x3000, 0x7fff, 0x8000, 0x8001, 0x18000, 0x7fffff, 0x400000} {
			out = append(out, e<<23|m, 1<<31|e<<23|m)
		}
	}
	for h := range 1 << 16 {
		f := math.Float32bits(F16ToF32(uint16(h)))
		b := uint32(h) << 16
		out = append(out, f+1<<12, f+1<<12-1, f+1<<12+1, f-1, b+0x8000, b+0x7fff, b+0x8001)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		out = append(out, rng.Uint32())
	}
	return out
}

func TestF32ToF16Rounding(t *testing.T) {
	for _, u := range samples() {
		f := math.Float32frombits(u)
		got := F32ToF16(f)
		if f != f {
			if got != NaN16 {
				t.Fatalf("NaN %#08x -> %#04x", u, got)
			}
			continue
		}
		want := refRound(f, 10, -14, 65504)
		if g := float64(F16ToF32(got)); g != want || math.Signbit(g) != math.Signbit(float64(f)) {
			t.Fatalf("F32ToF16(%g = %#08x) = %#04x (%g), want %g", f, u, got, g, want)
		}
	}
}

func TestF32ToBF16Rounding(t *testing.T) {
	for _, u := range samples() {
		f := math.Float32frombits(u)
		got := F32ToBF16(f)
		if f != f {
			if got != NaNBF {
				t.Fatalf("NaN %#08x -> %#04x", u, got)
			}
			continue
		}
		want := refRound(f, 7, -126, float64(math.Float32frombits(0x7f7f0000)))
		if g := float64(BF16ToF32(got)); g != want || math.Signbit(g) != math.Signbit(float64(f)) {
			t.Fatalf("F32ToBF16(%g = %#08x) = %#04x (%g), want %g", f, u, got, g, want)
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	v := []float32{0, float32(math.Copysign(0, -1)), 1, -2.5, float32(math.Inf(1)), float32(math.NaN()), 1e-30, 65504, 70000}
	for _, dt := range []safetensors.Dtype{safetensors.F32, safetensors.F16, safetensors.BF16} {
		b := make([]byte, len(v)*Width(dt))
		Encode(b, v, dt)
		back := make([]float32, len(v))
		Decode(back, b, dt)
		if back[2] != 1 || back[3] != -2.5 || !math.IsInf(float64(back[4]), 1) || back[5] == back[5] {
			t.Fatalf("%s: %v", dt, back)
		}
		if !math.Signbit(float64(back[1])) {
			t.Fatalf("%s: -0 lost its sign", dt)
		}
	}
	// A NaN with a payload is written canonical.
	b := make([]byte, 4)
	Encode(b, []float32{math.Float32frombits(0xffc01234)}, safetensors.F32)
	if got := uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24; got != NaN32 {
		t.Fatalf("NaN written as %#08x", got)
	}
}

// TestAddSpanOrder checks AddSpan against the definition written out
// element by element, and that the rounding is float32's at each step
// (a float64 evaluation differs on these inputs).
func TestAddSpanOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	rows, cols, rank := 7, 13, 5
	mk := func(n int) []float32 {
		v := make([]float32, n)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	ups := []LowRank{
		{Rows: rows, Cols: cols, Rank: rank, Scale: 0.37, P: mk(rows * rank), Q: mk(rank * cols)},
		{Rows: rows, Cols: cols, Rank: 2, Scale: -1.5, P: mk(rows * 2), Q: mk(2 * cols)},
	}
	base := mk(rows * cols)
	want := make([]float32, len(base))
	differs64 := false
	for i := range rows {
		for j := range cols {
			w := base[i*cols+j]
			w64 := float64(w)
			for _, u := range ups {
				var acc float32
				var acc64 float64
				for k := range u.Rank {
					p := u.P[i*u.Rank+k] * u.Q[k*cols+j]
					acc = acc + p
					acc64 += float64(u.P[i*u.Rank+k]) * float64(u.Q[k*cols+j])
				}
				d := u.Scale * acc
				w = w + d
				w64 += float64(u.Scale) * acc64
			}
			want[i*cols+j] = w
			if float32(w64) != w {
				differs64 = true
			}
		}
	}
	if !differs64 {
		t.Fatal("inputs too tame: float64 evaluation agrees everywhere")
	}
	// Whole rows, and spans that split rows.
	got := append([]float32(nil), base...)
	acc := make([]float32, cols)
	for i := range rows {
		AddSpan(got[i*cols:(i+1)*cols], i, 0, cols, ups, acc)
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("element %d: %v, want %v", i, got[i], want[i])
		}
	}
	// The evaluator on odd-sized runs of F32 bytes gives the same.
	buf := make([]byte, len(base)*4)
	Encode(buf, base, safetensors.F32)
	ev := NewEvaluator(rows, cols, ups)
	for e := 0; e < len(base); e += 17 {
		n := min(17, len(base)-e)
		ev.Apply(buf[e*4:(e+n)*4], safetensors.F32, uint64(e))
	}
	Decode(got, buf, safetensors.F32)
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("evaluator element %d: %v, want %v", i, got[i], want[i])
		}
	}
}

func TestTaskArithmetic(t *testing.T) {
	base := []float32{1, 2, 3, -4}
	a := []float32{1.5, 2, 2, -4}
	b := []float32{1, 3, 3.5, -3}
	out := make([]float32, 4)
	TaskArithmetic(out, base, [][]float32{a, b}, []float32{1, 1})
	want := []float32{1.5, 3, 2.5, -3}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("out %v, want %v", out, want)
		}
	}
	TaskArithmetic(out, base, [][]float32{a, b}, []float32{0.5, 2})
	want = []float32{1.25, 4, 3.5, -2}
	for i := range want {
		if out[i] != want[i] {
			t.Fatalf("weighted: out %v, want %v", out, want)
		}
	}
}

func TestTIES(t *testing.T) {
	base := make([]float32, 10)
	// Task vectors: a agrees with b on 0..3, disagrees on 4..5; small
	// values trimmed away at density 0.5.
	a := []float32{1, 2, 0.01, 4, 5, -6, 0.02, 0, 0, 0.03}
	b := []float32{3, 2, 0.01, -0.5, -1, 2, 0.05, 0, 7, 0}
	out := make([]float32, 10)
	if err := TIES(out, base, [][]float32{a, b}, []float32{1, 1}, 0.5, 1); err != nil {
		t.Fatal(err)
	}
	// At density 0.5, a keeps 1, 2, 4, 5, -6 and b keeps 3, 2, -1, 2, 7.
	want := tiesDirect(base, [][]float32{a, b}, []float64{1, 1}, 0.5)
	for i := range want {
		if math.Abs(float64(out[i])-want[i]) > 1e-6 {
			t.Fatalf("element %d: %v, want %v (out %v)", i, out[i], want[i], out)
		}
	}
	if out[0] != 2 || out[4] != 5 || out[5] != -6 {
		t.Fatalf("out %v", out)
	}
	if err := TIES(out, base, [][]float32{a}, []float32{1}, 0, 1); err == nil {
		t.Fatal("density 0 accepted")
	}
}

// tiesDirect is TIES written plainly in float64, for comparison.
func tiesDirect(base []float32, xs [][]float32, w []float64, density float64) []float64 {
	n := len(base)
	trimmed := make([][]float64, len(xs))
	for i, x := range xs {
		tv := make([]float64, n)
		for j := range n {
			tv[j] = w[i] * float64(x[j]-base[j])
		}
		keep := int(math.Ceil(density * float64(n)))
		mags := make([]float64, n)
		for j := range tv {
			mags[j] = math.Abs(tv[j])
		}
		slices.Sort(mags)
		thr := mags[n-keep]
		for j := range tv {
			if math.Abs(tv[j]) < thr {
				tv[j] = 0
			}
		}
		trimmed[i] = tv
	}
	out := make([]float64, n)
	for j := range n {
		var s float64
		for _, tv := range trimmed {
			s += tv[j]
		}
		var num, den float64
		for i, tv := range trimmed {
			if tv[j] != 0 && (tv[j] > 0) == (s > 0) && s != 0 {
				num += tv[j]
				den += w[i]
			}
		}
		out[j] = float64(base[j])
		if den != 0 {
			out[j] += num / den
		}
	}
	return out
}
