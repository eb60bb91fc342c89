package tensormath

import (
	"errors"
	"fmt"
	"math"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// LowRank is one low-rank update of a rows×cols matrix: Scale·(P·Q), where
// P is rows×Rank and Q is Rank×cols, both row-major float32. For a PEFT
// LoRA adapter of a linear layer P is lora_B and Q is lora_A; for a
// transposed layout (fan_in_fan_out, embeddings) P is lora_Aᵀ and Q is
// lora_Bᵀ, so that every update is evaluated the same way.
type LowRank struct {
	Rows, Cols, Rank int
	Scale            float32
	P, Q             []float32
}

// Check validates the shapes.
func (t *LowRank) Check() error {
	if t.Rows <= 0 || t.Cols <= 0 || t.Rank <= 0 {
		return fmt.Errorf("low-rank update %dx%d of rank %d", t.Rows, t.Cols, t.Rank)
	}
	if len(t.P) != t.Rows*t.Rank || len(t.Q) != t.Rank*t.Cols {
		return fmt.Errorf("low-rank update %dx%d of rank %d: factors hold %d and %d values, want %d and %d",
			t.Rows, t.Cols, t.Rank, len(t.P), len(t.Q), t.Rows*t.Rank, t.Rank*t.Cols)
	}
	return nil
}

// ErrShape reports factors that do not fit the matrix they update.
var ErrShape = errors.New("shape mismatch")

// AddSpan applies updates to the elements (i, j0) .. (i, j1-1) of one row
// of a rows×cols matrix, whose float32 values are w (j1-j0 of them), in
// place. For each element (i, j) and each update t in order:
//
//	acc = +0
//	for k = 0 .. t.Rank-1: acc = f32(acc + f32(t.P[i,k] * t.Q[k,j]))
//	w[i,j] = f32(w[i,j] + f32(t.Scale * acc))
//
// where f32 rounds to float32. acc is scratch space for at least j1-j0
// values. The loops run k-outer (four k at a time) for speed; each element
// still sees its products in ascending k, each product and sum rounded, so
// the result is the one defined above.
func AddSpan(w []float32, i, j0, j1 int, updates []LowRank, acc []float32) {
	n := j1 - j0
	acc = acc[:n]
	w = w[:n]
	for ti := range updates {
		t := &updates[ti]
		clear(acc)
		p := t.P[i*t.Rank : (i+1)*t.Rank]
		k := 0
		// Four products per pass over acc, added in ascending k and each
		// rounded on its own: the same result as one k at a time, with a
		// quarter of the loads and stores of acc.
		for ; k+4 <= len(p); k += 4 {
			p0, p1, p2, p3 := p[k], p[k+1], p[k+2], p[k+3]
			q0 := t.Q[k*t.Cols+j0 : k*t.Cols+j1]
			q1 := t.Q[(k+1)*t.Cols+j0 : (k+1)*t.Cols+j1]
			q2 := t.Q[(k+2)*t.Cols+j0 : (k+2)*t.Cols+j1]
			q3 := t.Q[(k+3)*t.Cols+j0 : (k+3)*t.Cols+j1]
			q1, q2, q3 = q1[:len(q0)], q2[:len(q0)], q3[:len(q0)]
			a := acc[:len(q0)]
			for j, v0 := range q0 {
				x := float32(a[j] + float32(p0*v0))
				x = float32(x + float32(p1*q1[j]))
				x = float32(x + float32(p2*q2[j]))
				a[j] = float32(x + float32(p3*q3[j]))
			}
		}
		for ; k < len(p); k++ {
			pk := p[k]
			q := t.Q[k*t.Cols+j0 : k*t.Cols+j1]
			for j, qv := range q {
				acc[j] = float32(acc[j] + float32(pk*qv))
			}
		}
		s := t.Scale
		for j, a := range acc {
			w[j] = float32(w[j] + float32(s*a))
		}
	}
}

// Evaluator applies low-rank updates to runs of a matrix's elements in
// their stored dtype, so a tensor can be materialized block by block.
type Evaluator struct {
	rows, cols int
	ups        []LowRank
	f, acc     []float32
}

// NewEvaluator prepares updates of a rows×cols matrix.
func NewEvaluator(rows, cols int, ups []LowRank) *Evaluator {
	return &Evaluator{rows: rows, cols: cols, ups: ups}
}

// Apply updates the elements e, e+1, ... (row-major) whose bytes in dtype
// dt are buf, in place: decode, AddSpan row by row, encode (rounding to
// nearest even, canonical NaNs).
func (ev *Evaluator) Apply(buf []byte, dt safetensors.Dtype, e uint64) {
	n := len(buf) / Width(dt)
	if cap(ev.f) < n {
		ev.f = make([]float32, n)
	}
	if cap(ev.acc) < min(n, ev.cols) {
		ev.acc = make([]float32, min(n, ev.cols))
	}
	f := ev.f[:n]
	Decode(f, buf, dt)
	done := 0
	for done < n {
		pos := e + uint64(done)
		i := int(pos / uint64(ev.cols))
		j0 := int(pos % uint64(ev.cols))
		j1 := min(ev.cols, j0+n-done)
		AddSpan(f[done:done+j1-j0], i, j0, j1, ev.ups, ev.acc)
		done += j1 - j0
	}
	Encode(buf, f, dt)
}

// Canonicalize replaces every NaN with the canonical quiet NaN (positive).
func Canonicalize(w []float32) {
	for i, f := range w {
		if f != f {
			w[i] = math.Float32frombits(NaN32)
		}
	}
}
