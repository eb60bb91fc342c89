/// Tests that fail on purpose, one per kind of failure; expected.txt holds
/// the report `aptos move test` gives for them.
module errors::errors {
    struct R has key { v: u64 }

    fun helper(x: u64): u64 {
        assert!(x > 10, 7);
        x
    }

    fun rec(n: u64): u64 { rec(n + 1) + 1 }

    #[test]
    fun unexpected_abort() { helper(3); }

    #[test]
    #[expected_failure(abort_code = 8, location = Self)]
    fun wrong_abort_code() { helper(3); }

    #[test]
    #[expected_failure(abort_code = 9)]
    fun wrong_code_any_module() { helper(3); }

    #[test]
    #[expected_failure]
    fun no_error() {}

    #[test]
    #[expected_failure(abort_code = 7, location = Self)]
    fun no_error_with_code() {}

    #[test]
    fun division_by_zero() { let x = 0; let _ = 5 / x; }

    #[test]
    fun addition_overflow() { let x: u8 = 255; x = x + 1; }

    #[test]
    fun subtraction_underflow() { let x: u8 = 0; x = x - 1; }

    #[test]
    fun bad_cast() { let x: u64 = 300; let _y = (x as u8); }

    #[test]
    fun index_out_of_bounds() { let v = vector[1]; let _ = v[3]; }

    #[test]
    fun pop_empty() { let v: vector<u64> = vector[]; v.pop_back(); }

    #[test]
    fun missing_data() acquires R { let _ = borrow_global<R>(@0x5).v; }

    #[test(s = @0x5)]
    fun already_exists(s: &signer) {
        move_to(s, R { v: 1 });
        move_to(s, R { v: 2 });
    }

    #[test]
    fun assert_without_code() { assert!(false) }

    #[test]
    fun abort_in_dependency() { let v = vector[1]; std::vector::remove(&mut v, 5); }

    #[test]
    fun deep_recursion() { rec(0); }

    #[test]
    fun spin_forever() { loop {} }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun wrong_failure_kind() { abort 3 }

    #[test]
    fun passes() {}
}
