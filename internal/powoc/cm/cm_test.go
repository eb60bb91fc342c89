package cm

import (
	"bytes"
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/powoc/corpus"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// smallRuntime keeps test models to a few megabytes.
var smallRuntime = Runtime{TableBits: 18, MatchBits: 16, WindowBits: 20}

func goSource(t testing.TB, off, n int64) []byte {
	t.Helper()
	b, err := corpus.Read(corpus.GoRoot(), off, n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func compress(t testing.TB, cfg Config, rt Runtime, p *Params, data []byte) []byte {
	t.Helper()
	m, err := New(cfg, rt, p)
	if err != nil {
		t.Fatal(err)
	}
	var code bytes.Buffer
	in, out, err := Encode(context.Background(), m, bytes.NewReader(data), &code, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in != int64(len(data)) || out != int64(code.Len()) {
		t.Fatalf("Encode reported %d in, %d out; real %d, %d", in, out, len(data), code.Len())
	}
	return code.Bytes()
}

func decompress(cfg Config, rt Runtime, p *Params, code []byte, n int64) ([]byte, error) {
	m, err := New(cfg, rt, p)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	err = Decode(context.Background(), m, bytes.NewReader(code), int64(len(code)), n, &out, nil)
	return out.Bytes(), err
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 20000)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	all := make([]byte, 256*3)
	for i := range all {
		all[i] = byte(i)
	}
	inputs := map[string][]byte{
		"empty":     nil,
		"one byte":  {'x'},
		"zero byte": {0},
		"tiny":      []byte("package main\n"),
		"all bytes": all,
		"zeros":     make([]byte, 50000),
		"random":    random,
		"go source": goSource(t, 0, 300000),
	}
	cfg := DefaultConfig()
	for name, data := range inputs {
		code := compress(t, cfg, smallRuntime, nil, data)
		got, err := decompress(cfg, smallRuntime, nil, code, int64(len(data)))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: round trip changed the data", name)
		}
		t.Logf("%s: %d -> %d bytes", name, len(data), len(code))
		if name == "go source" && len(code)*4 > len(data) {
			t.Errorf("Go source compressed to %d of %d bytes, want under a quarter", len(code), len(data))
		}
		if name == "random" && len(code) > len(data)+len(data)/50 {
			t.Errorf("random bytes grew from %d to %d", len(data), len(code))
		}
	}
}

func TestEveryContextRoundTrips(t *testing.T) {
	data := goSource(t, 500000, 60000)
	for k := Context(1); k < numContextKinds; k++ {
		cfg := DefaultConfig()
		cfg.Contexts = []Context{k}
		code := compress(t, cfg, smallRuntime, nil, data)
		got, err := decompress(cfg, smallRuntime, nil, code, int64(len(data)))
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("context %s: round trip failed: %v", k, err)
		}
	}
}

// TestWindowWrap codes more data than the history window holds, so match
// pointers must stay inside the ring.
func TestWindowWrap(t *testing.T) {
	rt := Runtime{TableBits: 16, MatchBits: 12, WindowBits: 12}
	block := goSource(t, 0, 3000)
	var data []byte
	for i := 0; i < 12; i++ {
		data = append(data, block...)
		data = append(data, byte(i))
	}
	code := compress(t, DefaultConfig(), rt, nil, data)
	got, err := decompress(DefaultConfig(), rt, nil, code, int64(len(data)))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("round trip over a wrapped window failed: %v", err)
	}
	if len(code) > len(block) {
		t.Errorf("repeats cost %d bytes, more than one block of %d", len(code), len(block))
	}
}

func TestDeterministic(t *testing.T) {
	data := goSource(t, 100000, 100000)
	a := compress(t, DefaultConfig(), smallRuntime, nil, data)
	b := compress(t, DefaultConfig(), smallRuntime, nil, data)
	if !bytes.Equal(a, b) {
		t.Fatal("two runs gave different codes")
	}
	// The runtime sizes change the code: a claim must record them.
	c := compress(t, DefaultConfig(), Runtime{TableBits: 17, MatchBits: 16, WindowBits: 20}, nil, data)
	if bytes.Equal(a, c) {
		t.Fatal("a different table size gave the same code")
	}
}

func TestRejectsAlteredCode(t *testing.T) {
	data := goSource(t, 0, 20000)
	code := compress(t, DefaultConfig(), smallRuntime, nil, data)
	for _, i := range []int{0, len(code) / 3, len(code) - 1} {
		bad := bytes.Clone(code)
		bad[i] ^= 0x10
		got, err := decompress(DefaultConfig(), smallRuntime, nil, bad, int64(len(data)))
		if err == nil && bytes.Equal(got, data) {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
		if err != nil && !errors.Is(err, ErrCode) {
			t.Fatalf("flipped byte %d: error %v is not ErrCode", i, err)
		}
	}
	// A shorter code is either refused or the code of other data; the
	// claim's object id tells the two apart.
	for _, n := range []int{1, 2, 5} {
		got, err := decompress(DefaultConfig(), smallRuntime, nil, code[:len(code)-n], int64(len(data)))
		if err == nil && bytes.Equal(got, data) {
			t.Fatalf("code without its last %d bytes decoded to the same data", n)
		}
	}
	// A model with other parameters does not decode it.
	other := DefaultParams(DefaultConfig())
	other.Mixer[len(DefaultConfig().Contexts)+2] += 10 // set 1: the first bit of every byte
	got, err := decompress(DefaultConfig(), smallRuntime, other, code, int64(len(data)))
	if err == nil && bytes.Equal(got, data) {
		t.Fatal("different parameters decoded the same data")
	}
}

// tensorFile serves tensors from an encoded safetensors file, as a model
// file on disk would.
type tensorFile struct {
	h    *safetensors.Header
	data []byte
}

func (f tensorFile) ReadTensor(name string) (safetensors.TensorInfo, []byte, error) {
	info, ok := f.h.Tensor(name)
	if !ok {
		return info, nil, errors.New("no tensor " + name)
	}
	b, err := f.h.ReadTensor(bytes.NewReader(f.data), name)
	return info, b, err
}

func TestParamsTensors(t *testing.T) {
	cfg := DefaultConfig()
	m, err := New(cfg, smallRuntime, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sink bytes.Buffer
	if _, _, err := Encode(context.Background(), m, bytes.NewReader(goSource(t, 0, 50000)), &sink, nil); err != nil {
		t.Fatal(err)
	}
	p := m.Params()
	file, err := safetensors.Encode(p.Tensors(cfg), cfg.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	h, err := safetensors.DecodeHeader(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg2, err := ConfigFromMetadata(h.Metadata)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg2.Contexts, cfg.Contexts) || cfg2.MatchMin != cfg.MatchMin || cfg2.MixerRate != cfg.MixerRate {
		t.Fatalf("config changed: %+v", cfg2)
	}
	p2, err := ParamsFromTensors(cfg2, tensorFile{h, file})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.StateMaps, p2.StateMaps) || !slices.Equal(p.Match, p2.Match) ||
		!slices.Equal(p.Fast, p2.Fast) || !slices.Equal(p.Mixer, p2.Mixer) {
		t.Fatal("parameters changed through tensors")
	}

	// Parameters of another shape are refused.
	small := cfg
	small.Contexts = cfg.Contexts[:3]
	if _, err := ParamsFromTensors(small, tensorFile{h, file}); err == nil {
		t.Fatal("tensors for 8 contexts accepted for 3")
	}
	if _, err := New(small, smallRuntime, p); err == nil {
		t.Fatal("New accepted parameters of another shape")
	}
}

func TestConfigRejects(t *testing.T) {
	bad := []map[string]string{
		{},
		{KeyContexts: "o1,nope", KeyMatchMin: "6", KeyMixerRate: "3", KeySMLimit: "1023", KeyAPMRate: "7"},
		{KeyContexts: "o1,o1", KeyMatchMin: "6", KeyMixerRate: "3", KeySMLimit: "1023", KeyAPMRate: "7"},
		{KeyContexts: "o1", KeyMatchMin: "06", KeyMixerRate: "3", KeySMLimit: "1023", KeyAPMRate: "7"},
		{KeyContexts: "o1", KeyMatchMin: "1", KeyMixerRate: "3", KeySMLimit: "1023", KeyAPMRate: "7"},
		{KeyContexts: "o1", KeyMatchMin: "6", KeyMixerRate: "3", KeySMLimit: "1024", KeyAPMRate: "7"},
		{KeyContexts: "o1", KeyMatchMin: "6", KeyMixerRate: "3", KeySMLimit: "1023"},
	}
	for _, md := range bad {
		if _, err := ConfigFromMetadata(md); err == nil {
			t.Errorf("accepted %v", md)
		}
	}
	for _, p := range []map[string]string{
		{ParamTableBits: "24", ParamMatchBits: "22"},
		{ParamTableBits: "24", ParamMatchBits: "22", ParamWindowBits: "24", "cm.other": "1"},
		{ParamTableBits: "40", ParamMatchBits: "22", ParamWindowBits: "24"},
		{ParamTableBits: "+24", ParamMatchBits: "22", ParamWindowBits: "24"},
	} {
		if _, err := RuntimeFromParams(p); err == nil {
			t.Errorf("accepted runtime %v", p)
		}
	}
	rt, err := RuntimeFromParams(DefaultRuntime().Params())
	if err != nil || rt != DefaultRuntime() {
		t.Fatalf("default runtime does not round-trip: %v %v", rt, err)
	}
}

// TestTrainingHelps: the parameters a model reaches on one part of the Go
// sources code a later, unseen part in fewer bytes than the defaults.
func TestTrainingHelps(t *testing.T) {
	cfg := DefaultConfig()
	train := goSource(t, 2<<20, 1<<20)
	held := goSource(t, 0, 300000)
	m, err := New(cfg, smallRuntime, nil)
	if err != nil {
		t.Fatal(err)
	}
	var sink bytes.Buffer
	if _, _, err := Encode(context.Background(), m, bytes.NewReader(train), &sink, nil); err != nil {
		t.Fatal(err)
	}
	untrained := len(compress(t, cfg, smallRuntime, nil, held))
	trained := len(compress(t, cfg, smallRuntime, m.Params(), held))
	t.Logf("held-out %d bytes: untrained %d, trained %d", len(held), untrained, trained)
	if trained >= untrained {
		t.Fatalf("training did not help: %d >= %d", trained, untrained)
	}
}

func TestSquashTable(t *testing.T) {
	for i, v := range squashPoints {
		want := 4096 / (1 + math.Exp(-float64(i-16)/2))
		if math.Abs(float64(v)-want) > 0.5 {
			t.Errorf("squashPoints[%d] = %d, want %.2f", i, v, want)
		}
	}
	for p := int32(1); p < 4096; p++ {
		if d := squash(stretch(p)) - p; d < -40 || d > 40 {
			t.Fatalf("squash(stretch(%d)) = %d", p, squash(stretch(p)))
		}
	}
	for x := int32(-2047); x < 2047; x++ {
		if squash(x) > squash(x+1) {
			t.Fatalf("squash not monotone at %d", x)
		}
	}
}

func TestStateTable(t *testing.T) {
	if statesUsed > numStates {
		t.Fatalf("%d states", statesUsed)
	}
	for s := 0; s < statesUsed; s++ {
		for y := 0; y < 2; y++ {
			nx := int(stateNext[s][y])
			if nx >= statesUsed {
				t.Fatalf("state %d bit %d -> %d, beyond %d states", s, y, nx, statesUsed)
			}
			// A bit never lowers its own count unless at the cap.
			if stateCount[nx][y] < stateCount[s][y] {
				t.Fatalf("state %d (%v) bit %d -> %v", s, stateCount[s], y, stateCount[nx])
			}
		}
	}
}
