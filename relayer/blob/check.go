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

	"github.com/agi-nostr/agi-nostr/internal/progress"
	"github.com/agi-nostr/agi-nostr/relayer/store"
)

// Catalog is what a consistency check reads besides the files.
type Catalog interface {
	ForEachBlob(ctx context.Context, fn func(store.Blob) error) error
	HasBlobs(ctx context.Context, shas [][]byte) (map[string]bool, error)
	CheckUsage(ctx context.Context) ([]store.UsageMismatch, error)
}

// Problem is one inconsistency found by Check.
type Problem struct {
	SHA256 string
	What   string
}

// CheckReport is the result of Check.
type CheckReport struct {
	Recorded   int   // blob rows
	Bytes      int64 // their total size
	Problems   []Problem
	Unrecorded int // files without a row (removed at the next start)
	Partial    int // files in tmp/ (removed at the next start)
	Usage      []store.UsageMismatch
}

// OK reports whether nothing needs the operator's attention.
func (r *CheckReport) OK() bool { return len(r.Problems) == 0 && len(r.Usage) == 0 }

// Check compares the blob directory with the catalog: every recorded blob
// must have a file of its size (and, with rehash, bytes that hash to its
// name); files without rows and leftovers of interrupted uploads are
// counted; owners' charged bytes must match what they own. It changes
// nothing. Run it while the relayer is stopped, or expect uploads and
// deletes in progress to show up.
func Check(ctx context.Context, dir string, cat Catalog, rehash bool, p progress.Reporter) (*CheckReport, error) {
	s := &Store{dir: dir}
	r := &CheckReport{}
	var total int64
	if err := cat.ForEachBlob(ctx, func(b store.Blob) error {
		r.Recorded++
		total += b.Size
		return nil
	}); err != nil {
		return nil, err
	}
	r.Bytes = total
	stage := "checking sizes"
	if rehash {
		stage = "hashing blobs"
	} else {
		total = int64(r.Recorded)
	}
	p.Start(stage, total)
	buf := make([]byte, copyBufSize)
	err := cat.ForEachBlob(ctx, func(b store.Blob) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		name := hex.EncodeToString(b.SHA256)
		fi, err := os.Stat(s.Path(b.SHA256))
		switch {
		case errors.Is(err, os.ErrNotExist):
			r.Problems = append(r.Problems, Problem{name, "recorded, but its file is missing"})
		case err != nil:
			r.Problems = append(r.Problems, Problem{name, err.Error()})
		case fi.Size() != b.Size:
			r.Problems = append(r.Problems, Problem{name, fmt.Sprintf("file has %d bytes, recorded %d", fi.Size(), b.Size)})
		case rehash:
			sum, err := hashFile(s.Path(b.SHA256), buf, p)
			if err != nil {
				r.Problems = append(r.Problems, Problem{name, err.Error()})
			} else if sum != name {
				r.Problems = append(r.Problems, Problem{name, "file's bytes hash to " + sum})
			}
			return nil
		}
		if rehash {
			p.Add(b.Size)
		} else {
			p.Add(1)
		}
		return nil
	})
	p.Finish()
	if err != nil {
		return nil, err
	}
	if tmp, err := os.ReadDir(s.tmpDir()); err == nil {
		r.Partial = len(tmp)
	}
	for i := 0; i < 256; i++ {
		sub := filepath.Join(dir, "blobs", fmt.Sprintf("%02x", i))
		entries, err := os.ReadDir(sub)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("check %s: %w", sub, err)
		}
		var shas [][]byte
		for _, e := range entries {
			sha, err := hex.DecodeString(e.Name())
			if err == nil && len(sha) == 32 && strings.ToLower(e.Name()) == e.Name() {
				shas = append(shas, sha)
			}
		}
		for len(shas) > 0 {
			n := min(len(shas), 1000)
			found, err := cat.HasBlobs(ctx, shas[:n])
			if err != nil {
				return nil, err
			}
			for _, sha := range shas[:n] {
				if !found[string(sha)] {
					r.Unrecorded++
				}
			}
			shas = shas[n:]
		}
	}
	if r.Usage, err = cat.CheckUsage(ctx); err != nil {
		return nil, err
	}
	return r, nil
}

func hashFile(path string, buf []byte, p progress.Reporter) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	for {
		n, err := f.Read(buf)
		h.Write(buf[:n])
		p.Add(int64(n))
		if err == io.EOF {
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		if err != nil {
			return "", err
		}
	}
}
