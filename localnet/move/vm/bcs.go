package vm

import (
	"errors"
	"fmt"
)

// maxValueDepth bounds nesting when encoding and decoding values.
const maxValueDepth = 128

// ErrNotSerializable: the value has no BCS form (a permissioned signer).
var ErrNotSerializable = errors.New("value cannot be serialized")

// Serialize returns the BCS encoding of v, a value of type t.
func (p *Program) Serialize(t *Type, v Value) ([]byte, error) {
	return p.AppendBCS(nil, t, v)
}

// AppendBCS appends the BCS encoding of v to b.
func (p *Program) AppendBCS(b []byte, t *Type, v Value) ([]byte, error) {
	return p.appendBCS(b, t, v, 0)
}

func appendULEB(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func (p *Program) appendBCS(b []byte, t *Type, v Value, depth int) ([]byte, error) {
	if depth > maxValueDepth {
		return nil, &ExecError{Status: VMMaxValueDepthReached}
	}
	switch t.Kind {
	case KBool:
		return append(b, byte(v.N)), nil
	case KU8, KI8:
		return append(b, byte(v.N)), nil
	case KI16:
		return append(b, byte(v.N), byte(v.N>>8)), nil
	case KI32:
		return append(b, byte(v.N), byte(v.N>>8), byte(v.N>>16), byte(v.N>>24)), nil
	case KI64:
		x := v.N
		return append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24), byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)), nil
	case KU16:
		return append(b, byte(v.N), byte(v.N>>8)), nil
	case KU32:
		return append(b, byte(v.N), byte(v.N>>8), byte(v.N>>16), byte(v.N>>24)), nil
	case KU64:
		x := v.N
		return append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24), byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56)), nil
	case KU128, KU256, KI128, KI256:
		u := v.P.(*U256)
		n := 2
		if t.Kind == KU256 || t.Kind == KI256 {
			n = 4
		}
		for i := 0; i < n; i++ {
			x := u[i]
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24), byte(x>>32), byte(x>>40), byte(x>>48), byte(x>>56))
		}
		return b, nil
	case KAddress:
		a := v.P.(*Address)
		return append(b, a[:]...), nil
	case KSigner:
		// bcs::to_bytes of a signer is the bytes of its address.
		sg := v.P.(*Signer)
		if sg.Permissioned {
			return nil, ErrNotSerializable
		}
		return append(b, sg.Addr[:]...), nil
	case KVector:
		vec := v.P.(*Vector)
		b = appendULEB(b, uint64(len(vec.Elems)))
		if t.Elem.Kind == KU8 {
			for _, e := range vec.Elems {
				b = append(b, byte(e.N))
			}
			return b, nil
		}
		var err error
		for _, e := range vec.Elems {
			if b, err = p.appendBCS(b, t.Elem, e, depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case KStruct:
		st := v.P.(*Struct)
		def := t.Struct
		var fields []FieldDef
		if def.IsEnum {
			b = appendULEB(b, uint64(st.Variant))
			fields = def.Variants[st.Variant].Fields
		} else {
			fields = def.Fields
			if len(fields) == 0 {
				return append(b, 0), nil // dummy_field: bool
			}
		}
		var err error
		for i, f := range fields {
			ft := f.Type
			if ft.open {
				ft = p.substStable(ft, t.Args)
			}
			if b, err = p.appendBCS(b, ft, st.Fields[i], depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case KRef, KMutRef:
		return p.appendBCS(b, t.Elem, *v.P.(*Value), depth)
	}
	return nil, &ExecError{Status: UnknownInvariantViolation, Msg: "cannot serialize a value of type " + t.String()}
}

var errShort = errors.New("unexpected end of input")

// Deserialize decodes BCS bytes into a value of type t; all bytes must be used.
func (p *Program) Deserialize(t *Type, b []byte) (Value, error) {
	return p.deserialize(t, b, nil)
}

func (p *Program) deserialize(t *Type, b []byte, a *slab) (Value, error) {
	d := decoder{p: p, b: b, a: a}
	v, err := d.value(t, 0)
	if err != nil {
		return Value{}, err
	}
	if d.off != len(b) {
		return Value{}, fmt.Errorf("%d trailing bytes", len(b)-d.off)
	}
	return v, nil
}

type decoder struct {
	p   *Program
	b   []byte
	off int
	a   *slab
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || d.off+n > len(d.b) {
		return nil, errShort
	}
	s := d.b[d.off : d.off+n]
	d.off += n
	return s, nil
}

func (d *decoder) uleb() (uint64, error) {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.off >= len(d.b) {
			return 0, errShort
		}
		c := d.b[d.off]
		d.off++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if c == 0 && shift > 0 {
				return 0, errors.New("non-canonical ULEB128")
			}
			if x > 1<<32-1 {
				return 0, errors.New("length too large")
			}
			return x, nil
		}
	}
	return 0, errors.New("ULEB128 overflow")
}

func le(s []byte) uint64 {
	var x uint64
	for i := len(s) - 1; i >= 0; i-- {
		x = x<<8 | uint64(s[i])
	}
	return x
}

func (d *decoder) value(t *Type, depth int) (Value, error) {
	if depth > maxValueDepth {
		return Value{}, errors.New("value nested too deeply")
	}
	switch t.Kind {
	case KBool:
		s, err := d.take(1)
		if err != nil {
			return Value{}, err
		}
		if s[0] > 1 {
			return Value{}, errors.New("invalid bool")
		}
		return Value{N: uint64(s[0])}, nil
	case KU8, KU16, KU32, KU64:
		s, err := d.take(int(t.Kind.Bits() / 8))
		if err != nil {
			return Value{}, err
		}
		return Value{N: le(s)}, nil
	case KI8, KI16, KI32, KI64:
		bits := t.Kind.Bits()
		s, err := d.take(int(bits / 8))
		if err != nil {
			return Value{}, err
		}
		x := le(s)
		if bits < 64 {
			x = uint64(int64(x<<(64-bits)) >> (64 - bits)) // sign-extend
		}
		return Value{N: x}, nil
	case KI128:
		s, err := d.take(16)
		if err != nil {
			return Value{}, err
		}
		u := U256{le(s[:8]), le(s[8:16])}
		if u[1]>>63 != 0 {
			u[2], u[3] = ^uint64(0), ^uint64(0)
		}
		return Value{P: &u}, nil
	case KI256:
		s, err := d.take(32)
		if err != nil {
			return Value{}, err
		}
		u := U256{le(s[:8]), le(s[8:16]), le(s[16:24]), le(s[24:32])}
		return Value{P: &u}, nil
	case KU128, KU256:
		n := int(t.Kind.Bits() / 8)
		s, err := d.take(n)
		if err != nil {
			return Value{}, err
		}
		var u U256
		for i := 0; i < n/8; i++ {
			u[i] = le(s[8*i : 8*i+8])
		}
		return Value{P: &u}, nil
	case KAddress:
		s, err := d.take(32)
		if err != nil {
			return Value{}, err
		}
		return Value{P: d.a.newAddress(Address(s))}, nil
	case KSigner:
		// Signers are never built from bytes (Aptos's from_bcs aborts on
		// them): that would let anyone forge one.
		return Value{}, errors.New("a signer cannot be deserialized")
	case KVector:
		n, err := d.uleb()
		if err != nil {
			return Value{}, err
		}
		if int(n) > len(d.b)-d.off {
			return Value{}, errShort
		}
		elems := d.a.values(int(n))
		for i := range elems {
			if elems[i], err = d.value(t.Elem, depth+1); err != nil {
				return Value{}, err
			}
		}
		return Value{P: d.a.newVector(elems)}, nil
	case KStruct:
		def := t.Struct
		variant := 0
		var fields []FieldDef
		if def.IsEnum {
			tag, err := d.uleb()
			if err != nil {
				return Value{}, err
			}
			if tag >= uint64(len(def.Variants)) {
				return Value{}, fmt.Errorf("invalid variant %d of %s", tag, def.FullName())
			}
			variant = int(tag)
			fields = def.Variants[tag].Fields
		} else {
			fields = def.Fields
			if len(fields) == 0 {
				if _, err := d.take(1); err != nil {
					return Value{}, err
				}
				return Value{P: d.a.newStruct(0, nil)}, nil
			}
		}
		vals := d.a.values(len(fields))
		for i, f := range fields {
			ft := f.Type
			if ft.open {
				ft = d.p.substStable(ft, t.Args)
			}
			v, err := d.value(ft, depth+1)
			if err != nil {
				return Value{}, err
			}
			vals[i] = v
		}
		return Value{P: d.a.newStruct(variant, vals)}, nil
	}
	return Value{}, fmt.Errorf("cannot deserialize a value of type %s", t)
}
