package repo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/modelmerge"
	"github.com/agi-nostr/agi-nostr/internal/textmerge"
)

// MergeBase returns the best common ancestor of two commits: the newest
// commit that both reach (commit times grow along every branch, so no
// other common ancestor descends from it), or "" when they share none.
func (r *Repo) MergeBase(a, b string) (string, error) {
	anc := map[string]bool{}
	if _, err := r.Walk([]string{a}, func(c *Commit) bool { anc[c.ID] = true; return true }); err != nil {
		return "", err
	}
	base := ""
	_, err := r.Walk([]string{b}, func(c *Commit) bool {
		if anc[c.ID] {
			base = c.ID
			return false
		}
		return true
	})
	return base, err
}

// MergeOptions tune MergeTrees, Merge and Rebase.
type MergeOptions struct {
	Method  modelmerge.Method
	Weights []float32 // for the two sides; nil: 1, 1
	Density float32   // TIES
	// Prefer settles conflicts: -1 stops, 0 takes the first side ("ours"),
	// 1 the second ("theirs").
	Prefer int
	// Fetch brings missing objects into the local store (from the relays).
	Fetch func(files []FileEntry) error
	// Progress is told about each file merged numerically.
	Progress func(path string)
}

// FileConflict is one file a merge cannot settle.
type FileConflict struct {
	Path   string
	Reason string
	Detail []string
}

// MergeConflictError lists the files that stopped a merge or rebase.
// Nothing was written.
type MergeConflictError struct {
	Op    string // "merge" or "rebase"
	Files []FileConflict
}

func (e *MergeConflictError) Error() string {
	var b strings.Builder
	for _, f := range e.Files {
		fmt.Fprintf(&b, "CONFLICT (%s): %s\n", f.Reason, f.Path)
		for _, d := range f.Detail {
			fmt.Fprintf(&b, "\t%s\n", d)
		}
	}
	fmt.Fprintf(&b, "Automatic %s failed; nothing was changed. Settle the conflicts on one side and %s again, or rerun with -X ours or -X theirs.", e.Op, e.Op)
	return b.String()
}

// MergedFile reports how one file of a merge was produced.
type MergedFile struct {
	Path string
	How  string // "ours", "theirs", "text", "tensors", "deleted"
	// Tensors describes a numeric merge, per tensor.
	Tensors  *modelmerge.Result
	Resolved []string
}

// treeMerge is the state of one three-way tree merge.
type treeMerge struct {
	r        *Repo
	op       string
	opts     MergeOptions
	files    []FileEntry
	hints    map[string]*DeltaHint
	report   []MergedFile
	conflict []FileConflict
}

func sameEntry(a, b FileEntry, aok, bok bool) bool {
	if aok != bok {
		return false
	}
	return !aok || a.ID == b.ID && a.Mode == b.Mode
}

// ensure makes sure the objects of files are in the store, fetching them
// when a fetcher is set.
func (m *treeMerge) ensure(files ...FileEntry) error {
	for _, f := range files {
		if err := m.r.LocalObject(f, m.opts.Fetch); err != nil {
			if m.opts.Fetch == nil {
				return fmt.Errorf("%s: %w (add a relay to fetch it)", f.Path, err)
			}
			return fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	return nil
}

// lowRankOf returns the exact low-rank updates of a delta-stored file
// relative to the reference object ref (nil when the file is not a delta
// of exactly that object).
func (r *Repo) lowRankOf(f FileEntry, ref FileEntry) (map[string][]delta.Term, error) {
	d, err := f.Delta()
	if err != nil || d == nil {
		return nil, err
	}
	rf, err := r.DeltaRef(d)
	if err != nil || rf.ID != ref.ID {
		return nil, nil
	}
	df, err := r.OpenObject(d.ID)
	if err != nil {
		return nil, nil // the delta object is not here: values only
	}
	defer df.Close()
	st, terms, err := delta.LowRankOf(df)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", f.Path, err)
	}
	if merkle.ID(st.RefID) != ref.ID {
		return nil, nil
	}
	return terms, nil
}

// version opens a file of the store for modelmerge.
func (r *Repo) version(f FileEntry, lr map[string][]delta.Term) (modelmerge.Version, io.Closer, error) {
	fh, err := r.OpenObject(f.ID)
	if err != nil {
		return modelmerge.Version{}, nil, err
	}
	return modelmerge.Version{R: fh, Size: int64(f.Size), LowRank: lr}, fh, nil
}

// storeMerged stores the bytes a merge produced through write and returns
// their tree entry.
func (r *Repo) storeMerged(path string, mode Mode, write func(io.Writer) error) (FileEntry, error) {
	tmp, err := r.TempFile("merge-*")
	if err != nil {
		return FileEntry{}, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	segSize := r.Config.SegmentSizeOrDefault()
	h := newSegmentHasher(segSize)
	if err := write(io.MultiWriter(tmp, h)); err != nil {
		return FileEntry{}, err
	}
	if err := tmp.Sync(); err != nil {
		return FileEntry{}, err
	}
	if err := tmp.Close(); err != nil {
		return FileEntry{}, err
	}
	id, roots := h.finish()
	if err := r.ImportObject(tmp.Name(), id); err != nil {
		return FileEntry{}, err
	}
	ok = true
	return FileEntry{Path: path, ID: id, Size: h.size, Mode: mode, Extra: segmentExtra(segSize, roots)}, nil
}

func (m *treeMerge) keep(f FileEntry, how string) {
	m.files = append(m.files, f)
	m.report = append(m.report, MergedFile{Path: f.Path, How: how})
}

// mergeFile settles one path both sides changed differently. anc, ours
// and theirs are the three versions (ok false when absent). tensor
// merges use mergeTensors.
func (m *treeMerge) mergeFile(p string, anc, ours, theirs FileEntry, aok, ook, tok bool,
	mergeTensors func(anc, ours, theirs FileEntry) (FileEntry, *modelmerge.Result, *DeltaHint, error)) error {
	prefer := func(reason string, detail ...string) {
		c := FileConflict{Path: p, Reason: reason, Detail: detail}
		switch m.opts.Prefer {
		case 0:
			if ook {
				m.keep(ours, "ours")
			}
			m.report = append(m.report, MergedFile{Path: p, How: "ours", Resolved: []string{reason}})
		case 1:
			if tok {
				m.keep(theirs, "theirs")
			}
			m.report = append(m.report, MergedFile{Path: p, How: "theirs", Resolved: []string{reason}})
		default:
			m.conflict = append(m.conflict, c)
		}
	}
	if !ook || !tok {
		which := "ours"
		if !tok {
			which = "theirs"
		}
		if !aok {
			prefer("add/add")
			return nil
		}
		prefer("modify/delete", "deleted in "+which)
		return nil
	}
	mode := ours.Mode
	if ours.Mode == anc.Mode && aok {
		mode = theirs.Mode
	}
	if aok && IsSafetensorsPath(p) {
		if err := m.ensure(anc, ours, theirs); err != nil {
			return err
		}
		if _, err := m.r.safetensorsHeader(anc.ID); err == nil {
			f, res, hint, err := mergeTensors(anc, ours, theirs)
			var ce *modelmerge.ConflictError
			if errors.As(err, &ce) {
				var detail []string
				for _, c := range ce.Conflicts {
					detail = append(detail, c.Name+": "+c.Reason)
				}
				prefer("tensors", detail...)
				return nil
			}
			if err != nil {
				return fmt.Errorf("merge %s: %w", p, err)
			}
			f.Mode = mode
			m.files = append(m.files, f)
			mf := MergedFile{Path: p, How: "tensors", Tensors: res}
			for _, c := range res.Resolved {
				mf.Resolved = append(mf.Resolved, c.Name+": "+c.Reason)
			}
			m.report = append(m.report, mf)
			if hint != nil {
				m.hints[p] = hint
			}
			return nil
		}
	}
	if err := m.ensure(ours, theirs); err != nil {
		return err
	}
	if aok {
		if err := m.ensure(anc); err != nil {
			return err
		}
	}
	read := func(f FileEntry, ok bool) ([]byte, error) {
		if !ok {
			return nil, nil
		}
		if f.Size > textmerge.MaxSize {
			return nil, nil
		}
		return os.ReadFile(m.r.ObjectPath(f.ID))
	}
	ab, err := read(anc, aok)
	if err != nil {
		return err
	}
	ob, err := read(ours, true)
	if err != nil {
		return err
	}
	tb, err := read(theirs, true)
	if err != nil {
		return err
	}
	if ob == nil || tb == nil || !textmerge.IsText(ab) || !textmerge.IsText(ob) || !textmerge.IsText(tb) {
		prefer("binary", "both sides changed it; binary files do not merge")
		return nil
	}
	res := textmerge.Merge(ab, ob, tb, textmerge.Resolve(m.opts.Prefer+1))
	if len(res.Conflicts) > 0 && m.opts.Prefer < 0 {
		var detail []string
		for _, c := range res.Conflicts {
			detail = append(detail, c.String()+" of the ancestor changed on both sides")
		}
		m.conflict = append(m.conflict, FileConflict{Path: p, Reason: "content", Detail: detail})
		return nil
	}
	f, err := m.r.storeMerged(p, mode, func(w io.Writer) error {
		_, err := w.Write(res.Merged)
		return err
	})
	if err != nil {
		return err
	}
	m.files = append(m.files, f)
	mf := MergedFile{Path: p, How: "text"}
	for _, c := range res.Conflicts {
		mf.Resolved = append(mf.Resolved, c.String())
	}
	m.report = append(m.report, mf)
	return nil
}

// threeWay merges the trees: paths changed on one side take that side;
// paths changed on both go through mergeFile.
func (m *treeMerge) threeWay(anc, ours, theirs map[string]FileEntry,
	mergeTensors func(anc, ours, theirs FileEntry) (FileEntry, *modelmerge.Result, *DeltaHint, error)) error {
	paths := map[string]bool{}
	for _, t := range []map[string]FileEntry{anc, ours, theirs} {
		for p := range t {
			paths[p] = true
		}
	}
	for _, p := range sortedKeys(paths) {
		a, aok := anc[p]
		o, ook := ours[p]
		t, tok := theirs[p]
		switch {
		case sameEntry(o, t, ook, tok):
			if ook {
				m.files = append(m.files, o)
			}
		case sameEntry(a, o, aok, ook):
			if tok {
				m.keep(t, "theirs")
			} else {
				m.report = append(m.report, MergedFile{Path: p, How: "deleted"})
			}
		case sameEntry(a, t, aok, tok):
			if ook {
				m.keep(o, "ours")
			} else {
				m.report = append(m.report, MergedFile{Path: p, How: "deleted"})
			}
		case ook && tok && o.ID == t.ID:
			// Same content, different modes: ours.
			m.keep(o, "ours")
		default:
			if m.opts.Progress != nil && IsSafetensorsPath(p) {
				m.opts.Progress(p)
			}
			if err := m.mergeFile(p, a, o, t, aok, ook, tok, mergeTensors); err != nil {
				return err
			}
		}
	}
	if len(m.conflict) > 0 {
		return &MergeConflictError{Op: m.op, Files: m.conflict}
	}
	return nil
}

// MergeResult is a merge commit made by Merge.
type MergeResult struct {
	Commit *Commit
	Base   string
	Files  []MergedFile
	Deltas []DeltaReport
	// FastForward is set when no merge commit was needed.
	FastForward bool
}

// ErrUpToDate is returned when there is nothing to merge or rebase.
var ErrUpToDate = errors.New("already up to date")

// Merge merges commits a and b, fine-tunes of a common ancestor, into a
// commit with parents a and b (see docs/AGIGIT.md): tensors by
// opts.Method, other files three-way as git does. It checks the result out
// on the current branch, which must be at a, at b or at an ancestor of
// one of them, with no local changes. On conflicts nothing changes and a
// *MergeConflictError says why. The caller holds the lock.
func (r *Repo) Merge(signer Signer, a, b, message string, opts MergeOptions, now time.Time) (*MergeResult, error) {
	h, err := r.ReadHead()
	if err != nil {
		return nil, err
	}
	if h.Commit == "" {
		return nil, errors.New("cannot merge into a branch without commits")
	}
	if err := r.requireClean("merge"); err != nil {
		return nil, err
	}
	onA, err := r.IsAncestor(h.Commit, a)
	if err != nil {
		return nil, err
	}
	onB, err := r.IsAncestor(h.Commit, b)
	if err != nil {
		return nil, err
	}
	if !onA && !onB {
		return nil, fmt.Errorf("HEAD (%s) is neither of the merged commits nor an ancestor of one; check out one of them first", short(h.Commit))
	}
	base, err := r.MergeBase(a, b)
	if err != nil {
		return nil, err
	}
	if base == "" {
		return nil, fmt.Errorf("commits %s and %s have no common ancestor", short(a), short(b))
	}
	defaults := (opts.Method == "" || opts.Method == modelmerge.TaskArithmetic) && (opts.Weights == nil || opts.Weights[0] == 1 && opts.Weights[1] == 1)
	if base == b || a == b {
		if h.Commit == a {
			return nil, ErrUpToDate
		}
		return r.fastForward(a, opts.Fetch)
	}
	if base == a && defaults {
		return r.fastForward(b, opts.Fetch)
	}
	bc, err := r.loadReadable(base)
	if err != nil {
		return nil, err
	}
	ac, err := r.loadReadable(a)
	if err != nil {
		return nil, err
	}
	cb, err := r.loadReadable(b)
	if err != nil {
		return nil, err
	}
	m := &treeMerge{r: r, op: "merge", opts: opts, hints: map[string]*DeltaHint{}}
	mmOpts := modelmerge.Options{Method: opts.Method, Weights: opts.Weights, Density: opts.Density, Prefer: opts.Prefer}
	err = m.threeWay(bc.Tree(), ac.Tree(), cb.Tree(), func(anc, ours, theirs FileEntry) (FileEntry, *modelmerge.Result, *DeltaHint, error) {
		var closers []io.Closer
		defer func() {
			for _, c := range closers {
				c.Close()
			}
		}()
		vs := make([]modelmerge.Version, 3)
		for i, f := range []FileEntry{anc, ours, theirs} {
			var lr map[string][]delta.Term
			if i > 0 {
				var err error
				if lr, err = r.lowRankOf(f, anc); err != nil {
					return FileEntry{}, nil, nil, err
				}
			}
			v, c, err := r.version(f, lr)
			if err != nil {
				return FileEntry{}, nil, nil, err
			}
			closers = append(closers, c)
			vs[i] = v
		}
		var res *modelmerge.Result
		f, err := r.storeMerged(anc.Path, ours.Mode, func(w io.Writer) error {
			var err error
			res, err = modelmerge.Merge(w, vs[0], vs[1:], mmOpts)
			return err
		})
		if err != nil {
			return FileEntry{}, nil, nil, err
		}
		// Store the result against the ancestor, with the merged factors on
		// offer.
		return f, res, &DeltaHint{RefCommit: base, RefPath: anc.Path, LowRank: res.LowRank}, nil
	})
	if err != nil {
		return nil, err
	}
	c, deltas, err := r.commitTree(signer, m.files, m.hints, []string{a, b}, ac.Base, message, now, opts.Fetch)
	if err != nil {
		return nil, err
	}
	if err := r.checkoutOnBranch(h, c.ID, opts.Fetch); err != nil {
		return nil, err
	}
	return &MergeResult{Commit: c, Base: base, Files: m.report, Deltas: deltas}, nil
}

func (r *Repo) loadReadable(id string) (*Commit, error) {
	c, err := r.LoadCommit(id)
	if err != nil {
		return nil, err
	}
	if c.Encrypted && c.Files == nil {
		return nil, fmt.Errorf("commit %s: %w", short(id), ErrNoRepoKey)
	}
	return c, nil
}

// requireClean refuses to work over local changes to tracked files.
func (r *Repo) requireClean(op string) error {
	st, err := r.Status()
	if err != nil {
		return err
	}
	if len(st.Staged) > 0 || len(st.Unstaged) > 0 {
		var paths []string
		for _, c := range append(slices.Clone(st.Staged), st.Unstaged...) {
			paths = append(paths, c.Path)
		}
		slices.Sort(paths)
		paths = slices.Compact(paths)
		return fmt.Errorf("your local changes would be lost by the %s:\n\t%s\nplease commit them first", op, strings.Join(paths, "\n\t"))
	}
	return nil
}

// fastForward checks out target on the current branch.
func (r *Repo) fastForward(target string, fetch func([]FileEntry) error) (*MergeResult, error) {
	h, err := r.ReadHead()
	if err != nil {
		return nil, err
	}
	if err := r.checkoutOnBranch(h, target, fetch); err != nil {
		return nil, err
	}
	c, err := r.LoadCommit(target)
	if err != nil {
		return nil, err
	}
	return &MergeResult{Commit: c, FastForward: true}, nil
}

// checkoutOnBranch makes the working tree match commit id and moves the
// branch HEAD was on (or the detached HEAD) to it. The checkout runs
// first, so a refusal (untracked files in the way) changes nothing.
func (r *Repo) checkoutOnBranch(h Head, id string, fetch func([]FileEntry) error) error {
	if _, err := r.Checkout(id, CheckoutOptions{Fetch: fetch}); err != nil {
		return err
	}
	if h.Branch == "" {
		return nil
	}
	if err := r.UpdateRef(HeadsPrefix+h.Branch, id); err != nil {
		return err
	}
	return r.SetHeadBranch(h.Branch)
}

// commitTree signs and stores a commit of files with the given parents;
// safetensors files are stored as deltas where they can be (hints first,
// then the usual reference). It does not move any ref.
func (r *Repo) commitTree(signer Signer, files []FileEntry, hints map[string]*DeltaHint, parents []string, base *BaseRef, message string, now time.Time, fetch func([]FileEntry) error) (*Commit, []DeltaReport, error) {
	var reports []DeltaReport
	adapters, err := r.treeAdapters(files)
	if err != nil {
		return nil, nil, err
	}
	for i, f := range files {
		hint := hints[f.Path]
		if hint == nil || !IsSafetensorsPath(f.Path) {
			continue
		}
		rep, clause, err := r.encodeDelta(f, parents[0], hint, adapters, fetch, nil)
		if err != nil {
			return nil, nil, err
		}
		if clause != nil {
			files[i].Extra = clause.extra()
		}
		if rep != nil {
			reports = append(reports, *rep)
		}
	}
	for _, p := range parents {
		if pc, err := r.LoadCommit(p); err == nil && !now.After(pc.Time) {
			now = pc.Time.Add(time.Second)
		}
	}
	nc := NewCommit{Repo: r.Config.Address(), Base: base, Message: message, Files: files, Time: now, Parents: parents}
	sealer, err := r.Sealer()
	if err != nil {
		return nil, nil, err
	}
	ev, err := BuildCommitEvent(nc, sealer)
	if err != nil {
		return nil, nil, err
	}
	if err := signer.Sign(ev); err != nil {
		return nil, nil, err
	}
	if err := r.SaveCommitEvent(ev); err != nil {
		return nil, nil, err
	}
	c, err := DecodeCommit(ev, sealer)
	return c, reports, err
}
