/// Unsigned fixed-point numbers with 64 integer and 64 fractional bits,
/// stored as the raw u128 `value` = number * 2^64.
module aptos_std::fixed_point64 {
    struct FixedPoint64 has copy, drop, store { value: u128 }

    const MAX_U128: u256 = 340282366920938463463374607431768211455;

    const EDENOMINATOR: u64 = 0x10001;
    const EDIVISION: u64 = 0x20002;
    const EMULTIPLICATION: u64 = 0x20003;
    const EDIVISION_BY_ZERO: u64 = 0x10004;
    const ERATIO_OUT_OF_RANGE: u64 = 0x20005;
    /// A subtraction would go below zero.
    const ENEGATIVE_RESULT: u64 = 0x10006;

    public fun sub(self: FixedPoint64, y: FixedPoint64): FixedPoint64 {
        assert!(self.value >= y.value, ENEGATIVE_RESULT);
        FixedPoint64 { value: self.value - y.value }
    }

    public fun add(self: FixedPoint64, y: FixedPoint64): FixedPoint64 {
        let sum = (self.value as u256) + (y.value as u256);
        assert!(sum <= MAX_U128, ERATIO_OUT_OF_RANGE);
        FixedPoint64 { value: (sum as u128) }
    }

    public fun multiply_u128(val: u128, multiplier: FixedPoint64): u128 {
        let p = ((val as u256) * (multiplier.value as u256)) >> 64;
        assert!(p <= MAX_U128, EMULTIPLICATION);
        (p as u128)
    }

    public fun divide_u128(val: u128, divisor: FixedPoint64): u128 {
        assert!(divisor.value != 0, EDIVISION_BY_ZERO);
        let q = ((val as u256) << 64) / (divisor.value as u256);
        assert!(q <= MAX_U128, EDIVISION);
        (q as u128)
    }

    public fun create_from_rational(numerator: u128, denominator: u128): FixedPoint64 {
        let num = (numerator as u256) << 64;
        assert!(denominator != 0, EDENOMINATOR);
        let q = num / (denominator as u256);
        assert!(q != 0 || numerator == 0, ERATIO_OUT_OF_RANGE);
        assert!(q <= MAX_U128, ERATIO_OUT_OF_RANGE);
        FixedPoint64 { value: (q as u128) }
    }

    public fun create_from_raw_value(value: u128): FixedPoint64 {
        FixedPoint64 { value }
    }

    public fun get_raw_value(self: FixedPoint64): u128 {
        self.value
    }

    public fun is_zero(self: FixedPoint64): bool {
        self.value == 0
    }

    public fun min(num1: FixedPoint64, num2: FixedPoint64): FixedPoint64 {
        if (num1.value < num2.value) num1 else num2
    }

    public fun max(num1: FixedPoint64, num2: FixedPoint64): FixedPoint64 {
        if (num1.value > num2.value) num1 else num2
    }

    public fun less_or_equal(self: FixedPoint64, num2: FixedPoint64): bool { self.value <= num2.value }
    public fun less(self: FixedPoint64, num2: FixedPoint64): bool { self.value < num2.value }
    public fun greater_or_equal(self: FixedPoint64, num2: FixedPoint64): bool { self.value >= num2.value }
    public fun greater(self: FixedPoint64, num2: FixedPoint64): bool { self.value > num2.value }
    public fun equal(self: FixedPoint64, num2: FixedPoint64): bool { self.value == num2.value }

    /// Whether the two differ by at most `precision`.
    public fun almost_equal(self: FixedPoint64, num2: FixedPoint64, precision: FixedPoint64): bool {
        let d = if (self.value > num2.value) self.value - num2.value else num2.value - self.value;
        d <= precision.value
    }

    public fun create_from_u128(val: u128): FixedPoint64 {
        let v = (val as u256) << 64;
        assert!(v <= MAX_U128, ERATIO_OUT_OF_RANGE);
        FixedPoint64 { value: (v as u128) }
    }

    public fun floor(self: FixedPoint64): u128 {
        self.value >> 64
    }

    public fun ceil(self: FixedPoint64): u128 {
        let whole = self.value >> 64;
        if ((self.value & 0xFFFFFFFFFFFFFFFF) == 0) whole else whole + 1
    }

    public fun round(self: FixedPoint64): u128 {
        let whole = self.value >> 64;
        if ((self.value & 0xFFFFFFFFFFFFFFFF) < 0x8000000000000000) whole else whole + 1
    }
}
