package repo

import (
	"container/heap"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/nbd-wtf/go-nostr"
)

// Signer signs events with the user's key.
type Signer interface {
	Sign(ev *nostr.Event) error
}

// ErrNothingToCommit is returned when the index equals HEAD's tree.
var ErrNothingToCommit = errors.New("nothing to commit")

// CreateCommit records the index as a new commit on top of HEAD, signs it,
// stores it and moves the current branch (or detached HEAD) to it. The
// caller holds the lock.
func (r *Repo) CreateCommit(signer Signer, message string, now time.Time) (*Commit, error) {
	h, head, err := r.HeadTree()
	if err != nil {
		return nil, err
	}
	ix, err := r.LoadIndex()
	if err != nil {
		return nil, err
	}
	files := ix.Files()
	staged := make(map[string]FileEntry, len(files))
	for _, f := range files {
		staged[f.Path] = f
	}
	if h.Commit != "" && len(DiffTrees(head, staged)) == 0 {
		return nil, ErrNothingToCommit
	}
	if h.Commit == "" && len(files) == 0 {
		return nil, ErrNothingToCommit
	}
	// New content must be in the store (add put it there); files as HEAD
	// has them may live only in the working tree and on the relays.
	for _, f := range files {
		if h, ok := head[f.Path]; ok && h.ID == f.ID {
			continue
		}
		if !r.HasObject(f.ID) {
			return nil, fmt.Errorf("staged file %s: %w (run agigit add again)", f.Path, &MissingObjectError{ID: f.ID})
		}
	}
	nc := NewCommit{
		Repo:    r.Config.Address(),
		Base:    r.Config.Base,
		Message: message,
		Files:   files,
		Time:    now,
	}
	if h.Commit != "" {
		nc.Parents = []string{h.Commit}
		// Commit times never go backwards along a branch, so ordering by
		// time agrees with ancestry even when clocks disagree.
		if p, err := r.LoadCommit(h.Commit); err == nil && now.Unix() <= p.Time.Unix() {
			nc.Time = p.Time.Add(time.Second)
		}
	}
	sealer, err := r.Sealer()
	if err != nil {
		return nil, err
	}
	ev, err := BuildCommitEvent(nc, sealer)
	if err != nil {
		return nil, err
	}
	if err := signer.Sign(ev); err != nil {
		return nil, err
	}
	if err := r.SaveCommitEvent(ev); err != nil {
		return nil, err
	}
	if err := r.AdvanceHead(ev.ID); err != nil {
		return nil, err
	}
	return DecodeCommit(ev, sealer)
}

// commitQueue orders commits newest first (ties by id), as git log does.
type commitQueue []*Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if !q[i].Time.Equal(q[j].Time) {
		return q[i].Time.After(q[j].Time)
	}
	return q[i].ID < q[j].ID
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// Walk visits the commits reachable from starts, newest first, until visit
// returns false. Parents missing from the local store are reported in
// missing and not followed (a shallow history or a base not fetched yet).
func (r *Repo) Walk(starts []string, visit func(*Commit) bool) (missing []string, err error) {
	seen := make(map[string]bool)
	q := &commitQueue{}
	push := func(id string) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		c, err := r.LoadCommit(id)
		if errors.Is(err, ErrCommitNotFound) {
			missing = append(missing, id)
			return nil
		}
		if err != nil {
			return err
		}
		heap.Push(q, c)
		return nil
	}
	for _, s := range starts {
		if err := push(s); err != nil {
			return nil, err
		}
	}
	for q.Len() > 0 {
		c := heap.Pop(q).(*Commit)
		if !visit(c) {
			return missing, nil
		}
		for _, p := range c.Parents {
			if err := push(p); err != nil {
				return nil, err
			}
		}
	}
	return missing, nil
}

// IsAncestor reports whether a is b or an ancestor of b.
func (r *Repo) IsAncestor(a, b string) (bool, error) {
	found := false
	_, err := r.Walk([]string{b}, func(c *Commit) bool {
		if c.ID == a {
			found = true
			return false
		}
		return true
	})
	return found, err
}

// AllRefs returns local branches and tags plus HEAD, for decorating logs
// and for choosing what to push.
func (r *Repo) AllRefs() (map[string]string, error) {
	out := make(map[string]string)
	for _, prefix := range []string{HeadsPrefix, TagsPrefix, RelayHeadsPrefix, RelayTagsPrefix} {
		m, err := r.ListRefs(prefix)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, m)
	}
	return out, nil
}

// SealHistory makes a repository's unpublished history private: every
// commit the local branches and tags reach that is not encrypted yet is
// made again with its message and tree encrypted by sealer (commits of
// other repositories, a fork's base history, are left as they are), signed by
// signer, keeping its time, parents (rewritten) and base; refs and a
// detached HEAD follow. Commit ids change, which is why this is only done
// before anything is published. It fails on a commit by another author (a
// fork's base history), which cannot be re-signed. Running it again after a
// crash finishes the job. It returns the number of commits rewritten.
func (r *Repo) SealHistory(signer Signer, author string, sealer Sealer) (int, error) {
	refs := make(map[string]string)
	for _, prefix := range []string{HeadsPrefix, TagsPrefix} {
		m, err := r.ListRefs(prefix)
		if err != nil {
			return 0, err
		}
		maps.Copy(refs, m)
	}
	h, err := r.ReadHead()
	if err != nil {
		return 0, err
	}
	var tips []string
	for _, id := range refs {
		tips = append(tips, id)
	}
	if h.Branch == "" && h.Commit != "" {
		tips = append(tips, h.Commit)
	}
	// Parents before children: a depth-first post-order.
	var order []*Commit
	seen := make(map[string]bool)
	var visit func(id string) error
	visit = func(id string) error {
		if seen[id] {
			return nil
		}
		seen[id] = true
		c, err := r.LoadCommit(id)
		if err != nil {
			return err
		}
		for _, p := range c.Parents {
			if err := visit(p); err != nil {
				return err
			}
		}
		order = append(order, c)
		return nil
	}
	for _, t := range tips {
		if err := visit(t); err != nil {
			return 0, err
		}
	}
	newID := make(map[string]string)
	n := 0
	for _, c := range order {
		parents := make([]string, len(c.Parents))
		changed := false
		for i, p := range c.Parents {
			parents[i] = p
			if np, ok := newID[p]; ok {
				parents[i], changed = np, true
			}
		}
		if c.Repo != r.Config.Address() || (c.Encrypted && !changed) {
			continue // the base's history stays as its owner made it
		}
		if c.Author != author {
			return n, fmt.Errorf("commit %s is by another author and cannot be made private; use 'agigit fork --private'", short(c.ID))
		}
		if c.Encrypted && c.Files == nil {
			return n, fmt.Errorf("commit %s: %w", short(c.ID), ErrNoRepoKey)
		}
		ev, err := BuildCommitEvent(NewCommit{Repo: c.Repo, Parents: parents, Base: c.Base, Message: c.Message, Files: c.Files, Time: c.Time}, sealer)
		if err != nil {
			return n, err
		}
		if err := signer.Sign(ev); err != nil {
			return n, err
		}
		if err := r.SaveCommitEvent(ev); err != nil {
			return n, err
		}
		newID[c.ID] = ev.ID
		n++
	}
	for name, id := range refs {
		if nid, ok := newID[id]; ok {
			if err := r.UpdateRef(name, nid); err != nil {
				return n, err
			}
		}
	}
	if h.Branch == "" && h.Commit != "" {
		if nid, ok := newID[h.Commit]; ok {
			if err := r.SetHeadDetached(nid); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
