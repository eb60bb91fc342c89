/// SHA-2 and SHA-3 digests (32 bytes) of byte vectors.
module std::hash {
    native public fun sha2_256(data: vector<u8>): vector<u8>;
    native public fun sha3_256(data: vector<u8>): vector<u8>;
}
