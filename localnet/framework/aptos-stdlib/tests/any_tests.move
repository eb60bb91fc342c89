#[test_only]
module aptos_std::any_tests {
    use aptos_std::any;
    use aptos_std::copyable_any;
    use std::string;

    struct S has store, drop, copy { x: u64 }

    #[test]
    fun pack_unpack() {
        let a = any::pack(S { x: 22 });
        assert!(*any::type_name(&a) == string::utf8(b"0x1::any_tests::S"), 0);
        assert!(any::unpack<S>(a).x == 22, 1);
        let c = copyable_any::pack(S { x: 23 });
        let c2 = c;
        assert!(copyable_any::unpack<S>(c).x == 23 && copyable_any::unpack<S>(c2).x == 23, 2);
        assert!(*copyable_any::type_name(&c2) == string::utf8(b"0x1::any_tests::S"), 3);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::any)]
    fun any_wrong_type() {
        any::unpack<u64>(any::pack(S { x: 1 }));
    }

    #[test]
    #[expected_failure(abort_code = 0x10000, location = aptos_std::copyable_any)]
    fun copyable_any_wrong_type() {
        copyable_any::unpack<u64>(copyable_any::pack(S { x: 1 }));
    }
}
