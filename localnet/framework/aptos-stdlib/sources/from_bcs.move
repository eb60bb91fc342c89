/// Decoding BCS bytes into values of primitive types. Bytes that do not
/// decode exactly, and any type holding a signer, abort in the native with
/// 0x10001 (invalid_argument(EFROM_BYTES)) located here.
module aptos_std::from_bcs {
    use std::string::{Self, String};

    /// The bytes decode to a string that is not UTF-8.
    const EINVALID_UTF8: u64 = 0x1;

    friend aptos_std::any;
    friend aptos_std::copyable_any;

    public fun to_bool(v: vector<u8>): bool { from_bytes<bool>(v) }
    public fun to_u8(v: vector<u8>): u8 { from_bytes<u8>(v) }
    public fun to_u16(v: vector<u8>): u16 { from_bytes<u16>(v) }
    public fun to_u32(v: vector<u8>): u32 { from_bytes<u32>(v) }
    public fun to_u64(v: vector<u8>): u64 { from_bytes<u64>(v) }
    public fun to_u128(v: vector<u8>): u128 { from_bytes<u128>(v) }
    public fun to_u256(v: vector<u8>): u256 { from_bytes<u256>(v) }
    public fun to_address(v: vector<u8>): address { from_bytes<address>(v) }
    public fun to_bytes(v: vector<u8>): vector<u8> { from_bytes<vector<u8>>(v) }

    public fun to_string(v: vector<u8>): String {
        let s = from_bytes<String>(v);
        assert!(string::internal_check_utf8(string::bytes(&s)), EINVALID_UTF8);
        s
    }

    /// Decodes `bytes` as a value of T; the bytes must be consumed exactly.
    native friend fun from_bytes<T>(bytes: vector<u8>): T;

    #[test_only]
    use std::bcs;

    #[test_only]
    struct HoldsSigner has drop { s: signer }

    #[test(s = @0x123)]
    #[expected_failure(abort_code = 0x10001, location = Self)]
    fun signer_is_never_decoded(s: signer) {
        from_bytes<signer>(bcs::to_bytes(&s));
    }

    #[test(s = @0x123)]
    #[expected_failure(abort_code = 0x10001, location = Self)]
    fun signer_inside_a_vector_is_never_decoded(s: signer) {
        from_bytes<vector<signer>>(bcs::to_bytes(&vector[s]));
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = Self)]
    fun signer_inside_a_struct_is_never_decoded() {
        from_bytes<HoldsSigner>(bcs::to_bytes(&@0x123));
    }
}
