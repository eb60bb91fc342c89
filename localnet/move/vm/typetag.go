package vm

import (
	"fmt"
	"strings"
)

// ParseType parses a type tag as Aptos writes it: "u64", "vector<u8>",
// "address", "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>". Struct
// types must be declared in the program and be fully instantiated.
func (p *Program) ParseType(s string) (*Type, error) {
	tp := &tagParser{p: p, s: s}
	t, err := tp.parse(0)
	if err != nil {
		return nil, fmt.Errorf("type %q: %w", s, err)
	}
	tp.skip()
	if tp.i != len(tp.s) {
		return nil, fmt.Errorf("type %q: unexpected %q", s, tp.s[tp.i:])
	}
	return t, nil
}

type tagParser struct {
	p *Program
	s string
	i int
}

func (tp *tagParser) skip() {
	for tp.i < len(tp.s) && tp.s[tp.i] == ' ' {
		tp.i++
	}
}

func (tp *tagParser) word() string {
	tp.skip()
	j := tp.i
	for j < len(tp.s) {
		c := tp.s[j]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			j++
			continue
		}
		break
	}
	w := tp.s[tp.i:j]
	tp.i = j
	return w
}

func (tp *tagParser) expect(tok string) error {
	tp.skip()
	if !strings.HasPrefix(tp.s[tp.i:], tok) {
		return fmt.Errorf("expected %q at offset %d", tok, tp.i)
	}
	tp.i += len(tok)
	return nil
}

func (tp *tagParser) args(depth int) ([]*Type, error) {
	tp.skip()
	if tp.i >= len(tp.s) || tp.s[tp.i] != '<' {
		return nil, nil
	}
	tp.i++
	var out []*Type
	for {
		t, err := tp.parse(depth + 1)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		tp.skip()
		if tp.i < len(tp.s) && tp.s[tp.i] == ',' {
			tp.i++
			continue
		}
		return out, tp.expect(">")
	}
}

func (tp *tagParser) parse(depth int) (*Type, error) {
	if depth > 32 {
		return nil, fmt.Errorf("nested too deeply")
	}
	w := tp.word()
	prims := map[string]Kind{"bool": KBool, "u8": KU8, "u16": KU16, "u32": KU32, "u64": KU64, "u128": KU128,
		"u256": KU256, "address": KAddress, "signer": KSigner, "i8": KI8, "i16": KI16, "i32": KI32, "i64": KI64,
		"i128": KI128, "i256": KI256}
	if k, ok := prims[w]; ok {
		return Prim(k), nil
	}
	if w == "vector" {
		args, err := tp.args(depth)
		if err != nil {
			return nil, err
		}
		if len(args) != 1 {
			return nil, fmt.Errorf("vector takes one type argument")
		}
		return tp.p.Vector(args[0]), nil
	}
	addr, ok := ParseAddress(w)
	if !ok || !strings.HasPrefix(w, "0x") {
		return nil, fmt.Errorf("unknown type %q", w)
	}
	if err := tp.expect("::"); err != nil {
		return nil, err
	}
	mod := tp.word()
	if err := tp.expect("::"); err != nil {
		return nil, err
	}
	name := tp.word()
	def := tp.p.LookupStruct(addr, mod, name)
	if def == nil {
		return nil, fmt.Errorf("no struct %s::%s::%s", addr, mod, name)
	}
	args, err := tp.args(depth)
	if err != nil {
		return nil, err
	}
	if len(args) != len(def.TypeParams) {
		return nil, fmt.Errorf("%s takes %d type arguments, got %d", def.FullName(), len(def.TypeParams), len(args))
	}
	for i, a := range args {
		if need := def.TypeParams[i].Constraints; need&^a.Abilities() != 0 {
			return nil, fmt.Errorf("type argument %s of %s lacks %s", a, def.FullName(), need&^a.Abilities())
		}
	}
	return tp.p.Struct(def, args), nil
}
