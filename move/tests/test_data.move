#[test_only]
/// Test inputs shared by the package's tests: docs/FORMAT.md's pattern(n)
/// (byte i is (7*i + 3) mod 251) and a whole-object Merkle id.
module agi_nostr::test_data {
    use agi_nostr::merkle;

    const PERIOD: u64 = 251;

    /// Bytes [start, end) of the pattern. The pattern repeats every 251 bytes,
    /// so a range is built from copies of one period rather than byte by byte.
    public fun pattern_range(start: u64, end: u64): vector<u8> {
        let period = vector[];
        let i = 0;
        while (i < PERIOD) {
            period.push_back((((7 * i + 3) % PERIOD) as u8));
            i += 1;
        };
        let out = vector[];
        let pos = start;
        while (pos < end) {
            let off = pos % PERIOD;
            let piece = period;
            let piece = piece.trim(off);
            let take = end - pos;
            if (take < piece.length()) {
                let _ = piece.trim(take);
            };
            pos += piece.length();
            out.append(piece);
        };
        out
    }

    public fun pattern(n: u64): vector<u8> { pattern_range(0, n) }

    /// Leaf index of pattern(size).
    public fun pattern_leaf(size: u64, index: u64): vector<u8> {
        let start = index * merkle::leaf_size();
        pattern_range(start, start + merkle::leaf_len(size, index))
    }

    /// The object id of data, from the whole tree (level by level, a lone node
    /// promoted), independent of the proof-walking code under test.
    public fun object_id(data: &vector<u8>): vector<u8> {
        let size = data.length();
        let rest = *data;
        let leaves = vector[];
        let n = merkle::leaf_count(size);
        while (n > 0) {
            n -= 1;
            leaves.push_back(merkle::leaf_hash(&rest.trim(n * merkle::leaf_size())));
        };
        leaves.reverse();
        root_id(size, leaves)
    }

    /// The id of pattern(size), leaf by leaf: each leaf's hash input
    /// (0x00 || chunk) is generated in place, so no object-sized buffer is
    /// built or cut.
    public fun pattern_id(size: u64): vector<u8> {
        let leaves = vector[];
        let n = merkle::leaf_count(size);
        let i = 0;
        while (i < n) {
            let start = i * merkle::leaf_size();
            let pre = vector[0u8];
            pre.append(pattern_range(start, start + merkle::leaf_len(size, i)));
            leaves.push_back(std::hash::sha2_256(pre));
            i += 1;
        };
        root_id(size, leaves)
    }

    fun root_id(size: u64, leaves: vector<vector<u8>>): vector<u8> {
        while (leaves.length() > 1) {
            let next = vector[];
            let i = 0;
            let w = leaves.length();
            while (i + 1 < w) {
                next.push_back(merkle::node_hash(&leaves[i], &leaves[i + 1]));
                i += 2;
            };
            if (w % 2 == 1) next.push_back(leaves[w - 1]);
            leaves = next;
        };
        merkle::id_from_root(size, &leaves[0])
    }

    #[test]
    fun pattern_bytes() {
        let p = pattern(600);
        assert!(p.length() == 600, 0);
        let i = 0;
        while (i < 600) {
            assert!((p[i] as u64) == (7 * i + 3) % 251, 1);
            i += 1;
        };
        assert!(pattern_range(250, 253) == x"f7030a", 2);
        assert!(pattern_range(5, 5) == vector[], 3);
        // The two ways of computing an id agree.
        assert!(pattern_id(5000) == object_id(&pattern(5000)), 4);
    }
}
