package delivery

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
)

// moveVectors renders the vectors as a Move test module: one #[test] per
// vector so that each stays well inside a unit test's instruction budget and
// a failure names the vector.
func moveVectors(t *testing.T, v *vectorFile) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString(`// Code generated from internal/delivery/testdata/vectors.json by
// "go test ./internal/delivery -run TestVectors -update". DO NOT EDIT.
// The Go suite checks the same file, so both implementations agree on every
// value below.
#[test_only]
module agi_nostr::vectors_tests {
    use agi_nostr::bigint;
    use agi_nostr::delivery;
    use agi_nostr::merkle;
    use agi_nostr::test_data;

    fun check_product(a: vector<u8>, b: vector<u8>, x: vector<u8>) {
        assert!(bigint::mul(&a, &b) == x, 1);
        assert!(bigint::mul(&b, &a) == x, 2);
        assert!(bigint::is_product(&x, &a, &b), 3);
        let off_by_one = x;
        let last = off_by_one.length() - 1;
        off_by_one[last] ^= 1;
        assert!(!bigint::is_product(&off_by_one, &a, &b), 4);
    }

    fun check_key(order_id: u64, p1: vector<u8>, p2: vector<u8>, x: vector<u8>, key: vector<u8>) {
        assert!(delivery::derive_key(order_id, &p1, &p2) == key, 1);
        assert!(bigint::is_product(&x, &p1, &p2), 2);
        assert!(bigint::less(&p1, &p2), 3);
        assert!(delivery::derive_key(order_id ^ 1, &p1, &p2) != key, 4);
    }

    fun check_encrypt(key: vector<u8>, leaf: u64, plain_len: u64, cipher: vector<u8>) {
        let plain = test_data::pattern(plain_len);
        assert!(delivery::xor_leaf(&key, leaf, &plain) == cipher, 1);
    }

    fun check_decrypt(key: vector<u8>, leaf: u64, plain_len: u64, cipher: vector<u8>) {
        let plain = test_data::pattern(plain_len);
        assert!(delivery::decrypted_leaf_hash(&key, leaf, &cipher) == merkle::leaf_hash(&plain), 1);
        if (plain_len < 200) assert!(delivery::xor_leaf(&key, leaf, &cipher) == plain, 2);
    }

    fun check_proof(size: u64, abc: bool, id: vector<u8>, index: u64, siblings: vector<vector<u8>>) {
        let chunk = if (abc) b"abc" else test_data::pattern_leaf(size, index);
        assert!(merkle::verify_chunk(&id, size, index, &chunk, &siblings), 1);
        assert!(merkle::verify_leaf_hash(&id, size, index, &merkle::leaf_hash(&chunk), &siblings), 2);
        // The same proof must fail for a neighbouring index, a changed byte and
        // another size.
        assert!(!merkle::verify_chunk(&id, size, index + 1, &chunk, &siblings), 3);
        if (chunk.length() > 0) {
            chunk[0] ^= 1;
            assert!(!merkle::verify_chunk(&id, size, index, &chunk, &siblings), 4);
            chunk[0] ^= 1;
        };
        assert!(!merkle::verify_leaf_hash(&id, size + 1, index, &merkle::leaf_hash(&chunk), &siblings), 5);
    }

`)
	for i, p := range v.Products {
		fmt.Fprintf(&b, "    #[test]\n    fun product_%d() {\n        check_product(%s, %s, %s);\n    }\n\n", i, mhex(p.A), mhex(p.B), mhex(p.X))
	}
	for i, k := range v.Keys {
		fmt.Fprintf(&b, "    #[test]\n    fun key_%d() {\n        check_key(%d, %s, %s, %s, %s);\n    }\n\n", i, k.OrderID, mhex(k.P1), mhex(k.P2), mhex(k.X), mhex(k.Key))
	}
	for i, s := range v.Keystream {
		fmt.Fprintf(&b, "    #[test]\n    fun keystream_%d() {\n        assert!(delivery::keystream_block(&%s, %d, %d) == %s, 1);\n    }\n\n", i, mhex(s.Key), s.Leaf, s.Block, mhex(s.Out))
	}
	for i, l := range v.Leaves {
		fmt.Fprintf(&b, "    #[test]\n    fun leaf_%d_encrypt() {\n        check_encrypt(%s, %d, %d, %s);\n    }\n\n", i, mhex(l.Key), l.Leaf, l.PlainLen, mhex(l.Cipher))
		fmt.Fprintf(&b, "    #[test]\n    fun leaf_%d_decrypt() {\n        check_decrypt(%s, %d, %d, %s);\n    }\n\n", i, mhex(l.Key), l.Leaf, l.PlainLen, mhex(l.Cipher))
	}
	for _, m := range v.Merkle {
		// Whole-object ids for objects of up to three leaves, which a test
		// builds well within its instruction budget; the larger ones are
		// covered by proofs of their first, inner and last leaves.
		if m.Size <= 3*LeafSize {
			id := fmt.Sprintf("test_data::pattern_id(%d)", m.Size)
			if m.ABC {
				id = `test_data::object_id(&b"abc")`
			}
			fmt.Fprintf(&b, "    #[test]\n    fun merkle_id_%d() {\n        assert!(%s == %s, 1);\n    }\n\n", m.Size, id, mhex(m.ID))
		}
		for _, p := range m.Proofs {
			fmt.Fprintf(&b, "    #[test]\n    fun merkle_proof_%d_%d() {\n        check_proof(%d, %t, %s, %d, %s);\n    }\n\n",
				m.Size, p.Index, m.Size, m.ABC, mhex(m.ID), p.Index, mhexList(p.Siblings))
		}
	}
	for i, d := range v.Disputes {
		fmt.Fprintf(&b, "    #[test]\n    /// %s\n    fun dispute_%d() {\n", d.Name, i)
		fmt.Fprintf(&b, "        let outcome = delivery::check_dispute(\n            &%s,\n            &%s,\n            %d,\n            &%s,\n            %d,\n            &%s,\n            &%s,\n            &%s,\n            &%s,\n        );\n",
			mhex(d.ObjectID), mhex(d.CipherID), d.Size, mhex(d.Key), d.Index, mhex(d.CipherChunk), mhexList(d.CipherPath), mhex(d.PlainLeaf), mhexList(d.PlainPath))
		fmt.Fprintf(&b, "        assert!(outcome == delivery::%s(), (outcome as u64));\n    }\n\n", moveOutcome(t, d.Expect))
	}
	out := strings.TrimRight(b.String(), "\n") + "\n}\n"
	return []byte(out)
}

func mhex(b []byte) string { return `x"` + hex.EncodeToString(b) + `"` }

func mhexList(hs []hexBytes) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = mhex(h)
	}
	return "vector[" + strings.Join(parts, ", ") + "]"
}

func moveOutcome(t *testing.T, expect string) string {
	switch expect {
	case "valid":
		return "dispute_valid"
	case "delivery_correct", "bad_cipher_proof", "bad_plain_proof":
		return expect
	}
	t.Fatalf("unknown dispute outcome %q", expect)
	return ""
}

// moveVectorData renders the inputs the market tests replay: the pairs of
// the "market" section and every dispute vector, as functions of a test-only
// module.
func moveVectorData(t *testing.T, v *vectorFile) []byte {
	t.Helper()
	var b bytes.Buffer
	m := v.Market
	fmt.Fprintf(&b, `// Code generated from internal/delivery/testdata/vectors.json by
// "go test ./internal/delivery -run TestVectors -update". DO NOT EDIT.
#[test_only]
/// Inputs of the market tests, shared with the Go suite.
module agi_nostr::vector_data {
    /// The order the dispute vectors were encrypted for: the first order of a
    /// fresh market.
    public fun dispute_order_id(): u64 { %d }

    /// (p1, p2, x) of the dispute vectors: two 1024-bit primes.
    public fun prime_pair(): (vector<u8>, vector<u8>, vector<u8>) {
        (%s, %s, %s)
    }

    /// (p1, p2, x) with a 1024-bit x: two 512-bit primes.
    public fun small_prime_pair(): (vector<u8>, vector<u8>, vector<u8>) {
        (%s, %s, %s)
    }

    public fun dispute_count(): u64 { %d }

    /// Dispute vector i: (name, object_id, cipher_id, size, key, index,
    /// cipher_chunk, cipher_path, plain_leaf, plain_path, expected outcome
    /// as delivery::check_dispute returns it).
    public fun dispute(i: u64): (
        vector<u8>, vector<u8>, vector<u8>, u64, vector<u8>, u64,
        vector<u8>, vector<vector<u8>>, vector<u8>, vector<vector<u8>>, u8
    ) {
`, m.OrderID, mhex(m.P1), mhex(m.P2), mhex(m.X), mhex(m.SmallP1), mhex(m.SmallP2), mhex(m.SmallX), len(v.Disputes))
	outcomes := map[string]int{"valid": 0, "bad_cipher_proof": 1, "bad_plain_proof": 2, "delivery_correct": 3}
	for i, d := range v.Disputes {
		o, ok := outcomes[d.Expect]
		if !ok {
			t.Fatalf("unknown outcome %q", d.Expect)
		}
		fmt.Fprintf(&b, "        if (i == %d) return (\n            b%q,\n            %s,\n            %s,\n            %d,\n            %s,\n            %d,\n            %s,\n            %s,\n            %s,\n            %s,\n            %d,\n        );\n",
			i, d.Name, mhex(d.ObjectID), mhex(d.CipherID), d.Size, mhex(d.Key), d.Index, mhex(d.CipherChunk), mhexList(d.CipherPath), mhex(d.PlainLeaf), mhexList(d.PlainPath), o)
	}
	b.WriteString("        abort 1\n    }\n}\n")
	return b.Bytes()
}
