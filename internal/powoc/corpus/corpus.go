// Package corpus builds the reference text the PoWoC evaluator is measured
// on: the Go standard library's own sources, the *.go files under
// $GOROOT/src in bytewise-sorted path order, concatenated. The first
// ValidationSize bytes are the validation set, the next TrainingSize bytes
// the training set. The text is real, large and on every machine that
// builds this project, though its bytes depend on the Go release.
package corpus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// Sizes of the reference sets.
const (
	ValidationSize = 10 << 20
	TrainingSize   = 10 << 20
)

// GoRoot is the Go installation whose sources make the corpus: $GOROOT when
// set, else the root the running binary was built with.
func GoRoot() string {
	if r := os.Getenv("GOROOT"); r != "" {
		return r
	}
	return runtime.GOROOT()
}

// Files lists the regular *.go files under goroot/src, as slash-separated
// paths relative to goroot/src, in bytewise order.
func Files(goroot string) ([]string, error) {
	src := filepath.Join(goroot, "src")
	var out []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".go") {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list Go sources: %w", err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Go sources under %s", src)
	}
	slices.Sort(out)
	return out, nil
}

// ErrShort reports a corpus smaller than the range asked for.
var ErrShort = errors.New("corpus too short")

// Read returns bytes [off, off+n) of the corpus of goroot.
func Read(goroot string, off, n int64) ([]byte, error) {
	files, err := Files(goroot)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, n)
	pos := int64(0)
	for _, f := range files {
		if int64(len(out)) == n {
			break
		}
		name := filepath.Join(goroot, "src", filepath.FromSlash(f))
		st, err := os.Stat(name)
		if err != nil {
			return nil, err
		}
		size := st.Size()
		if pos+size <= off {
			pos += size
			continue
		}
		fh, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		skip := max(off-pos, 0)
		want := min(size-skip, n-int64(len(out)))
		buf := make([]byte, want)
		_, err = fh.ReadAt(buf, skip)
		fh.Close()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read %s: %w", f, err)
		}
		out = append(out, buf...)
		pos += size
	}
	if int64(len(out)) < n {
		return nil, fmt.Errorf("%w: %d bytes from offset %d, have %d", ErrShort, n, off, len(out))
	}
	return out, nil
}

// Validation returns the first n bytes of the validation set (n at most
// ValidationSize).
func Validation(goroot string, n int64) ([]byte, error) {
	return Read(goroot, 0, min(n, ValidationSize))
}

// Training returns the first n bytes of the training set (n at most
// TrainingSize).
func Training(goroot string, n int64) ([]byte, error) {
	return Read(goroot, ValidationSize, min(n, TrainingSize))
}
