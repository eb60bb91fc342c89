package repo

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// IndexVersion is the version of the index layout.
const IndexVersion = 1

// Index is the staging area: the tree the next commit will record, plus
// the file metadata seen when each entry was hashed, so that an unchanged
// file is not hashed again.
type Index struct {
	Version int           `json:"version"`
	Entries []*IndexEntry `json:"entries"`
	// Saved is when the index was written (Unix ns). A file modified in
	// the same instant may have changed unseen, so entries whose mtime is
	// not before Saved are hashed again ("racily clean", as git says).
	Saved  int64 `json:"saved"`
	byPath map[string]*IndexEntry
}

// IndexEntry is one staged file.
type IndexEntry struct {
	Path  string    `json:"path"`
	ID    merkle.ID `json:"-"`
	IDHex string    `json:"id"`
	Size  uint64    `json:"size"`
	Mode  Mode      `json:"mode"`
	// MTime is the file's modification time (Unix ns) when it was hashed.
	MTime int64    `json:"mtime"`
	Extra []string `json:"extra,omitempty"`
}

// Entry converts to a tree entry.
func (e *IndexEntry) Entry() FileEntry {
	return FileEntry{Path: e.Path, ID: e.ID, Size: e.Size, Mode: e.Mode, Extra: e.Extra}
}

// LoadIndex reads the index; a repository without one has an empty index.
func (r *Repo) LoadIndex() (*Index, error) {
	b, err := os.ReadFile(r.path("index"))
	if errors.Is(err, fs.ErrNotExist) {
		return &Index{Version: IndexVersion, byPath: map[string]*IndexEntry{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	var ix Index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("index is damaged: %w", err)
	}
	if ix.Version != IndexVersion {
		return nil, fmt.Errorf("unsupported index version %d", ix.Version)
	}
	ix.byPath = make(map[string]*IndexEntry, len(ix.Entries))
	for _, e := range ix.Entries {
		id, err := merkle.ParseID(e.IDHex)
		if err != nil {
			return nil, fmt.Errorf("index is damaged at %q: %w", e.Path, err)
		}
		if err := ValidatePath(e.Path); err != nil {
			return nil, fmt.Errorf("index is damaged: %w", err)
		}
		e.ID = id
		ix.byPath[e.Path] = e
	}
	return &ix, nil
}

// Save writes the index atomically.
func (ix *Index) save(r *Repo) error {
	ix.Entries = ix.Entries[:0]
	for _, e := range ix.byPath {
		e.IDHex = e.ID.String()
		ix.Entries = append(ix.Entries, e)
	}
	slices.SortFunc(ix.Entries, func(a, b *IndexEntry) int { return strings.Compare(a.Path, b.Path) })
	ix.Version = IndexVersion
	ix.Saved = time.Now().UnixNano()
	b, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	return r.writeFile("index", b, 0o644)
}

// SaveIndex writes the index atomically.
func (r *Repo) SaveIndex(ix *Index) error { return ix.save(r) }

// Get returns the entry for a path, or nil.
func (ix *Index) Get(path string) *IndexEntry { return ix.byPath[path] }

// Set stages an entry.
func (ix *Index) Set(e *IndexEntry) { ix.byPath[e.Path] = e }

// Remove unstages a path.
func (ix *Index) Remove(path string) { delete(ix.byPath, path) }

// Paths lists staged paths in order.
func (ix *Index) Paths() []string {
	out := make([]string, 0, len(ix.byPath))
	for p := range ix.byPath {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Len is the number of staged files.
func (ix *Index) Len() int { return len(ix.byPath) }

// Files is the staged tree, sorted by path.
func (ix *Index) Files() []FileEntry {
	out := make([]FileEntry, 0, len(ix.byPath))
	for _, p := range ix.Paths() {
		out = append(out, ix.byPath[p].Entry())
	}
	return out
}

// Reset replaces the staged tree with files, keeping the recorded metadata
// of entries that did not change.
func (ix *Index) Reset(files []FileEntry) {
	old := ix.byPath
	ix.byPath = make(map[string]*IndexEntry, len(files))
	for _, f := range files {
		e := &IndexEntry{Path: f.Path, ID: f.ID, Size: f.Size, Mode: f.Mode, Extra: f.Extra}
		if o := old[f.Path]; o != nil && o.ID == f.ID && o.Mode == f.Mode {
			e.MTime = o.MTime
		}
		ix.byPath[f.Path] = e
	}
}
