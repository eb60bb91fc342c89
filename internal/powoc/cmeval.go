package powoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/agi-nostr/agi-nostr/internal/powoc/cm"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// The built-in evaluator. Its version names the exact bit stream: any change
// to the model's arithmetic that changes a code gets a new version.
const (
	CMName    = "cm"
	CMVersion = "2"
)

// Metadata keys that name a model file's evaluator.
const (
	KeyEvaluator        = "powoc.evaluator"
	KeyEvaluatorVersion = "powoc.evaluator_version"
)

// CM is the reference evaluator: the context-mixing model of package cm
// with an arithmetic coder. Its model files are safetensors files holding
// the architecture in the metadata and the learned parameters as tensors.
type CM struct{}

// Name implements Evaluator.
func (CM) Name() string { return CMName }

// Version implements Evaluator.
func (CM) Version() string { return CMVersion }

// DefaultParams implements Evaluator: the memory sizes of cm.DefaultRuntime.
func (CM) DefaultParams() map[string]string { return cm.DefaultRuntime().Params() }

// ErrModel reports a model file the evaluator cannot use.
var ErrModel = errors.New("unusable model")

// CMModel is a decoded cm model file.
type CMModel struct {
	Config cm.Config
	Params *cm.Params
}

type tensorBytes struct {
	h    *safetensors.Header
	file []byte
}

func (t tensorBytes) ReadTensor(name string) (safetensors.TensorInfo, []byte, error) {
	info, ok := t.h.Tensor(name)
	if !ok {
		return info, nil, fmt.Errorf("no tensor %s", name)
	}
	b, err := t.h.ReadTensor(bytes.NewReader(t.file), name)
	return info, b, err
}

// DecodeCMModel reads a cm model file. It accepts exactly the tensors and
// metadata keys the architecture defines, so one model has one file.
func DecodeCMModel(file []byte) (*CMModel, error) {
	h, err := safetensors.DecodeHeader(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if err := h.CheckFileSize(uint64(len(file))); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	if ev := h.Metadata[KeyEvaluator]; ev != CMName {
		return nil, fmt.Errorf("%w: the file is for evaluator %q, not %q", ErrModel, ev, CMName)
	}
	if v := h.Metadata[KeyEvaluatorVersion]; v != CMVersion {
		return nil, fmt.Errorf("%w: the file is for %s version %q, this build runs version %s", ErrModel, CMName, v, CMVersion)
	}
	cfg, err := cm.ConfigFromMetadata(h.Metadata)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	want := cmMetadata(cfg)
	for k := range h.Metadata {
		if _, ok := want[k]; !ok {
			return nil, fmt.Errorf("%w: unknown metadata key %q", ErrModel, k)
		}
	}
	p, err := cm.ParamsFromTensors(cfg, tensorBytes{h, file})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrModel, err)
	}
	names := h.Names()
	slices.Sort(names)
	var wantNames []string
	for _, t := range p.Tensors(cfg) {
		wantNames = append(wantNames, t.Name)
	}
	slices.Sort(wantNames)
	if !slices.Equal(names, wantNames) {
		return nil, fmt.Errorf("%w: tensors %v, want %v", ErrModel, names, wantNames)
	}
	return &CMModel{Config: cfg, Params: p}, nil
}

func cmMetadata(cfg cm.Config) map[string]string {
	md := cfg.Metadata()
	md[KeyEvaluator] = CMName
	md[KeyEvaluatorVersion] = CMVersion
	return md
}

// Encode returns the model file's bytes.
func (m *CMModel) Encode() ([]byte, error) {
	return safetensors.Encode(m.Params.Tensors(m.Config), cmMetadata(m.Config))
}

func (CM) load(model *Model) (*CMModel, error) {
	b, err := model.Bytes()
	if err != nil {
		return nil, err
	}
	return DecodeCMModel(b)
}

func (e CM) instance(model *Model, params map[string]string) (*cm.Model, error) {
	rt, err := cm.RuntimeFromParams(params)
	if err != nil {
		return nil, err
	}
	mm, err := e.load(model)
	if err != nil {
		return nil, err
	}
	return cm.New(mm.Config, rt, mm.Params)
}

// Encode implements Evaluator.
func (e CM) Encode(ctx context.Context, model *Model, params map[string]string, data io.Reader, code io.Writer, progress func(int64)) error {
	m, err := e.instance(model, params)
	if err != nil {
		return err
	}
	_, _, err = cm.Encode(ctx, m, data, code, progress)
	return err
}

// Decode implements Evaluator.
func (e CM) Decode(ctx context.Context, model *Model, params map[string]string, code io.Reader, codeLen, n int64, out io.Writer, progress func(int64)) error {
	m, err := e.instance(model, params)
	if err != nil {
		return err
	}
	return cm.Decode(ctx, m, code, codeLen, n, out, progress)
}

// TrainOptions control TrainCM.
type TrainOptions struct {
	Config  cm.Config  // architecture of a new model, or where the search starts
	From    *CMModel   // continue from this model (its architecture is kept)
	Runtime cm.Runtime // memory sizes while training
	// Sample, when set (and From is not), is the data the architecture is
	// fitted to first (see cm.Search and cm.Sample).
	Sample       []byte
	SearchRounds int
	MaxContexts  int
	// Progress is told the stage ("search" or "train"), the bytes coded in
	// it so far and its total (-1 when unknown).
	Progress func(stage string, done, total int64)
}

// TrainCM fits a cm model to training data in two steps. First, unless
// continuing from a model, it fits the architecture (contexts and rates) to
// a sample of the training data by greedy search, keeping each change that
// shortens the sample's code. Then it codes the training inputs one after
// the other, as one stream, and keeps the state the adaptive maps reach as
// the model's parameters. The result depends only on the options and the
// bytes, in order.
func TrainCM(ctx context.Context, opt TrainOptions, data ...io.Reader) (*CMModel, error) {
	cfg, p := opt.Config, (*cm.Params)(nil)
	progress := func(stage string, done, total int64) {
		if opt.Progress != nil {
			opt.Progress(stage, done, total)
		}
	}
	if opt.From != nil {
		cfg, p = opt.From.Config, opt.From.Params
	} else if len(opt.Sample) > 0 {
		var err error
		cfg, _, err = cm.Search(ctx, cfg, opt.Sample, cm.SearchOptions{
			Runtime: opt.Runtime, Rounds: opt.SearchRounds, MaxContexts: opt.MaxContexts,
			Progress: func(evaluated int, _ int64) {
				progress("search", int64(evaluated)*int64(len(opt.Sample)), -1)
			},
		})
		if err != nil {
			return nil, err
		}
	}
	m, err := cm.New(cfg, opt.Runtime, p)
	if err != nil {
		return nil, err
	}
	var done int64
	for i, r := range data {
		base := done
		prog := func(n int64) {
			done = base + n
			progress("train", done, -1)
		}
		if _, _, err := cm.Encode(ctx, m, r, io.Discard, prog); err != nil {
			return nil, fmt.Errorf("train on input %d: %w", i+1, err)
		}
	}
	return &CMModel{Config: cfg, Params: m.Params()}, nil
}

// WriteFileAtomic writes b to path through a temporary file in the same
// directory, synced before it is renamed into place, so a crash leaves
// either the old file or the new one.
func WriteFileAtomic(path string, b []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
