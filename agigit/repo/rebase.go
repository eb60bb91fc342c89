package repo

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/modelmerge"
)

// RebaseResult reports a rebase.
type RebaseResult struct {
	Onto     string
	Base     string // the common ancestor the branch's changes are taken from
	Replayed []*Commit
	// Skipped are commits whose changes the new base already has.
	Skipped []*Commit
	Files   []MergedFile
	Deltas  []DeltaReport
	// FastForward is set when the branch had no changes of its own.
	FastForward bool
	// NewBase is set when the repository's base moved to onto.
	NewBase *BaseRef
}

// Rebase re-applies the current branch's commits since its common
// ancestor with onto, oldest first, on top of onto (see docs/AGIGIT.md):
// other files three-way as git replays them, safetensors files tensor by
// tensor with modelmerge.Rebase, so a LoRA fine-tune stays its factors on
// the new base. When onto is a commit of the repository's base repository,
// the base moves to it. Conflicts stop it before anything changes. The
// caller holds the lock.
func (r *Repo) Rebase(signer Signer, onto string, opts MergeOptions, now time.Time) (*RebaseResult, error) {
	h, err := r.ReadHead()
	if err != nil {
		return nil, err
	}
	if h.Branch == "" {
		return nil, errors.New("rebase needs a branch checked out (HEAD is detached)")
	}
	if h.Commit == "" {
		return nil, errors.New("the current branch has no commits")
	}
	if err := r.requireClean("rebase"); err != nil {
		return nil, err
	}
	oc, err := r.loadReadable(onto)
	if err != nil {
		return nil, err
	}
	base, err := r.MergeBase(h.Commit, onto)
	if err != nil {
		return nil, err
	}
	if base == "" {
		return nil, fmt.Errorf("the branch and %s have no common ancestor", short(onto))
	}
	res := &RebaseResult{Onto: onto, Base: base}
	var newBase *BaseRef
	if b := r.Config.Base; b != nil && oc.Repo == b.Address && b.Commit != onto {
		nb := *b
		nb.Commit = onto
		newBase = &nb
	}
	if base == onto {
		return nil, ErrUpToDate
	}
	// The branch's own commits, oldest first (first parents).
	var todo []*Commit
	for id := h.Commit; id != base; {
		c, err := r.loadReadable(id)
		if err != nil {
			return nil, err
		}
		if len(c.Parents) > 1 {
			return nil, fmt.Errorf("commit %s is a merge; rebase replays single-parent commits only", short(c.ID))
		}
		if len(c.Parents) == 0 {
			return nil, fmt.Errorf("commit %s has no parent before reaching %s", short(c.ID), short(base))
		}
		todo = append(todo, c)
		id = c.Parents[0]
	}
	slices.Reverse(todo)
	if len(todo) == 0 {
		// Nothing of our own: move to onto.
		if err := r.checkoutOnBranch(h, onto, opts.Fetch); err != nil {
			return nil, err
		}
		res.FastForward = true
		return res, r.setBase(newBase, res)
	}
	bc, err := r.loadReadable(base)
	if err != nil {
		return nil, err
	}
	oldTree, newTree := bc.Tree(), oc.Tree()
	commitBase := todo[len(todo)-1].Base
	if newBase != nil {
		commitBase = newBase
	}
	cur := oc
	for _, c := range todo {
		pc, err := r.loadReadable(c.Parents[0])
		if err != nil {
			return nil, err
		}
		m := &treeMerge{r: r, op: "rebase", opts: opts, hints: map[string]*DeltaHint{}}
		err = m.threeWay(pc.Tree(), cur.Tree(), c.Tree(), func(parent, ours, theirs FileEntry) (FileEntry, *modelmerge.Result, *DeltaHint, error) {
			return r.rebaseTensors(parent, ours, theirs, oldTree, newTree, onto, opts)
		})
		if err != nil {
			return nil, fmt.Errorf("replaying %s %q: %w", short(c.ID), c.Subject(), err)
		}
		if len(DiffTrees(cur.Tree(), treeOf(m.files))) == 0 {
			// Its changes are upstream already: dropped, as git does.
			res.Skipped = append(res.Skipped, c)
			continue
		}
		nc, deltas, err := r.commitTree(signer, m.files, m.hints, []string{cur.ID}, commitBase, c.Message, now, opts.Fetch)
		if err != nil {
			return nil, err
		}
		res.Replayed = append(res.Replayed, nc)
		res.Files = append(res.Files, m.report...)
		res.Deltas = append(res.Deltas, deltas...)
		cur = nc
	}
	if err := r.checkoutOnBranch(h, cur.ID, opts.Fetch); err != nil {
		return nil, err
	}
	return res, r.setBase(newBase, res)
}

func (r *Repo) setBase(nb *BaseRef, res *RebaseResult) error {
	if nb == nil {
		return nil
	}
	r.Config.Base = nb
	res.NewBase = nb
	return r.SaveConfig()
}

// rebaseTensors replays one commit's change of a safetensors file: the
// file went from parent to theirs in the commit, and is ours on the new
// line. Tensors are combined by modelmerge.Rebase; a tensor the commit
// holds as exact low-rank updates of the old base's file keeps them, now
// on the new base's file.
func (r *Repo) rebaseTensors(parent, ours, theirs FileEntry, oldTree, newTree map[string]FileEntry, onto string, opts MergeOptions) (FileEntry, *modelmerge.Result, *DeltaHint, error) {
	prefer := opts.Prefer
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	open := func(f FileEntry, lr map[string][]delta.Term) (modelmerge.Version, error) {
		v, c, err := r.version(f, lr)
		if err == nil {
			closers = append(closers, c)
		}
		return v, err
	}
	var lr map[string][]delta.Term
	var lrBase *modelmerge.Version
	oldF, oldOK := oldTree[theirs.Path]
	newF, newOK := newTree[theirs.Path]
	if oldOK && newOK {
		var err error
		if lr, err = r.lowRankOf(theirs, oldF); err != nil {
			return FileEntry{}, nil, nil, err
		}
		if len(lr) > 0 {
			if r.LocalObject(newF, opts.Fetch) != nil {
				lr = nil
			} else {
				v, err := open(newF, nil)
				if err != nil {
					return FileEntry{}, nil, nil, err
				}
				lrBase = &v
			}
		}
	}
	pv, err := open(parent, nil)
	if err != nil {
		return FileEntry{}, nil, nil, err
	}
	tv, err := open(theirs, lr)
	if err != nil {
		return FileEntry{}, nil, nil, err
	}
	ov, err := open(ours, nil)
	if err != nil {
		return FileEntry{}, nil, nil, err
	}
	// prefer: 0 keeps the new line's version ("ours"), 1 the replayed
	// commit's ("theirs").
	var res *modelmerge.Result
	f, err := r.storeMerged(theirs.Path, theirs.Mode, func(w io.Writer) error {
		var err error
		res, err = modelmerge.RebaseOnto(w, pv, tv, ov, lrBase, prefer)
		return err
	})
	if err != nil {
		return FileEntry{}, nil, nil, err
	}
	var hint *DeltaHint
	if newOK {
		hint = &DeltaHint{RefCommit: onto, RefPath: theirs.Path, LowRank: res.LowRank}
	}
	return f, res, hint, nil
}

func treeOf(files []FileEntry) map[string]FileEntry {
	m := make(map[string]FileEntry, len(files))
	for _, f := range files {
		m[f.Path] = f
	}
	return m
}
