/// Signed integers (Move 2.3).
module modern::signed {
    const NEG: i64 = -42;
    const SUM: i32 = -5 + 3;

    struct Temp has copy, drop { celsius: i16 }

    fun abs(x: i64): i64 { if (x < 0) -x else x }

    #[test]
    fun arithmetic() {
        let a: i64 = -7;
        let b = 2i64;
        assert!(a + b == -5, 0);
        assert!(a * b == -14, 1);
        assert!(a / b == -3, 2);      // truncates toward zero
        assert!(a % b == -1, 3);      // sign of the dividend
        assert!(-a == 7 && abs(a) == 7 && abs(b) == 2, 4);
        assert!(a < b && b > a && a <= -7 && NEG == -42 && SUM == -2, 5);
        let big: i128 = -170141183460469231731687303715884105728;
        assert!(big == MIN_I128 && MAX_I8 == 127 && MIN_I8 == -128, 6);
        let h: i256 = -1;
        assert!(h * h == 1 && h < 0, 7);
        let t = Temp { celsius: -40 };
        assert!(t.celsius == -40, 8);
    }

    #[test]
    fun casts() {
        let x: i64 = -1;
        assert!((5u8 as i8) == 5 && ((-3i32) as i64) == -3, 0);
        assert!((x as i128) == -1 && ((300i64) as u16) == 300, 1);
        assert!(std::bcs::to_bytes(&x) == x"ffffffffffffffff", 2);
        assert!(std::bcs::to_bytes(&(-2i8)) == x"fe", 3);
        assert!(std::bcs::to_bytes(&(-1i128)) == x"ffffffffffffffffffffffffffffffff", 4);
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun overflow() {
        let m = MAX_I8;
        m = m + 1;
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun negate_minimum() {
        let m = MIN_I64;
        m = -m;
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun negative_to_unsigned() {
        let x: i64 = -1;
        let _ = (x as u64);
    }
}

module modern::signed_order {
    struct P has copy, drop { a: i64, b: u8 }

    #[test]
    fun structural_order_is_signed() {
        assert!(P { a: -1, b: 9 } < P { a: 0, b: 0 }, 0);
        assert!(vector[-5i32, 1] < vector[-4i32], 1);
        assert!(std::cmp::compare(&(-3i64), &(2i64)).is_lt(), 2);
        assert!(std::cmp::compare(&vector[P { a: -2, b: 0 }], &vector[P { a: 1, b: 0 }]).is_lt(), 3);
    }
}
