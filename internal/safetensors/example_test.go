package safetensors_test

import (
	"bytes"
	"fmt"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

func Example() {
	file, err := safetensors.Encode([]safetensors.Tensor{
		{Name: "embed.weight", Dtype: safetensors.BF16, Shape: []uint64{4, 2}, Data: make([]byte, 16)},
		{Name: "lm_head.bias", Dtype: safetensors.F32, Shape: []uint64{4}, Data: make([]byte, 16)},
	}, map[string]string{"format": "pt"})
	if err != nil {
		panic(err)
	}
	// Only the header is read; tensor bytes stay where they are.
	h, err := safetensors.ReadHeader(bytes.NewReader(file))
	if err != nil {
		panic(err)
	}
	for _, t := range h.Tensors {
		fmt.Printf("%s %s %v at file offset %d, %d bytes\n", t.Name, t.Dtype, t.Shape, h.DataStart()+t.Begin, t.Size())
	}
	fmt.Println("metadata:", h.Metadata)
	// Output:
	// lm_head.bias F32 [4] at file offset 176, 16 bytes
	// embed.weight BF16 [4 2] at file offset 192, 16 bytes
	// metadata: map[format:pt]
}
