// Package tensormath holds the float arithmetic that stored model deltas
// depend on: conversions between the 16-bit float formats and float32,
// low-rank (LoRA) updates and the elementwise merges of fine-tunes.
//
// Every result here must be bit-identical on every machine, because a file
// materialized from its delta is checked against its object id. The rules:
//
//   - All arithmetic is float32. Go may fuse x*y+z into one fused
//     multiply-add on some architectures, which rounds once instead of
//     twice; every product and every sum is therefore wrapped in an explicit
//     float32() conversion, which the language specification says rounds
//     and so forbids fusion.
//   - Reductions run in a fixed order (documented on each function), never
//     in parallel or in an order chosen at run time.
//   - F16 and BF16 values are widened to float32 exactly and narrowed with
//     round-to-nearest-even. A NaN result is written as the canonical quiet
//     NaN of its dtype, so NaN payloads, which hardware propagates
//     differently, never reach the output.
package tensormath

import (
	"fmt"
	"math"

	"github.com/agi-nostr/agi-nostr/internal/safetensors"
)

// Canonical quiet NaNs written for NaN results.
const (
	NaN32 uint32 = 0x7fc00000
	NaN16 uint16 = 0x7e00
	NaNBF uint16 = 0x7fc0
)

// IsFloat reports whether arithmetic is defined on the dtype: F32, F16, BF16.
func IsFloat(dt safetensors.Dtype) bool {
	return dt == safetensors.F32 || dt == safetensors.F16 || dt == safetensors.BF16
}

// Width is the byte size of one element of a float dtype.
func Width(dt safetensors.Dtype) int {
	return int(dt.Bits() / 8)
}

// BF16ToF32 widens a bfloat16 bit pattern (exact).
func BF16ToF32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// F32ToBF16 narrows with round-to-nearest-even; NaN becomes NaNBF.
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return NaNBF
	}
	u += 0x7fff + (u>>16)&1
	return uint16(u >> 16)
}

// F16ToF32 widens an IEEE half-precision bit pattern (exact).
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // infinity or NaN: keep the payload bits
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0:
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0:
		return math.Float32frombits(sign)
	}
	// Subnormal: normalize. The value is man * 2^-24.
	e := uint32(113)
	for man&0x400 == 0 {
		man <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
}

// F32ToF16 narrows with round-to-nearest-even, overflowing to infinity and
// underflowing through the subnormals to zero; NaN becomes NaN16.
func F32ToF16(f float32) uint16 {
	u := math.Float32bits(f)
	sign := uint16(u>>16) & 0x8000
	a := u & 0x7fffffff
	switch {
	case a > 0x7f800000:
		return NaN16
	case a >= 0x477ff000:
		// 65520 and above round to infinity (65504 is the largest half;
		// the halfway point 65520 rounds to even, which is infinity).
		return sign | 0x7c00
	case a >= 0x38800000:
		// Normal half: rebias the exponent, round 13 mantissa bits away.
		// A carry out of the mantissa correctly bumps the exponent.
		a -= 112 << 23
		a += 0xfff + (a>>13)&1
		return sign | uint16(a>>13)
	case a < 0x33000000:
		// Below half of the smallest subnormal (2^-25): zero.
		return sign
	}
	// Subnormal half: the value is m * 2^-24 for integer m, rounded to
	// nearest even. The float32 has an implicit leading one.
	e := a >> 23 // 102..112
	m := a&0x7fffff | 0x800000
	shift := 126 - e // bits to drop so the unit is 2^-24: 14..24
	q := m >> shift
	rem := m & (1<<shift - 1)
	half := uint32(1) << (shift - 1)
	if rem > half || rem == half && q&1 == 1 {
		q++
	}
	return sign | uint16(q)
}

// Decode widens n elements of a float dtype from little-endian bytes.
// len(src) must be len(dst)*Width(dt).
func Decode(dst []float32, src []byte, dt safetensors.Dtype) {
	switch dt {
	case safetensors.F32:
		for i := range dst {
			j := 4 * i
			dst[i] = math.Float32frombits(uint32(src[j]) | uint32(src[j+1])<<8 | uint32(src[j+2])<<16 | uint32(src[j+3])<<24)
		}
	case safetensors.F16:
		for i := range dst {
			dst[i] = F16ToF32(uint16(src[2*i]) | uint16(src[2*i+1])<<8)
		}
	case safetensors.BF16:
		for i := range dst {
			dst[i] = BF16ToF32(uint16(src[2*i]) | uint16(src[2*i+1])<<8)
		}
	default:
		panic(fmt.Sprintf("tensormath: Decode of %s", dt))
	}
}

// Encode narrows float32 values into little-endian bytes of a float dtype,
// writing canonical NaNs. len(dst) must be len(src)*Width(dt).
func Encode(dst []byte, src []float32, dt safetensors.Dtype) {
	switch dt {
	case safetensors.F32:
		for i, f := range src {
			u := math.Float32bits(f)
			if u&0x7fffffff > 0x7f800000 {
				u = NaN32
			}
			j := 4 * i
			dst[j], dst[j+1], dst[j+2], dst[j+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
	case safetensors.F16:
		for i, f := range src {
			h := F32ToF16(f)
			dst[2*i], dst[2*i+1] = byte(h), byte(h>>8)
		}
	case safetensors.BF16:
		for i, f := range src {
			h := F32ToBF16(f)
			dst[2*i], dst[2*i+1] = byte(h), byte(h>>8)
		}
	default:
		panic(fmt.Sprintf("tensormath: Encode of %s", dt))
	}
}
