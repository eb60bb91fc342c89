/// Features of Move 2.2 and 2.3 beyond the reference compiler's subset:
/// builtin MAX_* constants, receiver calls on signer, `<` on any type.
module modern::modern {
    struct P has copy, drop { a: u64, b: vector<u8> }

    #[test]
    fun max_constants() {
        assert!(MAX_U8 == 255 && MAX_U16 == 65535 && MAX_U32 == 4294967295, 0);
        assert!(MAX_U64 == 18446744073709551615, 1);
        assert!(MAX_U128 == 340282366920938463463374607431768211455, 2);
        assert!(MAX_U256 / 2 + MAX_U256 / 2 + 1 == MAX_U256, 3);
    }

    #[test(s = @0x7)]
    fun signer_receivers(s: &signer) {
        assert!(s.address_of() == @0x7 && *s.borrow_address() == @0x7, 0);
    }

    #[test]
    fun mem_swap_and_replace() {
        let a = 1;
        let b = 2;
        std::mem::swap(&mut a, &mut b);
        assert!(a == 2 && b == 1, 0);
        let old = std::mem::replace(&mut a, 7);
        assert!(old == 2 && a == 7, 1);
    }

    #[test]
    fun ordering_of_structs() {
        assert!(P { a: 1, b: b"z" } < P { a: 2, b: b"a" }, 0);
        assert!(P { a: 1, b: b"a" } <= P { a: 1, b: b"a" }, 1);
        assert!(b"abc" > b"abb" && @0x2 >= @0x1, 2);
    }

    #[test]
    fun cmp() {
        assert!(std::cmp::compare(&1, &2).is_lt(), 2);
        assert!(std::cmp::compare(&b"b", &b"ab").is_gt(), 3);
        assert!(std::cmp::compare(&vector[1, 2], &vector[1, 2]).is_eq(), 4);
        assert!(std::cmp::compare(&@0x2, &@0x10).is_lt(), 5);
    }
}
