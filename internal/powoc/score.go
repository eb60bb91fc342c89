package powoc

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/powoc/claim"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// Result is a score: what score prints and verify confirms.
type Result struct {
	Evaluator        string            `json:"evaluator"`
	EvaluatorVersion string            `json:"evaluator_version"`
	Params           map[string]string `json:"params"`
	Model            string            `json:"model"`
	ModelBytes       int64             `json:"model_bytes"`
	Parent           string            `json:"parent,omitempty"`
	Data             string            `json:"data"`
	DataBytes        int64             `json:"data_bytes"`
	CodeBytes        int64             `json:"code_bytes"`
	CodeBits         int64             `json:"code_bits"`
	BitsPerByte      float64           `json:"bits_per_byte"`
	ModelCostKind    string            `json:"model_cost_kind"` // "whole" or "delta"
	ModelCostBytes   int64             `json:"model_cost_bytes"`
	// DescriptionBits is the score: CodeBits + 8 * ModelCostBytes. Lower
	// is better.
	DescriptionBits int64 `json:"description_bits"`
	ClaimBytes      int64 `json:"claim_bytes"`
}

func newResult(h *claim.Header, model *Model, claimBytes int64) *Result {
	r := &Result{
		Evaluator:        h.Evaluator,
		EvaluatorVersion: h.EvaluatorVersion,
		Params:           maps.Clone(h.Params),
		Model:            h.Model.String(),
		ModelBytes:       model.Size,
		Data:             h.Data.String(),
		DataBytes:        int64(h.DataLen),
		CodeBytes:        int64(h.CodeLen),
		CodeBits:         8 * int64(h.CodeLen),
		ClaimBytes:       claimBytes,
	}
	if h.HasParent() {
		r.Parent = h.Parent.String()
	}
	if r.DataBytes > 0 {
		r.BitsPerByte = float64(r.CodeBits) / float64(r.DataBytes)
	}
	return r
}

func (r *Result) setModelCost(kind string, n int64) {
	r.ModelCostKind, r.ModelCostBytes = kind, n
	r.DescriptionBits = r.CodeBits + 8*n
}

// ScoreRequest asks for a claim.
type ScoreRequest struct {
	Evaluator Evaluator
	Model     *Model
	Parent    *Model            // the model's parent, nil when it stands alone
	Params    map[string]string // overrides of the evaluator's default parameters
	Data      string            // path of the validation data
	Out       string            // path of the claim to write
	Progress  func(done, total int64)
}

// Score compresses the validation data, writes the claim and returns its
// score. The data is read once: its object id is computed while it is coded
// and written into the header afterwards.
func Score(ctx context.Context, req ScoreRequest) (*Result, error) {
	ev := req.Evaluator
	params := ev.DefaultParams()
	if params == nil {
		params = map[string]string{}
	}
	maps.Copy(params, req.Params)
	h := &claim.Header{
		Evaluator:        ev.Name(),
		EvaluatorVersion: ev.Version(),
		Model:            req.Model.ID,
		Params:           params,
	}
	if req.Parent != nil {
		h.Parent = req.Parent.ID
	}
	hdr, err := h.Append(nil)
	if err != nil {
		return nil, err
	}

	data, err := os.Open(req.Data)
	if err != nil {
		return nil, fmt.Errorf("open validation data: %w", err)
	}
	defer data.Close()
	var total int64
	if st, err := data.Stat(); err == nil {
		total = st.Size()
	}

	dir := filepath.Dir(req.Out)
	f, err := os.CreateTemp(dir, "."+filepath.Base(req.Out)+".tmp*")
	if err != nil {
		return nil, fmt.Errorf("create claim: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	defer f.Close()
	if _, err := f.Write(hdr); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	cw := &countWriter{w: bw}
	hasher := merkle.New()
	var progress func(int64)
	if req.Progress != nil {
		progress = func(n int64) { req.Progress(n, total) }
	}
	if err := ev.Encode(ctx, req.Model, params, io.TeeReader(data, hasher), cw, progress); err != nil {
		return nil, fmt.Errorf("%s encode: %w", ev.Name(), err)
	}
	if err := bw.Flush(); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	h.Data = hasher.ID()
	h.DataLen = hasher.Size()
	h.CodeLen = uint64(cw.n)
	final, err := h.Append(nil)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteAt(final, 0); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	if err := f.Chmod(0o644); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	if err := f.Sync(); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}
	if err := os.Rename(tmp, req.Out); err != nil {
		return nil, fmt.Errorf("write claim: %w", err)
	}

	res := newResult(h, req.Model, int64(len(final))+cw.n)
	kind, n, err := ModelCost(req.Model, req.Parent)
	if err != nil {
		return nil, err
	}
	res.setModelCost(kind, n)
	return res, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ErrRejected wraps every reason a claim fails verification.
var ErrRejected = errors.New("claim rejected")

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: %w", ErrRejected, fmt.Errorf(format, args...))
}

// VerifyRequest asks to check a claim.
type VerifyRequest struct {
	Claim string // path of the claim
	Model *Model
	// Parent must be given when the claim names a parent, and only then.
	Parent *Model
	// Resolve returns the evaluator the claim names; it should fail for
	// an evaluator or version it cannot run.
	Resolve func(h *claim.Header) (Evaluator, error)
	// DataID, when set, is the validation object the claim must be about.
	DataID *merkle.ID
	// DataLen, when non-zero, is the validation object's length in bytes. An
	// object id binds its length but does not reveal it, so a verifier that
	// has only the id bounds the decode with this (or MaxDataLen) before
	// spending time on a length the claim may have forged.
	DataLen uint64
	// MaxDataLen, when non-zero, refuses claims announcing more data.
	MaxDataLen uint64
	// Data, when set, is a file holding the validation data; the claim must
	// be about its object id.
	Data string
	// Output, when set, receives the decoded validation data.
	Output   io.Writer
	Progress func(done, total int64)
}

// Verify decodes a claim and checks that it reproduces the validation
// object exactly. Every way the claim can be wrong (format, truncation,
// another model, another evaluator, a decode that fails or gives other
// bytes) returns an error wrapping ErrRejected with the reason.
func Verify(ctx context.Context, req VerifyRequest) (*Result, error) {
	f, err := os.Open(req.Claim)
	if err != nil {
		return nil, fmt.Errorf("open claim: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open claim: %w", err)
	}
	br := bufio.NewReaderSize(f, 1<<16)
	h, err := claim.ReadHeader(br)
	if err != nil {
		if errors.Is(err, claim.ErrFormat) {
			return nil, fmt.Errorf("%w: %w", ErrRejected, err)
		}
		return nil, err
	}
	hsize := int64(h.Size())
	if body := st.Size() - hsize; uint64(body) != h.CodeLen {
		if uint64(body) < h.CodeLen {
			return nil, reject("claim truncated: the header announces %d code bytes, the file has %d", h.CodeLen, body)
		}
		return nil, reject("%d bytes after the code", uint64(body)-h.CodeLen)
	}
	if h.Model != req.Model.ID {
		return nil, reject("wrong model: the claim is for model %s, the file given has id %s", h.Model, req.Model.ID)
	}
	switch {
	case h.HasParent() && req.Parent == nil:
		return nil, reject("the claim scores the model against parent %s; give that parent model", h.Parent)
	case h.HasParent() && req.Parent.ID != h.Parent:
		return nil, reject("wrong parent: the claim names parent %s, the file given has id %s", h.Parent, req.Parent.ID)
	case !h.HasParent() && req.Parent != nil:
		return nil, reject("the claim scores the model standalone, but a parent was given")
	}
	if req.DataLen != 0 && h.DataLen != req.DataLen {
		return nil, reject("wrong validation data: the claim decodes %d bytes, the validation object has %d", h.DataLen, req.DataLen)
	}
	if req.MaxDataLen != 0 && h.DataLen > req.MaxDataLen {
		return nil, reject("the claim announces %d bytes of validation data, more than the limit of %d", h.DataLen, req.MaxDataLen)
	}
	if req.DataID != nil && *req.DataID != h.Data {
		return nil, reject("wrong validation data: the claim is about %s, expected %s", h.Data, *req.DataID)
	}
	if req.Data != "" {
		id, size, err := hashFile(req.Data)
		if err != nil {
			return nil, err
		}
		if id != h.Data || size != h.DataLen {
			return nil, reject("wrong validation data: the claim is about %s (%d bytes), %s has id %s (%d bytes)", h.Data, h.DataLen, req.Data, id, size)
		}
	}
	ev, err := req.Resolve(h)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRejected, err)
	}
	if ev.Name() != h.Evaluator || ev.Version() != h.EvaluatorVersion {
		return nil, reject("the claim needs evaluator %s %s, the one given is %s %s", h.Evaluator, h.EvaluatorVersion, ev.Name(), ev.Version())
	}

	hasher := merkle.New()
	out := io.Writer(hasher)
	if req.Output != nil {
		out = io.MultiWriter(hasher, req.Output)
	}
	var progress func(int64)
	if req.Progress != nil {
		progress = func(n int64) { req.Progress(n, int64(h.DataLen)) }
	}
	lw := &limitWriter{w: out, n: int64(h.DataLen)}
	code := io.LimitReader(br, int64(h.CodeLen))
	if err := ev.Decode(ctx, req.Model, h.Params, code, int64(h.CodeLen), int64(h.DataLen), lw, progress); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, reject("%s decode: %w", ev.Name(), err)
	}
	if lw.over || hasher.Size() != h.DataLen {
		return nil, reject("decoding gave %d bytes, the claim says %d", hasher.Size()+lw.extra, h.DataLen)
	}
	if id := hasher.ID(); id != h.Data {
		return nil, reject("decoded data has id %s, the claim says %s", id, h.Data)
	}
	res := newResult(h, req.Model, st.Size())
	kind, n, err := ModelCost(req.Model, req.Parent)
	if err != nil {
		return nil, err
	}
	res.setModelCost(kind, n)
	return res, nil
}

// limitWriter passes on at most n bytes and notes anything beyond.
type limitWriter struct {
	w     io.Writer
	n     int64
	over  bool
	extra uint64
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > l.n {
		l.over = true
		l.extra += uint64(int64(len(p)) - l.n)
		p = p[:l.n]
	}
	l.n -= int64(len(p))
	if _, err := l.w.Write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func hashFile(path string) (merkle.ID, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return merkle.ID{}, 0, fmt.Errorf("open validation data: %w", err)
	}
	defer f.Close()
	id, size, err := merkle.Sum(f)
	if err != nil {
		return merkle.ID{}, 0, fmt.Errorf("hash %s: %w", path, err)
	}
	return id, size, nil
}

// Model cost kinds.
const (
	CostWhole = "whole"
	CostDelta = "delta"
)

// deltaKeepRatio is agigit's rule for storing a file as a delta: only when
// the delta is at most this fraction of the file (docs/AGIGIT.md, "Fine-tunes
// as deltas").
const deltaKeepRatio = 0.9

// ModelCost is the number of bytes a model costs in a description length:
// what agigit stores for it. A model without a parent costs its whole file.
// A model with a parent costs the size of its tensor delta against the
// parent (package delta, the format agigit commits fine-tunes in), when
// both are safetensors files and the delta is at most 90% of the file, as
// agigit decides; otherwise its whole file.
func ModelCost(model, parent *Model) (kind string, n int64, err error) {
	if parent == nil {
		return CostWhole, model.Size, nil
	}
	d, ok, err := deltaSize(model, parent)
	if err != nil {
		return "", 0, err
	}
	if !ok || float64(d) > deltaKeepRatio*float64(model.Size) {
		return CostWhole, model.Size, nil
	}
	return CostDelta, d, nil
}

// readerAt opens a model's bytes for random access.
func (m *Model) readerAt() (io.ReaderAt, func(), error) {
	if m.data != nil || m.Size == 0 {
		return bytes.NewReader(m.data), func() {}, nil
	}
	f, err := os.Open(m.Path)
	if err != nil {
		return nil, nil, fmt.Errorf("open model: %w", err)
	}
	return f, func() { f.Close() }, nil
}

// isSafetensors reports whether r holds a well-formed safetensors file of
// size bytes.
func isSafetensors(r io.ReaderAt, size int64) bool {
	h, err := safetensors.ReadHeader(io.NewSectionReader(r, 0, size))
	return err == nil && h.CheckFileSize(uint64(size)) == nil
}

// deltaSize returns the size of the delta object agigit would store for
// model against parent, or ok=false when either is not a safetensors file.
func deltaSize(model, parent *Model) (n int64, ok bool, err error) {
	a, closeA, err := model.readerAt()
	if err != nil {
		return 0, false, err
	}
	defer closeA()
	b, closeB, err := parent.readerAt()
	if err != nil {
		return 0, false, err
	}
	defer closeB()
	if !isSafetensors(a, model.Size) || !isSafetensors(b, parent.Size) {
		return 0, false, nil
	}
	cw := &countWriter{w: io.Discard}
	st, err := delta.Encode(cw, delta.File{R: a, Size: model.Size, ID: model.ID},
		delta.Reference{R: b, Size: parent.Size, ID: parent.ID}, nil)
	if err != nil {
		return 0, false, fmt.Errorf("model delta: %w", err)
	}
	return int64(st.Size), true, nil
}
