module basics::arith {
    #[test]
    fun add_mul() {
        let x = 2;
        let y: u8 = 250;
        assert!(x * 3 + 1 == 7, 1);
        assert!(y + 5 == 255, 2);
        assert!((y as u64) * 1000 == 250000, 3);
        let big: u128 = 1 << 100;
        assert!(big >> 99 == 2, 4);
        let h: u256 = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
        assert!(h / 3 * 3 == h, 5);
        assert!(17 % 5 == 2, 6);
        assert!((7 ^ 2) == 5 && (6 & 3) == 2 && (4 | 1) == 5, 7);
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun overflow_u8() {
        let y: u8 = 250;
        y = y + 6;
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun div_zero() {
        let z = 0;
        let _ = 1 / z;
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun bad_cast() {
        let x: u64 = 256;
        let _y = (x as u8);
    }

    #[test]
    #[expected_failure(abort_code = 42, location = Self)]
    fun aborts() {
        abort 42
    }

    #[test]
    fun loops() {
        let sum = 0;
        for (i in 0..10) { sum += i };
        assert!(sum == 45, 0);
        let n = 0;
        'outer: loop {
            n += 1;
            if (n == 5) break;
            let j = 0;
            while (j < 10) {
                j += 1;
                if (j == 3) continue 'outer;
            };
        };
        assert!(n == 5, 1);
    }
}
