package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/agigit/repo"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
)

// A larger synthetic model than the unit tests' (3.3 MB), so that what a
// push uploads shows the delta's size.
func deltaSpecs() []synthmodel.Spec {
	return []synthmodel.Spec{
		{Name: "model.embed_tokens.weight", Dtype: safetensors.BF16, Shape: []uint64{2048, 128}},
		{Name: "model.layers.0.self_attn.q_proj.weight", Dtype: safetensors.F32, Shape: []uint64{256, 256}},
		{Name: "model.layers.0.self_attn.v_proj.weight", Dtype: safetensors.F16, Shape: []uint64{256, 256}},
		{Name: "model.layers.0.mlp.up_proj.weight", Dtype: safetensors.BF16, Shape: []uint64{1024, 256}},
		{Name: "model.layers.0.mlp.down_proj.weight", Dtype: safetensors.F32, Shape: []uint64{256, 1024}},
		{Name: "model.norm.weight", Dtype: safetensors.F32, Shape: []uint64{256}},
		{Name: "lm_head.weight", Dtype: safetensors.F16, Shape: []uint64{2048, 128}},
	}
}

func readModel(t *testing.T, path string) *synthmodel.Model {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
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

func blobBytes(t *testing.T, rs []*relay) int64 {
	t.Helper()
	var n int64
	for _, r := range rs {
		for _, p := range r.blobs(t) {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			n += st.Size()
		}
	}
	return n
}

// TestFineTuneDeltaOverRelays: a fork's LoRA fine-tune (plus a slight
// dense change) is pushed as a delta of its base, cloned by someone else
// byte-identical (the delta from the fork's relays, the base file from the
// base's, materialized and checked); then the base publishes a new
// version, the fine-tune is rebased onto it without naming it, pushed,
// and cloned again byte-identical.
func TestFineTuneDeltaOverRelays(t *testing.T) {
	baseRelays := startRelays(t, 2)
	forkRelays := startRelays(t, 2)
	owner := newUser(t)
	dir := filepath.Join(t.TempDir(), "base")
	owner.ok("", "init", "--name", "base-model", dir)
	base := synthmodel.New(1, deltaSpecs())
	base.WriteFile(filepath.Join(dir, "model.safetensors"))
	os.WriteFile(filepath.Join(dir, "config.json"), []byte("{\n  \"hidden\": 256\n}\n"), 0o644)
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "base v1")
	for _, r := range baseRelays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	owner.ok(dir, "push")
	naddr := address(t, owner, dir)

	tuner := newUser(t)
	work := t.TempDir()
	tuner.ok(work, "fork", "--name", "base-model-med", naddr, "ft")
	ft := filepath.Join(work, "ft")
	ad, err := synthmodel.NewAdapter(7, base, synthmodel.AdapterSpec{Modules: []string{"model.layers.0.self_attn.q_proj"}, R: 8, Alpha: 16, Dtype: safetensors.F32})
	if err != nil {
		t.Fatal(err)
	}
	adDir := filepath.Join(t.TempDir(), "adapter")
	ad.WriteDir(adDir)
	tuner.ok(ft, "lora", "apply", adDir)
	m := readModel(t, filepath.Join(ft, "model.safetensors"))
	m.Nudge(3, "model.layers.0.mlp.up_proj.weight", 0.01)
	m.WriteFile(filepath.Join(ft, "model.safetensors"))
	out, _ := tuner.ok(ft, "commit", "-a", "-m", "medical fine-tune")
	if !strings.Contains(out, "stored as a delta of") {
		t.Fatalf("commit: %s", out)
	}
	for _, r := range forkRelays {
		tuner.ok(ft, "relay", "add", r.URL())
	}
	_, errs := tuner.ok(ft, "push")
	// One new object (the delta), k=1 n=2 over the two fork relays.
	if n := pushStat(t, errs); n != 2 {
		t.Fatalf("fork push uploaded %d shards, want 2\n%s", n, errs)
	}
	fileSize := int64(len(m.Bytes()))
	if stored := blobBytes(t, forkRelays); stored > fileSize/3 {
		t.Fatalf("fork relays hold %d bytes for a %d-byte fine-tune", stored, fileSize)
	}

	reader := newUser(t)
	reader.ok(work, "clone", address(t, tuner, ft), "c1")
	sameTree(t, ft, filepath.Join(work, "c1"))
	stat, _ := reader.ok(filepath.Join(work, "c1"), "show", "--stat")
	if !strings.Contains(stat, "lowrank r=8") || !strings.Contains(stat, "dense") {
		t.Fatalf("show --stat in the clone:\n%s", stat)
	}

	// A dense full fine-tune written over the checked-out base by other
	// tools: the commit fetches the base file back from the relays and
	// stores the fine-tune as a delta of it.
	tuner.ok(work, "fork", "--name", "base-model-full", naddr, "full")
	full := filepath.Join(work, "full")
	fm := base.Clone()
	fm.NudgeAll(11, 0.001)
	fm.WriteFile(filepath.Join(full, "model.safetensors"))
	out, _ = tuner.ok(full, "commit", "-a", "-m", "full fine-tune")
	if !strings.Contains(out, "stored as a delta of") || !strings.Contains(out, "dense") {
		t.Fatalf("full fine-tune commit: %s", out)
	}
	for _, r := range forkRelays {
		tuner.ok(full, "relay", "add", r.URL())
	}
	tuner.ok(full, "push")
	reader.ok(work, "clone", address(t, tuner, full), "c-full")
	sameTree(t, full, filepath.Join(work, "c-full"))

	// The base moves on; the fine-tune follows it.
	nb := base.Clone()
	nb.Nudge(20, "model.layers.0.self_attn.q_proj.weight", 0.05)
	nb.Nudge(21, "lm_head.weight", 0.05)
	nb.WriteFile(filepath.Join(dir, "model.safetensors"))
	owner.ok(dir, "commit", "-a", "-m", "base v2")
	owner.ok(dir, "push")
	out, _ = tuner.ok(ft, "rebase")
	if !strings.Contains(out, "Successfully rebased 1 commit(s)") || !strings.Contains(out, "base is now") {
		t.Fatalf("rebase: %s", out)
	}
	got := readModel(t, filepath.Join(ft, "model.safetensors"))
	if !bytes.Equal(got.Tensor("lm_head.weight").Data, nb.Tensor("lm_head.weight").Data) {
		t.Fatal("rebased fine-tune lacks the new base's lm_head")
	}
	r, err := repo.Open(ft)
	if err != nil {
		t.Fatal(err)
	}
	_, tree, err := r.HeadTree()
	if err != nil {
		t.Fatal(err)
	}
	st, err := r.DeltaStat(tree["model.safetensors"])
	if err != nil || st == nil {
		t.Fatalf("rebased file is not a delta: %v", err)
	}
	for _, ts := range st.Tensors {
		if ts.Name == "model.layers.0.self_attn.q_proj.weight" && (ts.Kind.String() != "lowrank" || ts.Residual) {
			t.Fatalf("rebased q_proj stored as %v", ts.Kind)
		}
	}
	tuner.ok(ft, "push", "--force")
	reader.ok(work, "clone", address(t, tuner, ft), "c2")
	sameTree(t, ft, filepath.Join(work, "c2"))
	// The base's v2 is itself a delta of v1 (the owner's second commit):
	// the clone rebuilt v1, then v2, then the fine-tune, and kept only the
	// base the fine-tune is stored against.
	or, err := repo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, v2, err := or.HeadTree()
	if err != nil {
		t.Fatal(err)
	}
	v2f := v2["model.safetensors"]
	d2, _ := v2f.Delta()
	if d2 == nil {
		t.Fatalf("base v2 not stored as a delta of v1: %v", v2f.Extra)
	}
	v1f, err := or.DeltaRef(d2)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := repo.Open(filepath.Join(work, "c2"))
	if err != nil {
		t.Fatal(err)
	}
	if !cr.HasObject(v2f.ID) || cr.HasObject(v1f.ID) {
		t.Fatalf("clone keeps v2 %v, v1 %v; want v2 only", cr.HasObject(v2f.ID), cr.HasObject(v1f.ID))
	}
}

// TestPrivateFineTuneDelta: a private fork of a public base stores its
// fine-tune as an encrypted delta; a reader it names clones it
// byte-identical (base from the base's relays, delta decrypted), and no
// event names the file or its delta.
func TestPrivateFineTuneDelta(t *testing.T) {
	relays := startRelays(t, 2)
	owner := newUser(t)
	dir := filepath.Join(t.TempDir(), "base")
	owner.ok("", "init", "--name", "open-base", dir)
	base := synthmodel.New(2, synthmodel.SmallSpecs())
	base.WriteFile(filepath.Join(dir, "model.safetensors"))
	owner.ok(dir, "add", ".")
	owner.ok(dir, "commit", "-m", "base")
	for _, r := range relays {
		owner.ok(dir, "relay", "add", r.URL())
	}
	owner.ok(dir, "push")

	tuner, friend := newUser(t), newUser(t)
	work := t.TempDir()
	tuner.ok(work, "fork", "--name", "secret-ft", "--private", "--to", friend.Npub, address(t, owner, dir), "ft")
	ft := filepath.Join(work, "ft")
	m := base.Clone()
	m.Nudge(4, "model.layers.0.mlp.up_proj.weight", 0.01)
	m.WriteFile(filepath.Join(ft, "model.safetensors"))
	out, _ := tuner.ok(ft, "commit", "-a", "-m", "secret tune")
	if !strings.Contains(out, "stored as a delta of") {
		t.Fatalf("commit: %s", out)
	}
	for _, r := range relays {
		tuner.ok(ft, "relay", "add", r.URL())
	}
	tuner.ok(ft, "push")
	for _, ev := range queryAll(t, relays[0].URL()) {
		if ev.PubKey == ownerPubkey(t, tuner) && strings.Contains(ev.String(), "\"delta\"") {
			t.Fatalf("event kind %d shows the delta clause", ev.Kind)
		}
	}
	friend.ok(work, "clone", address(t, tuner, ft), "c")
	sameTree(t, ft, filepath.Join(work, "c"))
	if _, errs, code := anonymous(t).run(work, "clone", address(t, tuner, ft), "nokey"); code == 0 {
		t.Fatalf("clone without the key succeeded: %s", errs)
	}
}
