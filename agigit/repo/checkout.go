package repo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// CheckoutOptions tune Checkout.
type CheckoutOptions struct {
	// Force discards local changes to tracked files and overwrites
	// untracked files in the way.
	Force bool
	// Fetch brings objects missing from the local store into it, from the
	// relays. Without it, a missing object fails the checkout.
	Fetch func(files []FileEntry) error
	// Branch is the branch HEAD will point to; empty detaches HEAD at the
	// target commit.
	Branch string
}

// CheckoutConflictError lists the paths a checkout would overwrite.
type CheckoutConflictError struct {
	Changed   []string // tracked files with local changes
	Untracked []string // untracked files in the way
}

func (e *CheckoutConflictError) Error() string {
	var b strings.Builder
	if len(e.Changed) > 0 {
		b.WriteString("Your local changes to the following files would be overwritten by checkout:\n")
		for _, p := range e.Changed {
			b.WriteString("\t" + p + "\n")
		}
		b.WriteString("Please commit your changes before you switch branches.\n")
	}
	if len(e.Untracked) > 0 {
		b.WriteString("The following untracked working tree files would be overwritten by checkout:\n")
		for _, p := range e.Untracked {
			b.WriteString("\t" + p + "\n")
		}
		b.WriteString("Please move or remove them before you switch branches.\n")
	}
	b.WriteString("Aborting (use --force to discard them)")
	return b.String()
}

// CheckoutResult reports what a checkout wrote.
type CheckoutResult struct {
	Written, Removed int
	// Kept are paths whose local changes were carried over.
	Kept []string
}

// Checkout makes the working tree and index match the target commit and
// points HEAD at opts.Branch (or at the commit, detached). Local changes to
// files the checkout does not touch are kept, as git does; changes it would
// overwrite stop it before anything is written, unless opts.Force is set.
// The caller holds the lock.
func (r *Repo) Checkout(target string, opts CheckoutOptions) (*CheckoutResult, error) {
	_, head, err := r.HeadTree()
	if err != nil && !opts.Force {
		return nil, err
	}
	if head == nil {
		head = map[string]FileEntry{}
	}
	tc, err := r.LoadCommit(target)
	if err != nil {
		return nil, err
	}
	if tc.Encrypted && tc.Files == nil {
		return nil, fmt.Errorf("commit %s: %w", target, ErrNoRepoKey)
	}
	want := tc.Tree()
	ix, err := r.LoadIndex()
	if err != nil {
		return nil, err
	}
	ig, err := r.LoadIgnore()
	if err != nil {
		return nil, err
	}
	work, _, err := r.Scan("", ig)
	if err != nil {
		return nil, err
	}

	// The paths the checkout changes: where HEAD and the target differ, or
	// with force every path known anywhere.
	touched := make(map[string]bool)
	for _, ch := range DiffTrees(head, want) {
		touched[ch.Path] = true
	}
	if opts.Force {
		for p := range head {
			touched[p] = true
		}
		for _, p := range ix.Paths() {
			touched[p] = true
		}
		for p := range want {
			touched[p] = true
		}
	}

	// clean reports whether a tracked path's working file matches its
	// index entry.
	cleanCache := make(map[string]bool)
	clean := func(p string) (bool, error) {
		if v, ok := cleanCache[p]; ok {
			return v, nil
		}
		e := ix.Get(p)
		wf, ok := work[p]
		var v bool
		switch {
		case e == nil:
			v = !ok
		case !ok:
			v = false
		default:
			changed, _, err := r.fileState(ix, e, wf)
			if err != nil {
				return false, err
			}
			v = !changed
		}
		cleanCache[p] = v
		return v, nil
	}
	sameEntry := func(e *IndexEntry, f FileEntry, ok bool) bool {
		if e == nil {
			return !ok
		}
		return ok && e.ID == f.ID && e.Mode == f.Mode
	}

	if !opts.Force {
		conflict := &CheckoutConflictError{}
		for _, p := range sortedKeys(touched) {
			t, inT := want[p]
			h, inH := head[p]
			e := ix.Get(p)
			isClean, err := clean(p)
			if err != nil {
				return nil, err
			}
			if e == nil && !inH {
				// Untracked in HEAD and index: only an untracked file in
				// the target's way matters.
				if wf, ok := work[p]; ok && inT {
					if same, err := r.sameContent(wf, t); err != nil {
						return nil, err
					} else if !same {
						conflict.Untracked = append(conflict.Untracked, p)
					}
				}
				continue
			}
			local := !sameEntry(e, h, inH) || !isClean
			if local && !(sameEntry(e, t, inT) && isClean) {
				conflict.Changed = append(conflict.Changed, p)
			}
		}
		// A target file whose parent is an untracked file, or a target
		// file where an untracked directory sits.
		for p := range want {
			if _, inH := head[p]; inH {
				continue
			}
			for d := parentDir(p); d != ""; d = parentDir(d) {
				if _, tracked := head[d]; tracked {
					continue
				}
				if _, ok := work[d]; ok && ix.Get(d) == nil {
					conflict.Untracked = append(conflict.Untracked, d)
				}
			}
			if st, err := os.Lstat(r.abs(p)); err == nil && st.IsDir() {
				conflict.Untracked = append(conflict.Untracked, p+"/")
			}
		}
		if len(conflict.Changed) > 0 || len(conflict.Untracked) > 0 {
			slices.Sort(conflict.Untracked)
			conflict.Untracked = slices.Compact(conflict.Untracked)
			return nil, conflict
		}
	}

	// Which files need writing, and which objects are missing.
	var toWrite []FileEntry
	var missing []FileEntry
	for _, p := range sortedKeys(touched) {
		t, inT := want[p]
		if !inT {
			continue
		}
		if e := ix.Get(p); e != nil && e.ID == t.ID && e.Mode == t.Mode {
			if ok, err := clean(p); err != nil {
				return nil, err
			} else if ok {
				continue // already there
			}
		}
		toWrite = append(toWrite, t)
		if !r.Available(t.ID) {
			missing = append(missing, t)
		}
	}
	if len(missing) > 0 {
		if opts.Fetch == nil {
			return nil, fmt.Errorf("%d file(s) of commit %s are not in the local store (first: %s); run agigit pull", len(missing), short(target), missing[0].Path)
		}
		if err := opts.Fetch(dedupByID(missing)); err != nil {
			return nil, err
		}
		for _, f := range missing {
			if !r.Available(f.ID) {
				return nil, fmt.Errorf("%s: %w", f.Path, &MissingObjectError{ID: f.ID})
			}
		}
	}

	// Clean files about to be replaced or removed whose content the store
	// lacks (they came from the relays) move into the store, so nothing
	// checked out is lost locally.
	for _, p := range sortedKeys(touched) {
		e := ix.Get(p)
		if e == nil || r.HasObject(e.ID) {
			continue
		}
		if t, ok := want[p]; ok && t.ID == e.ID && t.Mode == e.Mode {
			continue
		}
		if ok, err := clean(p); err != nil || !ok {
			continue
		}
		if err := r.ImportObject(r.abs(p), e.ID); err != nil {
			return nil, fmt.Errorf("keep %s: %w", p, err)
		}
		delete(work, p)
	}
	uses := make(map[merkle.ID]int)
	for _, f := range toWrite {
		uses[f.ID]++
	}

	res := &CheckoutResult{}
	// Removals first, so a file can give way to a directory.
	for _, p := range sortedKeys(touched) {
		if _, inT := want[p]; inT {
			continue
		}
		_, inH := head[p]
		if !inH && ix.Get(p) == nil {
			continue
		}
		if err := os.Remove(r.abs(p)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("remove %s: %w", p, err)
		}
		r.pruneEmptyDirs(filepath.Dir(r.abs(p)))
		ix.Remove(p)
		res.Removed++
	}
	for _, f := range toWrite {
		uses[f.ID]--
		wf, err := r.writeWorkFile(f, opts.Force, uses[f.ID] == 0)
		if err != nil {
			return nil, err
		}
		ix.Set(&IndexEntry{Path: f.Path, ID: f.ID, Size: f.Size, Mode: f.Mode, MTime: wf.MTime, Extra: f.Extra})
		res.Written++
	}
	for p := range touched {
		if t, ok := want[p]; ok && ix.Get(p) != nil && ix.Get(p).ID == t.ID {
			ix.Get(p).Extra = t.Extra
		}
	}
	for _, p := range ix.Paths() {
		if !touched[p] {
			if ok, _ := clean(p); !ok || !sameEntry(ix.Get(p), head[p], hasKey(head, p)) {
				res.Kept = append(res.Kept, p)
			}
		}
	}
	if err := r.SaveIndex(ix); err != nil {
		return nil, err
	}
	if opts.Branch != "" {
		err = r.SetHeadBranch(opts.Branch)
	} else {
		err = r.SetHeadDetached(target)
	}
	return res, err
}

func hasKey(m map[string]FileEntry, k string) bool { _, ok := m[k]; return ok }

func (r *Repo) abs(p string) string { return filepath.Join(r.Root, filepath.FromSlash(p)) }

func (r *Repo) sameContent(wf WorkFile, f FileEntry) (bool, error) {
	if uint64(wf.Size) != f.Size {
		return false, nil
	}
	id, _, err := HashFile(r.abs(wf.Path))
	if err != nil {
		return false, err
	}
	return id == f.ID, nil
}

// writeWorkFile writes an object to its working tree path through a
// temporary file and a rename. Parent directories are created; a symbolic
// link or file where a directory belongs is an error (with force, a file
// there is replaced), so a checkout never writes outside the working tree.
func (r *Repo) writeWorkFile(f FileEntry, force, lastUse bool) (WorkFile, error) {
	if err := ValidatePath(f.Path); err != nil {
		return WorkFile{}, err
	}
	dir := r.Root
	comps := strings.Split(f.Path, "/")
	for _, c := range comps[:len(comps)-1] {
		dir = filepath.Join(dir, c)
		st, err := os.Lstat(dir)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if err := os.Mkdir(dir, 0o755); err != nil {
				return WorkFile{}, err
			}
		case err != nil:
			return WorkFile{}, err
		case st.IsDir():
		case force && st.Mode().IsRegular():
			if err := os.Remove(dir); err != nil {
				return WorkFile{}, err
			}
			if err := os.Mkdir(dir, 0o755); err != nil {
				return WorkFile{}, err
			}
		default:
			return WorkFile{}, fmt.Errorf("cannot write %s: %s is not a directory", f.Path, dir)
		}
	}
	final := filepath.Join(dir, comps[len(comps)-1])
	if st, err := os.Lstat(final); err == nil && st.IsDir() {
		if !force {
			return WorkFile{}, fmt.Errorf("cannot write %s: a directory is in the way", f.Path)
		}
		if err := os.RemoveAll(final); err != nil {
			return WorkFile{}, err
		}
	}
	perm := os.FileMode(0o644)
	if f.Mode == ModeExec {
		perm = 0o755
	}
	if fetched := r.FetchedPath(f.ID); !r.HasObject(f.ID) {
		if !lastUse {
			// Another path needs it too: keep it in the store and copy.
			if err := r.ImportObject(fetched, f.ID); err != nil {
				return WorkFile{}, err
			}
		} else {
			if err := os.Chmod(fetched, perm); err != nil {
				return WorkFile{}, err
			}
			if err := os.Rename(fetched, final); err != nil {
				return WorkFile{}, fmt.Errorf("write %s: %w", f.Path, err)
			}
			info, err := os.Stat(final)
			if err != nil {
				return WorkFile{}, err
			}
			return workFileFrom(f.Path, info), nil
		}
	}
	src, err := r.OpenObject(f.ID)
	if err != nil {
		return WorkFile{}, err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(dir, ".agigit-write-*")
	if err != nil {
		return WorkFile{}, err
	}
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// io.Copy between files lets the kernel copy (copy_file_range), which
	// shares extents on file systems that support it.
	n, err := io.Copy(tmp, src)
	if err != nil {
		return WorkFile{}, fmt.Errorf("write %s: %w", f.Path, err)
	}
	if uint64(n) != f.Size {
		return WorkFile{}, fmt.Errorf("object %s has %d bytes, the tree says %d", f.ID, n, f.Size)
	}
	if err := tmp.Chmod(perm); err != nil {
		return WorkFile{}, err
	}
	if err := tmp.Close(); err != nil {
		return WorkFile{}, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return WorkFile{}, err
	}
	ok = true
	info, err := os.Stat(final)
	if err != nil {
		return WorkFile{}, err
	}
	return workFileFrom(f.Path, info), nil
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func dedupByID(files []FileEntry) []FileEntry {
	seen := make(map[string]bool)
	var out []FileEntry
	for _, f := range files {
		k := f.ID.String()
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
