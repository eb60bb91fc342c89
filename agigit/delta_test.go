package main

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

const (
	qMod = "model.layers.0.self_attn.q_proj"
	qW   = qMod + ".weight"
	upW  = "model.layers.0.mlp.up_proj.weight"
	dnW  = "model.layers.0.mlp.down_proj.weight"
)

// modelRepo is a repository whose main branch holds a synthetic base
// model, a config and a binary file.
type modelRepo struct {
	c    cli
	base *synthmodel.Model
	r    *repo.Repo
}

func newModelRepo(t *testing.T) *modelRepo {
	t.Helper()
	setupHome(t)
	dir := t.TempDir()
	c := cli{t, dir}
	c.ok("key", "new")
	c.ok("init", "--name", "tiny", "m")
	c.dir = filepath.Join(dir, "m")
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	if err := base.WriteFile(filepath.Join(c.dir, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, c.dir, "config.json", "{\n  \"dim\": 64,\n  \"layers\": 1,\n  \"vocab\": 512,\n  \"rope\": 10000\n}\n")
	writeFile(t, c.dir, "notes.bin", "\x00\x01binary")
	c.ok("add", ".")
	c.ok("commit", "-m", "base model")
	r, err := repo.Open(c.dir)
	if err != nil {
		t.Fatal(err)
	}
	return &modelRepo{c: c, base: base, r: r}
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// adapter writes a rank-8 adapter for q_proj outside the repository and
// returns its directory and its parsed updates.
func (m *modelRepo) adapter(t *testing.T, seed uint64, dt safetensors.Dtype) (string, *lora.Adapter) {
	t.Helper()
	ad, err := synthmodel.NewAdapter(seed, m.base, synthmodel.AdapterSpec{Modules: []string{qMod}, R: 8, Alpha: 16, Dtype: dt})
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "adapter")
	if err := ad.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	la, err := ad.Parse()
	if err != nil {
		t.Fatal(err)
	}
	return dir, la
}

func (m *modelRepo) model(t *testing.T) *synthmodel.Model {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(m.c.dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := safetensors.DecodeHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	out := &synthmodel.Model{Metadata: h.Metadata}
	for _, ti := range h.Tensors {
		out.Tensors = append(out.Tensors, safetensors.Tensor{Name: ti.Name, Dtype: ti.Dtype, Shape: ti.Shape,
			Data: bytes.Clone(b[h.DataStart()+ti.Begin : h.DataStart()+ti.End])})
	}
	return out
}

func (m *modelRepo) headFile(t *testing.T, path string) repo.FileEntry {
	t.Helper()
	_, tree, err := m.r.HeadTree()
	if err != nil {
		t.Fatal(err)
	}
	f, ok := tree[path]
	if !ok {
		t.Fatalf("HEAD has no %s", path)
	}
	return f
}

// withLoRA evaluates base + the adapter's q_proj update, as the format
// defines it, directly.
func withLoRA(base *synthmodel.Model, terms ...tensormath.LowRank) []byte {
	t := base.Tensor(qW)
	out := bytes.Clone(t.Data)
	tensormath.NewEvaluator(int(t.Shape[0]), int(t.Shape[1]), terms).Apply(out, t.Dtype, 0)
	return out
}

// TestFineTuneStoredAsDelta: a fine-tune changing two tensors slightly,
// one through a rank-8 LoRA adapter, is committed as a delta of the base;
// show --stat reports each tensor's storage; the file materializes from
// the delta alone, byte for byte.
func TestFineTuneStoredAsDelta(t *testing.T) {
	m := newModelRepo(t)
	c := m.c
	dir, la := m.adapter(t, 7, safetensors.F32)
	out := c.ok("lora", "apply", dir)
	if !strings.Contains(out, "merged 1 tensor(s)") {
		t.Fatalf("lora apply: %q", out)
	}
	ft := m.model(t)
	if !bytes.Equal(ft.Tensor(qW).Data, withLoRA(m.base, la.Updates[qW].Term)) {
		t.Fatal("lora apply did not write base + scale·B·A")
	}
	ft.Nudge(5, upW, 0.01)
	if err := ft.WriteFile(filepath.Join(c.dir, "model.safetensors")); err != nil {
		t.Fatal(err)
	}
	out = c.ok("commit", "-a", "-m", "q_proj LoRA, up_proj nudged")
	if !strings.Contains(out, "model.safetensors: stored as a delta of") || !strings.Contains(out, "1 lowrank, 1 dense") {
		t.Fatalf("commit: %q", out)
	}
	stat := c.ok("show", "--stat")
	for _, want := range []string{"delta of", qW, "lowrank r=8", upW, "dense", dnW, "ref", "config.json", "whole"} {
		if !strings.Contains(stat, want) {
			t.Fatalf("show --stat lacks %q:\n%s", want, stat)
		}
	}
	// The delta holds the factors: about the adapter's size, far below the
	// file.
	f := m.headFile(t, "model.safetensors")
	d, err := f.Delta()
	if err != nil || d == nil {
		t.Fatalf("no delta clause: %v %v", f.Extra, err)
	}
	adSize := uint64(la.Size)
	if d.Size > 2*adSize+uint64(ft.Tensor(upW).Dtype.Bits())*uint64(len(ft.Tensor(upW).Data)) || d.Size >= f.Size/4 {
		t.Fatalf("delta of %d bytes (adapter %d, file %d)", d.Size, adSize, f.Size)
	}
	// Drop the file from the store: the delta and the base rebuild it.
	want, err := os.ReadFile(m.r.ObjectPath(f.ID))
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(m.r.ObjectPath(f.ID))
	if err := m.r.MaterializeDelta(f); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(m.r.FetchedPath(f.ID))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("materialized file differs (%v)", err)
	}
	// The hint is used once: a later commit of other files does not
	// re-encode with it.
	if hints, _ := m.r.LoraHints(); len(hints) != 0 {
		t.Fatalf("hints left: %v", hints)
	}
}

// TestCorruptDeltaObject: a damaged delta object or a reference that is
// not the one recorded fails materialization clearly and stores nothing.
func TestCorruptDeltaObject(t *testing.T) {
	m := newModelRepo(t)
	ft := m.base.Clone()
	ft.Nudge(5, upW, 0.01)
	ft.WriteFile(filepath.Join(m.c.dir, "model.safetensors"))
	m.c.ok("commit", "-a", "-m", "nudge")
	f := m.headFile(t, "model.safetensors")
	d, _ := f.Delta()
	os.Remove(m.r.ObjectPath(f.ID))
	// Flip a byte of the delta object in the store.
	p := m.r.ObjectPath(d.ID)
	b, _ := os.ReadFile(p)
	good := bytes.Clone(b)
	b[len(b)/2] ^= 0xff
	os.Chmod(p, 0o644)
	os.WriteFile(p, b, 0o644)
	err := m.r.MaterializeDelta(f)
	if err == nil || m.r.Available(f.ID) {
		t.Fatalf("corrupt delta accepted: %v", err)
	}
	// A delta clause naming another reference path of the same commit.
	os.WriteFile(p, good, 0o644)
	wrong := f
	wrong.Extra = cloneStrings(f.Extra)
	wrong.Extra[4] = "config.json"
	err = m.r.MaterializeDelta(wrong)
	if err == nil || !strings.Contains(err.Error(), "wrong reference") && !strings.Contains(err.Error(), "safetensors") {
		t.Fatalf("wrong reference: %v", err)
	}
	if err := m.r.MaterializeDelta(f); err != nil {
		t.Fatal(err)
	}
}

func cloneStrings(s []string) []string { return append([]string(nil), s...) }

// TestMergeLoRAFineTunes: two LoRA fine-tunes of the same base, merged by
// task arithmetic, give base + wA·ΔA + wB·ΔB with the factors kept, and
// text files merge line by line.
func TestMergeLoRAFineTunes(t *testing.T) {
	m := newModelRepo(t)
	c := m.c
	c.ok("branch", "ft-a")
	c.ok("branch", "ft-b")
	c.ok("checkout", "ft-a")
	dirA, la := m.adapter(t, 7, safetensors.F32)
	c.ok("lora", "apply", dirA)
	writeFile(t, c.dir, "config.json", "{\n  \"dim\": 64,\n  \"layers\": 1,\n  \"vocab\": 512,\n  \"rope\": 20000\n}\n")
	c.ok("commit", "-a", "-m", "A")
	c.ok("checkout", "ft-b")
	dirB, lb := m.adapter(t, 8, safetensors.BF16)
	c.ok("lora", "apply", dirB)
	writeFile(t, c.dir, "config.json", "{\n  \"dim\": 64,\n  \"layers\": 2,\n  \"vocab\": 512,\n  \"rope\": 10000\n}\n")
	c.ok("commit", "-a", "-m", "B")
	c.ok("checkout", "main")
	out := c.ok("merge", "ft-a", "ft-b", "--weights", "0.5,1.5")
	if !strings.Contains(out, "Merge made by the 'task-arithmetic' method") || !strings.Contains(out, "1 lowrank") {
		t.Fatalf("merge: %q", out)
	}
	got := m.model(t)
	ta, tb := la.Updates[qW].Term, lb.Updates[qW].Term
	ta.Scale = float32(0.5 * ta.Scale)
	tb.Scale = float32(1.5 * tb.Scale)
	if !bytes.Equal(got.Tensor(qW).Data, withLoRA(m.base, ta, tb)) {
		t.Fatal("merged q_proj is not base + 0.5·ΔA + 1.5·ΔB")
	}
	// And against float64 arithmetic.
	bv, gv := m.base.Floats(qW), got.Floats(qW)
	cols := int(m.base.Tensor(qW).Shape[1])
	for j := range bv {
		want := float64(bv[j])
		for i, u := range []tensormath.LowRank{la.Updates[qW].Term, lb.Updates[qW].Term} {
			w := []float64{0.5, 1.5}[i]
			for k := range u.Rank {
				want += w * float64(u.Scale) * float64(u.P[(j/cols)*u.Rank+k]) * float64(u.Q[k*cols+j%cols])
			}
		}
		if math.Abs(float64(gv[j])-want) > 1e-6*math.Max(1e-3, math.Abs(want)) {
			t.Fatalf("q_proj[%d] = %v, want %v", j, gv[j], want)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(c.dir, "config.json"))
	if string(cfg) != "{\n  \"dim\": 64,\n  \"layers\": 2,\n  \"vocab\": 512,\n  \"rope\": 20000\n}\n" {
		t.Fatalf("config.json: %s", cfg)
	}
	log := c.ok("log", "-n", "1")
	if !strings.Contains(log, "Merge: ") {
		t.Fatalf("log: %s", log)
	}
	stat := c.ok("show", "--stat")
	if !strings.Contains(stat, "lowrank r=8+8") {
		t.Fatalf("show --stat:\n%s", stat)
	}
	if st := c.ok("status", "-s"); st != "" {
		t.Fatalf("status after merge: %q", st)
	}
}

// TestMergeTIESAndConflicts: TIES on dense fine-tunes checked against a
// direct computation; conflicting text and binary changes stop the merge
// and leave the tree as it was; -X settles them.
func TestMergeTIESAndConflicts(t *testing.T) {
	m := newModelRepo(t)
	c := m.c
	c.ok("branch", "ft-a")
	c.ok("branch", "ft-b")
	c.ok("checkout", "ft-a")
	a := m.base.Clone()
	a.Nudge(2, upW, 0.2)
	a.WriteFile(filepath.Join(c.dir, "model.safetensors"))
	writeFile(t, c.dir, "notes.bin", "\x00A")
	c.ok("commit", "-a", "-m", "A")
	c.ok("checkout", "ft-b")
	b := m.base.Clone()
	b.Nudge(3, upW, 0.2)
	b.WriteFile(filepath.Join(c.dir, "model.safetensors"))
	writeFile(t, c.dir, "notes.bin", "\x00B")
	c.ok("commit", "-a", "-m", "B")
	c.ok("checkout", "ft-a")
	before := c.ok("log", "--oneline")
	stdout, errs, code := c.run("merge", "ft-b", "--method", "ties")
	if code != 1 || !strings.Contains(stdout+errs, "CONFLICT (binary): notes.bin") || !strings.Contains(stdout+errs, "nothing was changed") {
		t.Fatalf("conflicting merge: %d %q %q", code, stdout, errs)
	}
	if c.ok("log", "--oneline") != before || c.ok("status", "-s") != "" {
		t.Fatal("a failed merge changed the repository")
	}
	if !bytes.Equal(m.model(t).Tensor(upW).Data, a.Tensor(upW).Data) {
		t.Fatal("a failed merge changed the working tree")
	}
	out := c.ok("merge", "ft-b", "--method", "ties", "--density", "0.5", "-X", "theirs")
	if !strings.Contains(out, "conflict settled by -X") {
		t.Fatalf("merge -X theirs: %q", out)
	}
	if b, _ := os.ReadFile(filepath.Join(c.dir, "notes.bin")); string(b) != "\x00B" {
		t.Fatalf("notes.bin: %q", b)
	}
	got := m.model(t).Floats(upW)
	base, av, bv := m.base.Floats(upW), a.Floats(upW), b.Floats(upW)
	want := make([]float32, len(base))
	if err := tensormath.TIES(want, base, [][]float32{av, bv}, []float32{1, 1}, 0.5, 1); err != nil {
		t.Fatal(err)
	}
	dt := m.base.Tensor(upW).Dtype
	raw := make([]byte, len(want)*tensormath.Width(dt))
	tensormath.Encode(raw, want, dt)
	tensormath.Decode(want, raw, dt)
	changed := 0
	for j := range got {
		if got[j] != want[j] {
			t.Fatalf("up_proj[%d] = %v, TIES gives %v", j, got[j], want[j])
		}
		if got[j] != base[j] {
			changed++
		}
	}
	if changed == 0 || changed == len(got) {
		t.Fatalf("%d of %d elements changed", changed, len(got))
	}
}

// TestRebaseOntoNewBase: a LoRA fine-tune rebased onto a retrained base
// is the new base plus the same factors, stored as factors.
func TestRebaseOntoNewBase(t *testing.T) {
	m := newModelRepo(t)
	c := m.c
	c.ok("checkout", "-b", "ft")
	dir, la := m.adapter(t, 7, safetensors.F32)
	c.ok("lora", "apply", dir)
	ft := m.model(t)
	ft.Nudge(9, dnW, 0.01)
	ft.WriteFile(filepath.Join(c.dir, "model.safetensors"))
	c.ok("commit", "-a", "-m", "fine-tune")
	c.ok("checkout", "main")
	nb := m.base.Clone()
	nb.Nudge(20, qW, 0.05)
	nb.Nudge(21, dnW, 0.05)
	nb.Nudge(22, "lm_head.weight", 0.05)
	nb.WriteFile(filepath.Join(c.dir, "model.safetensors"))
	writeFile(t, c.dir, "README.md", "v2\n")
	c.ok("add", ".")
	c.ok("commit", "-m", "base v2")
	c.ok("checkout", "ft")
	out := c.ok("rebase", "main")
	if !strings.Contains(out, "Successfully rebased 1 commit(s) of ft") {
		t.Fatalf("rebase: %q", out)
	}
	got := m.model(t)
	if !bytes.Equal(got.Tensor(qW).Data, withLoRA(nb, la.Updates[qW].Term)) {
		t.Fatal("rebased q_proj is not new base + the same factors")
	}
	// down_proj changed on both sides: n + (h − o).
	ov, nv, hv, gv := m.base.Floats(dnW), nb.Floats(dnW), ft.Floats(dnW), got.Floats(dnW)
	for j := range ov {
		if w := float32(nv[j] + float32(hv[j]-ov[j])); gv[j] != w {
			t.Fatalf("down_proj[%d] = %v, want %v", j, gv[j], w)
		}
	}
	if !bytes.Equal(got.Tensor("lm_head.weight").Data, nb.Tensor("lm_head.weight").Data) {
		t.Fatal("lm_head is not the new base's")
	}
	if _, err := os.Stat(filepath.Join(c.dir, "README.md")); err != nil {
		t.Fatal("README.md from the new base missing")
	}
	stat := c.ok("show", "--stat")
	if !strings.Contains(stat, "lowrank r=8") {
		t.Fatalf("show --stat after rebase:\n%s", stat)
	}
	// The rebased commit's file is a delta of the new base's.
	f := m.headFile(t, "model.safetensors")
	d, _ := f.Delta()
	mainID, _ := m.r.ResolveRev("main")
	if d == nil || d.RefCommit != mainID {
		t.Fatalf("delta clause %v", f.Extra)
	}
	st, err := m.r.DeltaStat(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range st.Tensors {
		if ts.Name == qW && (ts.Kind != delta.KindLowRank || ts.Residual) {
			t.Fatalf("q_proj stored as %v (residual %v)", ts.Kind, ts.Residual)
		}
	}
	if out := c.ok("rebase", "main"); !strings.Contains(out, "up to date") {
		t.Fatalf("second rebase: %q", out)
	}
}

// TestRebaseDropsUpstreamChanges: a commit whose change the new base
// already made is dropped; a text change replays.
func TestRebaseDropsUpstreamChanges(t *testing.T) {
	m := newModelRepo(t)
	c := m.c
	c.ok("checkout", "-b", "ft")
	writeFile(t, c.dir, "README.md", "same\n")
	c.ok("add", "README.md")
	c.ok("commit", "-m", "readme")
	writeFile(t, c.dir, "config.json", "{\n  \"dim\": 64,\n  \"layers\": 1,\n  \"vocab\": 512,\n  \"rope\": 5\n}\n")
	c.ok("commit", "-a", "-m", "rope")
	c.ok("checkout", "main")
	writeFile(t, c.dir, "README.md", "same\n")
	writeFile(t, c.dir, "config.json", "{\n  \"dim\": 128,\n  \"layers\": 1,\n  \"vocab\": 512,\n  \"rope\": 10000\n}\n")
	c.ok("add", ".")
	c.ok("commit", "-m", "upstream")
	c.ok("checkout", "ft")
	out := c.ok("rebase", "main")
	if !strings.Contains(out, "dropped") || !strings.Contains(out, "Successfully rebased 1 commit(s)") {
		t.Fatalf("rebase: %q", out)
	}
	cfg, _ := os.ReadFile(filepath.Join(c.dir, "config.json"))
	if string(cfg) != "{\n  \"dim\": 128,\n  \"layers\": 1,\n  \"vocab\": 512,\n  \"rope\": 5\n}\n" {
		t.Fatalf("config.json: %s", cfg)
	}
	if log := c.ok("log", "--oneline"); strings.Count(log, "\n") != 3 {
		t.Fatalf("log:\n%s", log)
	}
}
