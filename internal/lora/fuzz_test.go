package lora_test

import (
	"bytes"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/lora"
	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// FuzzParse feeds arbitrary adapter configs and weight files to Parse. It
// must never panic, and every update it accepts must be consistent.
func FuzzParse(f *testing.F) {
	c, _ := safetensors.Encode([]safetensors.Tensor{loraA, loraB}, nil)
	f.Add([]byte(`{"peft_type":"LORA","r":2,"lora_alpha":4,"target_modules":["q_proj"]}`), c)
	f.Add([]byte(`{"r":2,"lora_alpha":4,"fan_in_fan_out":true,"use_rslora":true,"rank_pattern":{"q_proj":2},"alpha_pattern":{"layer\\.q.*":1}}`), c)
	f.Add([]byte(`{"r":2,"lora_alpha":4,"target_modules":"(a|b"}`), c)
	f.Fuzz(func(t *testing.T, config, weights []byte) {
		ad, err := lora.Parse(config, bytes.NewReader(weights), int64(len(weights)))
		if err != nil {
			return
		}
		for name, u := range ad.Updates {
			if err := u.Term.Check(); err != nil || u.Rows != u.Term.Rows || u.Cols != u.Term.Cols || name != u.Target {
				t.Fatalf("inconsistent update %s: %+v (%v)", name, u, err)
			}
		}
	})
}
