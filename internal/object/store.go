package object

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ShardWriter receives one shard's bytes.
type ShardWriter interface {
	io.Writer
	// Commit makes the shard durable under its sha256 name, once every
	// byte has been written.
	Commit(sum Hash) error
	// Abort discards a shard that will not be completed.
	Abort() error
}

// ShardSink stores new shards (split, repair).
type ShardSink interface {
	Create(index int) (ShardWriter, error)
}

// ShardSource reads stored shards (join, repair). Open returns an error
// wrapping fs.ErrNotExist when the shard is not there.
type ShardSource interface {
	Open(index int, sum Hash) (io.ReadCloser, error)
}

// Dir is a directory of shard blobs, each in a file named by its lowercase
// hex sha256, the way a Blossom server names them. New shards are written
// to a temporary file, synced and renamed, so a crash never leaves a
// partial blob under a real name.
type Dir string

// Path is the file of the blob with the given hash.
func (d Dir) Path(sum Hash) string { return filepath.Join(string(d), hex.EncodeToString(sum[:])) }

// Open implements ShardSource.
func (d Dir) Open(index int, sum Hash) (io.ReadCloser, error) {
	return os.Open(d.Path(sum))
}

// Create implements ShardSink.
func (d Dir) Create(index int) (ShardWriter, error) {
	var r [8]byte
	rand.Read(r[:])
	f, err := os.OpenFile(filepath.Join(string(d), fmt.Sprintf(".shard-%d-%x.tmp", index, r)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	return &dirWriter{f: f, dir: d}, nil
}

type dirWriter struct {
	f   *os.File
	dir Dir
}

func (w *dirWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func (w *dirWriter) Commit(sum Hash) error {
	if err := w.f.Sync(); err != nil {
		w.Abort()
		return err
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	if err := os.Rename(w.f.Name(), w.dir.Path(sum)); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	return syncDir(string(w.dir))
}

func (w *dirWriter) Abort() error {
	w.f.Close()
	return os.Remove(w.f.Name())
}

// syncDir makes renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}
