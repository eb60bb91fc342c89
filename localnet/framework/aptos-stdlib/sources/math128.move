/// Integer helpers for u128.
module aptos_std::math128 {
    use std::error;
    use std::fixed_point32::{Self, FixedPoint32};
    use aptos_std::fixed_point64::{Self, FixedPoint64};

    /// floor_log2 of zero is undefined.
    const EINVALID_ARG_FLOOR_LOG2: u64 = 1;

    public fun max(a: u128, b: u128): u128 {
        if (a >= b) a else b
    }

    public fun min(a: u128, b: u128): u128 {
        if (a < b) a else b
    }

    /// The mean rounded down, without overflowing.
    public fun average(a: u128, b: u128): u128 {
        if (a < b) a + (b - a) / 2 else b + (a - b) / 2
    }

    public inline fun gcd(a: u128, b: u128): u128 {
        let x = if (a > b) a else b;
        let y = if (a > b) b else a;
        while (y != 0) {
            let r = x % y;
            x = y;
            y = r;
        };
        x
    }

    public inline fun lcm(a: u128, b: u128): u128 {
        if (a == 0 || b == 0) 0 else a / gcd(a, b) * b
    }

    /// a * b / c with a double-width intermediate; aborts 0x10004 if c is zero.
    public inline fun mul_div(a: u128, b: u128, c: u128): u128 {
        // A literal: inline bodies expand in the caller, which cannot see our constants.
        assert!(c != 0, std::error::invalid_argument(4));
        (((a as u256) * (b as u256) / (c as u256)) as u128)
    }

    public fun clamp(x: u128, lower: u128, upper: u128): u128 {
        min(upper, max(lower, x))
    }

    /// n to the power e, by squaring; aborts on overflow.
    public fun pow(n: u128, e: u128): u128 {
        if (e == 0) return 1;
        let acc = 1;
        while (e > 1) {
            if (e % 2 == 1) acc = acc * n;
            e = e / 2;
            n = n * n;
        };
        acc * n
    }

    /// The index of the highest set bit.
    public fun floor_log2(x: u128): u8 {
        assert!(x != 0, error::invalid_argument(EINVALID_ARG_FLOOR_LOG2));
        let res = 0u8;
        let step = 64;
        while (step > 0) {
            if (x >= (1 << step)) {
                x = x >> step;
                res = res + step;
            };
            step = step >> 1;
        };
        res
    }

    /// log2(x) with 32 fractional bits, truncated.
    public fun log2(x: u128): FixedPoint32 {
        let int_part = floor_log2(x);
        // Scale x into [1, 2) with 32 fractional bits.
        let y = if (x >= 1 << 32) x >> (int_part - 32) else x << (32 - int_part);
        let frac = 0u64;
        let bit = 1u64 << 31;
        while (bit != 0) {
            y = (y * y) >> 32;
            if (y >= (2 << 32)) {
                frac = frac + bit;
                y = y >> 1;
            };
            bit = bit >> 1;
        };
        fixed_point32::create_from_raw_value(((int_part as u64) << 32) + frac)
    }

    /// log2(x) with 64 fractional bits, truncated.
    public fun log2_64(x: u128): FixedPoint64 {
        let int_part = floor_log2(x);
        // Scale x into [1, 2) with 63 fractional bits so squaring fits in u128.
        let y = if (x >= 1 << 63) x >> (int_part - 63) else x << (63 - int_part);
        let frac = 0u128;
        let bit = 1u128 << 63;
        while (bit != 0) {
            y = (y * y) >> 63;
            if (y >= (2 << 63)) {
                frac = frac + bit;
                y = y >> 1;
            };
            bit = bit >> 1;
        };
        fixed_point64::create_from_raw_value(((int_part as u128) << 64) + frac)
    }

    /// The integer square root (rounded down).
    public fun sqrt(x: u128): u128 {
        if (x == 0) return 0;
        // Start at a power of two within a factor sqrt(2) of the root; Newton
        // steps then converge quadratically.
        let r = 1 << ((floor_log2(x) + 1) >> 1);
        r = (r + x / r) >> 1;
        r = (r + x / r) >> 1;
        r = (r + x / r) >> 1;
        r = (r + x / r) >> 1;
        r = (r + x / r) >> 1;
        min(r, x / r)
    }

    /// x / y rounded up; aborts on y == 0.
    public inline fun ceil_div(x: u128, y: u128): u128 {
        if (x == 0) {
            assert!(y != 0, std::error::invalid_argument(4));
            0
        } else (x - 1) / y + 1
    }
}
