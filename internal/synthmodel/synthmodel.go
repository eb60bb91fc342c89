// Package synthmodel makes small synthetic models for tests and
// benchmarks: safetensors files whose tensors look like trained weights
// (normal values, scale 0.02), fine-tunes of them (slight dense changes)
// and PEFT LoRA adapters in the layout the PEFT library saves. Everything
// is deterministic from a seed, so no test needs a download.
package synthmodel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"

	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// Model is a set of tensors and the header's metadata.
type Model struct {
	Tensors  []safetensors.Tensor
	Metadata map[string]string
}

// Spec describes one tensor to generate.
type Spec struct {
	Name  string
	Dtype safetensors.Dtype
	Shape []uint64
}

// SmallSpecs is a small transformer-shaped model in three dtypes, 1.1 MB.
func SmallSpecs() []Spec {
	return []Spec{
		{"model.embed_tokens.weight", safetensors.BF16, []uint64{512, 64}},
		{"model.layers.0.self_attn.q_proj.weight", safetensors.F32, []uint64{64, 64}},
		{"model.layers.0.self_attn.k_proj.weight", safetensors.F32, []uint64{64, 64}},
		{"model.layers.0.self_attn.v_proj.weight", safetensors.F16, []uint64{64, 64}},
		{"model.layers.0.self_attn.o_proj.weight", safetensors.F16, []uint64{64, 64}},
		{"model.layers.0.mlp.up_proj.weight", safetensors.BF16, []uint64{256, 64}},
		{"model.layers.0.mlp.down_proj.weight", safetensors.F32, []uint64{64, 256}},
		{"model.layers.0.input_layernorm.weight", safetensors.F32, []uint64{64}},
		{"model.norm.weight", safetensors.F32, []uint64{64}},
		{"lm_head.weight", safetensors.F16, []uint64{512, 64}},
		{"model.rotary.inv_freq_steps", safetensors.I64, []uint64{32}},
	}
}

// New generates a model from specs. Float tensors are N(0, 0.02) (norm
// weights, 1-D, are near 1); integer tensors count up.
func New(seed uint64, specs []Spec) *Model {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	m := &Model{Metadata: map[string]string{"format": "pt", "generator": "synthmodel"}}
	for _, s := range specs {
		n := 1
		for _, d := range s.Shape {
			n *= int(d)
		}
		t := safetensors.Tensor{Name: s.Name, Dtype: s.Dtype, Shape: slices.Clone(s.Shape)}
		if tensormath.IsFloat(s.Dtype) {
			v := make([]float32, n)
			for i := range v {
				v[i] = float32(rng.NormFloat64() * 0.02)
				if len(s.Shape) == 1 {
					v[i] += 1
				}
			}
			t.Data = make([]byte, n*tensormath.Width(s.Dtype))
			tensormath.Encode(t.Data, v, s.Dtype)
		} else {
			// Integers count up, little-endian; packed sub-byte types
			// get the counter's low bytes.
			w := max(1, int(s.Dtype.Bits()/8))
			t.Data = make([]byte, (n*int(s.Dtype.Bits())+7)/8)
			for i := range t.Data {
				t.Data[i] = byte(uint64(i/w) >> (8 * (i % w)))
			}
		}
		m.Tensors = append(m.Tensors, t)
	}
	return m
}

// Clone copies a model deeply.
func (m *Model) Clone() *Model {
	c := &Model{Metadata: map[string]string{}}
	for k, v := range m.Metadata {
		c.Metadata[k] = v
	}
	for _, t := range m.Tensors {
		t.Shape = slices.Clone(t.Shape)
		t.Data = slices.Clone(t.Data)
		c.Tensors = append(c.Tensors, t)
	}
	return c
}

// Tensor finds a tensor by name (nil if absent).
func (m *Model) Tensor(name string) *safetensors.Tensor {
	for i := range m.Tensors {
		if m.Tensors[i].Name == name {
			return &m.Tensors[i]
		}
	}
	return nil
}

// Floats decodes a float tensor.
func (m *Model) Floats(name string) []float32 {
	t := m.Tensor(name)
	v := make([]float32, len(t.Data)/tensormath.Width(t.Dtype))
	tensormath.Decode(v, t.Data, t.Dtype)
	return v
}

// SetFloats encodes values into a float tensor.
func (m *Model) SetFloats(name string, v []float32) {
	t := m.Tensor(name)
	tensormath.Encode(t.Data, v, t.Dtype)
}

// Bytes is the model as a safetensors file.
func (m *Model) Bytes() []byte {
	b, err := safetensors.Encode(m.Tensors, m.Metadata)
	if err != nil {
		panic(fmt.Sprintf("synthmodel: %v", err)) // the generator's own tensors are valid
	}
	return b
}

// WriteFile writes the model as a safetensors file.
func (m *Model) WriteFile(path string) error {
	return os.WriteFile(path, m.Bytes(), 0o644)
}

// Nudge changes a float tensor slightly, as a short fine-tune does: each
// value moves by N(0, rel·|value|+1e-5), rounded to the tensor's dtype.
func (m *Model) Nudge(seed uint64, name string, rel float64) {
	rng := rand.New(rand.NewPCG(seed, 0xf17e))
	v := m.Floats(name)
	for i, x := range v {
		mag := float64(x)
		if mag < 0 {
			mag = -mag
		}
		v[i] = float32(float64(x) + rng.NormFloat64()*(rel*mag+1e-5))
	}
	m.SetFloats(name, v)
}

// NudgeAll nudges every float tensor (a full fine-tune).
func (m *Model) NudgeAll(seed uint64, rel float64) {
	for i, t := range m.Tensors {
		if tensormath.IsFloat(t.Dtype) {
			m.Nudge(seed+uint64(i), t.Name, rel)
		}
	}
}

// Adapter is a PEFT LoRA adapter: its two files' bytes.
type Adapter struct {
	Config  []byte
	Weights []byte
}

// AdapterSpec says which modules a LoRA adapter adapts and how.
type AdapterSpec struct {
	// Modules are module names ("model.layers.0.self_attn.q_proj"); their
	// ".weight" tensors must be 2-D float tensors of the base.
	Modules []string
	R       int
	Alpha   float64
	Dtype   safetensors.Dtype
}

// NewAdapter makes a trained-looking adapter for base: A ~ N(0, 1/√in),
// B ~ N(0, 0.002), so that scale·B·A is a slight change of the weights.
func NewAdapter(seed uint64, base *Model, spec AdapterSpec) (*Adapter, error) {
	rng := rand.New(rand.NewPCG(seed, 0xada7))
	var tensors []safetensors.Tensor
	var targets []string
	for _, mod := range spec.Modules {
		t := base.Tensor(mod + ".weight")
		if t == nil || len(t.Shape) != 2 {
			return nil, fmt.Errorf("synthmodel: base has no matrix %s.weight", mod)
		}
		out, in := int(t.Shape[0]), int(t.Shape[1])
		a := make([]float32, spec.R*in)
		for i := range a {
			a[i] = float32(rng.NormFloat64() / float64(in))
		}
		b := make([]float32, out*spec.R)
		for i := range b {
			b[i] = float32(rng.NormFloat64() * 0.002)
		}
		w := tensormath.Width(spec.Dtype)
		ad := make([]byte, len(a)*w)
		bd := make([]byte, len(b)*w)
		tensormath.Encode(ad, a, spec.Dtype)
		tensormath.Encode(bd, b, spec.Dtype)
		tensors = append(tensors,
			safetensors.Tensor{Name: "base_model.model." + mod + ".lora_A.weight", Dtype: spec.Dtype, Shape: []uint64{uint64(spec.R), uint64(in)}, Data: ad},
			safetensors.Tensor{Name: "base_model.model." + mod + ".lora_B.weight", Dtype: spec.Dtype, Shape: []uint64{uint64(out), uint64(spec.R)}, Data: bd})
		targets = append(targets, lastComponent(mod))
	}
	slices.Sort(targets)
	targets = slices.Compact(targets)
	weights, err := safetensors.Encode(tensors, map[string]string{"format": "pt"})
	if err != nil {
		return nil, err
	}
	cfg, err := json.MarshalIndent(map[string]any{
		"peft_type":               "LORA",
		"task_type":               "CAUSAL_LM",
		"base_model_name_or_path": "synthmodel",
		"r":                       spec.R,
		"lora_alpha":              spec.Alpha,
		"lora_dropout":            0.05,
		"target_modules":          targets,
		"bias":                    "none",
		"fan_in_fan_out":          false,
		"use_rslora":              false,
		"use_dora":                false,
		"rank_pattern":            map[string]int{},
		"alpha_pattern":           map[string]float64{},
	}, "", "  ")
	if err != nil {
		return nil, err
	}
	return &Adapter{Config: cfg, Weights: weights}, nil
}

func lastComponent(mod string) string {
	for i := len(mod) - 1; i >= 0; i-- {
		if mod[i] == '.' {
			return mod[i+1:]
		}
	}
	return mod
}

// WriteDir writes adapter_config.json and adapter_model.safetensors.
func (a *Adapter) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, lora.ConfigFile), a.Config, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, lora.WeightsFile), a.Weights, 0o644)
}

// Parse loads the adapter.
func (a *Adapter) Parse() (*lora.Adapter, error) {
	return lora.Parse(a.Config, bytes.NewReader(a.Weights), int64(len(a.Weights)))
}
