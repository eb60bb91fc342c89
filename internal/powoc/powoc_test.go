package powoc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/powoc/claim"
	"github.com/agi-nostr/agi-nostr/internal/powoc/cm"
	"github.com/agi-nostr/agi-nostr/internal/powoc/corpus"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// The test binary doubles as an external evaluator: run with
// POWOC_TEST_EVALUATOR=1, it serves the protocol for the built-in cm, so
// the protocol is exercised through a real process and real pipes.
func TestMain(m *testing.M) {
	if os.Getenv("POWOC_TEST_EVALUATOR") == "1" {
		if err := Serve(context.Background(), CM{}, os.Args[1:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "evaluator:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	for _, dir := range []string{shared.dir, benchDir} {
		if dir != "" {
			os.RemoveAll(dir)
		}
	}
	os.Exit(code)
}

// shared holds the model files every test reads, built once.
var (
	shared     fixture
	sharedOnce sync.Once
	sharedErr  error
)

// smallParams keep test instances to a few megabytes.
var smallParams = map[string]string{cm.ParamTableBits: "18", cm.ParamMatchBits: "16", cm.ParamWindowBits: "20"}

var smallRuntime = cm.Runtime{TableBits: 18, MatchBits: 16, WindowBits: 20}

type fixture struct {
	dir       string
	data      string // 200 kB of Go source: the validation set
	untrained string // model files
	trained   string
}

func goSource(t testing.TB, off, n int64) []byte {
	t.Helper()
	b, err := corpus.Read(corpus.GoRoot(), off, n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeModel(t testing.TB, path string, m *CMModel) {
	t.Helper()
	b, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, b); err != nil {
		t.Fatal(err)
	}
}

// newFixture returns the shared files and a fresh directory for the test's
// own.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	sharedOnce.Do(func() { sharedErr = buildShared(t) })
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	f := shared
	f.dir = t.TempDir()
	return &f
}

func buildShared(t testing.TB) error {
	dir, err := os.MkdirTemp("", "powoc-test")
	if err != nil {
		return err
	}
	shared = fixture{
		dir:       dir,
		data:      filepath.Join(dir, "validation.go.txt"),
		untrained: filepath.Join(dir, "untrained.safetensors"),
		trained:   filepath.Join(dir, "trained.safetensors"),
	}
	if err := os.WriteFile(shared.data, goSource(t, 0, 200000), 0o644); err != nil {
		return err
	}
	writeModel(t, shared.untrained, &CMModel{Config: cm.DefaultConfig(), Params: cm.DefaultParams(cm.DefaultConfig())})
	train := goSource(t, corpus.ValidationSize, 600000)
	sample, err := cm.Sample([]io.ReaderAt{bytes.NewReader(train)}, []int64{int64(len(train))}, 192<<10)
	if err != nil {
		return err
	}
	tm, err := TrainCM(context.Background(), TrainOptions{Config: cm.DefaultConfig(), Runtime: cm.DefaultRuntime(), Sample: sample, SearchRounds: 1},
		bytes.NewReader(train))
	if err != nil {
		return err
	}
	writeModel(t, shared.trained, tm)
	return nil
}

func openModel(t testing.TB, path string) *Model {
	t.Helper()
	m, err := OpenModel(path)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func builtin(h *claim.Header) (Evaluator, error) { return Builtin(h.Evaluator, h.EvaluatorVersion) }

func score(t testing.TB, ev Evaluator, model, parent *Model, data, out string) *Result {
	t.Helper()
	res, err := Score(context.Background(), ScoreRequest{Evaluator: ev, Model: model, Parent: parent, Params: smallParams, Data: data, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestScoreAndVerify(t *testing.T) {
	f := newFixture(t)
	model := openModel(t, f.trained)
	out := filepath.Join(f.dir, "claim.powoc")
	res := score(t, CM{}, model, nil, f.data, out)

	dataID, dataSize, err := hashFile(f.data)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(out)
	if res.Data != dataID.String() || uint64(res.DataBytes) != dataSize || res.Model != model.ID.String() ||
		res.ClaimBytes != st.Size() || res.CodeBits != 8*res.CodeBytes || res.ModelCostKind != CostWhole ||
		res.ModelCostBytes != model.Size || res.DescriptionBits != res.CodeBits+8*model.Size {
		t.Fatalf("inconsistent result %+v", res)
	}
	if res.CodeBytes*4 > res.DataBytes {
		t.Fatalf("code of %d bytes for %d bytes of Go source", res.CodeBytes, res.DataBytes)
	}
	t.Logf("%d bytes -> %d code bytes, %.4f bits/byte, description length %d bits", res.DataBytes, res.CodeBytes, res.BitsPerByte, res.DescriptionBits)

	var decoded bytes.Buffer
	got, err := Verify(context.Background(), VerifyRequest{Claim: out, Model: model, Resolve: builtin, DataID: &dataID, Data: f.data, Output: &decoded})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(res) {
		t.Fatalf("verify gave %+v, score gave %+v", got, res)
	}
	want, _ := os.ReadFile(f.data)
	if !bytes.Equal(decoded.Bytes(), want) {
		t.Fatal("decoded output differs from the data")
	}
}

func TestEmptyAndTinyData(t *testing.T) {
	f := newFixture(t)
	model := openModel(t, f.untrained)
	for _, data := range []string{"", "x", "package p\n"} {
		path := filepath.Join(f.dir, "tiny")
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(f.dir, "tiny.powoc")
		res := score(t, CM{}, model, nil, path, out)
		if _, err := Verify(context.Background(), VerifyRequest{Claim: out, Model: model, Resolve: builtin, Data: path}); err != nil {
			t.Fatalf("%q: %v", data, err)
		}
		if res.DataBytes != int64(len(data)) {
			t.Fatalf("%q: data bytes %d", data, res.DataBytes)
		}
	}
}

func TestDeterministicClaims(t *testing.T) {
	f := newFixture(t)
	model := openModel(t, f.trained)
	var claims [][]byte
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for i, procs := range []int{1, 2, 1, 4} {
		runtime.GOMAXPROCS(procs)
		out := filepath.Join(f.dir, fmt.Sprintf("claim%d", i))
		score(t, CM{}, model, nil, f.data, out)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		claims = append(claims, b)
	}
	for i := 1; i < len(claims); i++ {
		if !bytes.Equal(claims[0], claims[i]) {
			t.Fatalf("claim %d differs from claim 0", i)
		}
	}
}

func TestTrainingLowersScore(t *testing.T) {
	f := newFixture(t)
	scoreDefault := func(model, out string) *Result {
		res, err := Score(context.Background(), ScoreRequest{Evaluator: CM{}, Model: openModel(t, model), Data: f.data, Out: out})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	u := scoreDefault(f.untrained, filepath.Join(f.dir, "u"))
	tr := scoreDefault(f.trained, filepath.Join(f.dir, "t"))
	t.Logf("untrained %d code bits, trained %d (%.2f%% fewer)", u.CodeBits, tr.CodeBits, 100*float64(u.CodeBits-tr.CodeBits)/float64(u.CodeBits))
	if tr.CodeBits >= u.CodeBits || tr.DescriptionBits >= u.DescriptionBits {
		t.Fatalf("training did not lower the score: untrained %+v, trained %+v", u, tr)
	}
}

func TestVerifyRejects(t *testing.T) {
	f := newFixture(t)
	model := openModel(t, f.trained)
	untrained := openModel(t, f.untrained)
	out := filepath.Join(f.dir, "claim.powoc")
	score(t, CM{}, model, nil, f.data, out)
	good, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	h, code, err := claim.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	hsize := h.Size()

	verify := func(b []byte, req VerifyRequest) error {
		path := filepath.Join(f.dir, "bad.powoc")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		req.Claim = path
		if req.Model == nil {
			req.Model = model
		}
		if req.Resolve == nil {
			req.Resolve = builtin
		}
		_, err := Verify(context.Background(), req)
		return err
	}
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	reencode := func(edit func(h *claim.Header)) []byte {
		h2 := *h
		edit(&h2)
		b, err := claim.Encode(h2, code)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	other := goSource(t, 5000000, 1000)
	otherPath := filepath.Join(f.dir, "other")
	os.WriteFile(otherPath, other, 0o644)
	otherID := merkle.SumBytes(other)

	cases := []struct {
		name string
		b    []byte
		req  VerifyRequest
		want string
	}{
		{"first code byte flipped", flip(hsize), VerifyRequest{}, ""},
		{"middle code byte flipped", flip(hsize + len(code)/2), VerifyRequest{}, ""},
		{"last code byte flipped", flip(len(good) - 1), VerifyRequest{}, ""},
		{"truncated by one byte", good[:len(good)-1], VerifyRequest{}, "truncated"},
		{"truncated in the header", good[:hsize-5], VerifyRequest{}, "truncated"},
		{"trailing byte", append(bytes.Clone(good), 0), VerifyRequest{}, "after the code"},
		{"magic", flip(0), VerifyRequest{}, "not a claim"},
		{"evaluator name", reencode(func(h *claim.Header) { h.Evaluator = "cn" }), VerifyRequest{}, "not built in"},
		{"evaluator version", reencode(func(h *claim.Header) { h.EvaluatorVersion = "9" }), VerifyRequest{}, "version"},
		{"model id in header", flip(8 + 2 + 1 + len(h.Evaluator) + 1 + len(h.EvaluatorVersion) + 3), VerifyRequest{}, "wrong model"},
		{"data id in header", reencode(func(h *claim.Header) { h.Data[5] ^= 1 }), VerifyRequest{}, "decoded data has id"},
		{"data length", reencode(func(h *claim.Header) { h.DataLen-- }), VerifyRequest{}, ""},
		{"parameter", reencode(func(h *claim.Header) { h.Params[cm.ParamTableBits] = "19" }), VerifyRequest{}, ""},
		{"unknown parameter", reencode(func(h *claim.Header) { h.Params["cm.extra"] = "1" }), VerifyRequest{}, "unknown parameter"},
		{"parent added", reencode(func(h *claim.Header) { h.Parent = untrained.ID }), VerifyRequest{}, "parent"},
		{"wrong model", good, VerifyRequest{Model: untrained}, "wrong model"},
		{"parent not in claim", good, VerifyRequest{Parent: untrained}, "standalone"},
		{"wrong data file", good, VerifyRequest{Data: otherPath}, "wrong validation data"},
		{"wrong data id", good, VerifyRequest{DataID: &otherID}, "wrong validation data"},
		{"forged huge length, size known", reencode(func(h *claim.Header) { h.DataLen = 1 << 50 }), VerifyRequest{DataID: &h.Data, DataLen: h.DataLen}, "validation object has"},
		{"forged huge length, id only", reencode(func(h *claim.Header) { h.DataLen = 1 << 50 }), VerifyRequest{DataID: &h.Data, MaxDataLen: 1 << 32}, "more than the limit"},
		{"unknown evaluator", good, VerifyRequest{Resolve: func(*claim.Header) (Evaluator, error) { return Builtin("zz", "") }}, "not built in"},
	}
	for _, c := range cases {
		err := verify(c.b, c.req)
		if !errors.Is(err, ErrRejected) {
			t.Errorf("%s: err = %v, want ErrRejected", c.name, err)
			continue
		}
		if c.want != "" && !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to mention %q", c.name, err, c.want)
		}
	}
	if err := verify(good, VerifyRequest{}); err != nil {
		t.Fatalf("the untouched claim: %v", err)
	}
}

func TestParentDelta(t *testing.T) {
	f := newFixture(t)
	parent := openModel(t, f.untrained)
	child := openModel(t, f.trained)
	out := filepath.Join(f.dir, "claim.powoc")
	res := score(t, CM{}, child, parent, f.data, out)
	if res.ModelCostKind != CostDelta || res.ModelCostBytes <= 0 || res.ModelCostBytes >= child.Size {
		t.Fatalf("delta cost %s %d for a model of %d bytes", res.ModelCostKind, res.ModelCostBytes, child.Size)
	}
	t.Logf("model %d bytes, delta against the untrained parent %d bytes", child.Size, res.ModelCostBytes)
	got, err := Verify(context.Background(), VerifyRequest{Claim: out, Model: child, Parent: parent, Resolve: builtin})
	if err != nil {
		t.Fatal(err)
	}
	if got.DescriptionBits != res.DescriptionBits || got.Parent != parent.ID.String() {
		t.Fatalf("verify gave %+v", got)
	}
	// A model against itself costs little more than its header; against a
	// parent that is not a safetensors file it costs whole, as agigit
	// stores it.
	if kind, n, err := ModelCost(child, child); err != nil || kind != CostDelta || n > 600 {
		t.Fatalf("self delta %s %d %v", kind, n, err)
	}
	junk := filepath.Join(f.dir, "junk")
	os.WriteFile(junk, goSource(t, 0, 3*int64(child.Size)), 0o644)
	if kind, n, err := ModelCost(child, openModel(t, junk)); err != nil || kind != CostWhole || n != child.Size {
		t.Fatalf("unrelated parent: %s %d %v", kind, n, err)
	}
}

func externalEvaluator(t *testing.T) *External {
	t.Helper()
	t.Setenv("POWOC_TEST_EVALUATOR", "1")
	// The evaluator process runs on one thread, this one on all of them:
	// their claims must still be equal.
	t.Setenv("GOMAXPROCS", "1")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ev, err := NewExternal(context.Background(), []string{exe})
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestExternalEvaluator(t *testing.T) {
	f := newFixture(t)
	ev := externalEvaluator(t)
	if ev.Name() != CMName || ev.Version() != CMVersion {
		t.Fatalf("info: %s %s", ev.Name(), ev.Version())
	}
	model := openModel(t, f.trained)
	ext := filepath.Join(f.dir, "ext.powoc")
	in := filepath.Join(f.dir, "in.powoc")
	score(t, ev, model, nil, f.data, ext)
	score(t, CM{}, model, nil, f.data, in)
	a, _ := os.ReadFile(ext)
	b, _ := os.ReadFile(in)
	if !bytes.Equal(a, b) {
		t.Fatal("the external (GOMAXPROCS=1) and built-in evaluators wrote different claims")
	}
	res, err := Verify(context.Background(), VerifyRequest{Claim: in, Model: model, Data: f.data,
		Resolve: func(*claim.Header) (Evaluator, error) { return ev, nil }})
	if err != nil {
		t.Fatal(err)
	}
	if res.DataBytes != 200000 {
		t.Fatalf("result %+v", res)
	}

	// A tampered claim fails through the external evaluator too.
	bad := bytes.Clone(b)
	bad[len(bad)/2] ^= 0x40
	os.WriteFile(ext, bad, 0o644)
	_, err = Verify(context.Background(), VerifyRequest{Claim: ext, Model: model,
		Resolve: func(*claim.Header) (Evaluator, error) { return ev, nil }})
	if !errors.Is(err, ErrRejected) {
		t.Fatalf("tampered claim through the external evaluator: %v", err)
	}

	// Its failures carry its stderr.
	junk := filepath.Join(f.dir, "junk.safetensors")
	os.WriteFile(junk, []byte("not a model"), 0o644)
	err = ev.Encode(context.Background(), openModel(t, junk), smallParams, strings.NewReader("x"), &bytes.Buffer{}, nil)
	if err == nil || !strings.Contains(err.Error(), "unusable model") {
		t.Fatalf("external failure: %v", err)
	}
}

func TestExternalInfoRejected(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "ev.sh")
	for _, info := range []string{
		`{"protocol":2,"name":"x","version":"1","params":{}}`,
		`{"protocol":1,"name":"X Y","version":"1","params":{}}`,
		`{"protocol":1,"name":"x","version":"","params":{}}`,
		`{"protocol":1,"name":"x","version":"1","params":{},"extra":1}`,
		`not json`,
	} {
		os.WriteFile(script, []byte("#!/bin/sh\necho '"+info+"'\n"), 0o755)
		if _, err := NewExternal(context.Background(), []string{script}); err == nil {
			t.Errorf("accepted info %s", info)
		}
	}
	os.WriteFile(script, []byte("#!/bin/sh\necho boom >&2\nexit 3\n"), 0o755)
	if _, err := NewExternal(context.Background(), []string{script}); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("failing info: %v", err)
	}
}

func TestDecodeCMModelRejects(t *testing.T) {
	cfg := cm.DefaultConfig()
	p := cm.DefaultParams(cfg)
	tensors := p.Tensors(cfg)
	md := cmMetadata(cfg)
	enc := func(ts []safetensors.Tensor, md map[string]string) []byte {
		b, err := safetensors.Encode(ts, md)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := enc(tensors, md)
	if _, err := DecodeCMModel(good); err != nil {
		t.Fatal(err)
	}
	withMD := func(k, v string) map[string]string {
		m := cmMetadata(cfg)
		if v == "" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	extra := append(append([]safetensors.Tensor{}, tensors...), safetensors.Tensor{Name: "x", Dtype: safetensors.U8, Shape: []uint64{1}, Data: []byte{0}})
	cases := map[string][]byte{
		"not safetensors":  []byte("hello"),
		"other evaluator":  enc(tensors, withMD(KeyEvaluator, "llm")),
		"other version":    enc(tensors, withMD(KeyEvaluatorVersion, "9")),
		"no contexts":      enc(tensors, withMD(cm.KeyContexts, "")),
		"unknown metadata": enc(tensors, withMD("cm.comment", "hi")),
		"extra tensor":     enc(extra, md),
		"missing tensor":   enc(tensors[1:], md),
		"trailing bytes":   append(bytes.Clone(good), 0),
		"other contexts":   enc(tensors, withMD(cm.KeyContexts, "o1,o2")),
	}
	for name, b := range cases {
		if _, err := DecodeCMModel(b); !errors.Is(err, ErrModel) {
			t.Errorf("%s: err = %v, want ErrModel", name, err)
		}
	}
}

// FuzzDecodeCMModel feeds arbitrary bytes to the model file decoder, which
// reads files from anyone. Whatever it accepts must encode back to the same
// bytes and build a model.
func FuzzDecodeCMModel(f *testing.F) {
	cfg := cm.DefaultConfig()
	cfg.Contexts = cfg.Contexts[:2]
	good, err := (&CMModel{Config: cfg, Params: cm.DefaultParams(cfg)}).Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:100])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeCMModel(b)
		if err != nil {
			return
		}
		again, err := m.Encode()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted a file that does not re-encode to itself: %v", err)
		}
		if _, err := cm.New(m.Config, cm.Runtime{TableBits: 12, MatchBits: 8, WindowBits: 12}, m.Params); err != nil {
			t.Fatalf("accepted model does not build: %v", err)
		}
	})
}

// TestXZEvaluator runs the documented shell-script evaluator, a real
// compressor behind the protocol, where xz is installed.
func TestXZEvaluator(t *testing.T) {
	if _, err := exec.LookPath("xz"); err != nil {
		t.Skip("xz not installed")
	}
	f := newFixture(t)
	script, _ := filepath.Abs("testdata/xz-evaluator.sh")
	ev, err := NewExternal(context.Background(), []string{script})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Name() != "xz" {
		t.Fatalf("name %q", ev.Name())
	}
	model := openModel(t, f.untrained)
	out := filepath.Join(f.dir, "xz.powoc")
	res, err := Score(context.Background(), ScoreRequest{Evaluator: ev, Model: model, Data: f.data, Out: out})
	if err != nil {
		t.Fatal(err)
	}
	resolve := func(h *claim.Header) (Evaluator, error) { return ev, nil }
	if _, err := Verify(context.Background(), VerifyRequest{Claim: out, Model: model, Data: f.data, Resolve: resolve}); err != nil {
		t.Fatal(err)
	}
	cmres := score(t, CM{}, model, nil, f.data, filepath.Join(f.dir, "cm.powoc"))
	t.Logf("xz %d code bytes, cm %d", res.CodeBytes, cmres.CodeBytes)
	if cmres.CodeBytes >= res.CodeBytes {
		t.Errorf("cm (%d bytes) does not beat xz (%d bytes)", cmres.CodeBytes, res.CodeBytes)
	}
	// The built-in evaluator cannot verify an xz claim.
	if _, err := Verify(context.Background(), VerifyRequest{Claim: out, Model: model, Resolve: builtin}); !errors.Is(err, ErrRejected) {
		t.Fatalf("xz claim through the built-in evaluator: %v", err)
	}
}

// TestDeltaSizeVector pins the delta measure: the size is that of an
// internal/delta object, so a change to that format, or to the zstd encoder
// under it, must be noticed rather than silently change scores.
func TestDeltaSizeVector(t *testing.T) {
	dir := t.TempDir()
	cfg := cm.DefaultConfig()
	parent := &CMModel{Config: cfg, Params: cm.DefaultParams(cfg)}
	child := &CMModel{Config: cfg, Params: cm.DefaultParams(cfg)}
	for i := range child.Params.Mixer {
		child.Params.Mixer[i] += int16(i % 7)
	}
	writeModel(t, filepath.Join(dir, "child"), child)
	writeModel(t, filepath.Join(dir, "parent"), parent)
	kind, n, err := ModelCost(openModel(t, filepath.Join(dir, "child")), openModel(t, filepath.Join(dir, "parent")))
	if err != nil {
		t.Fatal(err)
	}
	const want = 460
	if kind != CostDelta || n != want {
		t.Fatalf("delta %s %d bytes, the definition gives %d", kind, n, want)
	}
}
