/// The delivery cipher and the dispute check, as internal/delivery computes
/// them off chain (docs/PROTOCOL.md has the construction byte by byte).
///
///   key      = sha256(0x03 || u64be(order_id) || u16be(len p1) || p1 || u16be(len p2) || p2)
///   block j  = sha256(0x04 || key || u64be(leaf) || u32be(j))        one sha256 compression
///   cipher   = chunk XOR (block 0 || block 1 || ...)[..len(chunk)]
///
/// Decryption works 32 bytes at a time: each piece of ciphertext and its
/// keystream block are read as u256 values (from_bcs) and XORed, so a 4096-byte
/// leaf costs 128 hashes and 128 word operations, not 4096 byte operations.
module agi_nostr::delivery {
    use std::bcs;
    use std::hash;
    use aptos_std::from_bcs;
    use agi_nostr::merkle;

    const TAG_KEY: u8 = 3;
    const TAG_STREAM: u8 = 4;
    const BLOCK: u64 = 32;

    /// Outcomes of check_dispute.
    const DISPUTE_VALID: u8 = 0;
    const BAD_CIPHER_PROOF: u8 = 1;
    const BAD_PLAIN_PROOF: u8 = 2;
    const DELIVERY_CORRECT: u8 = 3;

    public fun dispute_valid(): u8 { DISPUTE_VALID }
    public fun bad_cipher_proof(): u8 { BAD_CIPHER_PROOF }
    public fun bad_plain_proof(): u8 { BAD_PLAIN_PROOF }
    public fun delivery_correct(): u8 { DELIVERY_CORRECT }

    /// The delivery key of an order. p1 and p2 are the canonical big-endian
    /// primes, p1 < p2 (the market checks this before deriving); each is at
    /// most 65535 bytes, far above the market's bound.
    public fun derive_key(order_id: u64, p1: &vector<u8>, p2: &vector<u8>): vector<u8> {
        let pre = vector[TAG_KEY];
        pre.append(merkle::u64_be(order_id));
        append_u16_be(&mut pre, p1.length());
        pre.append(*p1);
        append_u16_be(&mut pre, p2.length());
        pre.append(*p2);
        hash::sha2_256(pre)
    }

    /// Keystream block j of a leaf.
    public fun keystream_block(key: &vector<u8>, leaf: u64, block: u32): vector<u8> {
        block_from_prefix(&stream_prefix(key, leaf), block)
    }

    /// Encrypts or decrypts one leaf (the cipher is its own inverse).
    public fun xor_leaf(key: &vector<u8>, leaf: u64, data: &vector<u8>): vector<u8> {
        xor_into(key, leaf, *data, vector[])
    }

    /// sha256(0x00 || decrypted chunk): the leaf hash the chunk decrypts to,
    /// without an intermediate copy.
    public fun decrypted_leaf_hash(key: &vector<u8>, leaf: u64, cipher_chunk: &vector<u8>): vector<u8> {
        hash::sha2_256(xor_into(key, leaf, *cipher_chunk, vector[0u8]))
    }

    /// Judges a dispute. The owner proves leaf index of the ciphertext the
    /// relay committed to (cipher_id), and the object's leaf hash at the same
    /// index (object_id); both objects have size bytes. The dispute is valid
    /// when the ciphertext leaf, decrypted under key, hashes to anything but
    /// the object's leaf hash.
    public fun check_dispute(
        object_id: &vector<u8>,
        cipher_id: &vector<u8>,
        size: u64,
        key: &vector<u8>,
        index: u64,
        cipher_chunk: &vector<u8>,
        cipher_path: &vector<vector<u8>>,
        plain_leaf: &vector<u8>,
        plain_path: &vector<vector<u8>>,
    ): u8 {
        if (!merkle::verify_chunk(cipher_id, size, index, cipher_chunk, cipher_path)) return BAD_CIPHER_PROOF;
        if (!merkle::verify_leaf_hash(object_id, size, index, plain_leaf, plain_path)) return BAD_PLAIN_PROOF;
        if (decrypted_leaf_hash(key, index, cipher_chunk) == *plain_leaf) return DELIVERY_CORRECT;
        DISPUTE_VALID
    }

    /// 0x04 || key || u64be(leaf): the first 41 bytes of every block's input.
    fun stream_prefix(key: &vector<u8>, leaf: u64): vector<u8> {
        let pre = vector[TAG_STREAM];
        pre.append(*key);
        pre.append(merkle::u64_be(leaf));
        pre
    }

    fun block_from_prefix(prefix: &vector<u8>, block: u32): vector<u8> {
        let pre = *prefix;
        pre.push_back(((block >> 24) as u8));
        pre.push_back((((block >> 16) & 0xff) as u8));
        pre.push_back((((block >> 8) & 0xff) as u8));
        pre.push_back(((block & 0xff) as u8));
        hash::sha2_256(pre)
    }

    fun append_u16_be(v: &mut vector<u8>, n: u64) {
        v.push_back((((n >> 8) & 0xff) as u8));
        v.push_back(((n & 0xff) as u8));
    }

    /// Appends data XOR keystream to out and returns out. Works from the last
    /// 32-byte piece to the first (trim takes pieces off the end cheaply), then
    /// appends the pieces in order.
    fun xor_into(key: &vector<u8>, leaf: u64, data: vector<u8>, out: vector<u8>): vector<u8> {
        let n = data.length();
        let prefix = stream_prefix(key, leaf);
        let pieces = vector[];
        let b = (n + BLOCK - 1) / BLOCK;
        while (b > 0) {
            b -= 1;
            let piece = data.trim(b * BLOCK);
            let len = piece.length();
            while (piece.length() < BLOCK) piece.push_back(0);
            let ks = block_from_prefix(&prefix, (b as u32));
            let word = from_bcs::to_u256(piece) ^ from_bcs::to_u256(ks);
            let plain = bcs::to_bytes(&word);
            if (len < BLOCK) {
                let _ = plain.trim(len);
            };
            pieces.push_back(plain);
        };
        while (!pieces.is_empty()) {
            out.append(pieces.pop_back());
        };
        out
    }

    #[test]
    fun keystream_input_layout() {
        // Block j of leaf i hashes exactly 0x04 || key || u64be(i) || u32be(j).
        let key = x"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let pre = vector[4u8];
        pre.append(key);
        pre.append(x"0000000000000005");
        pre.append(x"00000007");
        assert!(pre.length() == 45, 0);
        assert!(keystream_block(&key, 5, 7) == hash::sha2_256(pre), 1);
    }

    #[test]
    fun key_input_layout() {
        let pre = x"03000000000000002a";
        pre.append(x"0001020002017f");
        assert!(derive_key(42, &x"02", &x"017f") == hash::sha2_256(pre), 0);
    }

    #[test]
    fun xor_round_trip_and_lengths() {
        let key = hash::sha2_256(b"k");
        let data = b"the quick brown fox jumps over the lazy dog, twice over: the quick brown fox";
        let c = xor_leaf(&key, 9, &data);
        assert!(c.length() == data.length() && c != data, 0);
        assert!(xor_leaf(&key, 9, &c) == data, 1);
        assert!(xor_leaf(&key, 10, &c) != data, 2);
        assert!(xor_leaf(&key, 0, &vector[]) == vector[], 3);
        // First byte: data[0] XOR block 0 byte 0.
        let ks = keystream_block(&key, 9, 0);
        assert!(c[0] == (data[0] ^ ks[0]), 4);
        // Byte 40 sits in block 1.
        let ks1 = keystream_block(&key, 9, 1);
        assert!(c[40] == (data[40] ^ ks1[8]), 5);
        assert!(decrypted_leaf_hash(&key, 9, &c) == merkle::leaf_hash(&data), 6);
    }
}
