package modelmerge_test

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/modelmerge"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

const (
	qW  = "model.layers.0.self_attn.q_proj.weight"
	vW  = "model.layers.0.self_attn.v_proj.weight"
	upW = "model.layers.0.mlp.up_proj.weight"
	dnW = "model.layers.0.mlp.down_proj.weight"
)

func version(m *synthmodel.Model, lr map[string][]delta.Term) modelmerge.Version {
	b := m.Bytes()
	return modelmerge.Version{R: bytes.NewReader(b), Size: int64(len(b)), LowRank: lr}
}

func decode(t *testing.T, b []byte) *synthmodel.Model {
	t.Helper()
	h, err := safetensors.DecodeHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	m := &synthmodel.Model{Metadata: h.Metadata}
	for _, ti := range h.Tensors {
		m.Tensors = append(m.Tensors, safetensors.Tensor{Name: ti.Name, Dtype: ti.Dtype, Shape: ti.Shape,
			Data: bytes.Clone(b[h.DataStart()+ti.Begin : h.DataStart()+ti.End])})
	}
	return m
}

// loraFineTune applies a rank-8 adapter on modules to base and returns the
// fine-tune and its updates as delta terms.
func loraFineTune(t *testing.T, base *synthmodel.Model, seed uint64, dt safetensors.Dtype, modules ...string) (*synthmodel.Model, map[string][]delta.Term) {
	t.Helper()
	ad, err := synthmodel.NewAdapter(seed, base, synthmodel.AdapterSpec{Modules: modules, R: 8, Alpha: 16, Dtype: dt})
	if err != nil {
		t.Fatal(err)
	}
	la, err := ad.Parse()
	if err != nil {
		t.Fatal(err)
	}
	bb := base.Bytes()
	var out bytes.Buffer
	if _, err := lora.Apply(&out, bytes.NewReader(bb), int64(len(bb)), la); err != nil {
		t.Fatal(err)
	}
	terms := map[string][]delta.Term{}
	for name, u := range la.Updates {
		terms[name] = []delta.Term{{Update: u.Term, Dtype: u.Dtype}}
	}
	return decode(t, out.Bytes()), terms
}

func merge(t *testing.T, anc modelmerge.Version, sides []modelmerge.Version, opts modelmerge.Options) (*synthmodel.Model, *modelmerge.Result) {
	t.Helper()
	var out bytes.Buffer
	res, err := modelmerge.Merge(&out, anc, sides, opts)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, out.Bytes()), res
}

func near(a, b float64, dt safetensors.Dtype, mag float64) bool {
	// Within two units in the last place of the dtype, relative to the
	// larger magnitude, or a small absolute floor.
	// (F16's subnormal step is 2^-24).
	eps := map[safetensors.Dtype]float64{safetensors.F32: 1.0 / (1 << 22), safetensors.F16: 1.0 / (1 << 9), safetensors.BF16: 1.0 / (1 << 6)}[dt]
	floor := map[safetensors.Dtype]float64{safetensors.F32: 1e-12, safetensors.F16: 1.0 / (1 << 23), safetensors.BF16: 1e-37}[dt]
	return math.Abs(a-b) <= eps*math.Max(math.Max(math.Abs(a), math.Abs(b)), math.Abs(mag))+floor
}

// TestTaskArithmeticDense merges two dense fine-tunes that change the
// same tensors and checks every element against base + wA·ΔA + wB·ΔB
// computed directly in float64, and bit for bit against the float32
// definition.
func TestTaskArithmeticDense(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	a, b := base.Clone(), base.Clone()
	a.Nudge(2, upW, 0.05)
	a.Nudge(3, dnW, 0.05)
	b.Nudge(4, upW, 0.05)
	b.Nudge(5, qW, 0.05)
	for _, weights := range [][]float32{{1, 1}, {0.7, 0.4}} {
		got, res := merge(t, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)},
			modelmerge.Options{Method: modelmerge.TaskArithmetic, Weights: weights, Prefer: -1})
		for _, name := range []string{upW, dnW, qW} {
			bv, av, cv, gv := base.Floats(name), a.Floats(name), b.Floats(name), got.Floats(name)
			dt := base.Tensor(name).Dtype
			for j := range bv {
				want64 := float64(bv[j]) + float64(weights[0])*(float64(av[j])-float64(bv[j])) + float64(weights[1])*(float64(cv[j])-float64(bv[j]))
				if !near(float64(gv[j]), want64, dt, float64(bv[j])) {
					t.Fatalf("%v %s[%d]: %v, want %v", weights, name, j, gv[j], want64)
				}
				if res.How[name] != modelmerge.Combined {
					continue // taken as is: checked below
				}
				s := float32(0)
				s = float32(s + float32(weights[0]*float32(av[j]-bv[j])))
				s = float32(s + float32(weights[1]*float32(cv[j]-bv[j])))
				want32 := make([]byte, tensormath.Width(dt))
				tensormath.Encode(want32, []float32{float32(bv[j] + s)}, dt)
				gotB := got.Tensor(name).Data[j*len(want32) : (j+1)*len(want32)]
				if !bytes.Equal(gotB, want32) {
					t.Fatalf("%v %s[%d]: bits %x, want %x", weights, name, j, gotB, want32)
				}
			}
		}
		if weights[0] == 1 {
			// One-sided changes with weight 1 are taken as they are.
			if !bytes.Equal(got.Tensor(dnW).Data, a.Tensor(dnW).Data) || res.How[dnW] != modelmerge.Taken {
				t.Errorf("down_proj (changed by A only): %v", res.How[dnW])
			}
			if res.How[upW] != modelmerge.Combined {
				t.Errorf("up_proj: %v", res.How[upW])
			}
		}
		if !bytes.Equal(got.Tensor("lm_head.weight").Data, base.Tensor("lm_head.weight").Data) {
			t.Error("untouched tensor changed")
		}
	}
}

// TestTaskArithmeticLoRA: two LoRA fine-tunes of the same module merge
// into the base plus both updates (factors kept), checked against a
// direct float64 evaluation of base + wA·sA·BA·AA + wB·sB·BB·AB.
func TestTaskArithmeticLoRA(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	a, ta := loraFineTune(t, base, 10, safetensors.F32, "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj")
	b, tb := loraFineTune(t, base, 11, safetensors.BF16, "model.layers.0.self_attn.q_proj")
	weights := []float32{0.6, 1.3}
	got, res := merge(t, version(base, nil), []modelmerge.Version{version(a, ta), version(b, tb)},
		modelmerge.Options{Weights: weights, Prefer: -1})
	if res.How[qW] != modelmerge.LowRank || len(res.LowRank[qW]) != 2 {
		t.Fatalf("q_proj: %v with %d updates", res.How[qW], len(res.LowRank[qW]))
	}
	if res.How[vW] != modelmerge.LowRank || len(res.LowRank[vW]) != 1 {
		t.Fatalf("v_proj (A only, weight 0.6): %v", res.How[vW])
	}
	for _, name := range []string{qW, vW} {
		bv, gv := base.Floats(name), got.Floats(name)
		dt := base.Tensor(name).Dtype
		cols := int(base.Tensor(name).Shape[1])
		for j := range bv {
			want := float64(bv[j])
			mag := math.Abs(want) // bounds the rounding error of every step
			for side, terms := range []map[string][]delta.Term{ta, tb} {
				for _, tm := range terms[name] {
					u := tm.Update
					var s, sa float64
					for k := range u.Rank {
						p := float64(u.P[(j/cols)*u.Rank+k]) * float64(u.Q[k*cols+j%cols])
						s += p
						sa += math.Abs(p)
					}
					want += float64(weights[side]) * float64(u.Scale) * s
					mag += math.Abs(float64(weights[side])*float64(u.Scale)) * sa * 4
				}
			}
			if !near(float64(gv[j]), want, dt, mag) {
				t.Fatalf("%s[%d]: %v, want %v", name, j, gv[j], want)
			}
		}
	}
}

// tiesDirect is TIES per element in float64, for comparison.
func tiesDirect(base []float32, xs [][]float32, w []float64, density float64) []float64 {
	n := len(base)
	tv := make([][]float64, len(xs))
	for i, x := range xs {
		v := make([]float64, n)
		mags := make([]float64, n)
		for j := range v {
			v[j] = w[i] * (float64(x[j]) - float64(base[j]))
			mags[j] = math.Abs(v[j])
		}
		slices.Sort(mags)
		thr := mags[n-int(math.Ceil(density*float64(n)))]
		for j := range v {
			if math.Abs(v[j]) < thr {
				v[j] = 0
			}
		}
		tv[i] = v
	}
	out := make([]float64, n)
	for j := range out {
		var s, num, den float64
		for _, v := range tv {
			s += v[j]
		}
		for i, v := range tv {
			if v[j] != 0 && s != 0 && (v[j] > 0) == (s > 0) {
				num += v[j]
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

func TestTIES(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	a, b := base.Clone(), base.Clone()
	a.Nudge(2, upW, 0.2)
	b.Nudge(3, upW, 0.2)
	a.Nudge(4, qW, 0.2)
	got, res := merge(t, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)},
		modelmerge.Options{Method: modelmerge.TIES, Density: 0.3, Prefer: -1})
	for _, name := range []string{upW, qW} {
		if res.How[name] != modelmerge.Combined {
			t.Fatalf("%s: %v", name, res.How[name])
		}
		want := tiesDirect(base.Floats(name), [][]float32{a.Floats(name), b.Floats(name)}, []float64{1, 1}, 0.3)
		gv := got.Floats(name)
		dt := base.Tensor(name).Dtype
		kept := 0
		for j := range want {
			if !near(float64(gv[j]), want[j], dt, float64(base.Floats(name)[j])) {
				t.Fatalf("%s[%d]: %v, want %v", name, j, gv[j], want[j])
			}
			if gv[j] != base.Floats(name)[j] {
				kept++
			}
		}
		// Trimming leaves most elements at the base value.
		if kept == 0 || kept > len(want)*2/3 {
			t.Fatalf("%s: %d of %d elements changed", name, kept, len(want))
		}
	}
}

// TestStructureAndConflicts: additions, removals, integer tensors and
// metadata follow the three-way rules; conflicts stop the merge unless a
// side is preferred.
func TestStructureAndConflicts(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	a, b := base.Clone(), base.Clone()
	a.Tensors = append(a.Tensors, safetensors.Tensor{Name: "score.weight", Dtype: safetensors.F32, Shape: []uint64{2, 2}, Data: make([]byte, 16)})
	b.Tensors = slices.DeleteFunc(b.Tensors, func(t safetensors.Tensor) bool { return t.Name == "model.norm.weight" })
	a.Metadata["epoch"] = "3"
	got, _ := merge(t, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)}, modelmerge.Options{Prefer: -1})
	if got.Tensor("score.weight") == nil || got.Tensor("model.norm.weight") != nil || got.Metadata["epoch"] != "3" {
		t.Fatalf("tensors %d, metadata %v", len(got.Tensors), got.Metadata)
	}

	// Both change an integer tensor differently, and a metadata key.
	a, b = base.Clone(), base.Clone()
	a.Tensor("model.rotary.inv_freq_steps").Data[0] = 9
	b.Tensor("model.rotary.inv_freq_steps").Data[0] = 7
	a.Metadata["format"] = "mlx"
	b.Metadata["format"] = "np"
	var out bytes.Buffer
	_, err := modelmerge.Merge(&out, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)}, modelmerge.Options{Prefer: -1})
	var ce *modelmerge.ConflictError
	if !errors.As(err, &ce) || len(ce.Conflicts) != 2 || out.Len() != 0 {
		t.Fatalf("err %v, %d bytes written", err, out.Len())
	}
	if !strings.Contains(err.Error(), "no arithmetic on I64") || !strings.Contains(err.Error(), "__metadata__.format") {
		t.Fatalf("message: %v", err)
	}
	got, res := merge(t, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)}, modelmerge.Options{Prefer: 1})
	if got.Tensor("model.rotary.inv_freq_steps").Data[0] != 7 || got.Metadata["format"] != "np" || len(res.Resolved) != 2 {
		t.Fatalf("prefer side 2: %v %v", got.Metadata, res.Resolved)
	}
	// Identical changes on both sides are not a conflict.
	b.Tensor("model.rotary.inv_freq_steps").Data[0] = 9
	b.Metadata["format"] = "mlx"
	got, _ = merge(t, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)}, modelmerge.Options{Prefer: -1})
	if got.Tensor("model.rotary.inv_freq_steps").Data[0] != 9 {
		t.Fatal("identical change lost")
	}
}

// TestHeaderKept: a merge that keeps the tensor set keeps the first
// side's header bytes, order and all.
func TestHeaderKept(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	a, b := base.Clone(), base.Clone()
	a.Nudge(2, upW, 0.05)
	b.Nudge(3, upW, 0.05)
	var out bytes.Buffer
	if _, err := modelmerge.Merge(&out, version(base, nil), []modelmerge.Version{version(a, nil), version(b, nil)}, modelmerge.Options{Prefer: -1}); err != nil {
		t.Fatal(err)
	}
	ab := a.Bytes()
	h, _ := safetensors.DecodeHeader(ab)
	if !bytes.Equal(out.Bytes()[:h.DataStart()], ab[:h.DataStart()]) || out.Len() != len(ab) {
		t.Fatal("header not kept")
	}
}

// TestRebase re-applies a fine-tune's changes to a newer base: dense
// tensors as n + (h − o), LoRA tensors as the new base plus the same
// factors, one-sided changes exactly.
func TestRebase(t *testing.T) {
	old := synthmodel.New(1, synthmodel.SmallSpecs())
	nb := old.Clone()
	nb.Nudge(20, upW, 0.05) // upstream retrains up_proj and q_proj
	nb.Nudge(21, qW, 0.05)
	nb.Metadata["version"] = "2"
	head, terms := loraFineTune(t, old, 30, safetensors.F16, "model.layers.0.self_attn.q_proj")
	head.Nudge(31, upW, 0.05) // and a dense change of up_proj
	head.Nudge(32, dnW, 0.05) // and one upstream did not touch
	var out bytes.Buffer
	res, err := modelmerge.Rebase(&out, version(old, nil), version(head, terms), version(nb, nil), -1)
	if err != nil {
		t.Fatal(err)
	}
	got := decode(t, out.Bytes())
	if got.Metadata["version"] != "2" {
		t.Error("upstream metadata lost")
	}
	if res.How[qW] != modelmerge.LowRank || len(res.LowRank[qW]) != 1 {
		t.Fatalf("q_proj: %v", res.How[qW])
	}
	// q_proj = new base + the same factors, bit for bit as lora.Apply would.
	u := terms[qW][0].Update
	nq := nb.Tensor(qW)
	ev := tensormath.NewEvaluator(u.Rows, u.Cols, []tensormath.LowRank{u})
	want := bytes.Clone(nq.Data)
	ev.Apply(want, nq.Dtype, 0)
	if !bytes.Equal(got.Tensor(qW).Data, want) {
		t.Fatal("q_proj is not new base + factors")
	}
	// up_proj: both changed, dense.
	ov, nv, hv, gv := old.Floats(upW), nb.Floats(upW), head.Floats(upW), got.Floats(upW)
	for j := range ov {
		w64 := float64(nv[j]) + float64(hv[j]) - float64(ov[j])
		if !near(float64(gv[j]), w64, nb.Tensor(upW).Dtype, float64(ov[j])) {
			t.Fatalf("up_proj[%d]: %v, want %v", j, gv[j], w64)
		}
	}
	if !bytes.Equal(got.Tensor(dnW).Data, head.Tensor(dnW).Data) || res.How[dnW] != modelmerge.Taken {
		t.Error("down_proj: head's change not taken as is")
	}
	if !bytes.Equal(got.Tensor("lm_head.weight").Data, nb.Tensor("lm_head.weight").Data) {
		t.Error("untouched tensor differs from the new base")
	}
}
