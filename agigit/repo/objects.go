package repo

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// copyBufSize is the size of each buffer streamed through hashing and
// copying: large enough to keep system calls rare, small enough that a few
// of them bound memory whatever the file size.
const copyBufSize = 1 << 20

// ObjectPath is where an object's content lives in the store.
func (r *Repo) ObjectPath(id merkle.ID) string {
	s := id.String()
	return filepath.Join(r.Dir, "objects", s[:2], s[2:])
}

// HasObject reports whether the object is in the local store.
func (r *Repo) HasObject(id merkle.ID) bool {
	_, err := os.Stat(r.ObjectPath(id))
	return err == nil
}

// OpenObject opens an object of the local store for reading.
func (r *Repo) OpenObject(id merkle.ID) (*os.File, error) {
	f, err := os.Open(r.ObjectPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &MissingObjectError{ID: id}
	}
	return f, err
}

// OpenContent opens a file's content wherever this repository has it: the
// store, a download waiting for its checkout, or a working tree file the
// index records with that id (a file checked out from the relays lives only
// there). The caller checks what it reads against the id: a working file
// may have changed since the index saw it.
func (r *Repo) OpenContent(id merkle.ID) (*os.File, error) {
	if f, err := r.OpenObject(id); err == nil {
		return f, nil
	}
	if f, err := os.Open(r.FetchedPath(id)); err == nil {
		return f, nil
	}
	ix, err := r.LoadIndex()
	if err != nil {
		return nil, err
	}
	for _, p := range ix.Paths() {
		if e := ix.Get(p); e.ID == id {
			if f, err := os.Open(r.abs(p)); err == nil {
				return f, nil
			}
		}
	}
	return nil, &MissingObjectError{ID: id}
}

// MissingObjectError says an object is not in the local store.
type MissingObjectError struct{ ID merkle.ID }

func (e *MissingObjectError) Error() string {
	return fmt.Sprintf("object %s is not in the local store", e.ID)
}

// Stored describes an object StoreFile added.
type Stored struct {
	ID   merkle.ID
	Size uint64
	// Extra is the file tag's segment clause for a file longer than one
	// segment (see Segments), nil otherwise.
	Extra []string
}

// StoreFile copies a file into the object store and returns its object id,
// size and segment roots. It reads the file once, hashing while it copies,
// in bounded memory. The result is what the file held while it was read; a
// file that changes during the copy is reported as an error.
func (r *Repo) StoreFile(path string) (Stored, error) {
	f, err := os.Open(path)
	if err != nil {
		return Stored{}, err
	}
	defer f.Close()
	before, err := f.Stat()
	if err != nil {
		return Stored{}, err
	}
	segSize := r.Config.SegmentSizeOrDefault()
	id, size, roots, err := r.storeStream(f, segSize)
	if err != nil {
		return Stored{}, fmt.Errorf("store %s: %w", path, err)
	}
	after, err := os.Stat(path)
	if err != nil {
		return Stored{}, err
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || uint64(after.Size()) != size {
		return Stored{}, fmt.Errorf("%s changed while it was being read; try again", path)
	}
	return Stored{ID: id, Size: size, Extra: segmentExtra(segSize, roots)}, nil
}

// StoreObject copies a stream into the object store and returns its id and
// size. The data is written to a temporary file, fsynced and renamed to its
// id, so the store only ever holds complete objects.
func (r *Repo) StoreObject(src io.Reader) (merkle.ID, uint64, error) {
	id, size, _, err := r.storeStream(src, r.Config.SegmentSizeOrDefault())
	return id, size, err
}

func (r *Repo) storeStream(src io.Reader, segSize uint64) (merkle.ID, uint64, []merkle.Hash, error) {
	tmp, err := r.TempFile("obj-*")
	if err != nil {
		return merkle.ID{}, 0, nil, err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := newSegmentHasher(segSize)
	if err := hashCopy(tmp, h, src); err != nil {
		return merkle.ID{}, 0, nil, err
	}
	id, roots := h.finish()
	size := h.size
	final := r.ObjectPath(id)
	if _, err := os.Stat(final); err == nil {
		return id, size, roots, nil // already stored; the temporary copy is dropped
	}
	if err := tmp.Chmod(0o444); err != nil {
		return merkle.ID{}, 0, nil, err
	}
	if err := tmp.Sync(); err != nil {
		return merkle.ID{}, 0, nil, fmt.Errorf("sync object: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return merkle.ID{}, 0, nil, err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return merkle.ID{}, 0, nil, err
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return merkle.ID{}, 0, nil, fmt.Errorf("store object %s: %w", id, err)
	}
	committed = true
	if err := syncDir(filepath.Dir(final)); err != nil {
		return merkle.ID{}, 0, nil, err
	}
	return id, size, roots, nil
}

// Downloaded files wait in .agigit/fetched/ for the checkout that needs
// them, which moves them into the working tree: a file fetched from the
// relays is written once, not once into the store and again into the
// working tree. The store gets a file's content when it is added, or when
// a checkout replaces a clean working file whose object the store lacks
// (moved, not copied), so switching back never needs the network.

// FetchedPath is where a downloaded object waits for its checkout.
func (r *Repo) FetchedPath(id merkle.ID) string {
	return filepath.Join(r.Dir, "fetched", id.String())
}

// Available reports whether an object is in the store or downloaded.
func (r *Repo) Available(id merkle.ID) bool {
	if r.HasObject(id) {
		return true
	}
	_, err := os.Stat(r.FetchedPath(id))
	return err == nil
}

// AddFetched moves a complete download, whose id the caller has verified,
// next to the store for the checkout that asked for it.
func (r *Repo) AddFetched(path string, id merkle.ID) error {
	final := r.FetchedPath(id)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	if err := os.Rename(path, final); err != nil {
		return fmt.Errorf("keep download of %s: %w", id, err)
	}
	return syncDir(filepath.Dir(final))
}

// ImportObject moves a complete file whose id the caller has verified into
// the store (a download, for example). The file must be on the same file
// system, e.g. made by TempFile.
func (r *Repo) ImportObject(path string, id merkle.ID) error {
	final := r.ObjectPath(id)
	if _, err := os.Stat(final); err == nil {
		return os.Remove(path)
	}
	if err := os.Chmod(path, 0o444); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	if err := os.Rename(path, final); err != nil {
		return fmt.Errorf("store object %s: %w", id, err)
	}
	return syncDir(filepath.Dir(final))
}

// hashCopy streams src into dst and into h. Reading and hashing run on this
// goroutine while another writes, so a large file is hashed and copied at
// the speed of the slower of the two rather than their sum.
func hashCopy(dst io.Writer, h io.Writer, src io.Reader) error {
	const nbuf = 4
	free := make(chan []byte, nbuf)
	full := make(chan []byte, nbuf)
	for range nbuf {
		free <- make([]byte, copyBufSize)
	}
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range full {
			if err == nil {
				_, err = dst.Write(b)
			}
			free <- b[:cap(b)]
		}
		werr <- err
	}()
	var rerr error
	for {
		buf := <-free
		n, err := io.ReadFull(src, buf)
		if n > 0 {
			h.Write(buf[:n])
			full <- buf[:n]
		} else {
			free <- buf
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(full)
	if err := <-werr; err != nil {
		return err
	}
	return rerr
}

// HashFile computes a file's object id without storing it.
func HashFile(path string) (merkle.ID, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return merkle.ID{}, 0, err
	}
	defer f.Close()
	id, n, err := merkle.Sum(f)
	if err != nil {
		return merkle.ID{}, 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return id, n, nil
}
