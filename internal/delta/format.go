// Package delta stores a safetensors file as the difference from a
// reference file (its base model, or the same file in an earlier commit)
// and materializes it back, byte for byte.
//
// Each tensor of the new file is stored as the smallest of:
//
//   - ref: the reference's tensor, unchanged;
//   - dense: a lossless elementwise delta of the IEEE bit patterns (XOR or
//     zigzag integer difference), byte planes shuffled, zstd-compressed;
//   - lowrank: the factors and scaling of one or more low-rank updates
//     (LoRA), materialized as ref + Σ scale·P·Q in a fixed float32 order
//     (see tensormath.AddRows), plus a compressed XOR residual when the
//     file's bytes are not exactly that result;
//   - raw: the tensor's own bytes, stored or shuffled and compressed.
//
// The file's header (the safetensors length prefix and JSON, with its
// metadata and tensor order) is kept verbatim. Materializing streams the
// delta and reads the reference at random, holding one block (64 Ki
// elements) per tensor, or the factors of a low-rank tensor, in memory;
// the result is checked against the object id the delta records.
//
// docs/FORMAT.md describes the bytes.
package delta

import (
	"errors"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// Magic opens every delta object.
var Magic = [8]byte{'A', 'G', 'I', 'D', 'E', 'L', 'T', 'A'}

// Version is the format version written after the magic.
const Version = 1

// Kind is how one tensor is stored.
type Kind byte

// The tensor encodings.
const (
	KindRef     Kind = 0
	KindDense   Kind = 1
	KindLowRank Kind = 2
	KindRaw     Kind = 3
)

func (k Kind) String() string {
	switch k {
	case KindRef:
		return "ref"
	case KindDense:
		return "dense"
	case KindLowRank:
		return "lowrank"
	case KindRaw:
		return "raw"
	}
	return "kind?"
}

// Raw tensor codecs.
const (
	RawStored byte = 0
	RawZstd   byte = 1
)

// Factor dtype codes of a low-rank term.
const (
	FactorF32  byte = 0
	FactorF16  byte = 1
	FactorBF16 byte = 2
)

// Limits on what a delta may declare, so that corrupt input cannot make
// the decoder allocate without bound.
const (
	// MaxTerms is the most low-rank updates of one tensor.
	MaxTerms = 64
	// MaxRank bounds one update's rank.
	MaxRank = 1 << 16
	// MaxFactorValues bounds the values of one update's two factors
	// together (1 GiB as float32).
	MaxFactorValues = 1 << 28
	// MaxTensors is the most tensors a file may have.
	MaxTensors = 1 << 24
)

// ErrCorrupt is wrapped by every error about malformed delta bytes.
var ErrCorrupt = errors.New("corrupt delta")

// ErrWrongBase is wrapped when a delta is applied to a reference other
// than the one it was made against.
var ErrWrongBase = errors.New("delta applied to the wrong reference")

// ErrMismatch is wrapped when a materialized file does not have the object
// id the delta promises.
var ErrMismatch = errors.New("materialized file does not match its object id")

func factorCode(dt safetensors.Dtype) (byte, bool) {
	switch dt {
	case safetensors.F32:
		return FactorF32, true
	case safetensors.F16:
		return FactorF16, true
	case safetensors.BF16:
		return FactorBF16, true
	}
	return 0, false
}

func factorDtype(code byte) (safetensors.Dtype, bool) {
	switch code {
	case FactorF32:
		return safetensors.F32, true
	case FactorF16:
		return safetensors.F16, true
	case FactorBF16:
		return safetensors.BF16, true
	}
	return 0, false
}

// elemWidth is the element width the dense transforms and the shuffle use:
// the dtype's byte width, or 1 for sub-byte and 1-byte dtypes.
func elemWidth(dt safetensors.Dtype) int {
	b := dt.Bits()
	if b%8 != 0 || b == 0 {
		return 1
	}
	return int(b / 8)
}

// TensorStat says how one tensor of a delta is stored.
type TensorStat struct {
	Name  string
	Dtype safetensors.Dtype
	Shape []uint64
	// Size is the tensor's size in the materialized file.
	Size uint64
	Kind Kind
	// Stored is the bytes its record takes in the delta (kind and length
	// included).
	Stored uint64
	// RefIndex is the reference tensor it is stored against, by position
	// in the reference's data order (kinds ref, dense, lowrank; else -1),
	// and RefName its name when the reference was at hand.
	RefIndex int
	RefName  string
	// Transform of a dense tensor; Codec of a raw one.
	Transform byte
	Codec     byte
	// Ranks of a lowrank tensor's updates, and whether it has a residual.
	Ranks    []int
	Residual bool
}

// Stat describes a delta object.
type Stat struct {
	RefID   [32]byte
	RefSize uint64
	OutID   [32]byte
	OutSize uint64
	// HeaderStored is the bytes the compressed header takes.
	HeaderStored uint64
	Tensors      []TensorStat
	// Size is the delta's total size in bytes.
	Size uint64
}

// Count returns how many tensors use each kind.
func (s *Stat) Count() map[Kind]int {
	m := map[Kind]int{}
	for _, t := range s.Tensors {
		m[t.Kind]++
	}
	return m
}
