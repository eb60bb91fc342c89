#[test_only]
module std::bcs_hash_tests {
    use std::bcs;
    use std::hash;
    use std::option;
    use std::string;

    struct Pair has copy, drop { a: u8, b: vector<u16> }
    struct Empty has drop {}

    #[test]
    fun bcs_encodings() {
        assert!(bcs::to_bytes(&true) == x"01", 0);
        assert!(bcs::to_bytes(&false) == x"00", 1);
        assert!(bcs::to_bytes(&7u8) == x"07", 2);
        assert!(bcs::to_bytes(&0x0102u16) == x"0201", 3);
        assert!(bcs::to_bytes(&0x01020304u32) == x"04030201", 4);
        assert!(bcs::to_bytes(&1u64) == x"0100000000000000", 5);
        assert!(bcs::to_bytes(&1u128) == x"01000000000000000000000000000000", 6);
        assert!(bcs::to_bytes(&1u256) == x"0100000000000000000000000000000000000000000000000000000000000000", 7);
        assert!(bcs::to_bytes(&@0x1) == x"0000000000000000000000000000000000000000000000000000000000000001", 8);
        assert!(bcs::to_bytes(&vector[1u8, 2u8]) == x"020102", 9);
        assert!(bcs::to_bytes(&string::utf8(b"ab")) == x"026162", 10);
        assert!(bcs::to_bytes(&option::some(1u8)) == x"0101", 11);
        assert!(bcs::to_bytes(&option::none<u8>()) == x"00", 12);
        // fields in order: a, then b as length + little-endian u16s
        assert!(bcs::to_bytes(&Pair { a: 9, b: vector[1, 256] }) == x"090201000001", 13);
    }

    #[test]
    fun bcs_sizes() {
        let v = vector<u8>[];
        let i = 0;
        while (i < 200) { std::vector::push_back(&mut v, 0); i = i + 1 };
        // 200 needs a two-byte ULEB128 length prefix
        assert!(bcs::serialized_size(&v) == 202, 0);
        assert!(bcs::serialized_size(&@0xcafe) == 32, 1);
        assert!(bcs::serialized_size(&Empty {}) == 1, 2);
        assert!(bcs::to_bytes(&Empty {}) == x"00", 3);
    }

    #[test]
    fun digests() {
        assert!(hash::sha2_256(b"abc") == x"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 0);
        assert!(hash::sha3_256(b"abc") == x"3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532", 1);
        assert!(hash::sha2_256(b"") == x"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 2);
        assert!(hash::sha3_256(b"") == x"a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", 3);
    }
}
