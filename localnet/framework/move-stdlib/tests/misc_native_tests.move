#[test_only]
/// Natives the reference VM used for differential checks lacks (mem::swap,
/// cmp::compare); these run on our interpreter only.
module std::misc_native_tests {
    use std::cmp;
    use std::features;
    use std::mem;
    use std::vector;

    struct S has copy, drop { a: u64, b: vector<u8> }

    // Unit tests start from Aptos's test genesis flags (the reference VM
    // starts without any, hence this file).
    #[test]
    fun unit_test_feature_flags() {
        assert!(features::is_default_account_resource_enabled(), 0);
        assert!(features::is_function_reflection_enabled(), 1);
        assert!(features::is_storage_slot_natives_enabled(), 2);
        assert!(features::is_permissioned_signer_enabled(), 3);
        assert!(features::transaction_context_extension_enabled(), 4);
        assert!(features::is_enabled(113), 5);
        // ENABLE_TRUSTED_CODE is off in unit tests; SESSION_CONTINUATION is
        // not a default flag.
        assert!(!features::is_enabled(100) && !features::is_enabled(104), 6);
    }

    #[test]
    fun mem_ops() {
        let x = 1;
        let y = 2;
        mem::swap(&mut x, &mut y);
        assert!(x == 2 && y == 1, 0);
        let v = vector[S { a: 1, b: b"x" }, S { a: 2, b: b"y" }];
        let old = mem::replace(vector::borrow_mut(&mut v, 1), S { a: 3, b: b"z" });
        assert!(old.a == 2 && v[1].a == 3, 1);
    }

    #[test]
    fun compare() {
        assert!(cmp::is_lt(&cmp::compare(&1, &2)), 0);
        assert!(cmp::is_gt(&cmp::compare(&3u8, &2u8)), 1);
        assert!(cmp::is_eq(&cmp::compare(&b"ab", &b"ab")), 2);
        assert!(cmp::is_lt(&cmp::compare(&b"ab", &b"abc")), 3);
        assert!(cmp::is_gt(&cmp::compare(&b"b", &b"abc")), 4);
        assert!(cmp::is_lt(&cmp::compare(&S { a: 1, b: b"z" }, &S { a: 2, b: b"a" })), 5);
        assert!(cmp::is_gt(&cmp::compare(&S { a: 1, b: b"z" }, &S { a: 1, b: b"a" })), 6);
        assert!(cmp::is_le(&cmp::compare(&@0x1, &@0x1)) && cmp::is_ge(&cmp::compare(&@0x2, &@0x1)), 7);
        assert!(cmp::is_ne(&cmp::compare(&true, &false)), 8);
        assert!(cmp::is_lt(&cmp::compare(&false, &true)), 9);
        assert!(cmp::is_gt(&cmp::compare(&340282366920938463463374607431768211455u128, &1u128)), 10);
    }
}
