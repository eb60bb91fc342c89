/// Decoding BCS bytes into values of primitive types. Malformed bytes abort
/// in the native (status NFE_BCS_SERIALIZATION_FAILURE, code 0x1C5).
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
}
