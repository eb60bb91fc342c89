package check

import (
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

const fuzzSeed = `module 0xcafe::m {
    struct S has copy, drop { a: u64, b: vector<u8> }
    enum E has drop { A { x: u64 }, B(u8), C }
    const K: u64 = 1 << 4;
    fun f<T: drop>(x: T, v: &mut vector<u64>): u64 {
        let s = S { a: K, b: b"x" };
        let e = E::B(3);
        let n = match (e) { E::A { x } => x, E::B(y) => (y as u64), E::C => 0 };
        let i = 0;
        while (i < 3) { i += 1; if (i == 2) continue; };
        for (j in 0..2) { n = n + j };
        let r = &mut s;
        r.a = r.a * 2;
        n + s.a + (*v)[0]
    }
    inline fun twice(x: u64, g: |u64| u64): u64 { g(g(x)) }
    fun h(): u64 { let k = 2; twice(1, |y| y * k) }
    fun clo(): u64 { let c = |z: u64| z + 1; c(4) }
}`

// FuzzCompile checks mutated programs: the checker may reject them but must
// never crash.
func FuzzCompile(f *testing.F) {
	f.Add(fuzzSeed)
	f.Add("module 0x1::a { fun f(): u64 { let x; x = 1; x } fun g() { f(); } }")
	f.Add("module 0x1::a { struct R has key { v: u64 } fun f(s: &signer) acquires R { move_to(s, R { v: 1 }); R[@0x1].v = 2; } }")
	f.Fuzz(func(t *testing.T, src string) {
		res, err := Compile([]*Package{{Name: "F", Root: true, Sources: []Source{{Name: "f.move", Text: src}}}},
			Options{Addresses: map[string]vm.Address{}, Test: true, MaxErrors: 20})
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("checker crashed: %v", err)
			}
			return
		}
		if res == nil {
			t.Fatal("no result and no error")
		}
	})
}
