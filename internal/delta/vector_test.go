package delta_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/delta"
	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
	"github.com/agi-nostr/agi-nostr/internal/synthmodel"
)

var updateVector = flag.Bool("update-vector", false, "rewrite testdata/vector")

// TestVector materializes the stored test vector (testdata/vector: a base,
// a fine-tune with a reference, a low-rank, a dense and a raw tensor, and
// the delta between them): every later reader must still rebuild it.
// -update-vector writes it again from the generator.
func TestVector(t *testing.T) {
	dir := filepath.Join("testdata", "vector")
	if *updateVector {
		base := synthmodel.New(1, fuzzSpecs)
		bb := base.Bytes()
		ad, err := synthmodel.NewAdapter(2, base, synthmodel.AdapterSpec{Modules: []string{"a"}, R: 6, Alpha: 12, Dtype: safetensors.BF16})
		if err != nil {
			t.Fatal(err)
		}
		la, _ := ad.Parse()
		var merged bytes.Buffer
		if _, err := lora.Apply(&merged, bytes.NewReader(bb), int64(len(bb)), la); err != nil {
			t.Fatal(err)
		}
		ft := mustDecode(t, merged.Bytes())
		ft.Nudge(3, "b.weight", 0.01)
		ft.Tensors = append(ft.Tensors, safetensors.Tensor{Name: "e", Dtype: safetensors.F16, Shape: []uint64{3}, Data: []byte{0, 60, 0, 64, 0, 66}})
		ft.Metadata["note"] = "test vector"
		fb := ft.Bytes()
		d, _ := encode(t, fb, bb, &delta.Options{LowRank: termsOf(la)})
		os.MkdirAll(dir, 0o755)
		for name, b := range map[string][]byte{"base.safetensors": bb, "finetune.safetensors": fb, "delta.bin": d} {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	bb, fb, d := read("base.safetensors"), read("finetune.safetensors"), read("delta.bin")
	var out bytes.Buffer
	st, err := delta.Materialize(&out, bytes.NewReader(d), file(bb))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), fb) {
		t.Fatal("the test vector no longer materializes to its fine-tune")
	}
	want := map[string]delta.Kind{"a.weight": delta.KindLowRank, "b.weight": delta.KindDense, "c.weight": delta.KindRef, "d": delta.KindRef, "e": delta.KindRaw}
	for _, ts := range st.Tensors {
		if want[ts.Name] != ts.Kind {
			t.Errorf("%s stored as %v, want %v", ts.Name, ts.Kind, want[ts.Name])
		}
	}
}
