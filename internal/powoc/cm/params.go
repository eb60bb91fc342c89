package cm

import (
	"encoding/binary"
	"fmt"
	"math/bits"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// Params are the learned parameters of a model: where its adaptive maps
// start. Training replaces the defaults with the values the maps reached on
// the training data. They are stored compactly, because every byte of a
// model file counts in its score: the hashed context slots (which would
// memorize the training data) and the apms (which relearn within a few
// kilobytes) are not stored at all.
type Params struct {
	// StateMaps, per context, 256 entries, then Match and Fast (64
	// entries each): a 12-bit probability << 4 | a count class c, the map
	// entry having seen about 2^c - 1 updates (c <= 10).
	StateMaps []uint16
	Match     []uint16 // (match length bucket, expected bit)
	Fast      []uint16 // the same, for the match alone on long matches
	// Mixer holds 256 weight sets of len(Contexts)+2 weights, in units of
	// 1/256 (the mixer computes in 1/65536).
	Mixer []int16
}

// Tensor names in a model file.
const (
	TensorStateMaps = "cm.statemaps"
	TensorMatch     = "cm.match"
	TensorFast      = "cm.fast"
	TensorMixer     = "cm.mixer"
)

// packState stores a stateMap entry (22-bit probability << 10 | count).
func packState(e uint32) uint16 {
	p := e >> 20 // 12 bits
	c := uint32(bits.Len32(e & 1023))
	return uint16(p<<4 | c)
}

// unpackState restores an entry: the probability in the middle of its
// 12-bit step and a count of 2^c - 1, capped at limit.
func unpackState(v uint16, limit uint32) uint32 {
	p := uint32(v>>4)<<10 | 1<<9
	c := min(uint32(1)<<(v&15)-1, limit)
	return p<<10 | c
}

// DefaultParams are the untrained parameters of cfg.
func DefaultParams(cfg Config) *Params {
	n := len(cfg.Contexts)
	sm := stateMap{t: make([]uint32, numStates)}
	sm.initStates(1)
	p := &Params{
		StateMaps: make([]uint16, n*numStates),
		Match:     make([]uint16, matchBuckets*2),
		Fast:      make([]uint16, matchBuckets*2),
		Mixer:     make([]int16, 256*(n+2)),
	}
	for i := range p.StateMaps {
		p.StateMaps[i] = packState(sm.t[i%numStates])
	}
	// A match is right more often than not from the start, and nearly
	// always on a long one; learning sets how much per length.
	for i := range p.Match {
		if i&1 == 1 {
			p.Match[i] = packState(3<<30 | 1)
			p.Fast[i] = packState((1<<22-1<<14)<<10 | 1)
		} else {
			p.Match[i] = packState(1<<30 | 1)
			p.Fast[i] = packState(1<<24 | 1)
		}
	}
	w := int16(256 * 2 / (n + 2))
	for i := range p.Mixer {
		p.Mixer[i] = w
	}
	return p
}

func (p *Params) check(cfg Config) error {
	n := len(cfg.Contexts)
	if len(p.StateMaps) != n*numStates || len(p.Match) != matchBuckets*2 || len(p.Fast) != matchBuckets*2 ||
		len(p.Mixer) != 256*(n+2) {
		return fmt.Errorf("cm: parameters do not fit %d contexts", n)
	}
	for _, vs := range [][]uint16{p.StateMaps, p.Match, p.Fast} {
		for i, v := range vs {
			if v&15 > 10 {
				return fmt.Errorf("cm: state map entry %d has count class %d, above 10", i, v&15)
			}
		}
	}
	return nil
}

func unpackStates(dst []uint32, src []uint16, limit uint32) {
	for i, v := range src {
		dst[i] = unpackState(v, limit)
	}
}

func packStates(src []uint32) []uint16 {
	out := make([]uint16, len(src))
	for i, e := range src {
		out[i] = packState(e)
	}
	return out
}

// Params returns the model's adaptive state as parameters: what training
// keeps after running over its data.
func (m *Model) Params() *Params {
	p := &Params{
		StateMaps: packStates(m.sm[:m.n*numStates]),
		Match:     packStates(m.smM.t),
		Fast:      packStates(m.smF.t),
		Mixer:     make([]int16, len(m.mx.w)),
	}
	for i, w := range m.mx.w {
		p.Mixer[i] = int16(min(max((w+128)>>8, -32768), 32767))
	}
	return p
}

// Tensors returns the parameters as little-endian tensors.
func (p *Params) Tensors(cfg Config) []safetensors.Tensor {
	n := uint64(len(cfg.Contexts))
	u16 := func(v []uint16) []byte {
		b := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(b[2*i:], x)
		}
		return b
	}
	i16 := func(v []int16) []byte {
		b := make([]byte, 2*len(v))
		for i, x := range v {
			binary.LittleEndian.PutUint16(b[2*i:], uint16(x))
		}
		return b
	}
	return []safetensors.Tensor{
		{Name: TensorStateMaps, Dtype: safetensors.U16, Shape: []uint64{n, numStates}, Data: u16(p.StateMaps)},
		{Name: TensorMatch, Dtype: safetensors.U16, Shape: []uint64{matchBuckets, 2}, Data: u16(p.Match)},
		{Name: TensorFast, Dtype: safetensors.U16, Shape: []uint64{matchBuckets, 2}, Data: u16(p.Fast)},
		{Name: TensorMixer, Dtype: safetensors.I16, Shape: []uint64{256, n + 2}, Data: i16(p.Mixer)},
	}
}

// TensorReader gives a tensor's bytes by name.
type TensorReader interface {
	ReadTensor(name string) (safetensors.TensorInfo, []byte, error)
}

// ParamsFromTensors reads the parameters of cfg, checking every dtype,
// shape and value.
func ParamsFromTensors(cfg Config, r TensorReader) (*Params, error) {
	n := uint64(len(cfg.Contexts))
	read := func(name string, dt safetensors.Dtype, shape ...uint64) ([]uint16, error) {
		info, b, err := r.ReadTensor(name)
		if err != nil {
			return nil, err
		}
		ok := info.Dtype == dt && len(info.Shape) == len(shape)
		for i := 0; ok && i < len(shape); i++ {
			ok = info.Shape[i] == shape[i]
		}
		if !ok {
			return nil, fmt.Errorf("cm: tensor %s is %s%v, want %s%v", name, info.Dtype, info.Shape, dt, shape)
		}
		out := make([]uint16, len(b)/2)
		for i := range out {
			out[i] = binary.LittleEndian.Uint16(b[2*i:])
		}
		return out, nil
	}
	p := &Params{}
	var err error
	if p.StateMaps, err = read(TensorStateMaps, safetensors.U16, n, numStates); err != nil {
		return nil, err
	}
	if p.Match, err = read(TensorMatch, safetensors.U16, matchBuckets, 2); err != nil {
		return nil, err
	}
	if p.Fast, err = read(TensorFast, safetensors.U16, matchBuckets, 2); err != nil {
		return nil, err
	}
	w, err := read(TensorMixer, safetensors.I16, 256, n+2)
	if err != nil {
		return nil, err
	}
	p.Mixer = make([]int16, len(w))
	for i, v := range w {
		p.Mixer[i] = int16(v)
	}
	if err := p.check(cfg); err != nil {
		return nil, err
	}
	return p, nil
}
