// Package blob stores Blossom blobs on disk and serves them over HTTP
// (BUD-01 GET/HEAD with ranges, BUD-02 upload, BUD-06 upload preflight,
// BUD-11 authorization, BUD-12 list and delete).
//
// A blob is a file named by its sha256 under DIR/blobs/<first two hex
// digits>/. An upload streams into DIR/tmp, is hashed on the way, fsynced,
// checked, and renamed into place (the directory fsynced too) before its
// metadata row commits in PostgreSQL. A crash at any point therefore leaves
// either a committed blob with all its bytes, or a temporary or unowned file
// that the startup sweep removes: never a partial blob under a blob's name.
package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// Index is the blob metadata the disk store keeps in step with its files
// (implemented by *store.DB).
type Index interface {
	Blob(ctx context.Context, sha []byte) (store.Blob, bool, error)
	AddBlobOwner(ctx context.Context, b store.Blob, owner []byte, quota int64) (created bool, err error)
	RemoveBlobOwner(ctx context.Context, sha, owner []byte) (owned, orphaned bool, err error)
	BlobUsage(ctx context.Context, owner []byte) (int64, error)
	ListBlobs(ctx context.Context, q store.ListQuery) ([]store.Blob, error)
	HasBlobs(ctx context.Context, shas [][]byte) (map[string]bool, error)
}

// Store is the on-disk blob store.
type Store struct {
	dir   string
	index Index
	// locks serialize the commit and removal of blobs with the same first
	// byte, so an upload and a delete of one blob never interleave.
	locks [256]sync.Mutex
}

// Errors of Receive.
var (
	ErrTooLarge  = errors.New("blob exceeds the size limit")
	ErrTruncated = errors.New("upload ended before Content-Length bytes")
)

// Open prepares dir (creating blobs/00..ff and tmp) and returns the store.
// Call Sweep before serving.
func Open(dir string, index Index) (*Store, error) {
	s := &Store{dir: dir, index: index}
	if err := os.MkdirAll(s.tmpDir(), 0o750); err != nil {
		return nil, fmt.Errorf("blob dir %s: %w", dir, err)
	}
	for i := 0; i < 256; i++ {
		if err := os.MkdirAll(filepath.Join(dir, "blobs", fmt.Sprintf("%02x", i)), 0o750); err != nil {
			return nil, fmt.Errorf("blob dir %s: %w", dir, err)
		}
	}
	for _, d := range []string{filepath.Join(dir, "blobs"), dir} {
		if err := syncDir(d); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *Store) tmpDir() string { return filepath.Join(s.dir, "tmp") }

// Path is where a blob's bytes live.
func (s *Store) Path(sha []byte) string {
	h := hex.EncodeToString(sha)
	return filepath.Join(s.dir, "blobs", h[:2], h)
}

func (s *Store) lock(sha []byte) *sync.Mutex { return &s.locks[sha[0]] }

// Pending is a received upload: fully written and fsynced to a temporary
// file, not yet a blob. Commit or Discard it.
type Pending struct {
	SHA256 []byte
	Size   int64
	path   string
}

// Discard removes the temporary file.
func (p *Pending) Discard() {
	if p != nil && p.path != "" {
		os.Remove(p.path)
		p.path = ""
	}
}

// copyBufSize is the read size while receiving: large reads keep the
// per-byte cost down. pipelineDepth buffers are in use per upload.
const (
	copyBufSize   = 1 << 20
	pipelineDepth = 4
)

var bufPool = sync.Pool{New: func() any { b := make([]byte, copyBufSize); return &b }}

// Receive streams r into a temporary file while hashing it. It stops with
// ErrTooLarge past max bytes (max <= 0: no limit) and with ErrTruncated if
// want >= 0 bytes were announced but fewer arrived. On success the file is
// fsynced. On any error nothing is left behind.
func (s *Store) Receive(r io.Reader, want, max int64, counted func(n int)) (*Pending, error) {
	f, err := os.CreateTemp(s.tmpDir(), "upload-*.part")
	if err != nil {
		return nil, fmt.Errorf("receive blob: %w", err)
	}
	p := &Pending{path: f.Name()}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			p.Discard()
		}
	}()
	sum, n, err := copyHashed(f, r, max, counted)
	if err != nil {
		return nil, err
	}
	if want >= 0 && n != want {
		return nil, ErrTruncated
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("receive blob: fsync: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("receive blob: %w", err)
	}
	p.SHA256 = sum
	p.Size = n
	ok = true
	return p, nil
}

// copyHashed copies src to dst and returns the sha256 of the bytes. The
// hash runs on its own goroutine, one buffer behind the reads and writes,
// so that on two cores hashing costs almost no time.
func copyHashed(dst io.Writer, src io.Reader, max int64, counted func(int)) ([]byte, int64, error) {
	h := sha256.New()
	toHash := make(chan *[]byte, pipelineDepth)
	free := make(chan *[]byte, pipelineDepth)
	for i := 0; i < pipelineDepth; i++ {
		free <- bufPool.Get().(*[]byte)
	}
	hashed := make(chan struct{})
	go func() {
		defer close(hashed)
		for b := range toHash {
			h.Write(*b)
			*b = (*b)[:cap(*b)]
			free <- b
		}
	}()
	finish := func() {
		close(toHash)
		<-hashed
		for i := 0; i < pipelineDepth; i++ {
			bufPool.Put(<-free)
		}
	}

	var n int64
	for {
		bp := <-free
		buf := *bp
		// Fill the whole buffer: fewer, larger writes and hash calls.
		m := 0
		var rerr error
		for m < len(buf) && rerr == nil {
			var k int
			k, rerr = src.Read(buf[m:])
			m += k
		}
		if m > 0 {
			n += int64(m)
			if counted != nil {
				counted(m)
			}
			if max > 0 && n > max {
				free <- bp
				finish()
				return nil, n, ErrTooLarge
			}
			if _, err := dst.Write(buf[:m]); err != nil {
				free <- bp
				finish()
				return nil, n, fmt.Errorf("receive blob: write: %w", err)
			}
			*bp = buf[:m]
			toHash <- bp
		} else {
			free <- bp
		}
		switch {
		case rerr == io.EOF:
			finish()
			return h.Sum(nil), n, nil
		case errors.Is(rerr, io.ErrUnexpectedEOF):
			finish()
			return nil, n, ErrTruncated
		case rerr != nil:
			finish()
			return nil, n, fmt.Errorf("receive blob: read: %w", rerr)
		}
	}
}

// Commit moves a received upload into place and records owner's ownership
// with its media type. The file is durable before the row commits. created
// reports whether the blob is new to this server. On ErrQuota or any other
// error, a file this call put in place is removed again.
func (s *Store) Commit(ctx context.Context, p *Pending, mediaType string, uploaded int64, owner []byte, quota int64) (created bool, err error) {
	defer p.Discard()
	mu := s.lock(p.SHA256)
	mu.Lock()
	defer mu.Unlock()
	final := s.Path(p.SHA256)
	placed := false
	if _, err := os.Stat(final); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(p.path, final); err != nil {
			return false, fmt.Errorf("commit blob %x: %w", p.SHA256, err)
		}
		p.path = ""
		placed = true
		if err := syncDir(filepath.Dir(final)); err != nil {
			os.Remove(final)
			return false, err
		}
	} else if err != nil {
		return false, fmt.Errorf("commit blob %x: %w", p.SHA256, err)
	}
	created, err = s.index.AddBlobOwner(ctx, store.Blob{SHA256: p.SHA256, Size: p.Size, Type: mediaType, Uploaded: uploaded}, owner, quota)
	if err != nil && placed {
		// Keep the file if the row made it after all (an error after the
		// commit reached the server).
		if _, found, ferr := s.index.Blob(context.WithoutCancel(ctx), p.SHA256); ferr == nil && !found {
			os.Remove(final)
		}
	}
	return created, err
}

// Remove forgets owner's copy of a blob; the bytes go when the last owner
// does. owned is false if owner did not own it.
func (s *Store) Remove(ctx context.Context, sha, owner []byte) (owned, removed bool, err error) {
	mu := s.lock(sha)
	mu.Lock()
	defer mu.Unlock()
	owned, orphaned, err := s.index.RemoveBlobOwner(ctx, sha, owner)
	if err != nil || !orphaned {
		return owned, false, err
	}
	final := s.Path(sha)
	if err := os.Remove(final); err != nil && !errors.Is(err, os.ErrNotExist) {
		return true, false, fmt.Errorf("remove blob %x: %w", sha, err)
	}
	syncDir(filepath.Dir(final))
	return true, true, nil
}

// Open opens a blob's bytes for reading.
func (s *Store) Open(sha []byte) (*os.File, error) {
	return os.Open(s.Path(sha))
}

// SweepResult reports what a sweep removed.
type SweepResult struct {
	Temporary int // interrupted uploads
	Unowned   int // files renamed in place whose row never committed
	Blobs     int // files kept
}

// Sweep removes what interrupted uploads left: every temporary file, and
// every blob file without a metadata row (its upload was never
// acknowledged). Run it before serving, while no upload is in progress.
func (s *Store) Sweep(ctx context.Context) (SweepResult, error) {
	var res SweepResult
	tmp, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return res, fmt.Errorf("sweep %s: %w", s.tmpDir(), err)
	}
	for _, e := range tmp {
		if err := os.Remove(filepath.Join(s.tmpDir(), e.Name())); err == nil {
			res.Temporary++
		}
	}
	for i := 0; i < 256; i++ {
		dir := filepath.Join(s.dir, "blobs", fmt.Sprintf("%02x", i))
		entries, err := os.ReadDir(dir)
		if err != nil {
			return res, fmt.Errorf("sweep %s: %w", dir, err)
		}
		var shas [][]byte
		var names []string
		for _, e := range entries {
			sha, err := hex.DecodeString(e.Name())
			if err != nil || len(sha) != 32 || strings.ToLower(e.Name()) != e.Name() || e.Name()[:2] != fmt.Sprintf("%02x", i) {
				continue // not ours; leave it
			}
			shas = append(shas, sha)
			names = append(names, e.Name())
		}
		for len(shas) > 0 {
			n := min(len(shas), 1000)
			found, err := s.index.HasBlobs(ctx, shas[:n])
			if err != nil {
				return res, fmt.Errorf("sweep: %w", err)
			}
			for j := 0; j < n; j++ {
				if found[string(shas[j])] {
					res.Blobs++
					continue
				}
				if err := os.Remove(filepath.Join(dir, names[j])); err == nil {
					res.Unowned++
				}
			}
			shas, names = shas[n:], names[n:]
		}
	}
	return res, syncDir(s.tmpDir())
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
