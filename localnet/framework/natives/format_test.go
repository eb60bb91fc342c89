package natives

import (
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

func TestFormatter(t *testing.T) {
	p := vm.NewProgram()
	str := &vm.StructDef{Module: vm.ModuleID{Addr: core, Name: "string"}, Name: "String",
		Fields: []vm.FieldDef{{Name: "bytes", Type: p.Vector(vm.TU8)}}}
	opt := &vm.StructDef{Module: vm.ModuleID{Addr: core, Name: "option"}, Name: "Option",
		TypeParams: []vm.TypeParamDef{{Name: "E"}}, Fields: []vm.FieldDef{{Name: "vec", Type: p.Vector(p.Param(0))}}}
	pair := &vm.StructDef{Module: vm.ModuleID{Addr: vm.AddressFromU64(0xcafe), Name: "m"}, Name: "Pair",
		TypeParams: []vm.TypeParamDef{{Name: "T"}},
		Fields:     []vm.FieldDef{{Name: "x", Type: vm.TU64}, {Name: "y", Type: p.Param(0)}}}
	strT := p.Struct(str, nil)
	optU8 := p.Struct(opt, []*vm.Type{vm.TU8})
	pairStr := p.Struct(pair, []*vm.Type{strT})
	s := func(x string) vm.Value { return stringValue(x) }
	cases := []struct {
		f    formatter
		t    *vm.Type
		v    vm.Value
		want string
	}{
		{formatter{singleLine: true}, vm.TU64, vm.U64(42), "42"},
		{formatter{singleLine: true, includeIntTys: true}, vm.TU8, vm.U64(7), "7u8"},
		{formatter{singleLine: true}, vm.TU128, vm.U128(1, 0), "18446744073709551616"},
		{formatter{singleLine: true}, vm.TBool, vm.Bool(true), "true"},
		{formatter{singleLine: true}, vm.TAddress, vm.Addr(vm.AddressFromU64(0xcafe)), "@0xcafe"},
		{formatter{singleLine: true, canonicalize: true}, vm.TAddress, vm.Addr(vm.AddressFromU64(1)),
			"@0000000000000000000000000000000000000000000000000000000000000001"},
		{formatter{singleLine: true}, vm.TSigner, vm.SignerValue(vm.AddressFromU64(0xa)), "signer(@0xa)"},
		{formatter{singleLine: true}, p.Vector(vm.TU8), vm.Bytes([]byte{1, 0xab}), "0x01ab"},
		{formatter{singleLine: true}, p.Vector(vm.TU64), vm.VectorOf([]vm.Value{vm.U64(1), vm.U64(2)}), "[ 1, 2 ]"},
		{formatter{singleLine: true}, p.Vector(vm.TU64), vm.VectorOf(nil), "[]"},
		{formatter{singleLine: true}, strT, s(`a"b\c`), `"a\"b\\c"`},
		{formatter{singleLine: true}, optU8, vm.StructOf(vm.VectorOf([]vm.Value{vm.U64(5)})), "Some(5)"},
		{formatter{singleLine: true}, optU8, vm.StructOf(vm.VectorOf(nil)), "None"},
		{formatter{singleLine: true}, pairStr, vm.StructOf(vm.U64(1), s("z")), `Pair { x: 1, y: "z" }`},
		{formatter{singleLine: true, typeTag: true}, pairStr, vm.StructOf(vm.U64(1), s("z")),
			`0xcafe::m::Pair<0x1::string::String> { x: 1, y: "z" }`},
		{formatter{}, pairStr, vm.StructOf(vm.U64(1), s("z")), "Pair {\n  x: 1,\n  y: \"z\"\n}"},
		{formatter{}, p.Vector(pairStr), vm.VectorOf([]vm.Value{vm.StructOf(vm.U64(1), s(""))}),
			"[\n  Pair {\n    x: 1,\n    y: \"\"\n  }\n]"},
	}
	for i, c := range cases {
		f := c.f
		f.prog = p
		f.value(c.t, c.v, 0)
		if got := f.out.String(); got != c.want {
			t.Errorf("case %d (%s): got %q, want %q", i, c.t, got, c.want)
		}
	}
}
