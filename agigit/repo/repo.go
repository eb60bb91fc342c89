// Package repo is agigit's local repository: a working directory of files and
// the store under its .agigit directory (configuration, the object cache,
// the index, refs, HEAD and the signed commit events).
//
// Layout of .agigit:
//
//	config            repository configuration (JSON)
//	HEAD              "ref: refs/heads/<branch>" or a commit id (detached)
//	index             the staging area (JSON)
//	refs/heads/NAME   local branches
//	refs/tags/NAME    tags
//	refs/relays/...   the refs last fetched from the relays (heads/, tags/)
//	objects/ab/cd...  file contents by object id (read-only files)
//	commits/ab/cd...  signed commit events (kind 3617), by commit id
//	state/            other repository state (fetched events, push journal)
//	tmp/              temporary files, renamed into place when complete
//	lock              held (flock) by commands that change the repository
//
// Every file is written to tmp/ first, fsynced and renamed into place, so a
// crash never leaves a torn object, commit or ref behind.
package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// DirName is the name of the store directory at a working tree's root.
const DirName = ".agigit"

// ErrNotRepo is returned by Open outside of any repository.
var ErrNotRepo = errors.New("not an agigit repository (or any of the parent directories): " + DirName)

// Repo is an opened repository.
type Repo struct {
	// Root is the working tree's root directory (absolute).
	Root string
	// Dir is the store directory, Root/.agigit.
	Dir    string
	Config *Config
}

// InitOptions configure a new repository.
type InitOptions struct {
	// Name is the repository identifier (the NIP-34 "d" tag).
	Name string
	// Owner is the owner's public key (hex); it signs the repository state.
	Owner string
	// Base names the repository's base commit, when it is a fork or a
	// fine-tune of another repository.
	Base *BaseRef
	// Private makes pushed objects and commit contents encrypted.
	Private bool
	// Recipients are extra public keys (hex) that may read a private
	// repository besides its owner.
	Recipients []string
	// Branch is the initial branch; "main" when empty.
	Branch string
}

// Init creates a repository whose working tree is dir. It fails if dir
// already holds one.
func Init(dir string, opts InitOptions) (*Repo, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("create %s: %w", root, err)
	}
	store := filepath.Join(root, DirName)
	if _, err := os.Stat(store); err == nil {
		return nil, fmt.Errorf("%s already holds an agigit repository", root)
	}
	if opts.Name == "" {
		opts.Name = DefaultName(root)
	}
	if err := ValidateName(opts.Name); err != nil {
		return nil, err
	}
	if opts.Branch == "" {
		opts.Branch = "main"
	}
	if err := ValidateRefName(opts.Branch); err != nil {
		return nil, err
	}
	cfg := &Config{
		Version:    ConfigVersion,
		Name:       opts.Name,
		Owner:      opts.Owner,
		Base:       opts.Base,
		Private:    opts.Private,
		Recipients: opts.Recipients,
	}
	// Build the store under a temporary name and rename it into place, so a
	// half-initialized repository is never mistaken for a real one.
	tmpStore, err := os.MkdirTemp(root, ".agigit-init-")
	if err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	defer os.RemoveAll(tmpStore)
	for _, d := range []string{"refs/heads", "refs/tags", "refs/relays/heads", "refs/relays/tags", "objects", "commits", "state", "tmp"} {
		if err := os.MkdirAll(filepath.Join(tmpStore, d), 0o755); err != nil {
			return nil, fmt.Errorf("init: %w", err)
		}
	}
	r := &Repo{Root: root, Dir: tmpStore, Config: cfg}
	if err := r.SaveConfig(); err != nil {
		return nil, err
	}
	if err := r.writeFile("HEAD", []byte("ref: refs/heads/"+opts.Branch+"\n"), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmpStore, store); err != nil {
		return nil, fmt.Errorf("init: %w", err)
	}
	if err := syncDir(root); err != nil {
		return nil, err
	}
	r.Dir = store
	return r, nil
}

// Open finds the repository containing dir (dir or one of its parents).
func Open(dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for d := abs; ; {
		st, err := os.Stat(filepath.Join(d, DirName))
		if err == nil && st.IsDir() {
			return openAt(d)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open repository: %w", err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return nil, ErrNotRepo
		}
		d = parent
	}
}

func openAt(root string) (*Repo, error) {
	r := &Repo{Root: root, Dir: filepath.Join(root, DirName)}
	cfg, err := r.loadConfig()
	if err != nil {
		return nil, err
	}
	r.Config = cfg
	return r, nil
}

// DefaultName makes a repository identifier from a directory name.
func DefaultName(dir string) string {
	base := filepath.Base(dir)
	var b strings.Builder
	for _, c := range strings.ToLower(base) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			b.WriteRune(c)
		default:
			b.WriteRune('-')
		}
	}
	s := strings.Trim(b.String(), "-.")
	if s == "" {
		return "model"
	}
	if len(s) > MaxNameLen {
		s = s[:MaxNameLen]
	}
	return s
}

// MaxNameLen bounds repository identifiers.
const MaxNameLen = 100

// ValidateName checks a repository identifier: 1 to 100 characters of
// letters, digits, '.', '_' and '-', so that it is safe as a "d" tag, in an
// address and as a directory name when cloned.
func ValidateName(name string) error {
	if name == "" || len(name) > MaxNameLen {
		return fmt.Errorf("invalid repository name %q: 1 to %d characters", name, MaxNameLen)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("invalid repository name %q: use letters, digits, '.', '_' and '-'", name)
		}
	}
	if name == "." || name == ".." {
		return fmt.Errorf("invalid repository name %q", name)
	}
	return nil
}

// path joins a store-relative slash path to the store directory.
func (r *Repo) path(rel string) string { return filepath.Join(r.Dir, filepath.FromSlash(rel)) }

// writeFile atomically replaces a store-relative file.
func (r *Repo) writeFile(rel string, data []byte, perm os.FileMode) error {
	return writeFileAtomic(r.path(rel), r.path("tmp"), data, perm)
}

// TempFile creates a temporary file inside the store, on the same file
// system as its final place.
func (r *Repo) TempFile(pattern string) (*os.File, error) {
	return os.CreateTemp(r.path("tmp"), pattern)
}

// StatePath is the path of a file or directory under .agigit/state, for the
// parts of agigit that keep their own state (relays, push journal).
func (r *Repo) StatePath(elem ...string) string {
	return filepath.Join(append([]string{r.Dir, "state"}, elem...)...)
}

// WriteState atomically writes a file under .agigit/state.
func (r *Repo) WriteState(name string, data []byte) error {
	p := r.StatePath(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(p, r.path("tmp"), data, 0o644)
}

// WriteStateSecret atomically writes a file under .agigit/state that only
// the user may read (it holds key material).
func (r *Repo) WriteStateSecret(name string, data []byte) error {
	p := r.StatePath(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(p, r.path("tmp"), data, 0o600)
}

// RemoveState deletes a file under .agigit/state.
func (r *Repo) RemoveState(name string) error {
	err := os.Remove(r.StatePath(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// ReadState reads a file under .agigit/state; a missing file gives
// fs.ErrNotExist.
func (r *Repo) ReadState(name string) ([]byte, error) {
	return os.ReadFile(r.StatePath(name))
}

func writeFileAtomic(path, tmpDir string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(tmpDir, "write-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	name := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(name)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	ok = true
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
