package safetensors

import (
	"bytes"
	"slices"
	"testing"
)

// FuzzDecodeHeader feeds arbitrary bytes to the header decoder. It must never
// panic; whatever it accepts must satisfy the format's invariants and survive
// a write/read round trip through Layout.
func FuzzDecodeHeader(f *testing.F) {
	f.Add(header(`{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}`, 16))
	f.Add(header(`{"__metadata__":{"format":"pt"},"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]},"b":{"dtype":"BF16","shape":[],"data_offsets":[1,3]}}`, 3))
	f.Add(header(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":[{}]}}  `, 1))
	f.Add(header(`{"__metadata__":null}`, 0))
	f.Add([]byte{0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := DecodeHeader(b)
		rh, rerr := ReadHeader(bytes.NewReader(b))
		if (err == nil) != (rerr == nil) {
			t.Fatalf("DecodeHeader err %v, ReadHeader err %v", err, rerr)
		}
		if err != nil {
			return
		}
		if !slices.Equal(h.Names(), rh.Names()) {
			t.Fatalf("DecodeHeader and ReadHeader disagree: %v vs %v", h.Names(), rh.Names())
		}
		var next uint64
		infos := make([]TensorInfo, len(h.Tensors))
		for i, ti := range h.Tensors {
			if ti.Begin != next {
				t.Fatalf("tensor %q starts at %d, want %d", ti.Name, ti.Begin, next)
			}
			size, err := dataSize(ti.Dtype, ti.Shape)
			if err != nil || size != ti.Size() {
				t.Fatalf("tensor %q: size %d, %v", ti.Name, size, err)
			}
			next = ti.End
			if got, ok := h.Tensor(ti.Name); !ok || got.Begin != ti.Begin {
				t.Fatalf("index broken for %q", ti.Name)
			}
			infos[i] = ti
		}
		// Rewriting the header in the canonical layout must decode to the
		// same tensors and metadata.
		lh, err := Layout(infos, h.Metadata)
		if err != nil {
			if lh == nil && len(b) > MaxHeaderSize/2 {
				return
			}
			t.Fatalf("re-layout of an accepted header: %v", err)
		}
		again, err := DecodeHeader(lh.Encode())
		if err != nil {
			t.Fatalf("canonical header rejected: %v", err)
		}
		if len(again.Tensors) != len(h.Tensors) || len(again.Metadata) != len(h.Metadata) {
			t.Fatal("round trip changed the header")
		}
		for _, ti := range h.Tensors {
			got, ok := again.Tensor(ti.Name)
			if !ok || got.Dtype != ti.Dtype || !slices.Equal(got.Shape, ti.Shape) || got.Size() != ti.Size() {
				t.Fatalf("tensor %q changed: %+v vs %+v", ti.Name, got, ti)
			}
		}
		for k, v := range h.Metadata {
			if again.Metadata[k] != v {
				t.Fatalf("metadata %q changed", k)
			}
		}
	})
}
