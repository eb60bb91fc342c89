package repo

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// LocalObject makes sure a file's content is an object of the local store,
// for the work that reads old versions (delta encoding, materialization,
// merges): it may already be there; it may be a download waiting for its
// checkout (moved in); it may be the working tree's copy of the file,
// unchanged since it was checked out (copied in, and checked against its
// id as it is copied, so a file edited meanwhile is not taken for it); or
// else fetch brings it (nil fetch: the content is missing).
func (r *Repo) LocalObject(f FileEntry, fetch func([]FileEntry) error) error {
	if r.HasObject(f.ID) {
		return nil
	}
	if _, err := os.Stat(r.FetchedPath(f.ID)); err == nil {
		return r.ImportObject(r.FetchedPath(f.ID), f.ID)
	}
	if ok, err := r.fromWorkTree(f); err != nil || ok {
		return err
	}
	if fetch == nil {
		return &MissingObjectError{ID: f.ID}
	}
	if err := fetch([]FileEntry{f}); err != nil {
		return err
	}
	if r.HasObject(f.ID) {
		return nil
	}
	if _, err := os.Stat(r.FetchedPath(f.ID)); err == nil {
		return r.ImportObject(r.FetchedPath(f.ID), f.ID)
	}
	return &MissingObjectError{ID: f.ID}
}

// fromWorkTree copies the working tree's file at f.Path into the store
// when the index says it holds f's content and it has not changed.
func (r *Repo) fromWorkTree(f FileEntry) (bool, error) {
	if f.Path == "" || ValidatePath(f.Path) != nil {
		return false, nil
	}
	ix, err := r.LoadIndex()
	if err != nil {
		return false, err
	}
	e := ix.Get(f.Path)
	if e == nil || e.ID != f.ID {
		return false, nil
	}
	info, err := os.Lstat(r.abs(f.Path))
	if errors.Is(err, fs.ErrNotExist) || err == nil && !info.Mode().IsRegular() {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	changed, _, err := r.fileState(ix, e, workFileFrom(f.Path, info))
	if err != nil || changed {
		return false, err
	}
	st, err := r.StoreFile(filepath.Join(r.Root, filepath.FromSlash(f.Path)))
	if err != nil {
		return false, err
	}
	if st.ID != f.ID {
		return false, fmt.Errorf("%s changed while it was read; try again", f.Path)
	}
	return true, nil
}

// RemoveObject deletes an object from the store (a temporary one: an old
// version fetched only to rebuild a newer one).
func (r *Repo) RemoveObject(id merkle.ID) error {
	err := os.Remove(r.ObjectPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
