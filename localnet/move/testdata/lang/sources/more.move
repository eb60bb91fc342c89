/// More surface syntax: block-level `use`, `Self::` paths, positional
/// variants with `..`, casts in arguments, compound operators, nested
/// borrows, generic functions with explicit type arguments.
module lang::more {
    struct Cell<T> has copy, drop, store { v: T }
    struct Grid has key { rows: vector<vector<u8>> }

    enum Msg has drop {
        Move(u64, u64, u64),
        Say { text: vector<u8>, loud: bool },
        Quit,
    }

    fun weight(m: &Msg): u64 {
        match (m) {
            Msg::Move(x, ..) => *x,
            Msg::Say { loud, .. } => if (*loud) 10 else 1,
            Msg::Quit => 0,
        }
    }

    fun id<T>(x: T): T { x }

    fun wrap<T: copy + drop>(x: T): Cell<T> { Cell { v: x } }

    fun narrow(x: u64): u8 { x as u8 }

    #[test]
    fun block_use_and_self_paths() {
        use std::vector;
        let v = vector::singleton(3u64);
        assert!(Self::id(v[0]) == 3, 0);
        assert!(id<u8>(7) == 7, 1);
        assert!(lang::more::wrap(5u16).v == 5, 2);
        assert!(narrow(200 + 55) == 255, 3);
    }

    #[test]
    fun positional_variants() {
        assert!(weight(&Msg::Move(4, 5, 6)) == 4, 0);
        assert!(weight(&Msg::Say { text: b"hi", loud: true }) == 10, 1);
        assert!(weight(&Msg::Quit) == 0, 2);
        let Msg::Move(a, _, c) = Msg::Move(1, 2, 3);
        assert!(a + c == 4, 3);
    }

    #[test]
    fun compound_operators() {
        let x: u64 = 1;
        x <<= 4;
        x |= 1;
        x ^= 3;
        x &= 0xff;
        x *= 3;
        x -= 2;
        x /= 5;
        x %= 7;
        x >>= 1;
        assert!(x == 1, 0);
        let c = Cell { v: 10u128 };
        c.v += 5;
        let r = &mut c;
        r.v *= 2;
        assert!(c.v == 30, 1);
    }

    #[test(s = @0xabc)]
    fun nested_global_borrows(s: &signer) acquires Grid {
        move_to(s, Grid { rows: vector[vector[0, 0], vector[0, 0, 0]] });
        let g = borrow_global_mut<Grid>(@0xabc);
        let row = &mut g.rows[1];
        row[2] = 9;
        *&mut g.rows[0][1] = 4;
        Grid[@0xabc].rows[1][0] += 1;
        let rows = &Grid[@0xabc].rows;
        assert!(rows[0][1] == 4 && rows[1][2] == 9 && rows[1][0] == 1, 0);
        let Grid { rows: _ } = move_from<Grid>(@0xabc);
    }

    #[test]
    fun expression_values() {
        let n = 7;
        let kind = if (n % 2 == 0) { b"even" } else if (n > 5) b"big odd" else b"odd";
        assert!(kind == b"big odd", 0);
        let total = {
            let s = 0;
            let i = 0;
            loop {
                i += 1;
                if (i > n) break;
                if (i % 2 == 0) continue;
                s += i;
            };
            s
        };
        assert!(total == 16, 1);
        let (p, q) = if (total > 10) (1, 2) else (3, 4);
        assert!(p + q == 3, 2);
    }

    fun owner<T: copy + drop>(c: Cell<T>): T { c.v }

    // A local that is not a function value (here a parameter and a let)
    // does not hide the module function of the same name.
    fun is_owner(c: Cell<address>, owner: address): bool {
        owner(c) == owner
    }

    #[test]
    fun call_named_like_a_local() {
        assert!(is_owner(Cell { v: @0x1 }, @0x1), 0);
        assert!(!is_owner(Cell { v: @0x1 }, @0x2), 1);
        let id = 5u64;
        let r = id(id);
        { let id = 2u64; assert!(r + id(id) == 7, 2) };
    }
}
