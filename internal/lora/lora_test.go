package lora_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

func f32(v ...float32) []byte {
	b := make([]byte, 4*len(v))
	tensormath.Encode(b, v, safetensors.F32)
	return b
}

func adapterFile(t *testing.T, tensors ...safetensors.Tensor) []byte {
	t.Helper()
	b, err := safetensors.Encode(tensors, nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func cfg(t *testing.T, m map[string]any) []byte {
	t.Helper()
	base := map[string]any{"peft_type": "LORA", "r": 2, "lora_alpha": 4, "target_modules": []string{"q_proj", "wte"}}
	for k, v := range m {
		base[k] = v
	}
	b, err := json.Marshal(base)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A 3x2 linear layer (out 3, in 2) with rank-2 factors.
var (
	loraA = safetensors.Tensor{Name: "base_model.model.layer.q_proj.lora_A.weight", Dtype: safetensors.F32, Shape: []uint64{2, 2}, Data: f32(1, 2, 3, 4)}
	loraB = safetensors.Tensor{Name: "base_model.model.layer.q_proj.lora_B.weight", Dtype: safetensors.F32, Shape: []uint64{3, 2}, Data: f32(1, 0, 0, 1, 1, 1)}
)

func parse(t *testing.T, config, weights []byte) (*lora.Adapter, error) {
	t.Helper()
	return lora.Parse(config, bytes.NewReader(weights), int64(len(weights)))
}

func TestScalingAndShape(t *testing.T) {
	w := adapterFile(t, loraA, loraB)
	for _, tc := range []struct {
		name  string
		cfg   map[string]any
		scale float32
	}{
		{"alpha/r", nil, 2},
		{"rslora", map[string]any{"use_rslora": true}, float32(4 / math.Sqrt(2))},
		{"alpha_pattern", map[string]any{"alpha_pattern": map[string]float64{"layer.q_proj": 8}}, 4},
		{"alpha_pattern other module", map[string]any{"alpha_pattern": map[string]float64{"k_proj": 8}}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ad, err := parse(t, cfg(t, tc.cfg), w)
			if err != nil {
				t.Fatal(err)
			}
			u := ad.Updates["layer.q_proj.weight"]
			if u == nil {
				t.Fatalf("updates %v", ad.Updates)
			}
			if u.Term.Scale != tc.scale || u.Rows != 3 || u.Cols != 2 || u.Term.Rank != 2 {
				t.Fatalf("update %+v", u)
			}
			// P is B (3x2), Q is A (2x2): delta row 2 = A row 0 + A row 1.
			var d [6]float32
			tensormath.AddSpan(d[4:6], 2, 0, 2, []tensormath.LowRank{u.Term}, make([]float32, 2))
			if d[4] != tc.scale*4 || d[5] != tc.scale*6 {
				t.Fatalf("row 2 delta %v", d[4:6])
			}
		})
	}
	// rank_pattern changes the rank the factors must have.
	if _, err := parse(t, cfg(t, map[string]any{"rank_pattern": map[string]int{"q_proj": 4}}), w); err == nil || !strings.Contains(err.Error(), "rank 4") {
		t.Fatalf("rank_pattern mismatch: %v", err)
	}
}

func TestTransposedLayouts(t *testing.T) {
	// fan_in_fan_out: the base weight is in × out = 2 × 3.
	ad, err := parse(t, cfg(t, map[string]any{"fan_in_fan_out": true}), adapterFile(t, loraA, loraB))
	if err != nil {
		t.Fatal(err)
	}
	u := ad.Updates["layer.q_proj.weight"]
	if u.Rows != 2 || u.Cols != 3 {
		t.Fatalf("fan_in_fan_out update %dx%d", u.Rows, u.Cols)
	}
	// (B·A)ᵀ[j][i] = (B·A)[i][j]; (B·A) row 2 = (4, 6), so column 2 of the
	// transpose is (4, 6).
	var row0, row1 [3]float32
	acc := make([]float32, 3)
	tensormath.AddSpan(row0[:], 0, 0, 3, []tensormath.LowRank{u.Term}, acc)
	tensormath.AddSpan(row1[:], 1, 0, 3, []tensormath.LowRank{u.Term}, acc)
	if row0[2] != 2*4 || row1[2] != 2*6 || row0[0] != 2*1 || row1[0] != 2*2 {
		t.Fatalf("transposed rows %v %v", row0, row1)
	}
	// Embeddings: lora_embedding_A is r × vocab, B dim × r; the weight is
	// vocab × dim.
	ea := safetensors.Tensor{Name: "base_model.model.wte.lora_embedding_A", Dtype: safetensors.BF16, Shape: []uint64{2, 5}, Data: make([]byte, 20)}
	eb := safetensors.Tensor{Name: "base_model.model.wte.lora_embedding_B", Dtype: safetensors.BF16, Shape: []uint64{3, 2}, Data: make([]byte, 12)}
	ad, err = parse(t, cfg(t, nil), adapterFile(t, ea, eb))
	if err != nil {
		t.Fatal(err)
	}
	u = ad.Updates["wte.weight"]
	if u == nil || u.Rows != 5 || u.Cols != 3 || u.Dtype != safetensors.BF16 {
		t.Fatalf("embedding update %+v", u)
	}
}

func TestBadAdapters(t *testing.T) {
	w := adapterFile(t, loraA, loraB)
	for _, tc := range []struct {
		name    string
		config  []byte
		weights []byte
		want    string
	}{
		{"dora", cfg(t, map[string]any{"use_dora": true}), w, "DoRA"},
		{"not lora", cfg(t, map[string]any{"peft_type": "IA3"}), w, "not LORA"},
		{"no rank", cfg(t, map[string]any{"r": 0}), w, "positive rank"},
		{"untargeted", cfg(t, map[string]any{"target_modules": []string{"v_proj"}}), w, "not among"},
		{"regex target", cfg(t, map[string]any{"target_modules": ".*\\.k_proj"}), w, "not among"},
		{"one factor", cfg(t, nil), adapterFile(t, loraA), "only one"},
		{"no factors", cfg(t, nil), adapterFile(t, safetensors.Tensor{Name: "x", Dtype: safetensors.F32, Shape: []uint64{1}, Data: f32(1)}), "no lora_A"},
		{"int factor", cfg(t, nil), adapterFile(t, safetensors.Tensor{Name: loraA.Name, Dtype: safetensors.I32, Shape: []uint64{2, 2}, Data: make([]byte, 16)}, loraB), "dtype"},
		{"bad json", []byte("{"), w, "adapter_config.json"},
		{"bad weights", cfg(t, nil), []byte("garbage!"), "adapter_model.safetensors"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parse(t, tc.config, tc.weights)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
	// A regex target_modules that matches loads.
	if _, err := parse(t, cfg(t, map[string]any{"target_modules": ".*q_proj"}), w); err != nil {
		t.Fatal(err)
	}
}

// TestApplyAndLoad: Load reads a PEFT directory and Apply merges it into
// the base file, changing only the targeted tensors, keeping the header.
func TestApplyAndLoad(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ad, err := synthmodel.NewAdapter(2, base, synthmodel.AdapterSpec{
		Modules: []string{"model.layers.0.self_attn.q_proj", "model.layers.0.mlp.up_proj"}, R: 8, Alpha: 16, Dtype: safetensors.BF16})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := ad.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	la, err := lora.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if la.Size != int64(len(ad.Weights)) || len(la.Updates) != 2 {
		t.Fatalf("loaded %d updates, size %d", len(la.Updates), la.Size)
	}
	bb := base.Bytes()
	var out bytes.Buffer
	applied, err := lora.Apply(&out, bytes.NewReader(bb), int64(len(bb)), la)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 2 || out.Len() != len(bb) {
		t.Fatalf("applied %v, %d bytes", applied, out.Len())
	}
	h, err := safetensors.DecodeHeader(bb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes()[:h.DataStart()], bb[:h.DataStart()]) {
		t.Fatal("header changed")
	}
	for _, ti := range h.Tensors {
		a := bb[h.DataStart()+ti.Begin : h.DataStart()+ti.End]
		b := out.Bytes()[h.DataStart()+ti.Begin : h.DataStart()+ti.End]
		changed := !bytes.Equal(a, b)
		if changed != (ti.Name == applied[0] || ti.Name == applied[1]) {
			t.Errorf("%s changed=%v", ti.Name, changed)
		}
	}
	// Check one element against a float64 evaluation: within a BF16
	// rounding step of the base value's magnitude.
	name := "model.layers.0.self_attn.q_proj.weight"
	u := la.Updates[name]
	bv := base.Floats(name)
	got := make([]float32, len(bv))
	ti, _ := h.Tensor(name)
	tensormath.Decode(got, out.Bytes()[h.DataStart()+ti.Begin:h.DataStart()+ti.End], ti.Dtype)
	for _, e := range []int{0, 77, len(bv) - 1} {
		i, j := e/u.Cols, e%u.Cols
		var s float64
		for k := range u.Term.Rank {
			s += float64(u.Term.P[i*u.Term.Rank+k]) * float64(u.Term.Q[k*u.Cols+j])
		}
		want := float64(bv[e]) + float64(u.Term.Scale)*s
		if math.Abs(float64(got[e])-want) > 1e-6+math.Abs(want)*1e-6 {
			t.Errorf("element %d: %v, want %v", e, got[e], want)
		}
	}
	// A missing directory fails clearly.
	if _, err := lora.Load(filepath.Join(dir, "nope")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Fatalf("missing dir: %v", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
