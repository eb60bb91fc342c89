package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// racyWindow is how close to the index's save time a file's mtime may be
// before the file is hashed again instead of trusted by its metadata: it
// covers file systems that keep coarse modification times.
const racyWindow = 2 * time.Second

// WorkFile is a regular file found in the working tree.
type WorkFile struct {
	Path  string // slash path relative to the root
	Size  int64
	MTime int64
	Mode  Mode
}

func workFileFrom(rel string, info fs.FileInfo) WorkFile {
	mode := ModeFile
	if info.Mode().Perm()&0o111 != 0 {
		mode = ModeExec
	}
	return WorkFile{Path: rel, Size: info.Size(), MTime: info.ModTime().UnixNano(), Mode: mode}
}

// Scan lists the regular files of the working tree under dir (a slash path
// relative to the root, "" for everything), leaving out the store, nested
// .git directories and ignored paths. Symbolic links and other special
// files are reported in skipped.
func (r *Repo) Scan(dir string, ig *Ignore) (files map[string]WorkFile, skipped []string, err error) {
	files = make(map[string]WorkFile)
	start := filepath.Join(r.Root, filepath.FromSlash(dir))
	err = filepath.WalkDir(start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == start {
				return nil
			}
			return err
		}
		rel, err := filepath.Rel(r.Root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if name == DirName || name == ".git" || strings.HasPrefix(name, ".agigit-init-") {
				return filepath.SkipDir
			}
			if ig.Match(rel, true) {
				return filepath.SkipDir
			}
			return nil
		}
		if ig.Match(rel, false) {
			return nil
		}
		if !d.Type().IsRegular() {
			skipped = append(skipped, rel)
			return nil
		}
		if ValidatePath(rel) != nil {
			skipped = append(skipped, rel)
			return nil
		}
		info, err := d.Info()
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		files[rel] = workFileFrom(rel, info)
		return nil
	})
	return files, skipped, err
}

// ChangeKind is how a path differs between two trees.
type ChangeKind int

const (
	Added ChangeKind = iota
	Modified
	Deleted
)

func (k ChangeKind) String() string {
	switch k {
	case Added:
		return "new file"
	case Modified:
		return "modified"
	case Deleted:
		return "deleted"
	}
	return "?"
}

// Change is one changed path.
type Change struct {
	Path string
	Kind ChangeKind
}

// Status is what git status shows.
type Status struct {
	Head Head
	// Staged are the differences between HEAD's tree and the index.
	Staged []Change
	// Unstaged are the differences between the index and the working tree.
	Unstaged []Change
	// Untracked are working tree files not in the index.
	Untracked []string
}

// Clean reports a working tree identical to HEAD.
func (s *Status) Clean() bool {
	return len(s.Staged) == 0 && len(s.Unstaged) == 0 && len(s.Untracked) == 0
}

// HeadTree returns HEAD's files by path (empty on an unborn branch).
func (r *Repo) HeadTree() (Head, map[string]FileEntry, error) {
	h, err := r.ReadHead()
	if err != nil {
		return h, nil, err
	}
	if h.Commit == "" {
		return h, map[string]FileEntry{}, nil
	}
	c, err := r.LoadCommit(h.Commit)
	if err != nil {
		return h, nil, err
	}
	if c.Encrypted && c.Files == nil {
		return h, nil, fmt.Errorf("HEAD %s is private and this key cannot read it", h.Commit)
	}
	return h, c.Tree(), nil
}

// DiffTrees lists the changes from tree a to tree b, sorted by path.
func DiffTrees(a, b map[string]FileEntry) []Change {
	var out []Change
	for p, fa := range a {
		fb, ok := b[p]
		switch {
		case !ok:
			out = append(out, Change{p, Deleted})
		case fa.ID != fb.ID || fa.Mode != fb.Mode:
			out = append(out, Change{p, Modified})
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			out = append(out, Change{p, Added})
		}
	}
	slices.SortFunc(out, func(x, y Change) int { return strings.Compare(x.Path, y.Path) })
	return out
}

// fileState compares a working file with its index entry, hashing it only
// when its metadata cannot vouch for it. refreshed is set when the entry's
// metadata was updated after a hash proved the file unchanged.
func (r *Repo) fileState(ix *Index, e *IndexEntry, wf WorkFile) (changed, refreshed bool, err error) {
	if wf.Mode != e.Mode || uint64(wf.Size) != e.Size {
		return true, false, nil
	}
	racy := e.MTime >= ix.Saved-int64(racyWindow)
	if wf.MTime == e.MTime && !racy {
		return false, false, nil
	}
	id, _, err := HashFile(filepath.Join(r.Root, filepath.FromSlash(wf.Path)))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return true, false, nil
		}
		return false, false, err
	}
	if id != e.ID {
		return true, false, nil
	}
	if wf.MTime != e.MTime || racy {
		e.MTime = wf.MTime
		return false, true, nil
	}
	return false, false, nil
}

// Status compares HEAD, the index and the working tree. Index entries
// proven unchanged by hashing get their metadata refreshed and the index
// is saved, so the next status is fast.
func (r *Repo) Status() (*Status, error) {
	h, head, err := r.HeadTree()
	if err != nil {
		return nil, err
	}
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
	st := &Status{Head: h}
	staged := make(map[string]FileEntry, ix.Len())
	for _, f := range ix.Files() {
		staged[f.Path] = f
	}
	st.Staged = DiffTrees(head, staged)
	dirty := false
	for _, p := range ix.Paths() {
		e := ix.Get(p)
		wf, ok := work[p]
		if !ok {
			st.Unstaged = append(st.Unstaged, Change{p, Deleted})
			continue
		}
		changed, refreshed, err := r.fileState(ix, e, wf)
		if err != nil {
			return nil, err
		}
		dirty = dirty || refreshed
		if changed {
			st.Unstaged = append(st.Unstaged, Change{p, Modified})
		}
	}
	for p := range work {
		if ix.Get(p) == nil {
			st.Untracked = append(st.Untracked, p)
		}
	}
	slices.Sort(st.Untracked)
	if dirty {
		// Best effort: another command holding the lock may be writing the
		// index; then the refresh waits for a later status.
		if unlock, err := r.Lock(); err == nil {
			err = r.SaveIndex(ix)
			unlock()
			if err != nil {
				return nil, err
			}
		}
	}
	return st, nil
}

// RelPath turns a path given on the command line (relative to cwd) into a
// slash path relative to the working tree's root ("" for the root itself).
func (r *Repo) RelPath(cwd, arg string) (string, error) {
	p := arg
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	p = filepath.Clean(p)
	rel, err := filepath.Rel(r.Root, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("'%s' is outside repository at '%s'", arg, r.Root)
	}
	rel = filepath.ToSlash(rel)
	if rel == "." {
		return "", nil
	}
	if rel == DirName || strings.HasPrefix(rel, DirName+"/") {
		return "", fmt.Errorf("'%s' is inside the repository store", arg)
	}
	return rel, nil
}

// AddResult reports what Add staged.
type AddResult struct {
	Added, Modified, Removed []string
	Skipped                  []string
}

// AddOptions tune Add.
type AddOptions struct {
	// Force stages ignored files named explicitly.
	Force bool
	// OnlyTracked stages changes to tracked files only (commit -a).
	OnlyTracked bool
	// Progress, if set, is called before each file is hashed.
	Progress func(path string, size int64)
}

// PathspecError says a path named nothing.
type PathspecError struct{ Arg string }

func (e *PathspecError) Error() string {
	return fmt.Sprintf("pathspec '%s' did not match any files", e.Arg)
}

// Add stages paths (slash paths relative to the root; "" is everything):
// new and changed files are copied into the object store, vanished tracked
// files are removed from the index. The caller holds the lock.
func (r *Repo) Add(paths []string, opts AddOptions) (*AddResult, error) {
	ix, err := r.LoadIndex()
	if err != nil {
		return nil, err
	}
	ig, err := r.LoadIgnore()
	if err != nil {
		return nil, err
	}
	res := &AddResult{}
	for _, p := range paths {
		if err := r.addOne(ix, ig, p, opts, res); err != nil {
			return nil, err
		}
	}
	if err := r.SaveIndex(ix); err != nil {
		return nil, err
	}
	return res, nil
}

func (r *Repo) addOne(ix *Index, ig *Ignore, p string, opts AddOptions, res *AddResult) error {
	abs := filepath.Join(r.Root, filepath.FromSlash(p))
	info, err := os.Lstat(abs)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var work map[string]WorkFile
	isDir := false
	switch {
	case err != nil:
		work = map[string]WorkFile{}
	case info.IsDir():
		isDir = true
		var skipped []string
		work, skipped, err = r.Scan(p, ig)
		if err != nil {
			return err
		}
		res.Skipped = append(res.Skipped, skipped...)
	case info.Mode().IsRegular():
		if ig.Match(p, false) && !opts.Force && ix.Get(p) == nil {
			return fmt.Errorf("the path '%s' is ignored by %s (use -f to add it anyway)", p, IgnoreFile)
		}
		if err := ValidatePath(p); err != nil {
			return err
		}
		work = map[string]WorkFile{p: workFileFrom(p, info)}
	default:
		res.Skipped = append(res.Skipped, p)
		return nil
	}
	// Tracked paths under p that are gone from the working tree.
	var tracked []string
	for _, tp := range ix.Paths() {
		if p == "" || tp == p || strings.HasPrefix(tp, p+"/") {
			tracked = append(tracked, tp)
		}
	}
	if len(work) == 0 && len(tracked) == 0 && !isDir {
		return &PathspecError{Arg: p}
	}
	for _, tp := range tracked {
		if _, ok := work[tp]; !ok {
			ix.Remove(tp)
			res.Removed = append(res.Removed, tp)
		}
	}
	names := make([]string, 0, len(work))
	for wp := range work {
		names = append(names, wp)
	}
	slices.Sort(names)
	for _, wp := range names {
		wf := work[wp]
		old := ix.Get(wp)
		if old == nil && opts.OnlyTracked {
			continue
		}
		if old != nil {
			changed, _, err := r.fileState(ix, old, wf)
			if err != nil {
				return err
			}
			if !changed {
				continue
			}
		}
		if opts.Progress != nil {
			opts.Progress(wp, wf.Size)
		}
		st, err := r.StoreFile(filepath.Join(r.Root, filepath.FromSlash(wp)))
		if err != nil {
			return err
		}
		// Record the metadata seen before the copy: if the file changed
		// since, the next status hashes it again.
		e := &IndexEntry{Path: wp, ID: st.ID, Size: st.Size, Mode: wf.Mode, MTime: wf.MTime, Extra: st.Extra}
		if old == nil {
			res.Added = append(res.Added, wp)
		} else if old.ID != st.ID || old.Mode != wf.Mode {
			res.Modified = append(res.Modified, wp)
		}
		ix.Set(e)
	}
	return nil
}

// Remove unstages paths and, unless cached, deletes them from the working
// tree. The caller holds the lock.
func (r *Repo) Remove(paths []string, cached bool) ([]string, error) {
	ix, err := r.LoadIndex()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, p := range paths {
		var matched []string
		for _, tp := range ix.Paths() {
			if p == "" || tp == p || strings.HasPrefix(tp, p+"/") {
				matched = append(matched, tp)
			}
		}
		if len(matched) == 0 {
			return nil, &PathspecError{Arg: p}
		}
		for _, tp := range matched {
			ix.Remove(tp)
			removed = append(removed, tp)
			if !cached {
				abs := filepath.Join(r.Root, filepath.FromSlash(tp))
				if err := os.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return nil, err
				}
				r.pruneEmptyDirs(filepath.Dir(abs))
			}
		}
	}
	return removed, r.SaveIndex(ix)
}

// pruneEmptyDirs removes empty directories from dir up to the root.
func (r *Repo) pruneEmptyDirs(dir string) {
	for d := dir; len(d) > len(r.Root) && strings.HasPrefix(d, r.Root); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			return
		}
	}
}
