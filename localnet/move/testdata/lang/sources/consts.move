/// Constants and integer literals.
module lang::consts {
    const SMALL: u8 = 255;
    const SHIFTED: u64 = 1 << 10;
    const EXPR: u64 = (2 + 3) * 4 - 1;
    const BIG: u128 = 340282366920938463463374607431768211455;
    const HUGE: u256 = 0x1_0000_0000_0000_0000_0000_0000_0000_0000;
    const BYTES: vector<u8> = b"move";
    const HEX: vector<u8> = x"deadbeef";
    const ADDR: address = @0x1;
    const NAMED: address = @lang;
    const FLAG: bool = true && !false;
    const NUMS: vector<u64> = vector[1, 2, 3];
    const MASK: u64 = 0xff & (0xf0 | 0x0f) ^ 0x0f;

    #[test]
    fun values() {
        assert!(SMALL == 255 && SHIFTED == 1024 && EXPR == 19, 0);
        assert!(BIG == 0xffffffffffffffffffffffffffffffff, 1);
        assert!(HUGE == (1u256 << 128), 2);
        assert!(BYTES == b"move" && HEX == vector[0xde, 0xad, 0xbe, 0xef], 3);
        assert!(ADDR == @std && NAMED == @0xcafe && FLAG, 4);
        assert!(NUMS[1] == 2, 5);
        assert!(MASK == 0xf0, 6);
    }

    #[test]
    fun literals() {
        let a = 1_000_000u64;
        let b = 0xFFu8;
        let c: u16 = 65535;
        let d = 4294967295u32;
        assert!(a == 1000000 && b == 255 && c == 65535 && d == 4294967295, 0);
        let e: u128 = 1;
        assert!(e << 127 == 170141183460469231731687303715884105728, 1);
        assert!((d as u64) + 1 == 4294967296, 2);
    }

    #[test]
    fun big_arithmetic() {
        let x: u256 = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
        assert!(x / 2 + x / 2 + 1 == x, 0);
        let y: u128 = 0xffffffffffffffffffffffffffffffff - 5;
        assert!(y % 7 == 5, 1);
        assert!((y as u256) * 2 > (y as u256), 2);
        assert!(((1u256 << 200) >> 190) == 1024, 3);
        assert!((300u256 as u16) == 300, 4);
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun u256_overflow() {
        let x: u256 = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;
        x = x + 1;
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun u128_mul_overflow() {
        let x: u128 = 1 << 64;
        x = x * x;
    }

    #[test]
    #[expected_failure(arithmetic_error, location = Self)]
    fun shift_too_far() {
        let s: u8 = 64;
        let _ = 1u64 << s;
    }
}
