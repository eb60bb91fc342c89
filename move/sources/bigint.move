/// Unsigned big integers as big-endian byte vectors, the encoding of x, p1
/// and p2 in an order. Canonical means minimal: non-empty and no leading zero
/// byte, so every positive integer has exactly one encoding and comparison is
/// by length, then bytes.
///
/// Multiplication runs on 128-bit limbs with 256-bit partial products: for
/// limbs a, b, an accumulator r and a carry c, all below 2^128,
/// a*b + r + c <= (2^128-1)^2 + 2*(2^128-1) = 2^256 - 1, so no step can
/// overflow on any input. Lengths are bounded by MAX_BYTES, which bounds the
/// work: a 2048-bit x from two 1024-bit primes takes 8 x 8 limb products.
module agi_nostr::bigint {
    use std::error;

    /// An operand is longer than MAX_BYTES.
    const ETOO_LONG: u64 = 1;

    /// Longest operand accepted, in bytes (8192 bits).
    const MAX_BYTES: u64 = 1024;

    const LESS: u8 = 0;
    const EQUAL: u8 = 1;
    const GREATER: u8 = 2;

    const MASK_128: u256 = 0xffffffffffffffffffffffffffffffff;

    public fun max_bytes(): u64 { MAX_BYTES }

    /// Non-empty and without a leading zero byte.
    public fun is_canonical(a: &vector<u8>): bool {
        a.length() > 0 && a[0] != 0
    }

    /// Bit length of a canonical integer (0 for the empty vector).
    public fun bit_length(a: &vector<u8>): u64 {
        let n = a.length();
        if (n == 0) return 0;
        let bits = (n - 1) * 8;
        let top = a[0];
        while (top != 0) {
            bits += 1;
            top >>= 1;
        };
        bits
    }

    /// The canonical encoding of 1.
    public fun is_one(a: &vector<u8>): bool {
        a.length() == 1 && a[0] == 1
    }

    /// Compares two canonical integers: 0 less, 1 equal, 2 greater.
    public fun compare(a: &vector<u8>, b: &vector<u8>): u8 {
        let (la, lb) = (a.length(), b.length());
        if (la < lb) return LESS;
        if (la > lb) return GREATER;
        let i = 0;
        while (i < la) {
            let (x, y) = (a[i], b[i]);
            if (x < y) return LESS;
            if (x > y) return GREATER;
            i += 1;
        };
        EQUAL
    }

    public fun less(a: &vector<u8>, b: &vector<u8>): bool { compare(a, b) == LESS }

    /// a * b in canonical encoding (empty when either is zero). Operands need
    /// not be canonical but must not exceed MAX_BYTES.
    public fun mul(a: &vector<u8>, b: &vector<u8>): vector<u8> {
        from_limbs(&mul_limbs(a, b))
    }

    /// Whether a * b == x, compared limb by limb with high zero limbs ignored
    /// (so leading zero bytes do not matter; callers that need canonical
    /// encodings check them separately). False when x exceeds MAX_BYTES.
    public fun is_product(x: &vector<u8>, a: &vector<u8>, b: &vector<u8>): bool {
        if (x.length() > MAX_BYTES) return false;
        let r = mul_limbs(a, b);
        trim_high_zeros(&mut r);
        let lx = to_limbs(x);
        trim_high_zeros(&mut lx);
        r == lx
    }

    /// Little-endian 128-bit limbs of a big-endian byte vector.
    fun to_limbs(a: &vector<u8>): vector<u128> {
        let out = vector[];
        let i = a.length();
        let limb = 0u128;
        let shift = 0u8;
        while (i > 0) {
            i -= 1;
            limb |= (a[i] as u128) << shift;
            if (shift == 120) {
                out.push_back(limb);
                limb = 0;
                shift = 0;
            } else {
                shift += 8;
            }
        };
        if (shift > 0) out.push_back(limb);
        out
    }

    /// Canonical big-endian bytes of little-endian limbs.
    fun from_limbs(l: &vector<u128>): vector<u8> {
        let out = vector[];
        let i = l.length();
        let started = false;
        while (i > 0) {
            i -= 1;
            let limb = l[i];
            let shift = 128u8;
            while (shift > 0) {
                shift -= 8;
                let byte = (((limb >> shift) & 0xff) as u8);
                if (started || byte != 0) {
                    out.push_back(byte);
                    started = true;
                }
            }
        };
        out
    }

    fun trim_high_zeros(l: &mut vector<u128>) {
        while (l.length() > 0 && l[l.length() - 1] == 0) {
            l.pop_back();
        }
    }

    /// Schoolbook product of the limbs of a and b, n + m limbs long.
    fun mul_limbs(a: &vector<u8>, b: &vector<u8>): vector<u128> {
        assert!(a.length() <= MAX_BYTES && b.length() <= MAX_BYTES, error::invalid_argument(ETOO_LONG));
        let la = to_limbs(a);
        let lb = to_limbs(b);
        let (n, m) = (la.length(), lb.length());
        let r = vector[];
        let k = 0;
        while (k < n + m) {
            r.push_back(0u128);
            k += 1;
        };
        let i = 0;
        while (i < n) {
            let ai = (la[i] as u256);
            if (ai != 0) {
                let carry = 0u256;
                let j = 0;
                while (j < m) {
                    let t = ai * (lb[j] as u256) + (r[i + j] as u256) + carry;
                    r[i + j] = ((t & MASK_128) as u128);
                    carry = t >> 128;
                    j += 1;
                };
                // r[i + m] is still zero here: earlier rows reach r[i + m - 1] at most.
                r[i + m] = (carry as u128);
            };
            i += 1;
        };
        r
    }

    #[test]
    fun small_products() {
        assert!(mul(&x"02", &x"03") == x"06", 0);
        assert!(mul(&x"ff", &x"ff") == x"fe01", 1);
        assert!(mul(&x"", &x"05") == x"", 2);
        assert!(mul(&x"0005", &x"0007") == x"23", 3);
        assert!(is_product(&x"06", &x"03", &x"02"), 4);
        assert!(!is_product(&x"07", &x"03", &x"02"), 5);
        // Leading zero bytes of x are ignored; the market rejects them separately.
        assert!(is_product(&x"0006", &x"03", &x"02"), 6);
    }

    #[test]
    fun limb_carries() {
        // (2^128 - 1)^2 = 2^256 - 2^129 + 1: the largest partial product.
        let m = x"ffffffffffffffffffffffffffffffff";
        assert!(mul(&m, &m) == x"fffffffffffffffffffffffffffffffe00000000000000000000000000000001", 2);
        // (2^64 - 1)^2 = 2^128 - 2^65 + 1
        let a = x"ffffffffffffffff";
        assert!(mul(&a, &a) == x"fffffffffffffffe0000000000000001", 0);
        // 2^64 * (2^64 + 1)
        assert!(mul(&x"010000000000000000", &x"010000000000000001") == x"0100000000000000010000000000000000", 1);
    }

    #[test]
    fun comparisons() {
        assert!(compare(&x"01", &x"02") == LESS, 0);
        assert!(compare(&x"0100", &x"ff") == GREATER, 1);
        assert!(compare(&x"abcd", &x"abcd") == EQUAL, 2);
        assert!(less(&x"abcc", &x"abcd"), 3);
        assert!(!less(&x"abcd", &x"abcd"), 4);
        assert!(is_canonical(&x"01"), 5);
        assert!(!is_canonical(&x"0001"), 6);
        assert!(!is_canonical(&x""), 7);
        assert!(is_one(&x"01") && !is_one(&x"0001") && !is_one(&x"02"), 8);
        assert!(bit_length(&x"01") == 1 && bit_length(&x"80") == 8 && bit_length(&x"0100") == 9, 9);
        assert!(bit_length(&x"") == 0, 10);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = Self)]
    fun operand_too_long() {
        let a = vector[];
        let i = 0;
        while (i <= MAX_BYTES) {
            a.push_back(1u8);
            i += 1;
        };
        mul(&a, &x"02");
    }

    #[test]
    fun overlong_x_is_not_a_product() {
        let x = vector[];
        let i = 0;
        while (i <= MAX_BYTES) {
            x.push_back(1u8);
            i += 1;
        };
        assert!(!is_product(&x, &x"02", &x"03"), 0);
    }
}
