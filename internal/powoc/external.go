package powoc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strconv"
	"strings"

	"github.com/agi-nostr/agi-nostr/internal/powoc/claim"
)

// The external evaluator protocol, version 1. An evaluator is a program,
// run as ARGV... followed by one of three commands:
//
//	info
//	    Print one JSON object on stdout:
//	    {"protocol":1,"name":NAME,"version":VERSION,"params":{KEY:VALUE,...}}
//	    NAME and VERSION go into claims; params are the defaults a claim
//	    records unless the scorer overrides them.
//	encode --model PATH [--param KEY=VALUE]...
//	    Read the validation data on stdin, write the code on stdout.
//	decode --model PATH --length N --code-length C [--param KEY=VALUE]...
//	    Read a code of C bytes on stdin, write exactly N decoded bytes on
//	    stdout.
//
// Every parameter of the claim is passed, in ascending key order. Exit
// status 0 means success; any other status is a failure whose reason is on
// stderr. The evaluator must be deterministic: decode must give back the
// encoded bytes on any machine, which for a neural network means integer or
// otherwise bit-exact inference. docs/POWOC.md has a worked example.
const ProtocolVersion = 1

// Info is what an evaluator's info command prints.
type Info struct {
	Protocol int               `json:"protocol"`
	Name     string            `json:"name"`
	Version  string            `json:"version"`
	Params   map[string]string `json:"params"`
}

func (i *Info) validate() error {
	if i.Protocol != ProtocolVersion {
		return fmt.Errorf("speaks protocol %d, want %d", i.Protocol, ProtocolVersion)
	}
	if err := claim.ValidName(i.Name); err != nil {
		return fmt.Errorf("name %q: %w", i.Name, err)
	}
	if err := claim.ValidVersion(i.Version); err != nil {
		return fmt.Errorf("version %q: %w", i.Version, err)
	}
	h := claim.Header{Evaluator: i.Name, EvaluatorVersion: i.Version, Params: i.Params}
	return h.Validate()
}

// External is an evaluator run as a separate program.
type External struct {
	Argv []string
	info Info
}

// maxStderr bounds how much of an evaluator's stderr is kept for errors.
const maxStderr = 16 << 10

// NewExternal runs the program's info command and returns the evaluator it
// describes.
func NewExternal(ctx context.Context, argv []string) (*External, error) {
	if len(argv) == 0 {
		return nil, errors.New("external evaluator: empty command")
	}
	e := &External{Argv: slices.Clone(argv)}
	var out bytes.Buffer
	if err := e.run(ctx, []string{"info"}, nil, &limitedBuffer{b: &out, n: 1 << 20}); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(&out)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e.info); err != nil {
		return nil, fmt.Errorf("external evaluator %s: info: %w", argv[0], err)
	}
	if err := e.info.validate(); err != nil {
		return nil, fmt.Errorf("external evaluator %s: info: %w", argv[0], err)
	}
	return e, nil
}

// Name implements Evaluator.
func (e *External) Name() string { return e.info.Name }

// Version implements Evaluator.
func (e *External) Version() string { return e.info.Version }

// DefaultParams implements Evaluator.
func (e *External) DefaultParams() map[string]string { return maps.Clone(e.info.Params) }

func paramArgs(params map[string]string) []string {
	var args []string
	for _, k := range slices.Sorted(maps.Keys(params)) {
		args = append(args, "--param", k+"="+params[k])
	}
	return args
}

// Encode implements Evaluator.
func (e *External) Encode(ctx context.Context, model *Model, params map[string]string, data io.Reader, code io.Writer, progress func(int64)) error {
	args := append([]string{"encode", "--model", model.Path}, paramArgs(params)...)
	return e.run(ctx, args, &progressReader{r: data, progress: progress}, code)
}

// Decode implements Evaluator.
func (e *External) Decode(ctx context.Context, model *Model, params map[string]string, code io.Reader, codeLen, n int64, out io.Writer, progress func(int64)) error {
	args := append([]string{"decode", "--model", model.Path, "--length", strconv.FormatInt(n, 10),
		"--code-length", strconv.FormatInt(codeLen, 10)}, paramArgs(params)...)
	return e.run(ctx, args, code, &progressWriter{w: out, progress: progress})
}

func (e *External) run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	cmd := exec.CommandContext(ctx, e.Argv[0], append(slices.Clone(e.Argv[1:]), args...)...)
	cmd.Stdin = stdin
	cmd.Stdout = stdout
	var stderr bytes.Buffer
	cmd.Stderr = &limitedBuffer{b: &stderr, n: maxStderr}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			return fmt.Errorf("external evaluator %s %s: %w: %s", e.Argv[0], args[0], err, msg)
		}
		return fmt.Errorf("external evaluator %s %s: %w", e.Argv[0], args[0], err)
	}
	return nil
}

// limitedBuffer keeps the first n bytes written and drops the rest.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}

type progressReader struct {
	r        io.Reader
	n        int64
	progress func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.progress != nil && n > 0 {
		p.progress(p.n)
	}
	return n, err
}

type progressWriter struct {
	w        io.Writer
	n        int64
	progress func(int64)
}

func (p *progressWriter) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	p.n += int64(n)
	if p.progress != nil && n > 0 {
		p.progress(p.n)
	}
	return n, err
}

// Serve runs one command of the external evaluator protocol for ev, so a
// built-in evaluator can be run as an external one (and the protocol has a
// reference implementation). args are the command and its flags.
func Serve(ctx context.Context, ev Evaluator, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("want a command: info, encode or decode")
	}
	switch args[0] {
	case "info":
		if len(args) != 1 {
			return fmt.Errorf("info takes no arguments")
		}
		b, err := json.Marshal(Info{Protocol: ProtocolVersion, Name: ev.Name(), Version: ev.Version(), Params: ev.DefaultParams()})
		if err != nil {
			return err
		}
		_, err = stdout.Write(append(b, '\n'))
		return err
	case "encode", "decode":
	default:
		return fmt.Errorf("unknown command %q: want info, encode or decode", args[0])
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	modelPath := fs.String("model", "", "model file")
	length := fs.Int64("length", -1, "decoded length")
	codeLen := fs.Int64("code-length", -1, "code length")
	params := map[string]string{}
	fs.Func("param", "KEY=VALUE", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("parameter %q is not KEY=VALUE", s)
		}
		if _, dup := params[k]; dup {
			return fmt.Errorf("parameter %s given twice", k)
		}
		params[k] = v
		return nil
	})
	if err := fs.Parse(args[1:]); err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("%s: unexpected argument %q", args[0], fs.Arg(0))
	}
	if *modelPath == "" {
		return fmt.Errorf("%s: --model is required", args[0])
	}
	model, err := OpenModel(*modelPath)
	if err != nil {
		return err
	}
	if args[0] == "encode" {
		return ev.Encode(ctx, model, params, stdin, stdout, nil)
	}
	if *length < 0 || *codeLen < 0 {
		return errors.New("decode: --length and --code-length are required")
	}
	return ev.Decode(ctx, model, params, stdin, *codeLen, *length, stdout, nil)
}
