/// Unsigned fixed-point numbers with 32 integer and 32 fractional bits,
/// stored as the raw u64 `value` = number * 2^32.
module std::fixed_point32 {
    struct FixedPoint32 has copy, drop, store { value: u64 }

    const MAX_U64: u128 = 18446744073709551615;

    /// The denominator of a rational is zero.
    const EDENOMINATOR: u64 = 0x10001;
    /// A quotient does not fit in a u64.
    const EDIVISION: u64 = 0x20002;
    /// A product does not fit in a u64.
    const EMULTIPLICATION: u64 = 0x20003;
    /// Division by a zero fixed-point number.
    const EDIVISION_BY_ZERO: u64 = 0x10004;
    /// A ratio is too large or too small (non-zero but rounds to zero) to represent.
    const ERATIO_OUT_OF_RANGE: u64 = 0x20005;

    /// `val * multiplier`, truncated toward zero.
    public fun multiply_u64(val: u64, multiplier: FixedPoint32): u64 {
        let wide = ((val as u128) * (multiplier.value as u128)) >> 32;
        assert!(wide <= MAX_U64, EMULTIPLICATION);
        (wide as u64)
    }

    /// `val / divisor`, truncated toward zero.
    public fun divide_u64(val: u64, divisor: FixedPoint32): u64 {
        assert!(divisor.value != 0, EDIVISION_BY_ZERO);
        let q = ((val as u128) << 32) / (divisor.value as u128);
        assert!(q <= MAX_U64, EDIVISION);
        (q as u64)
    }

    /// numerator / denominator as a fixed-point number.
    public fun create_from_rational(numerator: u64, denominator: u64): FixedPoint32 {
        // numerator * 2^64 / (denominator * 2^32) keeps 32 fractional bits.
        let num = (numerator as u128) << 64;
        let den = (denominator as u128) << 32;
        assert!(den != 0, EDENOMINATOR);
        let q = num / den;
        assert!(q != 0 || numerator == 0, ERATIO_OUT_OF_RANGE);
        assert!(q <= MAX_U64, ERATIO_OUT_OF_RANGE);
        FixedPoint32 { value: (q as u64) }
    }

    public fun create_from_raw_value(value: u64): FixedPoint32 {
        FixedPoint32 { value }
    }

    public fun get_raw_value(self: FixedPoint32): u64 {
        self.value
    }

    public fun is_zero(self: FixedPoint32): bool {
        self.value == 0
    }

    public fun min(num1: FixedPoint32, num2: FixedPoint32): FixedPoint32 {
        if (num1.value < num2.value) num1 else num2
    }

    public fun max(num1: FixedPoint32, num2: FixedPoint32): FixedPoint32 {
        if (num1.value > num2.value) num1 else num2
    }

    /// An integer as a fixed-point number; it must be below 2^32.
    public fun create_from_u64(val: u64): FixedPoint32 {
        let v = (val as u128) << 32;
        assert!(v <= MAX_U64, ERATIO_OUT_OF_RANGE);
        FixedPoint32 { value: (v as u64) }
    }

    public fun floor(self: FixedPoint32): u64 {
        self.value >> 32
    }

    public fun ceil(self: FixedPoint32): u64 {
        let whole = self.value >> 32;
        if ((self.value & 0xFFFFFFFF) == 0) whole else whole + 1
    }

    /// Rounds half up.
    public fun round(self: FixedPoint32): u64 {
        let whole = self.value >> 32;
        if ((self.value & 0xFFFFFFFF) < 0x80000000) whole else whole + 1
    }
}
