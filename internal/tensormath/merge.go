package tensormath

import (
	"fmt"
	"math"
	"slices"
)

// TaskArithmetic merges fine-tunes of a common ancestor elementwise:
//
//	s = +0
//	for each fine-tune i in order: s = f32(s + f32(w[i] * f32(x[i] - base)))
//	out = f32(base + s)
//
// base, out and every xs[i] hold the same number of values; out may alias
// base.
func TaskArithmetic(out, base []float32, xs [][]float32, weights []float32) {
	for j, b := range base {
		var s float32
		for i, x := range xs {
			d := float32(x[j] - b)
			s = float32(s + float32(weights[i]*d))
		}
		out[j] = float32(b + s)
	}
}

// TIES merges fine-tunes of a common ancestor with TIES-merging (trim,
// elect sign, disjoint merge; Yadav et al., 2023), per tensor:
//
//  1. Task vectors: t[i] = f32(w[i] * f32(x[i] - base)).
//  2. Trim: in each t[i], keep the elements whose magnitude is at least the
//     k-th largest magnitude of t[i], k = ceil(density · n); set the others
//     to zero. (Ties at the threshold are all kept.)
//  3. Elect: s = sum of the trimmed t[i] in order (float32); the elected
//     sign is the sign of s (no sign when s is zero).
//  4. Disjoint merge: over the i whose trimmed t[i] is non-zero and has the
//     elected sign, num = sum t[i] and den = sum w[i], in order (float32);
//     d = f32(num / den), or zero when no i qualifies or den is zero.
//  5. out = f32(base + f32(lambda * d)).
//
// out may alias base. It allocates n float32 values per fine-tune.
func TIES(out, base []float32, xs [][]float32, weights []float32, density, lambda float32) error {
	if !(density > 0 && density <= 1) {
		return fmt.Errorf("ties: density %v must be in (0, 1]", density)
	}
	n := len(base)
	ts := make([][]float32, len(xs))
	mags := make([]float32, n)
	for i, x := range xs {
		t := make([]float32, n)
		for j, b := range base {
			t[j] = float32(weights[i] * float32(x[j]-b))
		}
		if n > 0 {
			for j, v := range t {
				mags[j] = abs32(v)
			}
			keep := int(math.Ceil(float64(density) * float64(n)))
			keep = min(max(keep, 1), n)
			// NaN magnitudes sort first under slices.Sort's total order
			// for floats, so they are never the threshold of a keep < n.
			slices.Sort(mags)
			thr := mags[n-keep]
			for j, v := range t {
				if !(abs32(v) >= thr) {
					t[j] = 0
				}
			}
		}
		ts[i] = t
	}
	for j, b := range base {
		var s float32
		for _, t := range ts {
			s = float32(s + t[j])
		}
		var num, den float32
		if s != 0 && s == s {
			pos := s > 0
			for i, t := range ts {
				v := t[j]
				if v != 0 && (v > 0) == pos {
					num = float32(num + v)
					den = float32(den + weights[i])
				}
			}
		}
		var d float32
		if den != 0 {
			d = float32(num / den)
		}
		out[j] = float32(b + float32(lambda*d))
	}
	return nil
}

func abs32(f float32) float32 { return math.Float32frombits(math.Float32bits(f) &^ (1 << 31)) }
