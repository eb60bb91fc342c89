package repo

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nbd-wtf/go-nostr"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// Limits on commits read from relays, so that a hostile event cannot make a
// reader allocate without bound.
const (
	MaxParents     = 16
	MaxPathLen     = 4096
	MaxFiles       = 100000
	MaxMessageSize = 64 << 10
)

// Mode is a file's mode in a tree, as git spells it.
type Mode string

const (
	ModeFile Mode = "100644"
	ModeExec Mode = "100755"
)

// FileEntry is one file of a commit's tree.
type FileEntry struct {
	// Path is slash-separated and relative to the working tree's root.
	Path string
	ID   merkle.ID
	Size uint64
	Mode Mode
	// Extra holds tag elements after the mode, kept verbatim: later formats
	// say there how a file is stored (a delta against its base, say).
	Extra []string
}

// Commit is a decoded commit event.
type Commit struct {
	// ID is the commit id: the id of its signed kind 3617 event.
	ID string
	// Author is the signer's public key (hex).
	Author string
	Time   time.Time
	// Repo is the repository coordinate, "30617:<owner>:<name>".
	Repo    string
	Parents []string
	Base    *BaseRef
	Message string
	// Files is the tree, sorted by path. Nil (with Encrypted set) when the
	// commit is private and no key was available to read it.
	Files     []FileEntry
	Encrypted bool
	// Event is the signed event the commit was decoded from.
	Event *nostr.Event
}

// Tree returns the commit's files by path.
func (c *Commit) Tree() map[string]FileEntry {
	m := make(map[string]FileEntry, len(c.Files))
	for _, f := range c.Files {
		m[f.Path] = f
	}
	return m
}

// Subject is the first line of the message.
func (c *Commit) Subject() string {
	s, _, _ := strings.Cut(c.Message, "\n")
	return s
}

// NewCommit describes a commit to sign.
type NewCommit struct {
	Repo    string
	Parents []string
	Base    *BaseRef
	Message string
	Files   []FileEntry
	Time    time.Time
}

// Sealer encrypts and opens the private part of a commit (its message and
// tree). Public repositories have none.
type Sealer interface {
	Seal(plaintext []byte) (content string, tags nostr.Tags, err error)
	Open(ev *nostr.Event) (plaintext []byte, err error)
}

// privatePayload is what a private commit encrypts.
type privatePayload struct {
	Message string     `json:"message"`
	Files   [][]string `json:"files"`
}

// BuildCommitEvent makes the unsigned kind 3617 event of a new commit. With
// a sealer the message and tree are encrypted into the content.
func BuildCommitEvent(c NewCommit, sealer Sealer) (*nostr.Event, error) {
	files := slices.Clone(c.Files)
	slices.SortFunc(files, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) })
	if err := checkTree(files); err != nil {
		return nil, err
	}
	if len(c.Message) > MaxMessageSize {
		return nil, fmt.Errorf("commit message longer than %d bytes", MaxMessageSize)
	}
	ev := &nostr.Event{
		Kind:      KindCommit,
		CreatedAt: nostr.Timestamp(c.Time.Unix()),
	}
	ev.Tags = append(ev.Tags, nostr.Tag{"a", c.Repo})
	for _, p := range c.Parents {
		ev.Tags = append(ev.Tags, nostr.Tag{"parent", p})
	}
	if c.Base != nil {
		ev.Tags = append(ev.Tags, nostr.Tag{"base", c.Base.Address, c.Base.Commit})
	}
	fileTags := make([][]string, 0, len(files))
	for _, f := range files {
		t := append([]string{f.Path, f.ID.String(), strconv.FormatUint(f.Size, 10), string(f.Mode)}, f.Extra...)
		if _, err := parseFileTag(t); err != nil {
			return nil, err
		}
		fileTags = append(fileTags, t)
	}
	if sealer == nil {
		for _, t := range fileTags {
			ev.Tags = append(ev.Tags, append(nostr.Tag{"file"}, t...))
		}
		ev.Content = c.Message
		ev.Tags = append(ev.Tags, nostr.Tag{"alt", "agigit commit: " + firstLine(c.Message)})
		return ev, nil
	}
	plain, err := json.Marshal(privatePayload{Message: c.Message, Files: fileTags})
	if err != nil {
		return nil, err
	}
	content, tags, err := sealer.Seal(plain)
	if err != nil {
		return nil, fmt.Errorf("encrypt commit: %w", err)
	}
	ev.Content = content
	ev.Tags = append(ev.Tags, tags...)
	ev.Tags = append(ev.Tags, nostr.Tag{"alt", "agigit commit (private)"})
	return ev, nil
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	if len(l) > 80 {
		l = l[:80]
	}
	return l
}

// DecodeCommit checks a commit event (kind, id, signature, tags) and decodes
// it. The tree of a private commit is decoded when sealer can open it;
// without a sealer it is left nil and Encrypted is set.
func DecodeCommit(ev *nostr.Event, sealer Sealer) (*Commit, error) {
	if ev.Kind != KindCommit {
		return nil, fmt.Errorf("event %s is kind %d, not a commit (%d)", ev.ID, ev.Kind, KindCommit)
	}
	if !ev.CheckID() {
		return nil, fmt.Errorf("commit %s: id does not match its content", ev.ID)
	}
	if ok, err := ev.CheckSignature(); !ok {
		return nil, fmt.Errorf("commit %s: bad signature: %v", ev.ID, err)
	}
	return decodeCommitFields(ev, sealer)
}

// decodeCommitFields decodes a commit event whose id and signature were
// checked.
func decodeCommitFields(ev *nostr.Event, sealer Sealer) (*Commit, error) {
	c := &Commit{ID: ev.ID, Author: ev.PubKey, Time: time.Unix(int64(ev.CreatedAt), 0), Event: ev}
	var files [][]string
	encrypted := false
	for _, t := range ev.Tags {
		if len(t) == 0 {
			continue
		}
		switch t[0] {
		case "a":
			if c.Repo != "" {
				return nil, fmt.Errorf("commit %s: more than one repository tag", ev.ID)
			}
			if len(t) < 2 {
				return nil, fmt.Errorf("commit %s: empty repository tag", ev.ID)
			}
			if _, err := ParseCoordinate(t[1]); err != nil {
				return nil, fmt.Errorf("commit %s: %w", ev.ID, err)
			}
			c.Repo = t[1]
		case "parent":
			if len(t) < 2 || !IsCommitID(t[1]) {
				return nil, fmt.Errorf("commit %s: malformed parent tag", ev.ID)
			}
			if slices.Contains(c.Parents, t[1]) {
				return nil, fmt.Errorf("commit %s: parent %s listed twice", ev.ID, t[1])
			}
			c.Parents = append(c.Parents, t[1])
			if len(c.Parents) > MaxParents {
				return nil, fmt.Errorf("commit %s: more than %d parents", ev.ID, MaxParents)
			}
		case "base":
			if c.Base != nil {
				return nil, fmt.Errorf("commit %s: more than one base tag", ev.ID)
			}
			if len(t) < 3 || !IsCommitID(t[2]) {
				return nil, fmt.Errorf("commit %s: malformed base tag", ev.ID)
			}
			if _, err := ParseCoordinate(t[1]); err != nil {
				return nil, fmt.Errorf("commit %s: base: %w", ev.ID, err)
			}
			c.Base = &BaseRef{Address: t[1], Commit: t[2]}
		case "file":
			if encrypted {
				return nil, fmt.Errorf("commit %s: private commit with public file tags", ev.ID)
			}
			if len(files) >= MaxFiles {
				return nil, fmt.Errorf("commit %s: more than %d files", ev.ID, MaxFiles)
			}
			files = append(files, t[1:])
		case "encrypted":
			encrypted = true
		}
	}
	if c.Repo == "" {
		return nil, fmt.Errorf("commit %s: no repository tag", ev.ID)
	}
	if encrypted {
		if len(files) > 0 {
			return nil, fmt.Errorf("commit %s: private commit with public file tags", ev.ID)
		}
		c.Encrypted = true
		if sealer == nil {
			return c, nil
		}
		plain, err := sealer.Open(ev)
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", ev.ID, err)
		}
		var p privatePayload
		if err := json.Unmarshal(plain, &p); err != nil {
			return nil, fmt.Errorf("commit %s: decrypted content: %w", ev.ID, err)
		}
		if len(p.Files) > MaxFiles {
			return nil, fmt.Errorf("commit %s: more than %d files", ev.ID, MaxFiles)
		}
		c.Message = p.Message
		files = p.Files
	} else {
		c.Message = ev.Content
	}
	if len(c.Message) > MaxMessageSize {
		return nil, fmt.Errorf("commit %s: message longer than %d bytes", ev.ID, MaxMessageSize)
	}
	c.Files = make([]FileEntry, 0, len(files))
	for _, f := range files {
		fe, err := parseFileTag(f)
		if err != nil {
			return nil, fmt.Errorf("commit %s: %w", ev.ID, err)
		}
		c.Files = append(c.Files, fe)
	}
	if !slices.IsSortedFunc(c.Files, func(a, b FileEntry) int { return strings.Compare(a.Path, b.Path) }) {
		return nil, fmt.Errorf("commit %s: files are not sorted by path", ev.ID)
	}
	if err := checkTree(c.Files); err != nil {
		return nil, fmt.Errorf("commit %s: %w", ev.ID, err)
	}
	return c, nil
}

func parseFileTag(t []string) (FileEntry, error) {
	if len(t) < 4 {
		return FileEntry{}, errors.New("file tag with fewer than 4 fields")
	}
	if err := ValidatePath(t[0]); err != nil {
		return FileEntry{}, err
	}
	id, err := merkle.ParseID(t[1])
	if err != nil || t[1] != strings.ToLower(t[1]) {
		return FileEntry{}, fmt.Errorf("file %q: bad object id", t[0])
	}
	size, err := strconv.ParseUint(t[2], 10, 64)
	if err != nil || strconv.FormatUint(size, 10) != t[2] {
		return FileEntry{}, fmt.Errorf("file %q: bad size %q", t[0], t[2])
	}
	mode := Mode(t[3])
	if mode != ModeFile && mode != ModeExec {
		return FileEntry{}, fmt.Errorf("file %q: unsupported mode %q", t[0], t[3])
	}
	fe := FileEntry{Path: t[0], ID: id, Size: size, Mode: mode}
	if len(t) > 4 {
		fe.Extra = slices.Clone(t[4:])
		if fe.Extra[0] == SegmentsTag {
			if _, _, err := parseSegments(id, size, fe.Extra); err != nil {
				return FileEntry{}, fmt.Errorf("file %q: %w", t[0], err)
			}
		}
		if fe.Extra[0] == DeltaTag {
			if _, _, err := parseDelta(fe.Extra); err != nil {
				return FileEntry{}, fmt.Errorf("file %q: %w", t[0], err)
			}
		}
	}
	return fe, nil
}

// checkTree rejects duplicate paths and a path that is both a file and a
// directory. files must be sorted.
func checkTree(files []FileEntry) error {
	dirs := make(map[string]bool)
	seen := make(map[string]bool, len(files))
	for _, f := range files {
		if err := ValidatePath(f.Path); err != nil {
			return err
		}
		if seen[f.Path] {
			return fmt.Errorf("path %q appears twice", f.Path)
		}
		seen[f.Path] = true
		for d := parentDir(f.Path); d != ""; d = parentDir(d) {
			dirs[d] = true
		}
	}
	for _, f := range files {
		if dirs[f.Path] {
			return fmt.Errorf("path %q is both a file and a directory", f.Path)
		}
	}
	return nil
}

func parentDir(p string) string {
	i := strings.LastIndexByte(p, '/')
	if i < 0 {
		return ""
	}
	return p[:i]
}

// ValidatePath checks a tree path: relative, slash-separated, valid UTF-8,
// no empty, "." or ".." component, nothing inside a .agigit directory. A
// commit from a relay that breaks these rules could write outside the
// working tree, so it is rejected whole.
func ValidatePath(p string) error {
	if p == "" || len(p) > MaxPathLen {
		return fmt.Errorf("invalid path %q", p)
	}
	if !utf8.ValidString(p) || strings.ContainsAny(p, "\x00\\") {
		return fmt.Errorf("invalid path %q", p)
	}
	for _, c := range strings.Split(p, "/") {
		if c == "" || c == "." || c == ".." || strings.EqualFold(c, DirName) {
			return fmt.Errorf("invalid path %q", p)
		}
		for _, r := range c {
			if r < 0x20 || r == 0x7f {
				return fmt.Errorf("invalid path %q: control character", p)
			}
		}
	}
	return nil
}

// IsCommitID reports whether s is a full commit id (64 lowercase hex).
func IsCommitID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func (r *Repo) commitPath(id string) string {
	return filepath.Join(r.Dir, "commits", id[:2], id[2:]+".json")
}

// HasCommit reports whether the commit is stored locally.
func (r *Repo) HasCommit(id string) bool {
	if !IsCommitID(id) {
		return false
	}
	_, err := os.Stat(r.commitPath(id))
	return err == nil
}

// SaveCommitEvent stores a signed commit event after checking it.
func (r *Repo) SaveCommitEvent(ev *nostr.Event) error {
	if _, err := DecodeCommit(ev, nil); err != nil {
		return err
	}
	if r.HasCommit(ev.ID) {
		return nil
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return writeFileAtomic(r.commitPath(ev.ID), r.path("tmp"), append(b, '\n'), 0o444)
}

// ErrCommitNotFound is wrapped by LoadCommit for an unknown commit.
var ErrCommitNotFound = errors.New("commit not found")

// LoadCommitEvent reads a stored commit event without decoding it.
func (r *Repo) LoadCommitEvent(id string) (*nostr.Event, error) {
	if !IsCommitID(id) {
		return nil, fmt.Errorf("%q is not a commit id", id)
	}
	b, err := os.ReadFile(r.commitPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrCommitNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	var ev nostr.Event
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, fmt.Errorf("read commit %s: %w", id, err)
	}
	if ev.ID != id {
		return nil, fmt.Errorf("commit file %s holds event %s", id, ev.ID)
	}
	return &ev, nil
}

// LoadCommit reads and decodes a stored commit.
func (r *Repo) LoadCommit(id string) (*Commit, error) {
	ev, err := r.LoadCommitEvent(id)
	if err != nil {
		return nil, err
	}
	sealer, err := r.Sealer()
	if err != nil {
		return nil, err
	}
	return DecodeCommit(ev, sealer)
}

// CommitIDsWithPrefix lists stored commits whose id starts with prefix
// (at least two hex characters).
func (r *Repo) CommitIDsWithPrefix(prefix string) ([]string, error) {
	if len(prefix) < 2 {
		return nil, nil
	}
	if _, err := hex.DecodeString(prefix[:2]); err != nil {
		return nil, nil
	}
	ents, err := os.ReadDir(filepath.Join(r.Dir, "commits", prefix[:2]))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		id := prefix[:2] + strings.TrimSuffix(e.Name(), ".json")
		if IsCommitID(id) && strings.HasPrefix(id, prefix) {
			out = append(out, id)
		}
	}
	return out, nil
}
