package syntax

import "testing"

func FuzzLex(f *testing.F) {
	for _, s := range []string{sampleModule, `b"\x4" x"0" 0x_u8 'a: &mut&mut`, "/* /* */", "1u256 0xFFu128"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		toks, err := Lex("f.move", src)
		if err == nil && (len(toks) == 0 || toks[len(toks)-1].Kind != EOF) {
			t.Fatalf("token stream does not end with EOF")
		}
	})
}

func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		sampleModule,
		"module a::b { fun f() { let x: vector<vector<u8>> = vector[]; x[0][1] = 2; } }",
		"module a::b { fun f() { if (a) { } *r = 1; match (x) { A::B(..) => 1, _ => {2} } } }",
		"module a::b { spec fun x(): u64; spec schema S<T> { } fun g(){ while ({spec {}; true}) {} } }",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := ParseFile("f.move", src)
		if err == nil && file == nil {
			t.Fatal("nil file without error")
		}
		if err != nil && file != nil {
			t.Fatal("file and error both set")
		}
	})
}
