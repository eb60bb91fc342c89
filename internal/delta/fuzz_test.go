package delta_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/merkle"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
)

// fuzzSpecs is a tiny model, so that each fuzz input runs fast.
var fuzzSpecs = []synthmodel.Spec{
	{Name: "a.weight", Dtype: safetensors.F32, Shape: []uint64{8, 8}},
	{Name: "b.weight", Dtype: safetensors.BF16, Shape: []uint64{8, 4}},
	{Name: "c.weight", Dtype: safetensors.F16, Shape: []uint64{4, 8}},
	{Name: "d", Dtype: safetensors.I32, Shape: []uint64{5}},
}

func fuzzSeeds(f *testing.F) []byte {
	base := synthmodel.New(1, fuzzSpecs)
	bb := base.Bytes()
	ad, err := synthmodel.NewAdapter(2, base, synthmodel.AdapterSpec{Modules: []string{"a", "c"}, R: 2, Alpha: 4, Dtype: safetensors.BF16})
	if err != nil {
		f.Fatal(err)
	}
	la, err := ad.Parse()
	if err != nil {
		f.Fatal(err)
	}
	var merged bytes.Buffer
	if _, err := lora.Apply(&merged, bytes.NewReader(bb), int64(len(bb)), la); err != nil {
		f.Fatal(err)
	}
	ft := synthmodel.New(1, fuzzSpecs)
	ft.Nudge(3, "b.weight", 0.01)
	full := base.Clone()
	full.NudgeAll(4, 0.01)
	other := synthmodel.New(5, fuzzSpecs)
	for _, out := range [][]byte{merged.Bytes(), ft.Bytes(), full.Bytes(), other.Bytes(), bb} {
		var d bytes.Buffer
		if _, err := delta.Encode(&d, file(out), file(bb), &delta.Options{LowRank: termsOf(la)}); err != nil {
			f.Fatal(err)
		}
		f.Add(d.Bytes())
	}
	f.Add([]byte("AGIDELTA\x01"))
	return bb
}

// FuzzMaterialize feeds arbitrary bytes as a delta of a fixed reference.
// It must never panic; whatever it accepts must produce exactly the file
// the delta names, and Inspect must agree with it.
func FuzzMaterialize(f *testing.F) {
	bb := fuzzSeeds(f)
	ref := file(bb)
	f.Fuzz(func(t *testing.T, d []byte) {
		var out bytes.Buffer
		ref.R = bytes.NewReader(bb)
		st, err := delta.Materialize(&out, bytes.NewReader(d), ref)
		is, ierr := delta.Inspect(bytes.NewReader(d))
		if err != nil {
			if !errors.Is(err, delta.ErrCorrupt) && !errors.Is(err, delta.ErrWrongBase) && !errors.Is(err, delta.ErrMismatch) {
				t.Fatalf("unclassified error: %v", err)
			}
			if errors.Is(err, delta.ErrCorrupt) && ierr == nil && !bytes.Contains([]byte(err.Error()), []byte("compressed")) && !bytes.Contains([]byte(err.Error()), []byte("frame")) && !bytes.Contains([]byte(err.Error()), []byte("residual flag")) && !bytes.Contains([]byte(err.Error()), []byte("transform")) && !bytes.Contains([]byte(err.Error()), []byte("codec")) && !bytes.Contains([]byte(err.Error()), []byte("unused bytes")) && !bytes.Contains([]byte(err.Error()), []byte("stored tensor")) {
				t.Logf("materialize %v but inspect accepted", err)
			}
			return
		}
		if ierr != nil {
			t.Fatalf("materialized but Inspect fails: %v", ierr)
		}
		if merkle.SumBytes(out.Bytes()) != merkle.ID(st.OutID) || uint64(out.Len()) != st.OutSize {
			t.Fatal("accepted output does not match its id")
		}
		if len(is.Tensors) != len(st.Tensors) || is.Size != st.Size {
			t.Fatalf("inspect %d tensors %d bytes, materialize %d tensors %d bytes", len(is.Tensors), is.Size, len(st.Tensors), st.Size)
		}
	})
}

// FuzzInspect: the structure reader alone never panics.
func FuzzInspect(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, d []byte) {
		st, err := delta.Inspect(bytes.NewReader(d))
		if err != nil {
			if !errors.Is(err, delta.ErrCorrupt) {
				t.Fatalf("unclassified error: %v", err)
			}
			return
		}
		var sum uint64
		for _, ts := range st.Tensors {
			sum += ts.Stored
		}
		if sum > st.Size {
			t.Fatalf("records take %d bytes of %d", sum, st.Size)
		}
	})
}
