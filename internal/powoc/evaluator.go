// Package powoc scores models by Proof of Work of Compression: the
// validation data of a repository is compressed by an evaluator driven by
// the model, and the compressed file, a claim, is its own proof: anyone with
// the same evaluator and model decodes it and checks that the result is the
// validation object, by its Merkle id. The score is the description length,
// the code's bits plus the bits the model costs to store (whole, or as a
// difference from its parent).
//
// The reference evaluator "cm" (package cm) is built in. Other evaluators,
// for example a large language model, plug in as external commands that
// speak the protocol of external.go; a claim names its evaluator and
// version, so a verifier runs the same one.
package powoc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// Evaluator compresses and decompresses data under a model.
type Evaluator interface {
	// Name and Version go into every claim; a verifier must run an
	// evaluator with the same name and version.
	Name() string
	Version() string
	// DefaultParams are the parameters a claim records unless the scorer
	// overrides them.
	DefaultParams() map[string]string
	// Encode writes the code of all of data under the model.
	Encode(ctx context.Context, model *Model, params map[string]string, data io.Reader, code io.Writer, progress func(int64)) error
	// Decode reads a code of codeLen bytes and writes exactly n decoded
	// bytes to out.
	Decode(ctx context.Context, model *Model, params map[string]string, code io.Reader, codeLen, n int64, out io.Writer, progress func(int64)) error
}

// Model is a model file opened for scoring: its path, object id and size,
// and, when small, its bytes, so the evaluator uses exactly the bytes the id
// was computed over.
type Model struct {
	Path string
	ID   merkle.ID
	Size int64
	data []byte // nil for files larger than keepModelBytes
}

// keepModelBytes is the largest model file kept in memory when opened.
const keepModelBytes = 256 << 20

// OpenModel hashes a model file and keeps its bytes when it is small.
func OpenModel(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open model: %w", err)
	}
	m := &Model{Path: path, Size: st.Size()}
	if st.Size() <= keepModelBytes {
		m.data, err = io.ReadAll(f)
		if err != nil {
			return nil, fmt.Errorf("read model %s: %w", path, err)
		}
		m.Size = int64(len(m.data))
		m.ID = merkle.SumBytes(m.data)
		return m, nil
	}
	id, size, err := merkle.Sum(f)
	if err != nil {
		return nil, fmt.Errorf("hash model %s: %w", path, err)
	}
	m.ID, m.Size = id, int64(size)
	return m, nil
}

// Bytes returns the model file's contents, reading the file again when it
// was too large to keep, and checks they still have the model's id.
func (m *Model) Bytes() ([]byte, error) {
	if m.data != nil || m.Size == 0 {
		return m.data, nil
	}
	b, err := os.ReadFile(m.Path)
	if err != nil {
		return nil, fmt.Errorf("read model: %w", err)
	}
	if id := merkle.SumBytes(b); id != m.ID {
		return nil, fmt.Errorf("model file %s changed while in use", m.Path)
	}
	return b, nil
}

// ErrUnknownEvaluator reports a claim or request naming an evaluator this
// program cannot run.
var ErrUnknownEvaluator = errors.New("unknown evaluator")

// Builtin returns the built-in evaluator of that name and version ("" for
// the newest).
func Builtin(name, version string) (Evaluator, error) {
	if name == CMName && (version == "" || version == CMVersion) {
		return CM{}, nil
	}
	if name == CMName {
		return nil, fmt.Errorf("%w: %s version %s (this build has version %s)", ErrUnknownEvaluator, name, version, CMVersion)
	}
	return nil, fmt.Errorf("%w: %q is not built in (only %q is); run it with an external evaluator command", ErrUnknownEvaluator, name, CMName)
}
