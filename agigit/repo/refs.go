package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Ref namespaces.
const (
	HeadsPrefix      = "refs/heads/"
	TagsPrefix       = "refs/tags/"
	RelayHeadsPrefix = "refs/relays/heads/"
	RelayTagsPrefix  = "refs/relays/tags/"
	MaxRefNameLen    = 200
)

// ValidateRefName checks a branch or tag name with git's rules, simplified:
// no empty or dot-led component, no "..", no control characters, spaces or
// any of ~^:?*[\ , no "@{", not ending in "/" or ".lock".
func ValidateRefName(name string) error {
	bad := func() error { return fmt.Errorf("'%s' is not a valid branch or tag name", name) }
	if name == "" || len(name) > MaxRefNameLen || name == "@" || name == "HEAD" {
		return bad()
	}
	if strings.HasPrefix(name, "-") || strings.HasSuffix(name, ".lock") || strings.HasSuffix(name, ".") {
		return bad()
	}
	if strings.Contains(name, "..") || strings.Contains(name, "@{") || strings.Contains(name, "//") {
		return bad()
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return bad()
		}
	}
	for _, comp := range strings.Split(name, "/") {
		if comp == "" || strings.HasPrefix(comp, ".") {
			return bad()
		}
	}
	return nil
}

func (r *Repo) refPath(ref string) string { return filepath.Join(r.Dir, filepath.FromSlash(ref)) }

// ReadRef returns the commit id a ref points to, or "" if it does not exist.
func (r *Repo) ReadRef(ref string) (string, error) {
	b, err := os.ReadFile(r.refPath(ref))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if !IsCommitID(id) {
		return "", fmt.Errorf("ref %s is damaged: %q", ref, id)
	}
	return id, nil
}

// UpdateRef points a ref at a commit.
func (r *Repo) UpdateRef(ref, id string) error {
	if !IsCommitID(id) {
		return fmt.Errorf("update %s: %q is not a commit id", ref, id)
	}
	return r.writeFile(ref, []byte(id+"\n"), 0o644)
}

// DeleteRef removes a ref and the directories it leaves empty.
func (r *Repo) DeleteRef(ref string) error {
	p := r.refPath(ref)
	if err := os.Remove(p); err != nil {
		return err
	}
	stop := r.refPath("refs")
	for d := filepath.Dir(p); len(d) > len(stop) && strings.HasPrefix(d, stop); d = filepath.Dir(d) {
		if os.Remove(d) != nil {
			break
		}
	}
	return nil
}

// ListRefs returns the refs under a prefix ("refs/heads/"), by full name.
func (r *Repo) ListRefs(prefix string) (map[string]string, error) {
	out := make(map[string]string)
	base := r.refPath(prefix)
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(r.Dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		id, err := r.ReadRef(name)
		if err != nil {
			return err
		}
		if id != "" {
			out[name] = id
		}
		return nil
	})
	return out, err
}

// SortedNames returns a ref map's names with prefix removed, sorted.
func SortedNames(refs map[string]string, prefix string) []string {
	var names []string
	for k := range refs {
		names = append(names, strings.TrimPrefix(k, prefix))
	}
	slices.Sort(names)
	return names
}

// Head describes HEAD: the branch it is on (empty when detached) and the
// commit it points to (empty on an unborn branch).
type Head struct {
	Branch string
	Commit string
}

// ReadHead reads HEAD.
func (r *Repo) ReadHead() (Head, error) {
	b, err := os.ReadFile(r.path("HEAD"))
	if err != nil {
		return Head{}, fmt.Errorf("read HEAD: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if ref, ok := strings.CutPrefix(s, "ref: "); ok {
		branch, ok := strings.CutPrefix(ref, HeadsPrefix)
		if !ok || ValidateRefName(branch) != nil {
			return Head{}, fmt.Errorf("HEAD is damaged: %q", s)
		}
		id, err := r.ReadRef(ref)
		if err != nil {
			return Head{}, err
		}
		return Head{Branch: branch, Commit: id}, nil
	}
	if !IsCommitID(s) {
		return Head{}, fmt.Errorf("HEAD is damaged: %q", s)
	}
	return Head{Commit: s}, nil
}

// SetHeadBranch points HEAD at a branch.
func (r *Repo) SetHeadBranch(branch string) error {
	if err := ValidateRefName(branch); err != nil {
		return err
	}
	return r.writeFile("HEAD", []byte("ref: "+HeadsPrefix+branch+"\n"), 0o644)
}

// SetHeadDetached points HEAD at a commit.
func (r *Repo) SetHeadDetached(id string) error {
	if !IsCommitID(id) {
		return fmt.Errorf("%q is not a commit id", id)
	}
	return r.writeFile("HEAD", []byte(id+"\n"), 0o644)
}

// AdvanceHead moves the current branch (or the detached HEAD) to id.
func (r *Repo) AdvanceHead(id string) error {
	h, err := r.ReadHead()
	if err != nil {
		return err
	}
	if h.Branch == "" {
		return r.SetHeadDetached(id)
	}
	return r.UpdateRef(HeadsPrefix+h.Branch, id)
}

// ResolveRev turns a revision into a commit id. It understands HEAD, local
// and relay branch names (main, relays/main), tags, full ids, unique id
// prefixes of at least 4 characters, and the suffixes ~N and ^ for first
// parents.
func (r *Repo) ResolveRev(rev string) (string, error) {
	base, steps, err := splitAncestry(rev)
	if err != nil {
		return "", err
	}
	id, err := r.resolveBase(base)
	if err != nil {
		return "", err
	}
	for i := 0; i < steps; i++ {
		c, err := r.LoadCommit(id)
		if err != nil {
			return "", err
		}
		if len(c.Parents) == 0 {
			return "", fmt.Errorf("revision %q goes past the first commit", rev)
		}
		id = c.Parents[0]
	}
	return id, nil
}

func splitAncestry(rev string) (string, int, error) {
	steps := 0
	for {
		if strings.HasSuffix(rev, "^") {
			rev = rev[:len(rev)-1]
			steps++
			continue
		}
		i := strings.LastIndexByte(rev, '~')
		if i < 0 {
			break
		}
		n := 1
		if i+1 < len(rev) {
			v, err := strconv.Atoi(rev[i+1:])
			if err != nil || v < 0 || v > 1<<20 {
				break // not an ancestry suffix
			}
			n = v
		}
		rev = rev[:i]
		steps += n
	}
	if rev == "" {
		return "", 0, errors.New("empty revision")
	}
	return rev, steps, nil
}

// ErrUnknownRevision is wrapped when a revision names nothing.
var ErrUnknownRevision = errors.New("unknown revision")

func (r *Repo) resolveBase(rev string) (string, error) {
	if rev == "HEAD" || rev == "@" {
		h, err := r.ReadHead()
		if err != nil {
			return "", err
		}
		if h.Commit == "" {
			return "", fmt.Errorf("%w: HEAD (the branch %s has no commits yet)", ErrUnknownRevision, h.Branch)
		}
		return h.Commit, nil
	}
	if ValidateRefName(rev) == nil {
		candidates := []string{HeadsPrefix + rev, TagsPrefix + rev}
		if b, ok := strings.CutPrefix(rev, "relays/"); ok {
			candidates = append(candidates, RelayHeadsPrefix+b)
		}
		if strings.HasPrefix(rev, "refs/") {
			candidates = append([]string{rev}, candidates...)
		}
		for _, ref := range candidates {
			id, err := r.ReadRef(ref)
			if err != nil {
				return "", err
			}
			if id != "" {
				return id, nil
			}
		}
	}
	lower := strings.ToLower(rev)
	if IsCommitID(lower) {
		return lower, nil
	}
	if len(lower) >= 4 && isHex(lower) {
		ids, err := r.CommitIDsWithPrefix(lower)
		if err != nil {
			return "", err
		}
		switch len(ids) {
		case 1:
			return ids[0], nil
		case 0:
		default:
			return "", fmt.Errorf("short commit id %s is ambiguous (%d commits)", rev, len(ids))
		}
	}
	return "", fmt.Errorf("%w: '%s'", ErrUnknownRevision, rev)
}

func isHex(s string) bool {
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
