/// Hash functions beyond std::hash: SipHash, Keccak-256, SHA-2/SHA-3 512,
/// RIPEMD-160 and BLAKE2b-256.
module aptos_std::aptos_hash {
    use std::bcs;
    use std::error;
    use std::features;

    /// The chain has not enabled the native behind this function.
    const E_NATIVE_FUN_NOT_AVAILABLE: u64 = 1;

    /// SipHash-2-4 with zero keys.
    native public fun sip_hash(bytes: vector<u8>): u64;

    public fun sip_hash_from_value<MoveValue>(v: &MoveValue): u64 {
        sip_hash(bcs::to_bytes(v))
    }

    /// Keccak-256 as used by Ethereum (not SHA3-256).
    native public fun keccak256(bytes: vector<u8>): vector<u8>;

    public fun sha2_512(bytes: vector<u8>): vector<u8> {
        if (!features::sha_512_and_ripemd_160_enabled()) {
            abort error::invalid_state(E_NATIVE_FUN_NOT_AVAILABLE)
        };
        sha2_512_internal(bytes)
    }

    public fun sha2_512_value<T>(val: &T): vector<u8> {
        sha2_512(bcs::to_bytes(val))
    }

    public fun sha3_512(bytes: vector<u8>): vector<u8> {
        if (!features::sha_512_and_ripemd_160_enabled()) {
            abort error::invalid_state(E_NATIVE_FUN_NOT_AVAILABLE)
        };
        sha3_512_internal(bytes)
    }

    public fun ripemd160(bytes: vector<u8>): vector<u8> {
        if (!features::sha_512_and_ripemd_160_enabled()) {
            abort error::invalid_state(E_NATIVE_FUN_NOT_AVAILABLE)
        };
        ripemd160_internal(bytes)
    }

    public fun blake2b_256(bytes: vector<u8>): vector<u8> {
        if (!features::blake2b_256_enabled()) {
            abort error::invalid_state(E_NATIVE_FUN_NOT_AVAILABLE)
        };
        blake2b_256_internal(bytes)
    }

    native fun sha2_512_internal(bytes: vector<u8>): vector<u8>;
    native fun sha3_512_internal(bytes: vector<u8>): vector<u8>;
    native fun ripemd160_internal(bytes: vector<u8>): vector<u8>;
    native fun blake2b_256_internal(bytes: vector<u8>): vector<u8>;
}
