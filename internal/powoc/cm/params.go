package cm

import (
	"encoding/binary"
	"fmt"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// Params are the learned parameters of a model: the initial contents of
// every adaptive map except the hashed context slots (which would memorize
// the training data) and the order-1 apm (too large to pay for itself).
// Training replaces the defaults with the values the maps reached on the
// training data, so coding starts from there.
type Params struct {
	StateMaps []uint32 // per context, 256 entries: 22-bit probability << 10 | count
	Match     []uint32 // matchBuckets*2 entries, same layout
	Mixer     []int32  // 256 weight sets of len(Contexts)+2 weights, 16.16 fixed point
	APM0      []uint16 // 256 contexts of 33 probabilities, 16-bit
}

// Tensor names in a model file.
const (
	TensorStateMaps = "cm.statemaps"
	TensorMatch     = "cm.match"
	TensorMixer     = "cm.mixer"
	TensorAPM0      = "cm.apm0"
)

// DefaultParams are the untrained parameters of cfg.
func DefaultParams(cfg Config) *Params {
	n := len(cfg.Contexts)
	p := &Params{
		StateMaps: make([]uint32, n*numStates),
		Match:     make([]uint32, matchBuckets*2),
		Mixer:     make([]int32, 256*(n+2)),
		APM0:      newAPM(256, cfg.APMRate).t,
	}
	sm := stateMap{t: p.StateMaps}
	sm.initStates(n)
	// A match is right more often than not from the start; learning sets
	// how much more per length.
	for i := range p.Match {
		if i&1 == 1 {
			p.Match[i] = uint32(3<<20) << 10
		} else {
			p.Match[i] = uint32(1<<20) << 10
		}
	}
	w := int32(65536 * 2 / (n + 2))
	for i := range p.Mixer {
		p.Mixer[i] = w
	}
	return p
}

func (p *Params) check(cfg Config) error {
	n := len(cfg.Contexts)
	if len(p.StateMaps) != n*numStates || len(p.Match) != matchBuckets*2 ||
		len(p.Mixer) != 256*(n+2) || len(p.APM0) != 256*33 {
		return fmt.Errorf("cm: parameters do not fit %d contexts", n)
	}
	return nil
}

// Params returns the model's adaptive state as parameters: what training
// keeps after running over its data.
func (m *Model) Params() *Params {
	return &Params{
		StateMaps: append([]uint32(nil), m.sm[:m.n*numStates]...),
		Match:     append([]uint32(nil), m.smM.t...),
		Mixer:     append([]int32(nil), m.mx.w...),
		APM0:      append([]uint16(nil), m.apm0.t...),
	}
}

// Tensors returns the parameters as little-endian tensors.
func (p *Params) Tensors(cfg Config) []safetensors.Tensor {
	n := uint64(len(cfg.Contexts))
	u32 := func(v []uint32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], x)
		}
		return b
	}
	i32 := func(v []int32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
		}
		return b
	}
	u16 := func(v []uint16) []byte {
		b := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(b[2*i:], x)
		}
		return b
	}
	return []safetensors.Tensor{
		{Name: TensorStateMaps, Dtype: safetensors.U32, Shape: []uint64{n, numStates}, Data: u32(p.StateMaps)},
		{Name: TensorMatch, Dtype: safetensors.U32, Shape: []uint64{matchBuckets, 2}, Data: u32(p.Match)},
		{Name: TensorMixer, Dtype: safetensors.I32, Shape: []uint64{256, n + 2}, Data: i32(p.Mixer)},
		{Name: TensorAPM0, Dtype: safetensors.U16, Shape: []uint64{256, 33}, Data: u16(p.APM0)},
	}
}

// TensorReader gives a tensor's bytes by name.
type TensorReader interface {
	ReadTensor(name string) (safetensors.TensorInfo, []byte, error)
}

// ParamsFromTensors reads the parameters of cfg, checking every dtype,
// shape and value range.
func ParamsFromTensors(cfg Config, r TensorReader) (*Params, error) {
	n := uint64(len(cfg.Contexts))
	read := func(name string, dt safetensors.Dtype, shape ...uint64) ([]byte, error) {
		info, b, err := r.ReadTensor(name)
		if err != nil {
			return nil, err
		}
		if info.Dtype != dt || len(info.Shape) != len(shape) {
			return nil, fmt.Errorf("cm: tensor %s is %s%v, want %s%v", name, info.Dtype, info.Shape, dt, shape)
		}
		for i := range shape {
			if info.Shape[i] != shape[i] {
				return nil, fmt.Errorf("cm: tensor %s is %s%v, want %s%v", name, info.Dtype, info.Shape, dt, shape)
			}
		}
		return b, nil
	}
	p := &Params{}
	b, err := read(TensorStateMaps, safetensors.U32, n, numStates)
	if err != nil {
		return nil, err
	}
	if p.StateMaps, err = stateEntries(TensorStateMaps, b, cfg.SMLimit); err != nil {
		return nil, err
	}
	if b, err = read(TensorMatch, safetensors.U32, matchBuckets, 2); err != nil {
		return nil, err
	}
	if p.Match, err = stateEntries(TensorMatch, b, cfg.SMLimit); err != nil {
		return nil, err
	}
	if b, err = read(TensorMixer, safetensors.I32, 256, n+2); err != nil {
		return nil, err
	}
	p.Mixer = make([]int32, len(b)/4)
	for i := range p.Mixer {
		w := int32(binary.LittleEndian.Uint32(b[4*i:]))
		if w > maxWeight || w < -maxWeight {
			return nil, fmt.Errorf("cm: tensor %s: weight %d out of range", TensorMixer, i)
		}
		p.Mixer[i] = w
	}
	if b, err = read(TensorAPM0, safetensors.U16, 256, 33); err != nil {
		return nil, err
	}
	p.APM0 = make([]uint16, len(b)/2)
	for i := range p.APM0 {
		p.APM0[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return p, nil
}

// stateEntries decodes stateMap entries; a count above the limit could
// never arise from coding, so it is refused.
func stateEntries(name string, b []byte, limit uint32) ([]uint32, error) {
	out := make([]uint32, len(b)/4)
	for i := range out {
		e := binary.LittleEndian.Uint32(b[4*i:])
		if e&1023 > limit {
			return nil, fmt.Errorf("cm: tensor %s: entry %d has count %d above the limit %d", name, i, e&1023, limit)
		}
		out[i] = e
	}
	return out, nil
}
