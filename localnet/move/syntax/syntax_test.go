package syntax

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func kinds(t *testing.T, src string) []Tok {
	t.Helper()
	toks, err := Lex("t.move", src)
	if err != nil {
		t.Fatalf("lex %q: %v", src, err)
	}
	var out []Tok
	for _, tk := range toks {
		out = append(out, tk.Kind)
	}
	return out
}

func TestLexOperatorsAndLiterals(t *testing.T) {
	cases := []struct {
		src  string
		want []Tok
	}{
		{"a<<=b", []Tok{IDENT, SHLEQ, IDENT, EOF}},
		{"&mut x", []Tok{AMPMUT, IDENT, EOF}},
		{"&mutable", []Tok{AMP, IDENT, EOF}},
		{"x ==> y <==> z", []Tok{IDENT, IMPLIES, IDENT, IFF, IDENT, EOF}},
		{"0x1::m::f", []Tok{NUM, COLCOL, IDENT, COLCOL, IDENT, EOF}},
		{"1_000u64 0xffu8 255", []Tok{TYPEDNUM, TYPEDNUM, NUM, EOF}},
		{"'outer: loop", []Tok{LABEL, COLON, LOOP, EOF}},
		{"/* a /* nested */ comment */ x // tail", []Tok{IDENT, EOF}},
		{"b\"hi\\n\" x\"0aff\"", []Tok{BYTES, HEXBYTES, EOF}},
		{"a..=b", []Tok{IDENT, DOTDOTEQ, IDENT, EOF}},
	}
	for _, c := range cases {
		got := kinds(t, c.src)
		if len(got) != len(c.want) {
			t.Errorf("%q: got %v want %v", c.src, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%q: token %d is %v, want %v", c.src, i, got[i], c.want[i])
			}
		}
	}
	toks, _ := Lex("", `b"a\x41\"" x"4142"`)
	if toks[0].Text != "aA\"" || toks[1].Text != "AB" {
		t.Errorf("decoded byte strings %q %q", toks[0].Text, toks[1].Text)
	}
	toks, _ = Lex("", "f<T>  a <b")
	if toks[1].Space || !toks[5].Space {
		t.Errorf("space flags wrong: %+v", toks)
	}
}

func TestLexErrors(t *testing.T) {
	for _, src := range []string{`"plain"`, `b"unclosed`, `x"abc"`, `x"zz"`, `/* open`, `12abc`, `0x`, "\x80", `'`, `b"\q"`} {
		_, err := Lex("f.move", src)
		var se *Error
		if !errors.As(err, &se) {
			t.Errorf("%q: want *Error, got %v", src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), "f.move:1:") {
			t.Errorf("%q: error lacks position: %v", src, err)
		}
	}
}

func mustExpr(t *testing.T, src string) Expr {
	t.Helper()
	e, err := ParseExpr(src)
	if err != nil {
		t.Fatalf("parse %q: %v", src, err)
	}
	return e
}

// show renders an expression with explicit grouping, for precedence tests.
func show(e Expr) string {
	switch e := e.(type) {
	case *Lit:
		return e.Text
	case *NameExpr:
		return e.Path.String()
	case *BinaryExpr:
		return "(" + show(e.X) + " " + strings.Trim(e.Op.String(), "'") + " " + show(e.Y) + ")"
	case *UnaryExpr:
		return [...]string{"!", "-", "*", "&", "&mut ", "move ", "copy "}[e.Op] + show(e.X)
	case *CastExpr:
		return "(" + show(e.X) + " as " + e.Type.(*NamedType).Path.String() + ")"
	case *AssignExpr:
		op := "="
		if e.Op != EQ {
			op = strings.Trim(e.Op.String(), "'") + "="
		}
		return show(e.LHS) + " " + op + " " + show(e.RHS)
	case *DotExpr:
		return show(e.X) + "." + e.Field.Name
	case *IndexExpr:
		return show(e.X) + "[" + show(e.Index) + "]"
	case *MethodCallExpr:
		var args []string
		for _, a := range e.Args {
			args = append(args, show(a))
		}
		return show(e.X) + "." + e.Name.Name + "(" + strings.Join(args, ", ") + ")"
	case *CallExpr:
		var args []string
		for _, a := range e.Args {
			args = append(args, show(a))
		}
		bang := ""
		if e.IsMacro {
			bang = "!"
		}
		return e.Path.String() + bang + "(" + strings.Join(args, ", ") + ")"
	case *IfExpr:
		s := "if " + show(e.Cond) + " then " + show(e.Then)
		if e.Else != nil {
			s += " else " + show(e.Else)
		}
		return s
	case *Block:
		return "{..}"
	}
	return "?"
}

func TestPrecedence(t *testing.T) {
	cases := map[string]string{
		"1 + 2 * 3":           "(1 + (2 * 3))",
		"a || b && c":         "(a || (b && c))",
		"a == b + 1":          "(a == (b + 1))",
		"x << 2 + 1":          "(x << (2 + 1))",
		"a | b ^ c & d":       "(a | (b ^ (c & d)))",
		"a - b - c":           "((a - b) - c)",
		"x = y = 3":           "x = y = 3",
		"x += 1":              "x += 1",
		"v[i].f":              "v[i].f",
		"*&mut x":             "*&mut x",
		"!a && b":             "(!a && b)",
		"f(x as u64)":         "f((x as u64))",
		"(a + b as u128)":     "((a + b) as u128)",
		"a + b as u128":       "(a + (b as u128))",
		"s.len() + 1":         "(s.len() + 1)",
		"if (c) a else b + 1": "if c then a else (b + 1)",
		"assert!(x > 0, E)":   "assert!((x > 0), E)",
		"0x1::m::f(1)":        "0x1::m::f(1)",
		"R[addr].f":           "R[addr].f",
		"a < b":               "(a < b)",
		"x.0 + y.1":           "(x.0 + y.1)",
	}
	for src, want := range cases {
		if got := show(mustExpr(t, src)); got != want {
			t.Errorf("%q: got %s, want %s", src, got, want)
		}
	}
}

func TestTypeArgsVersusLess(t *testing.T) {
	e := mustExpr(t, "borrow_global<CapState<F>>(a)")
	c, ok := e.(*CallExpr)
	if !ok || len(c.TyArgs) != 1 || len(c.TyArgs[0].(*NamedType).Args) != 1 {
		t.Fatalf("nested type args not parsed: %#v", e)
	}
	if _, ok := mustExpr(t, "a < b").(*BinaryExpr); !ok {
		t.Fatal("a < b is not a comparison")
	}
}

const sampleModule = `
/// A module exercising the grammar.
module 0xcafe::sample {
    use std::vector::{Self, length as len};
    use std::signer;
    friend 0xcafe::other;

    #[event]
    struct Ev has drop, store { v: u64 }
    struct Pair<phantom T, U: copy + drop>(U, u8) has copy, drop;
    struct Unit has drop;
    struct Post { a: u64 } has key;
    enum Shape has drop { Circle { r: u64 }, Square(u64), Empty }
    const E_X: u64 = 1 << 3;
    const BYTES: vector<u8> = x"00ff";

    spec module { pragma verify = false; }

    public(friend) fun f<T: drop>(x: T, v: &mut vector<u64>): (u64, bool) acquires Post {
        let (a, b) = (1, true);
        'outer: loop { while (a < 10) { a += 1; if (a == 5) continue 'outer else break 'outer } };
        for (i in 0..len(v)) { v[i] = v[i] + 1; };
        let s = Shape::Square(2);
        let n = match (s) { Shape::Circle { r } => r, Shape::Square(x) if (x > 1) => x, _ => 0 };
        let Pair(u, _) = Pair<u8, u64>(1, 2);
        let ok = s is Shape::Square | Shape::Empty;
        vector::for_each_ref(v, |e| { a = a + *e });
        spec { assert a > 0; };
        (a + n + u, b && ok)
    }
    package fun g(): u64 { 1 }
    friend fun h() {}
    native fun nat(x: u64): u64;
    public entry fun e(s: &signer) acquires Post { let Post { a: _ } = move_from<Post>(signer::address_of(s)); }
    inline fun apply(f: |u64| u64 has drop, x: u64): u64 { f(x) }
    spec f { ensures result_1 > 0; }
    spec fun helper(): u64 { 1 }
    spec native fun nat_spec(): u64;
}
address 0x42 { module inner { } }
`

func TestParseModule(t *testing.T) {
	f, err := ParseFile("sample.move", sampleModule)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Modules) != 2 {
		t.Fatalf("modules: %d", len(f.Modules))
	}
	m := f.Modules[0]
	if m.Name.Name != "sample" || m.Addr.Name != "0xcafe" {
		t.Errorf("module header: %+v", m)
	}
	if len(m.Structs) != 5 || len(m.Funs) != 6 || len(m.Consts) != 2 || len(m.Uses) != 2 || len(m.Friends) != 1 {
		t.Errorf("members: structs %d funs %d consts %d uses %d friends %d", len(m.Structs), len(m.Funs), len(m.Consts), len(m.Uses), len(m.Friends))
	}
	if !m.Structs[0].Attrs.Has("event") || m.Structs[0].Abilities != AbilityDrop|AbilityStore {
		t.Errorf("event struct: %+v", m.Structs[0])
	}
	if s := m.Structs[1]; !s.Positional || !s.TypeParams[0].Phantom || s.TypeParams[1].Constraints != AbilityCopy|AbilityDrop {
		t.Errorf("positional struct: %+v", s)
	}
	if s := m.Structs[3]; s.Abilities != AbilityKey {
		t.Errorf("postfix abilities: %+v", s)
	}
	if s := m.Structs[4]; !s.IsEnum || len(s.Variants) != 3 || !s.Variants[1].Positional {
		t.Errorf("enum: %+v", s)
	}
	fns := map[string]*FunDecl{}
	for _, fn := range m.Funs {
		fns[fn.Name.Name] = fn
	}
	if fns["f"].Visibility != PublicFriend || len(fns["f"].Acquires) != 1 {
		t.Errorf("f: %+v", fns["f"])
	}
	if fns["g"].Visibility != PublicPackage || fns["h"].Visibility != PublicFriend {
		t.Errorf("package/friend visibility")
	}
	if !fns["nat"].Native || fns["nat"].Body != nil || !fns["e"].Entry || !fns["apply"].Inline {
		t.Errorf("modifiers")
	}
	if f.Modules[1].Addr == nil || f.Modules[1].Addr.Name != "0x42" {
		t.Errorf("address block module: %+v", f.Modules[1].Addr)
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		"module 0x1::m { fun f() { let x = ; } }": "1:35",
		"module 0x1::m { struct S {} has copy }":  "1:38",
		"module 0x1::m { fun f() { 1 2 } }":       "1:29",
		"module 0x1::m { native fun f() {} }":     "1:28",
		"module 0x1::m { fun f(); }":              "1:21",
		"module 0x1::m {":                         "1:16",
		"script { fun main() {} }":                "1:1",
		"module 0x1::m { struct S has bogus {} }": "1:30",
	}
	for src, pos := range cases {
		_, err := ParseFile("e.move", src)
		if err == nil {
			t.Errorf("%q: no error", src)
			continue
		}
		if !strings.HasPrefix(err.Error(), "e.move:"+pos+":") {
			t.Errorf("%q: error %q, want position %s", src, err, pos)
		}
	}
}

func TestDeepNestingIsAnError(t *testing.T) {
	src := "module 0x1::m { fun f(): u64 { " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + " } }"
	_, err := ParseFile("deep.move", src)
	if err == nil || !strings.Contains(err.Error(), "nesting too deep") {
		t.Fatalf("want nesting error, got %v", err)
	}
	src = "module 0x1::m { fun f(): u64 { " + strings.Repeat("-", 100000) + "1 } }"
	if _, err := ParseFile("deep.move", src); err == nil {
		t.Fatal("want nesting error for unary chain")
	}
	// flat chains parse into trees as deep as they are long
	for _, body := range []string{"1" + strings.Repeat(" + 1", 200000), "1" + strings.Repeat(" as u64", 200000),
		"x" + strings.Repeat(".f", 200000), "x" + strings.Repeat("[0]", 200000), "(f)" + strings.Repeat("(1)", 200000)} {
		src = "module 0x1::m { fun f(): u64 { " + body + " } }"
		_, err := ParseFile("long.move", src)
		if err == nil || !strings.Contains(err.Error(), "expression too long") {
			t.Fatalf("%.20s...: want a length error, got %v", body, err)
		}
	}
	// below the bound, the chain parses
	src = "module 0x1::m { fun f(): u64 { 1" + strings.Repeat(" + 1", 5000) + " + (2" + strings.Repeat(" * 2", 4000) + ") } }"
	if _, err := ParseFile("long.move", src); err != nil {
		t.Fatal(err)
	}
}

// TestParseFrameworkSources parses every file of the Aptos framework release
// kept beside the repository, when it is there.
func TestParseFrameworkSources(t *testing.T) {
	dir := os.Getenv("MOVE_FRAMEWORK_SOURCES")
	if dir == "" {
		t.Skip("MOVE_FRAMEWORK_SOURCES not set (a directory of .move files to parse)")
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".move") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		if _, err := ParseFile(p, string(src)); err != nil {
			t.Error(err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parsed %d files", n)
}
