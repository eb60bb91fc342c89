// Package lora reads PEFT LoRA adapters (adapter_config.json and
// adapter_model.safetensors, as the Hugging Face PEFT library saves them)
// into the low-rank updates they make to a base model's weights.
//
// PEFT stores, for each adapted module M (a linear layer or an embedding):
//
//	base_model.model.<M>.lora_A.weight   r × in    (linear)
//	base_model.model.<M>.lora_B.weight   out × r   (linear)
//	base_model.model.<M>.lora_embedding_A   r × num_embeddings
//	base_model.model.<M>.lora_embedding_B   dim × r
//
// and the update of the base weight <M>.weight is scaling · B·A, where
// scaling is lora_alpha / r (lora_alpha / √r with use_rslora), with
// per-module overrides in rank_pattern and alpha_pattern. A layer saved
// with fan_in_fan_out (GPT-2's Conv1D) and embeddings take the transpose.
// Adapters using DoRA (lora_magnitude_vector) are not low-rank updates of
// the weight alone and are rejected.
package lora

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

// File names PEFT saves an adapter as.
const (
	ConfigFile  = "adapter_config.json"
	WeightsFile = "adapter_model.safetensors"
)

// Config is the part of adapter_config.json that fixes the update.
type Config struct {
	PeftType      string             `json:"peft_type"`
	R             int                `json:"r"`
	LoraAlpha     float64            `json:"lora_alpha"`
	UseRSLora     bool               `json:"use_rslora"`
	FanInFanOut   bool               `json:"fan_in_fan_out"`
	UseDora       bool               `json:"use_dora"`
	RankPattern   map[string]int     `json:"rank_pattern"`
	AlphaPattern  map[string]float64 `json:"alpha_pattern"`
	TargetModules TargetModules      `json:"target_modules"`
	BaseModel     string             `json:"base_model_name_or_path"`
}

// TargetModules is PEFT's target_modules: a list of module names (matched
// exactly or as the last components of a module's name) or one regular
// expression matched against the whole name.
type TargetModules struct {
	Names []string
	Regex string
}

// UnmarshalJSON reads a list, a string or null.
func (t *TargetModules) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		t.Regex = s
		return nil
	}
	return json.Unmarshal(b, &t.Names)
}

// Match reports whether a module is targeted. An empty target list matches
// every module (the adapter's weights then say which are adapted).
func (t TargetModules) Match(module string) (bool, error) {
	if t.Regex != "" {
		re, err := regexp.Compile("^(?:" + t.Regex + ")$")
		if err != nil {
			return false, fmt.Errorf("target_modules %q: %w", t.Regex, err)
		}
		return re.MatchString(module), nil
	}
	if len(t.Names) == 0 {
		return true, nil
	}
	for _, n := range t.Names {
		if n == "all-linear" || module == n || strings.HasSuffix(module, "."+n) {
			return true, nil
		}
	}
	return false, nil
}

// ParseConfig decodes adapter_config.json.
func ParseConfig(b []byte) (*Config, error) {
	var c Config
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", ConfigFile, err)
	}
	if c.PeftType != "" && c.PeftType != "LORA" {
		return nil, fmt.Errorf("%s: peft_type %q is not LORA", ConfigFile, c.PeftType)
	}
	if c.R <= 0 {
		return nil, fmt.Errorf("%s: r = %d, want a positive rank", ConfigFile, c.R)
	}
	if c.UseDora {
		return nil, fmt.Errorf("%s: DoRA adapters (use_dora) are not low-rank updates of the weights alone", ConfigFile)
	}
	if math.IsNaN(c.LoraAlpha) || math.IsInf(c.LoraAlpha, 0) {
		return nil, fmt.Errorf("%s: lora_alpha %v", ConfigFile, c.LoraAlpha)
	}
	return &c, nil
}

// patternKey finds the rank_pattern or alpha_pattern key for a module as
// PEFT does: the first key (in sorted order, for determinism) that matches
// the end of the module's name as a regular expression.
func patternKey(keys []string, module string) (string, bool, error) {
	slices.Sort(keys)
	for _, k := range keys {
		re, err := regexp.Compile(`^(?:.*\.)?(?:` + k + `)$`)
		if err != nil {
			return "", false, fmt.Errorf("pattern %q: %w", k, err)
		}
		if re.MatchString(module) {
			return k, true, nil
		}
	}
	return "", false, nil
}

// Scaling is the factor PEFT multiplies B·A by for a module, rounded to
// float32 (the precision the update is evaluated in), and the module's rank.
func (c *Config) Scaling(module string) (float32, int, error) {
	r := c.R
	alpha := c.LoraAlpha
	if k, ok, err := patternKey(mapKeys(c.RankPattern), module); err != nil {
		return 0, 0, err
	} else if ok {
		r = c.RankPattern[k]
	}
	if k, ok, err := patternKey(mapKeys(c.AlphaPattern), module); err != nil {
		return 0, 0, err
	} else if ok {
		alpha = c.AlphaPattern[k]
	}
	if r <= 0 {
		return 0, 0, fmt.Errorf("module %s: rank %d", module, r)
	}
	s := alpha / float64(r)
	if c.UseRSLora {
		s = alpha / math.Sqrt(float64(r))
	}
	return float32(s), r, nil
}

func mapKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Update is one module's low-rank update of a base tensor.
type Update struct {
	// Target is the name of the base tensor it updates: "<module>.weight".
	Target string
	// Rows and Cols are the target tensor's shape.
	Rows, Cols int
	Term       tensormath.LowRank
	// Dtype is the precision of the adapter's factors (F32 when A and B
	// differ): storing the factors in it loses nothing.
	Dtype safetensors.Dtype
}

// Adapter is a loaded adapter: its updates by target tensor name.
type Adapter struct {
	Config  *Config
	Updates map[string]*Update
	// Size is the byte size of the adapter's weights file.
	Size int64
}

// Load reads an adapter directory.
func Load(dir string) (*Adapter, error) {
	cb, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, fmt.Errorf("load adapter: %w", err)
	}
	f, err := os.Open(filepath.Join(dir, WeightsFile))
	if err != nil {
		return nil, fmt.Errorf("load adapter: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	a, err := Parse(cb, f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("adapter %s: %w", dir, err)
	}
	return a, nil
}

// Module prefixes PEFT writes before a module name.
const keyPrefix = "base_model.model."

// Parse reads an adapter from its config bytes and its weights file.
func Parse(configJSON []byte, weights io.ReaderAt, size int64) (*Adapter, error) {
	cfg, err := ParseConfig(configJSON)
	if err != nil {
		return nil, err
	}
	h, err := safetensors.ReadHeader(io.NewSectionReader(weights, 0, size))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", WeightsFile, err)
	}
	if err := h.CheckFileSize(uint64(size)); err != nil {
		return nil, fmt.Errorf("%s: %w", WeightsFile, err)
	}
	type pair struct {
		a, b  *safetensors.TensorInfo
		embed bool
	}
	pairs := map[string]*pair{}
	for i := range h.Tensors {
		t := &h.Tensors[i]
		name := strings.TrimPrefix(t.Name, keyPrefix)
		var module, part string
		var embed bool
		for _, suf := range []struct {
			s     string
			part  string
			embed bool
		}{
			{".lora_A.weight", "A", false}, {".lora_B.weight", "B", false},
			{".lora_embedding_A", "A", true}, {".lora_embedding_B", "B", true},
		} {
			if m, ok := strings.CutSuffix(name, suf.s); ok {
				module, part, embed = m, suf.part, suf.embed
				break
			}
		}
		if strings.Contains(name, "lora_magnitude_vector") {
			return nil, fmt.Errorf("%s: %s is a DoRA magnitude; DoRA adapters are not supported", WeightsFile, t.Name)
		}
		if module == "" {
			continue // biases, modules_to_save: not low-rank updates
		}
		p := pairs[module]
		if p == nil {
			p = &pair{embed: embed}
			pairs[module] = p
		}
		if p.embed != embed {
			return nil, fmt.Errorf("%s: module %s mixes linear and embedding factors", WeightsFile, module)
		}
		if part == "A" {
			p.a = t
		} else {
			p.b = t
		}
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("%s: no lora_A/lora_B factors", WeightsFile)
	}
	ad := &Adapter{Config: cfg, Updates: map[string]*Update{}, Size: size}
	for module, p := range pairs {
		if p.a == nil || p.b == nil {
			return nil, fmt.Errorf("%s: module %s has only one of its two factors", WeightsFile, module)
		}
		if ok, err := cfg.TargetModules.Match(module); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("%s: module %s is not among the config's target_modules", WeightsFile, module)
		}
		scale, r, err := cfg.Scaling(module)
		if err != nil {
			return nil, err
		}
		u, err := loadUpdate(weights, h, module, p.a, p.b, r, scale, cfg.FanInFanOut || p.embed)
		if err != nil {
			return nil, err
		}
		ad.Updates[u.Target] = u
	}
	return ad, nil
}

func loadUpdate(f io.ReaderAt, h *safetensors.Header, module string, a, b *safetensors.TensorInfo, r int, scale float32, transposed bool) (*Update, error) {
	for _, t := range []*safetensors.TensorInfo{a, b} {
		if !tensormath.IsFloat(t.Dtype) {
			return nil, fmt.Errorf("%s: %s has dtype %s, want F32, F16 or BF16", WeightsFile, t.Name, t.Dtype)
		}
		if len(t.Shape) != 2 || t.Shape[0] == 0 || t.Shape[1] == 0 || t.Shape[0] > 1<<31 || t.Shape[1] > 1<<31 {
			return nil, fmt.Errorf("%s: %s has shape %v, want a non-empty matrix", WeightsFile, t.Name, t.Shape)
		}
	}
	// A is r × in, B is out × r.
	if int(a.Shape[0]) != r || int(b.Shape[1]) != r {
		return nil, fmt.Errorf("%s: module %s: lora_A %v and lora_B %v do not have rank %d", WeightsFile, module, a.Shape, b.Shape, r)
	}
	in, out := int(a.Shape[1]), int(b.Shape[0])
	av, err := readFloats(f, h, a)
	if err != nil {
		return nil, err
	}
	bv, err := readFloats(f, h, b)
	if err != nil {
		return nil, err
	}
	u := &Update{Target: module + ".weight", Dtype: a.Dtype}
	if a.Dtype != b.Dtype {
		u.Dtype = safetensors.F32
	}
	if !transposed {
		// W (out × in) += scale · B·A.
		u.Rows, u.Cols = out, in
		u.Term = tensormath.LowRank{Rows: out, Cols: in, Rank: r, Scale: scale, P: bv, Q: av}
	} else {
		// W (in × out) += scale · (B·A)ᵀ = scale · Aᵀ·Bᵀ.
		u.Rows, u.Cols = in, out
		u.Term = tensormath.LowRank{Rows: in, Cols: out, Rank: r, Scale: scale, P: transpose(av, r, in), Q: transpose(bv, out, r)}
	}
	return u, u.Term.Check()
}

// transpose returns the cols×rows transpose of a rows×cols matrix.
func transpose(m []float32, rows, cols int) []float32 {
	out := make([]float32, len(m))
	for i := range rows {
		for j := range cols {
			out[j*rows+i] = m[i*cols+j]
		}
	}
	return out
}

// ErrTooLarge guards against factor tensors too large to hold in memory.
var ErrTooLarge = errors.New("factor too large")

// MaxFactorValues bounds one factor (2^28 values: 1 GiB of float32).
const MaxFactorValues = 1 << 28

func readFloats(f io.ReaderAt, h *safetensors.Header, t *safetensors.TensorInfo) ([]float32, error) {
	n := t.Elements()
	if n > MaxFactorValues {
		return nil, fmt.Errorf("%s: %s: %d values: %w", WeightsFile, t.Name, n, ErrTooLarge)
	}
	raw, err := h.ReadTensor(f, t.Name)
	if err != nil {
		return nil, err
	}
	v := make([]float32, n)
	tensormath.Decode(v, raw, t.Dtype)
	return v, nil
}

// Apply writes the merged model, base + every update of the adapter, to
// dst: the base file's header and tensor order unchanged, each updated
// tensor evaluated in the fixed float32 order of tensormath.AddSpan and
// rounded to its dtype. It streams: one block of a tensor in memory at a
// time (plus the factors). It returns the names of the updated tensors.
func Apply(dst io.Writer, base io.ReaderAt, size int64, ad *Adapter) ([]string, error) {
	h, err := safetensors.ReadHeader(io.NewSectionReader(base, 0, size))
	if err != nil {
		return nil, fmt.Errorf("base model: %w", err)
	}
	if err := h.CheckFileSize(uint64(size)); err != nil {
		return nil, fmt.Errorf("base model: %w", err)
	}
	for name, u := range ad.Updates {
		t, ok := h.Tensor(name)
		if !ok {
			return nil, fmt.Errorf("the adapter updates %s, which the base model lacks", name)
		}
		if !tensormath.IsFloat(t.Dtype) || len(t.Shape) != 2 || t.Shape[0] != uint64(u.Rows) || t.Shape[1] != uint64(u.Cols) {
			return nil, fmt.Errorf("%w: the adapter updates %s as %dx%d, the base model's tensor is %s%v",
				tensormath.ErrShape, name, u.Rows, u.Cols, t.Dtype, t.Shape)
		}
	}
	if _, err := io.Copy(dst, io.NewSectionReader(base, 0, int64(h.DataStart()))); err != nil {
		return nil, err
	}
	var applied []string
	const block = 1 << 16
	buf := make([]byte, block*4)
	for _, t := range h.Tensors {
		sec := io.NewSectionReader(base, int64(h.DataStart()+t.Begin), int64(t.Size()))
		u := ad.Updates[t.Name]
		if u == nil {
			if _, err := io.Copy(dst, sec); err != nil {
				return nil, err
			}
			continue
		}
		applied = append(applied, t.Name)
		w := tensormath.Width(t.Dtype)
		ev := tensormath.NewEvaluator(u.Rows, u.Cols, []tensormath.LowRank{u.Term})
		total := t.Elements()
		for e := uint64(0); e < total; e += block {
			n := int(min(block, total-e))
			b := buf[:n*w]
			if _, err := io.ReadFull(sec, b); err != nil {
				return nil, fmt.Errorf("read %s: %w", t.Name, err)
			}
			ev.Apply(b, t.Dtype, e)
			if _, err := dst.Write(b); err != nil {
				return nil, err
			}
		}
	}
	slices.Sort(applied)
	return applied, nil
}
