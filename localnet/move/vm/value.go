package vm

import (
	"bytes"
	"math/big"
	"math/bits"
	"strings"
)

// U256 is an unsigned 256-bit integer, little-endian limbs. Values of type
// u128 and u256 hold a *U256 that is never mutated after creation.
type U256 [4]uint64

// Value is a Move value. Small integers and booleans live in N; every other
// kind keeps its payload in P:
//
//	bool, u8..u64   N (P nil)
//	u128, u256      P = *U256
//	address         P = *Address
//	signer          P = *Signer
//	vector<T>       P = *Vector
//	struct, enum    P = *Struct
//	&T, &mut T      P = *Value (the referenced location)
//	function value  P = *Closure
//
// Containers are mutable in place (writes through references); the
// interpreter copies them where Move semantics copy.
type Value struct {
	N uint64
	P any
}

// Signer is the payload of a signer value.
type Signer struct {
	Addr Address
	// Permissioned marks a permissioned signer; PermAddr is where its
	// permissions are stored (aptos_framework::permissioned_signer).
	Permissioned bool
	PermAddr     Address
}

// Vector is the payload of a vector value.
type Vector struct {
	Elems []Value
}

// Struct is the payload of a struct or enum value.
type Struct struct {
	Variant int // enums: index of the variant
	Fields  []Value
}

// Closure is a function value: a function plus captured arguments.
type Closure struct {
	Fn       *Function
	TyArgs   []*Type
	Captured []Value
	// Mask tells which parameters the captured values fill, lowest bit first.
	Mask uint64
}

// Constructors.

// Bool returns a bool value.
func Bool(b bool) Value {
	if b {
		return Value{N: 1}
	}
	return Value{}
}

// U64 returns an integer value of kind u8..u64.
func U64(x uint64) Value { return Value{N: x} }

// U128 returns a u128 value from two halves.
func U128(hi, lo uint64) Value { return Value{P: &U256{lo, hi, 0, 0}} }

// Big returns a u128/u256 value from limbs.
func Big(x U256) Value { return Value{P: &x} }

// BigInt returns a u128/u256 value from a non-negative big.Int that fits in 256 bits.
func BigInt(x *big.Int) Value {
	var u U256
	words := x.Bits()
	for i := 0; i < len(words) && i < 4; i++ {
		u[i] = uint64(words[i])
	}
	return Value{P: &u}
}

// Addr returns an address value.
func Addr(a Address) Value { return Value{P: &a} }

// SignerValue returns a signer value.
func SignerValue(a Address) Value { return Value{P: &Signer{Addr: a}} }

// VectorOf returns a vector value holding elems (not copied).
func VectorOf(elems []Value) Value { return Value{P: &Vector{Elems: elems}} }

// Bytes returns a vector<u8> value.
func Bytes(b []byte) Value {
	elems := make([]Value, len(b))
	for i, c := range b {
		elems[i].N = uint64(c)
	}
	return Value{P: &Vector{Elems: elems}}
}

// StructOf returns a struct value holding fields (not copied).
func StructOf(fields ...Value) Value { return Value{P: &Struct{Fields: fields}} }

// VariantOf returns an enum value.
func VariantOf(variant int, fields ...Value) Value {
	return Value{P: &Struct{Variant: variant, Fields: fields}}
}

// RefTo returns a reference to the location v.
func RefTo(v *Value) Value { return Value{P: v} }

// Accessors. They assume the value has the right type (the checker
// guarantees it); they do not validate.

// AsBool returns a bool.
func (v Value) AsBool() bool { return v.N != 0 }

// AsU64 returns an integer of kind u8..u64.
func (v Value) AsU64() uint64 { return v.N }

// AsU256 returns a u128/u256 as limbs.
func (v Value) AsU256() U256 { return *v.P.(*U256) }

// AsBig returns a u128/u256 as a big.Int.
func (v Value) AsBig() *big.Int { return v.P.(*U256).Big() }

// AsAddress returns an address.
func (v Value) AsAddress() Address { return *v.P.(*Address) }

// AsSigner returns a signer's payload.
func (v Value) AsSigner() *Signer { return v.P.(*Signer) }

// AsVector returns a vector's payload.
func (v Value) AsVector() *Vector { return v.P.(*Vector) }

// AsStruct returns a struct's payload.
func (v Value) AsStruct() *Struct { return v.P.(*Struct) }

// Deref returns the location a reference points to.
func (v Value) Deref() *Value { return v.P.(*Value) }

// AsBytes returns the contents of a vector<u8>.
func (v Value) AsBytes() []byte {
	vec := v.P.(*Vector)
	out := make([]byte, len(vec.Elems))
	for i, e := range vec.Elems {
		out[i] = byte(e.N)
	}
	return out
}

// Big converts limbs to a big.Int.
func (u *U256) Big() *big.Int {
	words := make([]big.Word, 4)
	for i := range u {
		words[i] = big.Word(u[i])
	}
	return new(big.Int).SetBits(words)
}

// Copy returns a deep copy of a value (containers are duplicated; immutable
// payloads and references are shared).
func (v Value) Copy() Value {
	switch p := v.P.(type) {
	case *Vector:
		elems := make([]Value, len(p.Elems))
		for i, e := range p.Elems {
			if e.P == nil {
				elems[i] = e
			} else {
				elems[i] = e.Copy()
			}
		}
		return Value{P: &Vector{Elems: elems}}
	case *Struct:
		fields := make([]Value, len(p.Fields))
		for i, e := range p.Fields {
			if e.P == nil {
				fields[i] = e
			} else {
				fields[i] = e.Copy()
			}
		}
		return Value{P: &Struct{Variant: p.Variant, Fields: fields}}
	}
	return v
}

// Equal compares two values of the same type structurally. References
// compare the values they point to.
func Equal(a, b Value) bool {
	if a.P == nil && b.P == nil {
		return a.N == b.N
	}
	switch x := a.P.(type) {
	case *U256:
		return *x == *b.P.(*U256)
	case *Address:
		return *x == *b.P.(*Address)
	case *Signer:
		return *x == *b.P.(*Signer)
	case *Vector:
		y := b.P.(*Vector)
		if len(x.Elems) != len(y.Elems) {
			return false
		}
		for i := range x.Elems {
			if !Equal(x.Elems[i], y.Elems[i]) {
				return false
			}
		}
		return true
	case *Struct:
		y := b.P.(*Struct)
		if x.Variant != y.Variant || len(x.Fields) != len(y.Fields) {
			return false
		}
		for i := range x.Fields {
			if !Equal(x.Fields[i], y.Fields[i]) {
				return false
			}
		}
		return true
	case *Value:
		return Equal(*x, *b.P.(*Value))
	case *Closure:
		return compareClosures(x, b.P.(*Closure)) == 0
	}
	return a.N == b.N && a.P == b.P
}

// compareClosures orders function values by function (address, module,
// name), then which parameters are captured, then the captured values.
func compareClosures(x, y *Closure) int {
	if x == y {
		return 0
	}
	if c := bytes.Compare(x.Fn.Module.ID.Addr[:], y.Fn.Module.ID.Addr[:]); c != 0 {
		return c
	}
	if x.Fn.Module.ID.Name != y.Fn.Module.ID.Name {
		return strings.Compare(x.Fn.Module.ID.Name, y.Fn.Module.ID.Name)
	}
	if x.Fn.Name != y.Fn.Name {
		return strings.Compare(x.Fn.Name, y.Fn.Name)
	}
	if x.Mask != y.Mask {
		if x.Mask < y.Mask {
			return -1
		}
		return 1
	}
	for i := 0; i < len(x.Captured) && i < len(y.Captured); i++ {
		if c := Compare(x.Captured[i], y.Captured[i]); c != 0 {
			return c
		}
	}
	return cmpInt(len(x.Captured), len(y.Captured))
}

// Compare orders two values of the same type as std::cmp::compare does:
// integers numerically, addresses and byte-wise, vectors and structs
// lexicographically (shorter first on a common prefix), enums by variant
// then fields. It returns -1, 0 or 1.
func Compare(a, b Value) int {
	if a.P == nil && b.P == nil {
		switch {
		case a.N < b.N:
			return -1
		case a.N > b.N:
			return 1
		}
		return 0
	}
	switch x := a.P.(type) {
	case *U256:
		return x.Cmp(b.P.(*U256))
	case *Address:
		y := b.P.(*Address)
		return bytes.Compare(x[:], y[:])
	case *Signer:
		y := b.P.(*Signer)
		return bytes.Compare(x.Addr[:], y.Addr[:])
	case *Vector:
		y := b.P.(*Vector)
		for i := 0; i < len(x.Elems) && i < len(y.Elems); i++ {
			if c := Compare(x.Elems[i], y.Elems[i]); c != 0 {
				return c
			}
		}
		return cmpInt(len(x.Elems), len(y.Elems))
	case *Struct:
		y := b.P.(*Struct)
		if x.Variant != y.Variant {
			return cmpInt(x.Variant, y.Variant)
		}
		for i := 0; i < len(x.Fields) && i < len(y.Fields); i++ {
			if c := Compare(x.Fields[i], y.Fields[i]); c != 0 {
				return c
			}
		}
		return cmpInt(len(x.Fields), len(y.Fields))
	case *Value:
		return Compare(*x, *b.P.(*Value))
	case *Closure:
		return compareClosures(x, b.P.(*Closure))
	}
	return 0
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Cmp compares two 256-bit integers.
func (u *U256) Cmp(v *U256) int {
	for i := 3; i >= 0; i-- {
		if u[i] != v[i] {
			if u[i] < v[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// 256-bit arithmetic; each returns ok=false on overflow/underflow/zero division.

func add256(a, b *U256) (U256, bool) {
	var r U256
	var c uint64
	r[0], c = bits.Add64(a[0], b[0], 0)
	r[1], c = bits.Add64(a[1], b[1], c)
	r[2], c = bits.Add64(a[2], b[2], c)
	r[3], c = bits.Add64(a[3], b[3], c)
	return r, c == 0
}

func sub256(a, b *U256) (U256, bool) {
	var r U256
	var c uint64
	r[0], c = bits.Sub64(a[0], b[0], 0)
	r[1], c = bits.Sub64(a[1], b[1], c)
	r[2], c = bits.Sub64(a[2], b[2], c)
	r[3], c = bits.Sub64(a[3], b[3], c)
	return r, c == 0
}

func mul256(a, b *U256) (U256, bool) {
	var r [8]uint64
	for i := 0; i < 4; i++ {
		if a[i] == 0 {
			continue
		}
		var carry uint64
		for j := 0; j < 4; j++ {
			hi, lo := bits.Mul64(a[i], b[j])
			var c uint64
			lo, c = bits.Add64(lo, r[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			r[i+j] = lo
			carry = hi
		}
		r[i+4] += carry
	}
	ok := r[4] == 0 && r[5] == 0 && r[6] == 0 && r[7] == 0
	return U256{r[0], r[1], r[2], r[3]}, ok
}

func divmod256(a, b *U256) (q, m U256, ok bool) {
	if *b == (U256{}) {
		return q, m, false
	}
	if a[1]|a[2]|a[3]|b[1]|b[2]|b[3] == 0 {
		return U256{a[0] / b[0]}, U256{a[0] % b[0]}, true
	}
	x, y := a.Big(), b.Big()
	qq, mm := new(big.Int).QuoRem(x, y, new(big.Int))
	return fromBig(qq), fromBig(mm), true
}

func fromBig(x *big.Int) U256 {
	var u U256
	words := x.Bits()
	for i := 0; i < len(words) && i < 4; i++ {
		u[i] = uint64(words[i])
	}
	return u
}

func shl256(a *U256, n uint) U256 {
	var r U256
	w, s := n/64, n%64
	for i := 3; i >= int(w); i-- {
		r[i] = a[i-int(w)] << s
		if s > 0 && i-int(w)-1 >= 0 {
			r[i] |= a[i-int(w)-1] >> (64 - s)
		}
	}
	return r
}

func shr256(a *U256, n uint) U256 {
	var r U256
	w, s := n/64, n%64
	for i := 0; i+int(w) < 4; i++ {
		r[i] = a[i+int(w)] >> s
		if s > 0 && i+int(w)+1 < 4 {
			r[i] |= a[i+int(w)+1] << (64 - s)
		}
	}
	return r
}

// fits reports whether u fits in the given bit width.
func (u *U256) fits(bits uint) bool {
	switch bits {
	case 256:
		return true
	case 128:
		return u[2] == 0 && u[3] == 0
	}
	if u[1]|u[2]|u[3] != 0 {
		return false
	}
	return bits == 64 || u[0]>>bits == 0
}

// CompareTyped is Compare for a value of type t, ordering signed integers
// (anywhere inside t) by their signed value.
func (p *Program) CompareTyped(t *Type, a, b Value) int {
	if !hasSigned(t) {
		return Compare(a, b)
	}
	switch t.Kind {
	case KI8, KI16, KI32, KI64, KI128, KI256:
		return SignedBig(a, t.Kind).Cmp(SignedBig(b, t.Kind))
	case KRef, KMutRef:
		return p.CompareTyped(t.Elem, *a.P.(*Value), *b.P.(*Value))
	case KVector:
		x, y := a.P.(*Vector), b.P.(*Vector)
		for i := 0; i < len(x.Elems) && i < len(y.Elems); i++ {
			if c := p.CompareTyped(t.Elem, x.Elems[i], y.Elems[i]); c != 0 {
				return c
			}
		}
		return cmpInt(len(x.Elems), len(y.Elems))
	case KStruct:
		x, y := a.P.(*Struct), b.P.(*Struct)
		if x.Variant != y.Variant {
			return cmpInt(x.Variant, y.Variant)
		}
		fts := p.FieldTypes(t, x.Variant)
		for i := 0; i < len(x.Fields) && i < len(fts); i++ {
			if c := p.CompareTyped(fts[i], x.Fields[i], y.Fields[i]); c != 0 {
				return c
			}
		}
		return 0
	}
	return Compare(a, b)
}

func hasSigned(t *Type) bool {
	switch t.Kind {
	case KI8, KI16, KI32, KI64, KI128, KI256:
		return true
	case KVector, KRef, KMutRef:
		return hasSigned(t.Elem)
	case KStruct:
		if t.Struct.IsEnum {
			for _, v := range t.Struct.Variants {
				for _, f := range v.Fields {
					if f.Type.Open() || hasSigned(f.Type) {
						return true
					}
				}
			}
		} else {
			for _, f := range t.Struct.Fields {
				if f.Type.Open() || hasSigned(f.Type) {
					return true
				}
			}
		}
		for _, a := range t.Args {
			if hasSigned(a) {
				return true
			}
		}
	}
	return false
}
