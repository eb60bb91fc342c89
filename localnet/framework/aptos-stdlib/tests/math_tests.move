#[test_only]
module aptos_std::math_tests {
    use aptos_std::math64;
    use aptos_std::math128;
    use aptos_std::fixed_point64;
    use std::fixed_point32;

    #[test]
    fun math64_values() {
        assert!(math64::max(3, 5) == 5 && math64::min(3, 5) == 3, 0);
        assert!(math64::average(3, 6) == 4 && math64::average(18446744073709551615, 18446744073709551613) == 18446744073709551614, 1);
        assert!(math64::gcd(12, 18) == 6 && math64::gcd(0, 5) == 5, 2);
        assert!(math64::lcm(4, 6) == 12 && math64::lcm(0, 6) == 0, 3);
        assert!(math64::mul_div(18446744073709551615, 4, 8) == 9223372036854775807, 4);
        assert!(math64::clamp(10, 2, 5) == 5 && math64::clamp(1, 2, 5) == 2, 5);
        assert!(math64::pow(3, 5) == 243 && math64::pow(7, 0) == 1 && math64::pow(2, 63) == 1 << 63, 6);
        assert!(math64::floor_log2(1) == 0 && math64::floor_log2(1 << 40) == 40 && math64::floor_log2(18446744073709551615) == 63, 7);
        assert!(math64::sqrt(0) == 0 && math64::sqrt(15) == 3 && math64::sqrt(16) == 4 && math64::sqrt(18446744073709551615) == 4294967295, 8);
        assert!(math64::ceil_div(7, 2) == 4 && math64::ceil_div(0, 3) == 0 && math64::ceil_div(6, 3) == 2, 9);
        assert!(fixed_point32::get_raw_value(math64::log2(8)) == 3 << 32, 10);
        assert!(fixed_point32::get_raw_value(math64::log2(3)) == 6807362105, 11);
    }

    #[test]
    fun math128_values() {
        assert!(math128::max(3, 5) == 5 && math128::min(3, 5) == 3 && math128::average(1, 4) == 2, 0);
        assert!(math128::gcd(1 << 100, 1 << 70) == 1 << 70, 1);
        assert!(math128::mul_div(1 << 127, 4, 8) == 1 << 126, 2);
        assert!(math128::pow(10, 38) == 100000000000000000000000000000000000000, 3);
        assert!(math128::floor_log2(1 << 127) == 127, 4);
        assert!(math128::sqrt(1 << 126) == 1 << 63 && math128::sqrt(99) == 9, 5);
        assert!(fixed_point32::get_raw_value(math128::log2(1 << 100)) == 100 << 32, 6);
        assert!(fixed_point64::get_raw_value(math128::log2_64(4)) == 2 << 64, 7);
        assert!(fixed_point64::get_raw_value(math128::log2_64(3)) == 29237397617229858719, 8);
        assert!(math128::clamp(9, 1, 3) == 3 && math128::ceil_div(10, 4) == 3 && math128::lcm(6, 10) == 30, 9);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::math64)]
    fun floor_log2_zero() {
        math64::floor_log2(0);
    }

    #[test]
    #[expected_failure(arithmetic_error, location = aptos_std::math64)]
    fun pow_overflow() {
        math64::pow(2, 64);
    }

    #[test]
    #[expected_failure(abort_code = 0x10004, location = Self)]
    fun mul_div_by_zero() {
        math64::mul_div(1, 1, 0);
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun mul_div_result_too_large() {
        math64::mul_div(18446744073709551615, 2, 1);
    }

    #[test]
    fun fixed_point64_values() {
        let half = fixed_point64::create_from_rational(1, 2);
        let one = fixed_point64::create_from_u128(1);
        assert!(fixed_point64::get_raw_value(half) == 1 << 63, 0);
        assert!(fixed_point64::multiply_u128(10, half) == 5 && fixed_point64::divide_u128(10, half) == 20, 1);
        assert!(fixed_point64::add(half, half) == one && fixed_point64::sub(one, half) == half, 2);
        assert!(fixed_point64::less(half, one) && fixed_point64::greater_or_equal(one, half), 3);
        assert!(fixed_point64::almost_equal(half, one, half) && !fixed_point64::almost_equal(half, one, fixed_point64::create_from_raw_value(1)), 4);
        let x = fixed_point64::create_from_raw_value((5 << 64) + (1 << 63));
        assert!(fixed_point64::floor(x) == 5 && fixed_point64::ceil(x) == 6 && fixed_point64::round(x) == 6, 5);
        assert!(fixed_point64::ceil(one) == 1 && fixed_point64::round(fixed_point64::create_from_raw_value((5 << 64) + 1)) == 5, 6);
        assert!(fixed_point64::is_zero(fixed_point64::create_from_rational(0, 3)), 7);
        assert!(fixed_point64::min(half, one) == half && fixed_point64::max(half, one) == one && fixed_point64::equal(one, one), 8);
    }

    #[test]
    #[expected_failure(abort_code = 0x10006, location = aptos_std::fixed_point64)]
    fun fixed_point64_negative() {
        fixed_point64::sub(fixed_point64::create_from_u128(1), fixed_point64::create_from_u128(2));
    }

    #[test]
    #[expected_failure(abort_code = 0x20005, location = aptos_std::fixed_point64)]
    fun fixed_point64_from_large() {
        fixed_point64::create_from_u128(1 << 64);
    }
}
