package safetensors

import "fmt"

// Dtype is the element type of a tensor. The constants are declared in the
// reference library's order, which is also its alignment rank: its writer
// lays tensors out by descending Dtype, then by name, so that every tensor
// starts aligned to its element size. Writer follows the same rule, which
// makes its output byte-identical to the reference writer's for the same
// tensors and metadata.
type Dtype uint8

// The element types the format defines.
const (
	BOOL Dtype = iota
	F4
	F6_E2M3
	F6_E3M2
	U8
	I8
	F8_E5M2
	F8_E4M3
	F8_E8M0
	F8_E4M3FNUZ
	F8_E5M2FNUZ
	I16
	U16
	F16
	BF16
	I32
	U32
	F32
	C64
	F64
	I64
	U64
	numDtypes
)

var dtypeNames = [numDtypes]string{
	BOOL: "BOOL", F4: "F4", F6_E2M3: "F6_E2M3", F6_E3M2: "F6_E3M2",
	U8: "U8", I8: "I8", F8_E5M2: "F8_E5M2", F8_E4M3: "F8_E4M3", F8_E8M0: "F8_E8M0",
	F8_E4M3FNUZ: "F8_E4M3FNUZ", F8_E5M2FNUZ: "F8_E5M2FNUZ",
	I16: "I16", U16: "U16", F16: "F16", BF16: "BF16",
	I32: "I32", U32: "U32", F32: "F32",
	C64: "C64", F64: "F64", I64: "I64", U64: "U64",
}

var dtypeBits = [numDtypes]uint64{
	BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
	U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, F8_E4M3FNUZ: 8, F8_E5M2FNUZ: 8,
	I16: 16, U16: 16, F16: 16, BF16: 16,
	I32: 32, U32: 32, F32: 32,
	C64: 64, F64: 64, I64: 64, U64: 64,
}

// String returns the name the header spells the dtype with ("F32", "BF16").
func (d Dtype) String() string {
	if d < numDtypes {
		return dtypeNames[d]
	}
	return fmt.Sprintf("Dtype(%d)", uint8(d))
}

// Bits is the width of one element. Sub-byte types (F4, F6_*) are packed, so
// a tensor's element count times Bits must be a multiple of 8.
func (d Dtype) Bits() uint64 {
	if d < numDtypes {
		return dtypeBits[d]
	}
	return 0
}

// Valid reports whether d is one of the defined dtypes.
func (d Dtype) Valid() bool { return d < numDtypes }

// ParseDtype reads a dtype name as the header spells it.
func ParseDtype(name string) (Dtype, error) {
	for d, n := range dtypeNames {
		if n == name {
			return Dtype(d), nil
		}
	}
	return 0, fmt.Errorf("unknown dtype %q", name)
}

// Dtypes lists every defined dtype in rank order.
func Dtypes() []Dtype {
	out := make([]Dtype, numDtypes)
	for i := range out {
		out[i] = Dtype(i)
	}
	return out
}
