/// Object ids on chain: the construction of internal/merkle and
/// docs/FORMAT.md, byte for byte.
///
///   leaf = sha256(0x00 || chunk)      chunks of 4096 bytes, the last may be short
///   node = sha256(0x01 || left || right)
///   root = RFC 6962 tree over the leaves (a lone node is promoted)
///   id   = sha256(0x02 || u64be(size) || root)
///
/// A proof for leaf i lists the sibling hashes from the leaf upwards; with the
/// size known the leaf count is known, so the path's shape is fixed and a
/// proof of the wrong length is rejected.
module agi_nostr::merkle {
    use std::bcs;
    use std::hash;

    const LEAF_SIZE: u64 = 4096;
    const HASH_LEN: u64 = 32;

    public fun leaf_size(): u64 { LEAF_SIZE }

    /// Number of leaves of an object of size bytes (an empty object has one).
    public fun leaf_count(size: u64): u64 {
        if (size == 0) 1 else (size - 1) / LEAF_SIZE + 1
    }

    /// Length of leaf index of an object of size bytes (index < leaf_count).
    public fun leaf_len(size: u64, index: u64): u64 {
        let lc = leaf_count(size);
        if (index + 1 < lc) LEAF_SIZE else size - (lc - 1) * LEAF_SIZE
    }

    public fun leaf_hash(chunk: &vector<u8>): vector<u8> {
        let pre = vector[0u8];
        pre.append(*chunk);
        hash::sha2_256(pre)
    }

    public fun node_hash(left: &vector<u8>, right: &vector<u8>): vector<u8> {
        let pre = vector[1u8];
        pre.append(*left);
        pre.append(*right);
        hash::sha2_256(pre)
    }

    public fun id_from_root(size: u64, root: &vector<u8>): vector<u8> {
        let pre = vector[2u8];
        pre.append(u64_be(size));
        pre.append(*root);
        hash::sha2_256(pre)
    }

    /// Big-endian encoding of a u64 (BCS is little-endian).
    public fun u64_be(v: u64): vector<u8> {
        let b = bcs::to_bytes(&v);
        b.reverse();
        b
    }

    /// Walks from a leaf hash to the root. Returns (true, root) when the path
    /// has exactly the shape leaf index of leaf_count leaves needs and every
    /// sibling is 32 bytes; (false, empty) otherwise.
    public fun root_from_path(
        leaf: &vector<u8>, index: u64, leaf_count: u64, siblings: &vector<vector<u8>>
    ): (bool, vector<u8>) {
        if (leaf_count == 0 || index >= leaf_count || leaf.length() != HASH_LEN) return (false, vector[]);
        let acc = *leaf;
        let used = 0;
        let n = siblings.length();
        let width = leaf_count;
        while (width > 1) {
            if (index % 2 == 1) {
                if (used == n || siblings[used].length() != HASH_LEN) return (false, vector[]);
                acc = node_hash(&siblings[used], &acc);
                used += 1;
            } else if (index + 1 < width) {
                if (used == n || siblings[used].length() != HASH_LEN) return (false, vector[]);
                acc = node_hash(&acc, &siblings[used]);
                used += 1;
            };
            index /= 2;
            width = (width + 1) / 2;
        };
        if (used != n) return (false, vector[]);
        (true, acc)
    }

    /// Whether leaf_hash is leaf index of the object id of size bytes.
    public fun verify_leaf_hash(
        id: &vector<u8>, size: u64, index: u64, leaf_hash: &vector<u8>, siblings: &vector<vector<u8>>
    ): bool {
        let (ok, root) = root_from_path(leaf_hash, index, leaf_count(size), siblings);
        ok && id_from_root(size, &root) == *id
    }

    /// Whether chunk is leaf index of the object id of size bytes: the chunk
    /// must also have the exact length of that leaf.
    public fun verify_chunk(
        id: &vector<u8>, size: u64, index: u64, chunk: &vector<u8>, siblings: &vector<vector<u8>>
    ): bool {
        if (index >= leaf_count(size) || chunk.length() != leaf_len(size, index)) return false;
        verify_leaf_hash(id, size, index, &leaf_hash(chunk), siblings)
    }

    #[test]
    fun empty_object() {
        // docs/FORMAT.md: the empty object's id.
        let root = leaf_hash(&vector[]);
        assert!(id_from_root(0, &root) == x"c0e50f0d90d6e2fea1e6f53d4f758ed5fc9035a399a8eb215c29c6ff3ea05425", 0);
        assert!(verify_chunk(&id_from_root(0, &root), 0, 0, &vector[], &vector[]), 1);
    }

    #[test]
    fun abc() {
        let id = x"5c170547d40533fb44a0c4874b2977285d519c9e8129f7733c364d97cf2cabd6";
        assert!(verify_chunk(&id, 3, 0, &b"abc", &vector[]), 0);
        assert!(!verify_chunk(&id, 3, 0, &b"abd", &vector[]), 1);
        assert!(!verify_chunk(&id, 4, 0, &b"abc", &vector[]), 2);
        assert!(!verify_chunk(&id, 3, 1, &b"abc", &vector[]), 3);
        // A proof with an extra sibling is rejected even for a single leaf.
        assert!(!verify_chunk(&id, 3, 0, &b"abc", &vector[leaf_hash(&b"abc")]), 4);
    }

    #[test]
    fun shapes() {
        assert!(leaf_count(0) == 1 && leaf_count(1) == 1 && leaf_count(4096) == 1 && leaf_count(4097) == 2, 0);
        assert!(leaf_len(4097, 0) == 4096 && leaf_len(4097, 1) == 1 && leaf_len(0, 0) == 0, 1);
        assert!(u64_be(0x0102030405060708) == x"0102030405060708", 2);
        // Three leaves: the third is promoted past the first level.
        let (a, b, c) = (leaf_hash(&b"a"), leaf_hash(&b"b"), leaf_hash(&b"c"));
        let root = node_hash(&node_hash(&a, &b), &c);
        let (ok, r) = root_from_path(&c, 2, 3, &vector[node_hash(&a, &b)]);
        assert!(ok && r == root, 3);
        let (ok, r) = root_from_path(&b, 1, 3, &vector[a, c]);
        assert!(ok && r == root, 4);
        let (ok, _) = root_from_path(&b, 1, 3, &vector[a]);
        assert!(!ok, 5);
        let (ok, _) = root_from_path(&b, 1, 3, &vector[a, x"00"]);
        assert!(!ok, 6);
        let (ok, _) = root_from_path(&b, 3, 3, &vector[a, c]);
        assert!(!ok, 7);
        let (ok, _) = root_from_path(&x"00", 0, 1, &vector[]);
        assert!(!ok, 8);
    }
}
