package repo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// A safetensors file that has a counterpart in the repository's base
// commit or in the parent commit is stored as a delta object against that
// counterpart (internal/delta) when that saves at least a tenth of its
// size. The file keeps its object id; its tag says how it is stored:
//
//	["file", path, id, size, mode, "delta", "<delta id>", "<delta size>", "<ref commit>", "<ref path>"]
//
// followed, for a delta object larger than the repository's segment size,
// by the delta object's segment clause ("segments", size, roots...; see
// Segments).
//
// The reference is the file at <ref path> in commit <ref commit>, which
// must be the commit itself's ancestor or base (fetch brings those). Push
// uploads the delta object instead of the file; pull downloads it,
// brings the reference (itself perhaps a delta), and materializes the
// file, checked against its id.
const (
	// DeltaTag opens the delta clause of a file tag's extra elements.
	DeltaTag = "delta"
	// MaxDeltaDepth bounds delta chains (a delta whose reference is a
	// delta ...): beyond it a file is stored whole again.
	MaxDeltaDepth = 8
	// maxFetchDepth bounds the chains a reader follows.
	maxFetchDepth = 64
)

// DeltaClause is how a file is stored as a delta.
type DeltaClause struct {
	// ID and Size name the delta object.
	ID   merkle.ID
	Size uint64
	// RefCommit and RefPath name the reference file.
	RefCommit string
	RefPath   string
	// Segments is the delta object's segment clause (nil for one object).
	Segments []string
}

// Delta returns the file's delta clause, or nil when it is stored whole.
func (f FileEntry) Delta() (*DeltaClause, error) {
	if len(f.Extra) == 0 || f.Extra[0] != DeltaTag {
		return nil, nil
	}
	d, _, err := parseDelta(f.Extra)
	return d, err
}

// parseDelta reads a delta clause and returns how many elements it used.
func parseDelta(extra []string) (*DeltaClause, int, error) {
	if len(extra) < 5 || extra[0] != DeltaTag {
		return nil, 0, errors.New("delta clause needs an object id, a size, a commit and a path")
	}
	id, err := merkle.ParseID(extra[1])
	if err != nil || extra[1] != strings.ToLower(extra[1]) {
		return nil, 0, fmt.Errorf("bad delta object id %q", extra[1])
	}
	size, err := strconv.ParseUint(extra[2], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != extra[2] {
		return nil, 0, fmt.Errorf("bad delta size %q", extra[2])
	}
	if !IsCommitID(extra[3]) {
		return nil, 0, fmt.Errorf("bad delta reference commit %q", extra[3])
	}
	if err := ValidatePath(extra[4]); err != nil {
		return nil, 0, fmt.Errorf("delta reference: %w", err)
	}
	d := &DeltaClause{ID: id, Size: size, RefCommit: extra[3], RefPath: extra[4]}
	n := 5
	if len(extra) > n && extra[n] == SegmentsTag {
		_, used, err := parseSegments(id, size, extra[n:])
		if err != nil {
			return nil, 0, fmt.Errorf("delta object: %w", err)
		}
		d.Segments = slices.Clone(extra[n : n+used])
		n += used
	}
	return d, n, nil
}

func (d *DeltaClause) extra() []string {
	return append([]string{DeltaTag, d.ID.String(), strconv.FormatUint(d.Size, 10), d.RefCommit, d.RefPath}, d.Segments...)
}

// Object is the delta object as a file entry of its own, to download.
func (d *DeltaClause) Object(of FileEntry) FileEntry {
	return FileEntry{Path: of.Path, ID: d.ID, Size: d.Size, Mode: of.Mode, Extra: slices.Clone(d.Segments)}
}

// StoredObjects lists the objects that hold a file on the relays and the
// local object they are cut from: the delta object when the file is stored
// as a delta, else the file itself (whole or as segments).
func (f FileEntry) StoredObjects() (merkle.ID, []Segment, error) {
	d, err := f.Delta()
	if err != nil {
		return merkle.ID{}, nil, err
	}
	if d != nil {
		segs, err := d.Object(f).Segments()
		return d.ID, segs, err
	}
	segs, err := f.Segments()
	return f.ID, segs, err
}

// IsSafetensorsPath reports whether a path names a safetensors file.
func IsSafetensorsPath(p string) bool { return strings.HasSuffix(p, ".safetensors") }

// DeltaRef returns the reference file of a delta-stored file, read from
// the reference commit (which must be stored locally).
func (r *Repo) DeltaRef(d *DeltaClause) (FileEntry, error) {
	c, err := r.LoadCommit(d.RefCommit)
	if err != nil {
		return FileEntry{}, fmt.Errorf("delta reference: %w", err)
	}
	if c.Encrypted && c.Files == nil {
		return FileEntry{}, fmt.Errorf("delta reference commit %s: %w", short(d.RefCommit), ErrNoRepoKey)
	}
	f, ok := c.Tree()[d.RefPath]
	if !ok {
		return FileEntry{}, fmt.Errorf("delta reference: commit %s has no file %s", short(d.RefCommit), d.RefPath)
	}
	return f, nil
}

// DeltaDepth is the length of a file's delta chain (0 for a whole file).
func (r *Repo) DeltaDepth(f FileEntry) (int, error) {
	for depth := 0; ; depth++ {
		d, err := f.Delta()
		if err != nil {
			return 0, err
		}
		if d == nil {
			return depth, nil
		}
		if depth >= maxFetchDepth {
			return 0, fmt.Errorf("%s: delta chain longer than %d", f.Path, maxFetchDepth)
		}
		if f, err = r.DeltaRef(d); err != nil {
			return 0, err
		}
	}
}

// MaterializeDelta rebuilds a delta-stored file into the object store from
// its delta object and its reference, both in the store. The result is
// checked against the file's object id before it is kept.
//
// The delta object and the reference must be local objects (LocalObject);
// the rebuilt file joins the downloads waiting for their checkout
// (Available).
func (r *Repo) MaterializeDelta(f FileEntry) error {
	if r.Available(f.ID) {
		return nil
	}
	d, err := f.Delta()
	if err != nil {
		return err
	}
	if d == nil {
		return fmt.Errorf("%s is not stored as a delta", f.Path)
	}
	ref, err := r.DeltaRef(d)
	if err != nil {
		return err
	}
	df, err := r.OpenObject(d.ID)
	if err != nil {
		return fmt.Errorf("%s: delta: %w", f.Path, err)
	}
	defer df.Close()
	rf, err := r.OpenObject(ref.ID)
	if err != nil {
		return fmt.Errorf("%s: delta reference %s: %w", f.Path, ref.Path, err)
	}
	defer rf.Close()
	tmp, err := r.TempFile("materialize-*")
	if err != nil {
		return err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	st, err := delta.Materialize(tmp, df, delta.Reference{R: rf, Size: int64(ref.Size), ID: ref.ID})
	if err != nil {
		return fmt.Errorf("materialize %s: %w", f.Path, err)
	}
	if merkle.ID(st.OutID) != f.ID || st.OutSize != f.Size {
		return fmt.Errorf("materialize %s: the delta builds %s, the commit names %s", f.Path, merkle.ID(st.OutID), f.ID)
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// Like a download: it waits for the checkout that moves it into the
	// working tree.
	return r.AddFetched(tmp.Name(), f.ID)
}

// DeltaStat describes how a delta-stored file is stored, per tensor. The
// delta object must be in the store; reference tensor names are filled in
// when the reference file is too.
func (r *Repo) DeltaStat(f FileEntry) (*delta.Stat, error) {
	d, err := f.Delta()
	if err != nil || d == nil {
		return nil, err
	}
	df, err := r.OpenObject(d.ID)
	if err != nil {
		return nil, err
	}
	defer df.Close()
	st, err := delta.Inspect(df)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if ref, err := r.DeltaRef(d); err == nil {
		if h, err := r.safetensorsHeader(ref.ID); err == nil {
			for i, t := range st.Tensors {
				if t.RefIndex >= 0 && t.RefIndex < len(h.Tensors) {
					st.Tensors[i].RefName = h.Tensors[t.RefIndex].Name
				}
			}
		}
	}
	return st, nil
}

func (r *Repo) safetensorsHeader(id merkle.ID) (*safetensors.Header, error) {
	return safetensors.Stat(r.ObjectPath(id))
}

// DeltaHint steers how one file of a new commit is stored: against which
// reference, with which low-rank updates on offer.
type DeltaHint struct {
	// RefCommit and RefPath name the reference ("" for the default: the
	// same path in the base commit, else in the parent).
	RefCommit, RefPath string
	// LowRank offers updates by tensor name.
	LowRank map[string][]delta.Term
}

// DeltaReport says how StageDeltas stored one file.
type DeltaReport struct {
	Path      string
	Size      uint64
	Delta     *DeltaClause // nil: stored whole
	Stat      *delta.Stat
	Reason    string // why it is stored whole, when it was a candidate
	Reference FileEntry
}

// DeltaOptions tune StageDeltas.
type DeltaOptions struct {
	// Hints by path.
	Hints map[string]*DeltaHint
	// Fetch brings a reference the local store lacks (from the relays);
	// without it such a file is stored whole.
	Fetch func([]FileEntry) error
	// Progress is told each file's encoding progress.
	Progress func(path string, done, total uint64)
}

// StageDeltas decides, for every staged safetensors file whose content
// differs from HEAD's, whether to store it as a delta of its counterpart in
// the base commit or the parent, encodes the delta into the object store,
// and records the delta clause in the index (commit copies it into the
// file tag). Files as HEAD has them keep HEAD's clause. The caller holds
// the lock.
func (r *Repo) StageDeltas(opts DeltaOptions) ([]DeltaReport, error) {
	h, head, err := r.HeadTree()
	if err != nil {
		return nil, err
	}
	ix, err := r.LoadIndex()
	if err != nil {
		return nil, err
	}
	hints := opts.Hints
	if hints == nil {
		hints = map[string]*DeltaHint{}
	}
	adapters, err := r.treeAdapters(ix.Files())
	if err != nil {
		return nil, err
	}
	var reports []DeltaReport
	changed := false
	for _, p := range ix.Paths() {
		e := ix.Get(p)
		if hf, ok := head[p]; ok && hf.ID == e.ID && hints[p] == nil {
			if !slices.Equal(e.Extra, hf.Extra) {
				e.Extra = slices.Clone(hf.Extra)
				changed = true
			}
			continue
		}
		if !IsSafetensorsPath(p) {
			continue
		}
		rep, clause, err := r.encodeDelta(e.Entry(), h.Commit, hints[p], adapters, opts.Fetch, opts.Progress)
		if err != nil {
			return nil, err
		}
		if clause != nil {
			e.Extra = clause.extra()
			changed = true
		} else if d, _ := e.Entry().Delta(); d != nil {
			// A clause staged earlier against a reference that no longer
			// applies: the file is stored whole again.
			e.Extra = nil
			changed = true
		}
		if rep != nil {
			reports = append(reports, *rep)
		}
	}
	if changed {
		if err := r.SaveIndex(ix); err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// treeAdapters loads the PEFT adapters staged in a tree (a directory
// holding adapter_config.json and adapter_model.safetensors) as low-rank
// updates by tensor name.
func (r *Repo) treeAdapters(files []FileEntry) (map[string][]delta.Term, error) {
	byPath := make(map[string]FileEntry, len(files))
	for _, f := range files {
		byPath[f.Path] = f
	}
	out := map[string][]delta.Term{}
	for _, f := range files {
		if path.Base(f.Path) != lora.ConfigFile {
			continue
		}
		wp := path.Join(path.Dir(f.Path), lora.WeightsFile)
		if path.Dir(f.Path) == "." {
			wp = lora.WeightsFile
		}
		wf, ok := byPath[wp]
		if !ok || r.LocalObject(f, nil) != nil || r.LocalObject(wf, nil) != nil {
			continue
		}
		ad, err := r.loadAdapter(f.ID, wf.ID)
		if err != nil {
			return nil, fmt.Errorf("adapter %s: %w", path.Dir(f.Path), err)
		}
		AddAdapterTerms(out, ad)
	}
	return out, nil
}

// AddAdapterTerms offers an adapter's updates, by target tensor name.
func AddAdapterTerms(m map[string][]delta.Term, ad *lora.Adapter) {
	for name, u := range ad.Updates {
		m[name] = append(m[name], delta.Term{Update: u.Term, Dtype: u.Dtype})
	}
}

func (r *Repo) loadAdapter(configID, weightsID merkle.ID) (*lora.Adapter, error) {
	cb, err := os.ReadFile(r.ObjectPath(configID))
	if err != nil {
		return nil, err
	}
	wf, err := r.OpenObject(weightsID)
	if err != nil {
		return nil, err
	}
	defer wf.Close()
	st, err := wf.Stat()
	if err != nil {
		return nil, err
	}
	return lora.Parse(cb, wf, st.Size())
}

// defaultRef is the reference a file is stored against: the same path in
// the repository's base commit, else in the parent commit.
func (r *Repo) defaultRef(p, parent string) (string, bool) {
	if b := r.Config.Base; b != nil && r.HasCommit(b.Commit) {
		if c, err := r.LoadCommit(b.Commit); err == nil && c.Files != nil {
			if _, ok := c.Tree()[p]; ok {
				return b.Commit, true
			}
		}
	}
	if parent != "" {
		if c, err := r.LoadCommit(parent); err == nil && c.Files != nil {
			if _, ok := c.Tree()[p]; ok {
				return parent, true
			}
		}
	}
	return "", false
}

// minSaving: a delta is used only when it is at most this fraction of the
// file, so a clone pays the materialization only for a real saving.
const minSaving = 0.9

// encodeDelta encodes one file against its reference when it can. It
// returns the clause to record, or nil to store the file whole.
func (r *Repo) encodeDelta(f FileEntry, parent string, hint *DeltaHint, adapters map[string][]delta.Term, fetch func([]FileEntry) error, progress func(string, uint64, uint64)) (*DeltaReport, *DeltaClause, error) {
	rep := &DeltaReport{Path: f.Path, Size: f.Size}
	refCommit, refPath := "", f.Path
	if hint != nil && hint.RefCommit != "" {
		refCommit, refPath = hint.RefCommit, hint.RefPath
	} else {
		c, ok := r.defaultRef(f.Path, parent)
		if !ok {
			return nil, nil, nil // nothing to compare with: a new file
		}
		refCommit = c
	}
	d := &DeltaClause{RefCommit: refCommit, RefPath: refPath}
	ref, err := r.DeltaRef(d)
	if err != nil {
		return nil, nil, err
	}
	rep.Reference = ref
	if ref.ID == f.ID {
		rep.Reason = "same as the reference"
		return rep, nil, nil
	}
	if !r.HasObject(f.ID) {
		rep.Reason = "file not in the local store"
		return rep, nil, nil
	}
	if err := r.LocalObject(ref, fetch); err != nil {
		rep.Reason = fmt.Sprintf("reference %s:%s not at hand: %v", short(refCommit), refPath, err)
		return rep, nil, nil
	}
	if depth, err := r.DeltaDepth(ref); err != nil {
		return nil, nil, err
	} else if depth >= MaxDeltaDepth {
		rep.Reason = fmt.Sprintf("reference is a chain of %d deltas", depth)
		return rep, nil, nil
	}
	if _, err := r.safetensorsHeader(f.ID); err != nil {
		rep.Reason = "not a valid safetensors file"
		return rep, nil, nil
	}
	if _, err := r.safetensorsHeader(ref.ID); err != nil {
		rep.Reason = "reference is not a valid safetensors file"
		return rep, nil, nil
	}
	terms := adapters
	if hint != nil && len(hint.LowRank) > 0 {
		terms = map[string][]delta.Term{}
		for k, v := range adapters {
			terms[k] = v
		}
		for k, v := range hint.LowRank {
			terms[k] = v // the hint's updates are the ones that apply
		}
	}
	of, err := r.OpenObject(f.ID)
	if err != nil {
		return nil, nil, err
	}
	defer of.Close()
	rf, err := r.OpenObject(ref.ID)
	if err != nil {
		return nil, nil, err
	}
	defer rf.Close()
	tmp, err := r.TempFile("delta-*")
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		tmp.Close()
		os.Remove(tmp.Name())
	}()
	opts := &delta.Options{LowRank: terms, TempDir: r.path("tmp")}
	if progress != nil {
		opts.Progress = func(done uint64) { progress(f.Path, done, f.Size) }
	}
	st, err := delta.Encode(tmp, delta.File{R: of, Size: int64(f.Size), ID: f.ID},
		delta.Reference{R: rf, Size: int64(ref.Size), ID: ref.ID}, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	rep.Stat = st
	if float64(st.Size) > minSaving*float64(f.Size) {
		rep.Reason = fmt.Sprintf("delta of %d bytes saves too little", st.Size)
		return rep, nil, nil
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}
	segSize := r.Config.SegmentSizeOrDefault()
	id, size, roots, err := r.storeStream(tmp, segSize)
	if err != nil {
		return nil, nil, err
	}
	d.ID, d.Size, d.Segments = id, size, segmentExtra(segSize, roots)
	rep.Delta = d
	return rep, d, nil
}
