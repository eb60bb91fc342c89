#[test_only]
module aptos_std::from_bcs_hash_tests {
    use aptos_std::from_bcs;
    use std::bcs;
    use std::string;

    #[test]
    fun from_bcs_round_trips() {
        assert!(from_bcs::to_bool(x"01"), 0);
        assert!(from_bcs::to_u8(x"ff") == 255, 1);
        assert!(from_bcs::to_u16(x"0102") == 0x0201, 2);
        assert!(from_bcs::to_u32(bcs::to_bytes(&7u32)) == 7, 3);
        assert!(from_bcs::to_u64(bcs::to_bytes(&123456789u64)) == 123456789, 4);
        assert!(from_bcs::to_u128(bcs::to_bytes(&(1u128 << 100))) == 1u128 << 100, 5);
        assert!(from_bcs::to_u256(bcs::to_bytes(&(1u256 << 200))) == 1u256 << 200, 6);
        assert!(from_bcs::to_address(bcs::to_bytes(&@0xcafe)) == @0xcafe, 7);
        assert!(from_bcs::to_bytes(x"03010203") == x"010203", 8);
        assert!(from_bcs::to_string(x"026869") == string::utf8(b"hi"), 9);
    }

    #[test]
    #[expected_failure(abort_code = 0x1, location = aptos_std::from_bcs)]
    fun from_bcs_invalid_utf8_string() {
        from_bcs::to_string(x"01ff");
    }
}
