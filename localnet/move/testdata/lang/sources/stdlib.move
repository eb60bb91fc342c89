/// Standard library natives: signer, bcs, hash, string, option.
module lang::stdlib {
    use std::bcs;
    use std::hash;
    use std::option;
    use std::string::{Self, String};
    use std::signer;

    struct S has drop { a: u64, b: vector<u8>, c: bool }
    struct Empty has drop {}

    #[test(s = @0xabc)]
    fun signers(s: &signer) {
        assert!(signer::address_of(s) == @0xabc, 0);
        assert!(*signer::borrow_address(s) == @0xabc, 1);
    }

    #[test]
    fun bcs_encoding() {
        assert!(bcs::to_bytes(&1u64) == x"0100000000000000", 0);
        assert!(bcs::to_bytes(&true) == x"01", 1);
        assert!(bcs::to_bytes(&@0x1) == x"0000000000000000000000000000000000000000000000000000000000000001", 2);
        assert!(bcs::to_bytes(&vector[1u8, 2]) == x"020102", 3);
        assert!(bcs::to_bytes(&S { a: 2, b: b"x", c: false }) == x"0200000000000000017800", 4);
        assert!(bcs::to_bytes(&Empty {}) == x"00", 5);
        assert!(bcs::to_bytes(&option::some(3u8)) == x"0103", 6);
        assert!(bcs::to_bytes(&string::utf8(b"ab")) == x"026162", 7);
        assert!(bcs::to_bytes(&(1u128 << 64)) == x"00000000000000000100000000000000", 8);
        assert!(bcs::serialized_size(&vector[1u64, 2]) == 17, 9);
        let long = vector[];
        for (i in 0..200) long.push_back((i as u8));
        assert!(bcs::to_bytes(&long).length() == 202, 10);
    }

    #[test]
    fun hashes() {
        assert!(hash::sha2_256(b"abc") == x"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 0);
        assert!(hash::sha3_256(b"abc") == x"3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532", 1);
    }

    #[test]
    fun strings() {
        let s: String = string::utf8(b"hello");
        s.append(string::utf8(b" world"));
        assert!(s.length() == 11, 0);
        assert!(s.sub_string(6, 11) == string::utf8(b"world"), 1);
        assert!(s.index_of(&string::utf8(b"o w")) == 4, 2);
        assert!(s.index_of(&string::utf8(b"zz")) == 11, 3);
        assert!(string::try_utf8(x"ff").is_none(), 4);
        assert!(*string::utf8(b"x").bytes() == b"x", 5);
    }

    #[test]
    #[expected_failure(abort_code = 1, location = std::string)]
    fun invalid_utf8() {
        string::utf8(x"c0");
    }

    #[test]
    #[expected_failure(abort_code = 2, location = std::string)]
    fun bad_substring() {
        string::utf8(b"abc").sub_string(2, 1);
    }

    #[test]
    fun options() {
        let o = option::some(5);
        assert!(o.is_some() && *o.borrow() == 5, 0);
        let v = o.extract();
        assert!(v == 5 && o.is_none(), 1);
        o.fill(6);
        assert!(o.destroy_some() == 6, 2);
        let n = option::none<u64>();
        assert!(n.get_with_default(9) == 9, 3);
        n.destroy_none();
    }

    #[test]
    #[expected_failure(abort_code = 0x40001, location = std::option)]
    fun option_not_set() {
        let o = option::none<u64>();
        o.extract();
    }
}
