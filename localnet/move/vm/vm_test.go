package vm

import (
	"bytes"
	"math/big"
	"testing"
)

func testProgram() (*Program, *StructDef, *StructDef) {
	p := NewProgram()
	m := &Module{ID: ModuleID{Addr: AddressFromU64(1), Name: "t"}}
	_ = p.AddModule(m)
	pair := &StructDef{Module: m.ID, Name: "Pair", TypeParams: []TypeParamDef{{Name: "T"}}, Abilities: Copy | Drop | Store,
		Fields: []FieldDef{{Name: "a", Type: TU64}, {Name: "b", Type: p.Vector(p.Param(0))}}}
	opt := &StructDef{Module: m.ID, Name: "E", IsEnum: true, Abilities: Copy | Drop,
		Variants: []VariantDef{{Name: "None"}, {Name: "Some", Fields: []FieldDef{{Name: "v", Type: TU8}}}}}
	m.Structs = []*StructDef{pair, opt, {Module: m.ID, Name: "Empty", Abilities: Drop}}
	m.Index()
	return p, pair, opt
}

func TestBCSRoundTrip(t *testing.T) {
	p, pair, opt := testProgram()
	pt := p.Struct(pair, []*Type{TAddress})
	cases := []struct {
		t    *Type
		v    Value
		want []byte
	}{
		{TBool, Bool(true), []byte{1}},
		{TU16, U64(0x0102), []byte{2, 1}},
		{TU64, U64(1), []byte{1, 0, 0, 0, 0, 0, 0, 0}},
		{TU128, U128(1, 2), append(append([]byte{2}, make([]byte, 7)...), append([]byte{1}, make([]byte, 7)...)...)},
		{p.Vector(TU8), Bytes(bytes.Repeat([]byte{7}, 200)), append([]byte{0xc8, 0x01}, bytes.Repeat([]byte{7}, 200)...)},
		{pt, StructOf(U64(3), VectorOf([]Value{Addr(AddressFromU64(2))})), append(append([]byte{3, 0, 0, 0, 0, 0, 0, 0, 1}, make([]byte, 31)...), 2)},
		{p.Struct(opt, nil), VariantOf(1, U64(9)), []byte{1, 9}},
		{p.Struct(opt, nil), VariantOf(0), []byte{0}},
		{p.Struct(p.LookupStruct(AddressFromU64(1), "t", "Empty"), nil), StructOf(), []byte{0}},
	}
	for _, c := range cases {
		got, err := p.Serialize(c.t, c.v)
		if err != nil {
			t.Fatalf("%s: %v", c.t, err)
		}
		if !bytes.Equal(got, c.want) {
			t.Errorf("%s: got %x want %x", c.t, got, c.want)
		}
		back, err := p.Deserialize(c.t, got)
		if err != nil {
			t.Fatalf("%s: decode: %v", c.t, err)
		}
		if !Equal(back, c.v) {
			t.Errorf("%s: round trip differs", c.t)
		}
	}
	for _, bad := range [][]byte{{2}, {1, 9, 9}, {}, {5, 1}} {
		if _, err := p.Deserialize(p.Struct(opt, nil), bad); err == nil {
			t.Errorf("decoded %x", bad)
		}
	}
}

func FuzzDeserialize(f *testing.F) {
	p, pair, opt := testProgram()
	types := []*Type{TU64, p.Vector(p.Vector(TU8)), p.Struct(pair, []*Type{p.Struct(opt, nil)}), TU256, TAddress}
	f.Add(uint8(0), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(uint8(1), []byte{2, 1, 7, 0})
	f.Add(uint8(2), []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 5, 0})
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		ty := types[int(which)%len(types)]
		v, err := p.Deserialize(ty, data)
		if err != nil {
			return
		}
		out, err := p.Serialize(ty, v)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoding %x gave %x", data, out)
		}
	})
}

func TestU256Arithmetic(t *testing.T) {
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	vals := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(3), new(big.Int).Lsh(big.NewInt(1), 64), new(big.Int).Lsh(big.NewInt(1), 200), max,
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))}
	for _, a := range vals {
		for _, b := range vals {
			ua, ub := fromBig(a), fromBig(b)
			check := func(name string, got U256, ok bool, want *big.Int) {
				t.Helper()
				wantOK := want != nil && want.Sign() >= 0 && want.BitLen() <= 256
				if ok != wantOK {
					t.Errorf("%s(%s, %s): ok=%v want %v", name, a, b, ok, wantOK)
					return
				}
				if ok && got.Big().Cmp(want) != 0 {
					t.Errorf("%s(%s, %s) = %s, want %s", name, a, b, got.Big(), want)
				}
			}
			s, ok := add256(&ua, &ub)
			check("add", s, ok, new(big.Int).Add(a, b))
			d, ok := sub256(&ua, &ub)
			check("sub", d, ok, new(big.Int).Sub(a, b))
			m, ok := mul256(&ua, &ub)
			check("mul", m, ok, new(big.Int).Mul(a, b))
			if b.Sign() != 0 {
				q, r, ok := divmod256(&ua, &ub)
				check("div", q, ok, new(big.Int).Quo(a, b))
				check("mod", r, ok, new(big.Int).Rem(a, b))
			}
			for _, n := range []uint{0, 1, 63, 64, 65, 128, 255} {
				l := shl256(&ua, n)
				want := new(big.Int).Lsh(a, n)
				want.And(want, max)
				if l.Big().Cmp(want) != 0 {
					t.Errorf("shl(%s, %d)", a, n)
				}
				r := shr256(&ua, n)
				if r.Big().Cmp(new(big.Int).Rsh(a, n)) != 0 {
					t.Errorf("shr(%s, %d)", a, n)
				}
			}
		}
	}
}

func TestTypeTagsAndAbilities(t *testing.T) {
	p, pair, opt := testProgram()
	pt := p.Struct(pair, []*Type{p.Struct(opt, nil)})
	if pt.String() != "0x1::t::Pair<0x1::t::E>" {
		t.Fatalf("tag %s", pt)
	}
	if p.Struct(pair, []*Type{p.Struct(opt, nil)}) != pt {
		t.Fatal("types are not interned")
	}
	if ab := pt.Abilities(); ab != Copy|Drop {
		t.Fatalf("abilities %v (E has no store)", ab)
	}
	parsed, err := p.ParseType("0x1::t::Pair<0x1::t::E>")
	if err != nil || parsed != pt {
		t.Fatalf("parse: %v %v", parsed, err)
	}
	if a, _ := ParseAddress("0xCAFE"); a.String() != "0xcafe" || a.Standard() != "0x000000000000000000000000000000000000000000000000000000000000cafe" {
		t.Fatalf("address formats %s %s", a, a.Standard())
	}
}

func TestFaultsBecomeStatuses(t *testing.T) {
	p, _, _ := testProgram()
	m := p.Module(ModuleID{Addr: AddressFromU64(1), Name: "t"})
	boom := &Function{Module: m, Name: "boom", Native: true, Impl: func(*NativeContext, []*Type, []Value) ([]Value, error) {
		var v *Vector
		return []Value{{N: uint64(len(v.Elems))}}, nil
	}}
	s := p.NewSession(nil, 1000, nil)
	_, err := s.Call(boom, nil, nil)
	ee, ok := err.(*ExecError)
	if !ok || ee.Status != UnknownInvariantViolation {
		t.Fatalf("want UNKNOWN_INVARIANT_VIOLATION_ERROR, got %v", err)
	}
	missing := &Function{Module: m, Name: "missing", Native: true}
	if _, err := s.Call(missing, nil, nil); err == nil || err.(*ExecError).Status != MissingDependency {
		t.Fatalf("want MISSING_DEPENDENCY, got %v", err)
	}
	// the session is still usable
	loop := &Function{Module: m, Name: "spin", NumLocals: 0, Code: []Instr{{Op: OpBr, A: 0}}}
	if _, err := s.Call(loop, nil, nil); err == nil || err.(*ExecError).Status != OutOfGas {
		t.Fatalf("want OUT_OF_GAS, got %v", err)
	}
}
