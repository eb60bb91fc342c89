package repo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// A LoRA adapter merged into a working-tree file with `agigit lora apply`
// is remembered until that file is committed, so the commit can store the
// file as the adapter's factors even when the adapter itself stays out of
// the tree. The adapter's two files are copied into the object store.
const loraHintsFile = "lora-applied.json"

// LoraHint records one applied adapter.
type LoraHint struct {
	// Config and Weights are the adapter's files, as objects.
	Config  string `json:"config"`
	Weights string `json:"weights"`
	// Result is the object id of the file lora apply wrote.
	Result string `json:"result"`
}

// LoraHints reads the applied adapters by working-tree path.
func (r *Repo) LoraHints() (map[string][]LoraHint, error) {
	b, err := r.ReadState(loraHintsFile)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string][]LoraHint{}, nil
	}
	if err != nil {
		return nil, err
	}
	m := map[string][]LoraHint{}
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", r.StatePath(loraHintsFile), err)
	}
	return m, nil
}

func (r *Repo) saveLoraHints(m map[string][]LoraHint) error {
	if len(m) == 0 {
		return r.RemoveState(loraHintsFile)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return r.WriteState(loraHintsFile, append(b, '\n'))
}

// ApplyAdapter merges the PEFT adapter in dir into the working-tree file
// p (base + scale·B·A in the fixed order of internal/tensormath), replacing
// it, and remembers the adapter for the next commit of p. It returns the
// updated tensors. The caller holds the lock.
func (r *Repo) ApplyAdapter(dir, p string) ([]string, error) {
	ad, err := lora.Load(dir)
	if err != nil {
		return nil, err
	}
	// The file about to be replaced is most likely the base the next
	// commit is stored against: keep its content in the store (as a
	// checkout keeps the clean files it replaces).
	if ix, err := r.LoadIndex(); err == nil {
		if e := ix.Get(p); e != nil && !r.HasObject(e.ID) {
			if _, err := r.fromWorkTree(e.Entry()); err != nil {
				return nil, err
			}
		}
	}
	abs := r.abs(p)
	src, err := os.Open(abs)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(abs), ".agigit-lora-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	h := merkle.New()
	applied, err := lora.Apply(teeWriter{tmp, h}, src, st.Size(), ad)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if err := tmp.Chmod(st.Mode().Perm()); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	cid, _, err := r.storeFileObject(filepath.Join(dir, lora.ConfigFile))
	if err != nil {
		return nil, err
	}
	wid, _, err := r.storeFileObject(filepath.Join(dir, lora.WeightsFile))
	if err != nil {
		return nil, err
	}
	hints, err := r.LoraHints()
	if err != nil {
		return nil, err
	}
	hints[p] = append(hints[p], LoraHint{Config: cid.String(), Weights: wid.String(), Result: h.ID().String()})
	if err := r.saveLoraHints(hints); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return nil, err
	}
	return applied, nil
}

func (r *Repo) storeFileObject(path string) (merkle.ID, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return merkle.ID{}, 0, err
	}
	defer f.Close()
	return r.StoreObject(f)
}

type teeWriter struct {
	a, b interface{ Write([]byte) (int, error) }
}

func (t teeWriter) Write(p []byte) (int, error) {
	if n, err := t.a.Write(p); err != nil {
		return n, err
	}
	return t.b.Write(p)
}

// LoraDeltaHints turns the remembered adapters into hints for
// StageDeltas: each file's low-rank updates on offer.
func (r *Repo) LoraDeltaHints() (map[string]*DeltaHint, error) {
	hints, err := r.LoraHints()
	if err != nil {
		return nil, err
	}
	out := map[string]*DeltaHint{}
	for p, hs := range hints {
		h := &DeltaHint{LowRank: map[string][]delta.Term{}}
		for _, lh := range hs {
			cid, err1 := merkle.ParseID(lh.Config)
			wid, err2 := merkle.ParseID(lh.Weights)
			if err1 != nil || err2 != nil {
				return nil, fmt.Errorf("%s: damaged entry for %s", r.StatePath(loraHintsFile), p)
			}
			ad, err := r.loadAdapter(cid, wid)
			if err != nil {
				return nil, fmt.Errorf("adapter applied to %s: %w", p, err)
			}
			AddAdapterTerms(h.LowRank, ad)
		}
		out[p] = h
	}
	return out, nil
}

// ForgetLoraHints drops the remembered adapters of committed paths.
func (r *Repo) ForgetLoraHints(paths []string) error {
	hints, err := r.LoraHints()
	if err != nil || len(hints) == 0 {
		return err
	}
	for _, p := range paths {
		delete(hints, p)
	}
	return r.saveLoraHints(hints)
}
