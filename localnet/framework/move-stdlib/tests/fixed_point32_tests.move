#[test_only]
module std::fixed_point32_tests {
    use std::fixed_point32;

    #[test]
    fun arithmetic() {
        let half = fixed_point32::create_from_rational(1, 2);
        assert!(fixed_point32::get_raw_value(half) == 0x80000000, 0);
        assert!(fixed_point32::multiply_u64(10, half) == 5, 1);
        assert!(fixed_point32::divide_u64(10, half) == 20, 2);
        let third = fixed_point32::create_from_rational(1, 3);
        assert!(fixed_point32::multiply_u64(9, third) == 2, 3); // truncates 2.99..
        assert!(fixed_point32::is_zero(fixed_point32::create_from_rational(0, 5)), 4);
        assert!(fixed_point32::create_from_u64(3) == fixed_point32::create_from_raw_value(3 << 32), 5);
        let x = fixed_point32::create_from_raw_value((7 << 32) + 0x80000000);
        assert!(fixed_point32::floor(x) == 7, 6);
        assert!(fixed_point32::ceil(x) == 8, 7);
        assert!(fixed_point32::round(x) == 8, 8);
        let y = fixed_point32::create_from_raw_value((7 << 32) + 0x7fffffff);
        assert!(fixed_point32::round(y) == 7, 9);
        assert!(fixed_point32::ceil(fixed_point32::create_from_u64(7)) == 7, 10);
        assert!(fixed_point32::ceil(fixed_point32::create_from_raw_value(18446744073709551615)) == 4294967296, 11);
        assert!(fixed_point32::min(x, y) == y && fixed_point32::max(x, y) == x, 12);
        assert!(fixed_point32::multiply_u64(18446744073709551615, fixed_point32::create_from_u64(1)) == 18446744073709551615, 13);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = std::fixed_point32)]
    fun zero_denominator() {
        fixed_point32::create_from_rational(1, 0);
    }

    #[test]
    #[expected_failure(abort_code = 0x20005, location = std::fixed_point32)]
    fun ratio_too_small() {
        fixed_point32::create_from_rational(1, 18446744073709551615);
    }

    #[test]
    #[expected_failure(abort_code = 0x20005, location = std::fixed_point32)]
    fun ratio_too_large() {
        fixed_point32::create_from_rational(18446744073709551615, 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x20003, location = std::fixed_point32)]
    fun multiply_overflow() {
        fixed_point32::multiply_u64(18446744073709551615, fixed_point32::create_from_u64(2));
    }

    #[test]
    #[expected_failure(abort_code = 0x10004, location = std::fixed_point32)]
    fun divide_by_zero() {
        fixed_point32::divide_u64(1, fixed_point32::create_from_raw_value(0));
    }

    #[test]
    #[expected_failure(abort_code = 0x20002, location = std::fixed_point32)]
    fun divide_overflow() {
        fixed_point32::divide_u64(18446744073709551615, fixed_point32::create_from_raw_value(1));
    }

    #[test]
    #[expected_failure(abort_code = 0x20005, location = std::fixed_point32)]
    fun from_u64_too_large() {
        fixed_point32::create_from_u64(4294967296);
    }
}
