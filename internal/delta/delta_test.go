package delta_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
	"github.com/agi-nostr/agi-nostr/internal/tensormath"
)

func file(b []byte) delta.File {
	return delta.File{R: bytes.NewReader(b), Size: int64(len(b)), ID: merkle.SumBytes(b)}
}

// termsOf turns an adapter's updates into encoder terms.
func termsOf(ad *lora.Adapter) map[string][]delta.Term {
	m := map[string][]delta.Term{}
	for name, u := range ad.Updates {
		m[name] = append(m[name], delta.Term{Update: u.Term, Dtype: u.Dtype})
	}
	return m
}

func encode(t *testing.T, out, ref []byte, opts *delta.Options) ([]byte, *delta.Stat) {
	t.Helper()
	var buf bytes.Buffer
	st, err := delta.Encode(&buf, file(out), file(ref), opts)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if st.Size != uint64(buf.Len()) {
		t.Fatalf("stat size %d, delta has %d bytes", st.Size, buf.Len())
	}
	return buf.Bytes(), st
}

func materialize(t *testing.T, d, ref []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := delta.Materialize(&out, bytes.NewReader(d), file(ref)); err != nil {
		t.Fatalf("materialize: %v", err)
	}
	return out.Bytes()
}

func kinds(st *delta.Stat) map[string]delta.Kind {
	m := map[string]delta.Kind{}
	for _, t := range st.Tensors {
		m[t.Name] = t.Kind
	}
	return m
}

const (
	qProj = "model.layers.0.self_attn.q_proj"
	vProj = "model.layers.0.self_attn.v_proj"
	upW   = "model.layers.0.mlp.up_proj.weight"
	downW = "model.layers.0.mlp.down_proj.weight"
)

// TestFineTuneKinds is the fine-tune: two tensors changed
// slightly, one of them through a rank-8 LoRA adapter. Unchanged tensors
// are references, the nudged one a dense delta, the adapted one its
// factors, and the file comes back byte for byte.
func TestFineTuneKinds(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	for _, dt := range []safetensors.Dtype{safetensors.F32, safetensors.F16, safetensors.BF16} {
		t.Run(dt.String(), func(t *testing.T) {
			ad, err := synthmodel.NewAdapter(2, base, synthmodel.AdapterSpec{Modules: []string{qProj, vProj}, R: 8, Alpha: 16, Dtype: dt})
			if err != nil {
				t.Fatal(err)
			}
			la, err := ad.Parse()
			if err != nil {
				t.Fatal(err)
			}
			var merged bytes.Buffer
			baseBytes := base.Bytes()
			applied, err := lora.Apply(&merged, bytes.NewReader(baseBytes), int64(len(baseBytes)), la)
			if err != nil {
				t.Fatal(err)
			}
			if len(applied) != 2 {
				t.Fatalf("applied %v", applied)
			}
			// Also nudge a BF16 tensor densely, the second change.
			ft := mustDecode(t, merged.Bytes())
			ft.Nudge(3, upW, 0.01)
			ftBytes := ft.Bytes()

			d, st := encode(t, ftBytes, baseBytes, &delta.Options{LowRank: termsOf(la)})
			k := kinds(st)
			for name, want := range map[string]delta.Kind{
				qProj + ".weight": delta.KindLowRank, vProj + ".weight": delta.KindLowRank,
				upW: delta.KindDense, downW: delta.KindRef, "lm_head.weight": delta.KindRef,
			} {
				if k[name] != want {
					t.Errorf("%s stored as %v, want %v", name, k[name], want)
				}
			}
			for _, ts := range st.Tensors {
				if ts.Kind == delta.KindLowRank && (ts.Residual || len(ts.Ranks) != 1 || ts.Ranks[0] != 8) {
					t.Errorf("%s: ranks %v residual %v", ts.Name, ts.Ranks, ts.Residual)
				}
			}
			got := materialize(t, d, baseBytes)
			if !bytes.Equal(got, ftBytes) {
				t.Fatal("materialized file differs from the fine-tune")
			}
			// The low-rank records hold the factors: about the adapter's
			// factor bytes, far below the tensors.
			var lr uint64
			for _, ts := range st.Tensors {
				if ts.Kind == delta.KindLowRank {
					lr += ts.Stored
				}
			}
			factorBytes := uint64(len(ad.Weights))
			if lr > factorBytes {
				t.Errorf("low-rank records take %d bytes, the adapter file %d", lr, factorBytes)
			}
			if st.Size >= uint64(len(ftBytes))/2 {
				t.Errorf("delta of %d bytes for a %d-byte file", st.Size, len(ftBytes))
			}
			// Inspect agrees with what Encode reported.
			is, err := delta.Inspect(bytes.NewReader(d))
			if err != nil {
				t.Fatal(err)
			}
			for i, ts := range is.Tensors {
				e := st.Tensors[i]
				if ts.Kind != e.Kind || ts.Stored != e.Stored || ts.Name != e.Name || ts.RefIndex != e.RefIndex {
					t.Errorf("inspect %+v, encode %+v", ts, e)
				}
			}
		})
	}
}

func mustDecode(t testing.TB, b []byte) *synthmodel.Model {
	t.Helper()
	h, err := safetensors.DecodeHeader(b)
	if err != nil {
		t.Fatal(err)
	}
	m := &synthmodel.Model{Metadata: h.Metadata}
	for _, ti := range h.Tensors {
		d := b[h.DataStart()+ti.Begin : h.DataStart()+ti.End]
		m.Tensors = append(m.Tensors, safetensors.Tensor{Name: ti.Name, Dtype: ti.Dtype, Shape: ti.Shape, Data: bytes.Clone(d)})
	}
	return m
}

// TestFullFineTune changes every float tensor: each is a dense delta
// smaller than the tensor, and the whole is smaller than zstd of the file.
func TestFullFineTune(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ft := base.Clone()
	ft.NudgeAll(9, 0.001)
	bb, fb := base.Bytes(), ft.Bytes()
	d, st := encode(t, fb, bb, nil)
	for _, ts := range st.Tensors {
		isFloat := tensormath.IsFloat(ts.Dtype)
		if isFloat && ts.Kind != delta.KindDense {
			t.Errorf("%s (%s) stored as %v", ts.Name, ts.Dtype, ts.Kind)
		}
		if !isFloat && ts.Kind != delta.KindRef {
			t.Errorf("%s (%s) stored as %v", ts.Name, ts.Dtype, ts.Kind)
		}
		if ts.Kind == delta.KindDense && ts.Stored >= ts.Size {
			t.Errorf("%s: dense delta %d bytes for %d", ts.Name, ts.Stored, ts.Size)
		}
	}
	if got := materialize(t, d, bb); !bytes.Equal(got, fb) {
		t.Fatal("materialized file differs")
	}
	t.Logf("full fine-tune: %d bytes stored for %d (%.1f%%)", len(d), len(fb), 100*float64(len(d))/float64(len(fb)))
}

// TestHeaderAndOrderPreserved: new and removed tensors, changed metadata,
// a header in a layout other than the canonical writer's.
func TestHeaderAndOrderPreserved(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ft := base.Clone()
	ft.Metadata["trained_on"] = "medical notes"
	ft.Tensors = ft.Tensors[1:] // drop the embedding
	ft.Tensors = append(ft.Tensors, safetensors.Tensor{Name: "score.weight", Dtype: safetensors.F32, Shape: []uint64{2, 64}, Data: bytes.Repeat([]byte{0, 0, 0x80, 0x3f}, 128)})
	// Reverse the data order by hand: a valid file the canonical writer
	// would never produce.
	fb := reversedLayout(t, ft)
	bb := base.Bytes()
	d, st := encode(t, fb, bb, nil)
	k := kinds(st)
	if k["score.weight"] != delta.KindRaw {
		t.Errorf("new tensor stored as %v", k["score.weight"])
	}
	if k["lm_head.weight"] != delta.KindRef {
		t.Errorf("unchanged tensor stored as %v", k["lm_head.weight"])
	}
	if got := materialize(t, d, bb); !bytes.Equal(got, fb) {
		t.Fatal("materialized file differs")
	}
}

// reversedLayout writes m with its tensors in reverse name order and the
// header keys in that order too.
func reversedLayout(t *testing.T, m *synthmodel.Model) []byte {
	t.Helper()
	var hdr strings.Builder
	hdr.WriteString(`{"__metadata__":{`)
	first := true
	for k, v := range m.Metadata {
		if !first {
			hdr.WriteString(",")
		}
		first = false
		fmt.Fprintf(&hdr, "%q:%q", k, v)
	}
	hdr.WriteString("}")
	var data []byte
	for i := len(m.Tensors) - 1; i >= 0; i-- {
		tn := m.Tensors[i]
		shape := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(tn.Shape)), ","), "[]")
		fmt.Fprintf(&hdr, `,%q:{"data_offsets":[%d,%d],"dtype":%q,"shape":[%s]}`, tn.Name, len(data), len(data)+len(tn.Data), tn.Dtype, shape)
		data = append(data, tn.Data...)
	}
	hdr.WriteString("}   ")
	h := []byte(hdr.String())
	out := make([]byte, 8, 8+len(h)+len(data))
	out[0], out[1], out[2], out[3] = byte(len(h)), byte(len(h)>>8), byte(len(h)>>16), byte(len(h)>>24)
	out = append(out, h...)
	out = append(out, data...)
	if _, err := safetensors.DecodeHeader(out); err != nil {
		t.Fatalf("hand-made file: %v", err)
	}
	return out
}

// TestResidual: a model merged in another float order (here float64, then
// rounded) is not exactly base + B·A; the low-rank record carries a
// residual, or the dense delta wins, and the bytes still come back.
func TestResidual(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ad, err := synthmodel.NewAdapter(2, base, synthmodel.AdapterSpec{Modules: []string{qProj}, R: 8, Alpha: 16, Dtype: safetensors.F32})
	if err != nil {
		t.Fatal(err)
	}
	la, err := ad.Parse()
	if err != nil {
		t.Fatal(err)
	}
	ft := base.Clone()
	w := ft.Floats(qProj + ".weight")
	u := la.Updates[qProj+".weight"].Term
	for i := range u.Rows {
		for j := range u.Cols {
			var s float64
			for k := range u.Rank {
				s += float64(u.P[i*u.Rank+k]) * float64(u.Q[k*u.Cols+j])
			}
			w[i*u.Cols+j] = float32(float64(w[i*u.Cols+j]) + float64(u.Scale)*s)
		}
	}
	ft.SetFloats(qProj+".weight", w)
	bb, fb := base.Bytes(), ft.Bytes()
	d, st := encode(t, fb, bb, &delta.Options{LowRank: termsOf(la)})
	k := kinds(st)[qProj+".weight"]
	if k != delta.KindLowRank && k != delta.KindDense {
		t.Fatalf("stored as %v", k)
	}
	for _, ts := range st.Tensors {
		if ts.Name == qProj+".weight" && ts.Kind == delta.KindLowRank && !ts.Residual {
			t.Fatal("inexact merge stored without residual")
		}
	}
	if got := materialize(t, d, bb); !bytes.Equal(got, fb) {
		t.Fatal("materialized file differs")
	}
}

// TestIntegerAndOddTensors: integer and sub-byte tensors change densely.
func TestIntegerAndOddTensors(t *testing.T) {
	specs := []synthmodel.Spec{
		{Name: "steps", Dtype: safetensors.I64, Shape: []uint64{1000}},
		{Name: "mask", Dtype: safetensors.BOOL, Shape: []uint64{77}},
		{Name: "packed", Dtype: safetensors.F4, Shape: []uint64{8, 3}},
		{Name: "scalar", Dtype: safetensors.F16, Shape: []uint64{}},
		{Name: "empty", Dtype: safetensors.F32, Shape: []uint64{0, 4}},
		{Name: "u16", Dtype: safetensors.U16, Shape: []uint64{300}},
	}
	base := synthmodel.New(4, specs)
	ft := base.Clone()
	ft.Tensor("steps").Data[800] ^= 0x40
	ft.Tensor("mask").Data[3] = 1
	ft.Tensor("packed").Data[5] = 0x77
	ft.Tensor("scalar").Data[0]++
	ft.Tensor("u16").Data[17] -= 3
	bb, fb := base.Bytes(), ft.Bytes()
	d, _ := encode(t, fb, bb, nil)
	if got := materialize(t, d, bb); !bytes.Equal(got, fb) {
		t.Fatal("materialized file differs")
	}
}

// TestWrongBase: a delta applied to another reference fails clearly and
// writes nothing usable.
func TestWrongBase(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ft := base.Clone()
	ft.Nudge(1, upW, 0.01)
	bb, fb := base.Bytes(), ft.Bytes()
	d, _ := encode(t, fb, bb, nil)

	other := synthmodel.New(2, synthmodel.SmallSpecs()).Bytes()
	_, err := delta.Materialize(&bytes.Buffer{}, bytes.NewReader(d), file(other))
	if !errors.Is(err, delta.ErrWrongBase) {
		t.Fatalf("other base: %v", err)
	}
	// The right id claimed for other bytes of the same size: the output
	// check catches it.
	lie := delta.File{R: bytes.NewReader(other), Size: int64(len(other)), ID: merkle.SumBytes(bb)}
	_, err = delta.Materialize(&bytes.Buffer{}, bytes.NewReader(d), lie)
	if !errors.Is(err, delta.ErrMismatch) {
		t.Fatalf("same size, other bytes: %v", err)
	}
	// A reference whose tensor has another shape.
	reshaped := base.Clone()
	reshaped.Tensor(upW).Shape = []uint64{64, 256}
	rb := reshaped.Bytes()
	lie = delta.File{R: bytes.NewReader(rb), Size: int64(len(rb)), ID: merkle.SumBytes(bb)}
	_, err = delta.Materialize(&bytes.Buffer{}, bytes.NewReader(d), lie)
	if !errors.Is(err, delta.ErrWrongBase) || !strings.Contains(err.Error(), "shape") && !strings.Contains(err.Error(), "[") {
		t.Fatalf("reshaped reference: %v", err)
	}
}

// TestWrongShapeUpdate: an update that does not fit its tensor is refused
// by the encoder and by lora.Apply.
func TestWrongShapeUpdate(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	other := synthmodel.New(1, []synthmodel.Spec{{Name: qProj + ".weight", Dtype: safetensors.F32, Shape: []uint64{32, 64}}})
	ad, err := synthmodel.NewAdapter(2, other, synthmodel.AdapterSpec{Modules: []string{qProj}, R: 8, Alpha: 16, Dtype: safetensors.F32})
	if err != nil {
		t.Fatal(err)
	}
	la, err := ad.Parse()
	if err != nil {
		t.Fatal(err)
	}
	bb := base.Bytes()
	if _, err := lora.Apply(&bytes.Buffer{}, bytes.NewReader(bb), int64(len(bb)), la); !errors.Is(err, tensormath.ErrShape) {
		t.Fatalf("apply: %v", err)
	}
	ft := base.Clone()
	ft.Nudge(1, qProj+".weight", 0.01)
	_, err = delta.Encode(&bytes.Buffer{}, file(ft.Bytes()), file(bb), &delta.Options{LowRank: termsOf(la)})
	if !errors.Is(err, tensormath.ErrShape) {
		t.Fatalf("encode: %v", err)
	}
}

// TestCorruptDeltas: truncations and bit flips give errors, never a
// silently wrong file or a panic.
func TestCorruptDeltas(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ad, err := synthmodel.NewAdapter(2, base, synthmodel.AdapterSpec{Modules: []string{qProj}, R: 8, Alpha: 16, Dtype: safetensors.BF16})
	if err != nil {
		t.Fatal(err)
	}
	la, _ := ad.Parse()
	bb := base.Bytes()
	var merged bytes.Buffer
	if _, err := lora.Apply(&merged, bytes.NewReader(bb), int64(len(bb)), la); err != nil {
		t.Fatal(err)
	}
	ft := mustDecode(t, merged.Bytes())
	ft.Nudge(5, upW, 0.01)
	ft.Tensors = append(ft.Tensors, safetensors.Tensor{Name: "new.weight", Dtype: safetensors.F32, Shape: []uint64{16, 16}, Data: synthmodel.New(7, []synthmodel.Spec{{Name: "x", Dtype: safetensors.F32, Shape: []uint64{16, 16}}}).Tensors[0].Data})
	fb := ft.Bytes()
	d, _ := encode(t, fb, bb, &delta.Options{LowRank: termsOf(la)})
	for _, n := range []int{0, 5, 8, 9, 50, 100, len(d) / 2, len(d) - 1} {
		_, err := delta.Materialize(&bytes.Buffer{}, bytes.NewReader(d[:n]), file(bb))
		if !errors.Is(err, delta.ErrCorrupt) {
			t.Errorf("truncated to %d: %v", n, err)
		}
	}
	if _, err := delta.Materialize(&bytes.Buffer{}, bytes.NewReader(append(bytes.Clone(d), 0)), file(bb)); !errors.Is(err, delta.ErrCorrupt) {
		t.Errorf("trailing byte: %v", err)
	}
	for i := 0; i < len(d); i += 1 + len(d)/500 {
		c := bytes.Clone(d)
		c[i] ^= 0x10
		var out bytes.Buffer
		_, err := delta.Materialize(&out, bytes.NewReader(c), file(bb))
		if err == nil {
			// A flip that cannot change the result (a factor bit below
			// the output's rounding) is harmless: the output was checked
			// against its object id.
			if !bytes.Equal(out.Bytes(), fb) {
				t.Fatalf("flip at %d gave a wrong file without error", i)
			}
			continue
		}
		if !errors.Is(err, delta.ErrCorrupt) && !errors.Is(err, delta.ErrMismatch) && !errors.Is(err, delta.ErrWrongBase) {
			t.Fatalf("flip at %d: unexpected error %v", i, err)
		}
	}
}

// TestDeterministic: the same inputs give the same delta bytes.
func TestDeterministic(t *testing.T) {
	base := synthmodel.New(1, synthmodel.SmallSpecs())
	ft := base.Clone()
	ft.NudgeAll(2, 0.01)
	a, _ := encode(t, ft.Bytes(), base.Bytes(), nil)
	b, _ := encode(t, ft.Bytes(), base.Bytes(), nil)
	if !bytes.Equal(a, b) {
		t.Fatal("two encodings differ")
	}
}

// TestSpill: candidates larger than the in-memory limit go through
// temporary files in TempDir, which are removed.
func TestSpill(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 2 x 40 MB")
	}
	specs := []synthmodel.Spec{{Name: "big.weight", Dtype: safetensors.F32, Shape: []uint64{2560, 4096}}}
	base := synthmodel.New(1, specs)
	ft := synthmodel.New(2, specs) // unrelated: the delta is large
	dir := t.TempDir()
	d, st := encode(t, ft.Bytes(), base.Bytes(), &delta.Options{TempDir: dir})
	if st.Tensors[0].Kind != delta.KindDense && st.Tensors[0].Kind != delta.KindRaw {
		t.Fatalf("kind %v", st.Tensors[0].Kind)
	}
	if got := materialize(t, d, base.Bytes()); !bytes.Equal(got, ft.Bytes()) {
		t.Fatal("materialized file differs")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Fatalf("temporary files left: %v", ents)
	}
}
