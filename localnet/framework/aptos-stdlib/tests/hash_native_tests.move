#[test_only]
/// Hash natives and BCS decoding failures checked on our interpreter only.
module aptos_std::hash_native_tests {
    use aptos_std::aptos_hash;
    use aptos_std::from_bcs;

    #[test]
    fun sha512_ripemd_blake2b() {
        assert!(aptos_hash::sha2_512(b"abc") == x"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", 0);
        assert!(aptos_hash::sha3_512(b"abc") == x"b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0", 1);
        assert!(aptos_hash::ripemd160(b"abc") == x"8eb208f7e05d987a9b044a8e98c6b087f15a0bfc", 2);
        assert!(aptos_hash::blake2b_256(b"abc") == x"bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319", 3);
        assert!(aptos_hash::sha2_512_value(&b"abc") == aptos_hash::sha2_512(x"03616263"), 4);
    }

    #[test]
    fun digests() {
        assert!(aptos_hash::keccak256(b"") == x"c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", 0);
        assert!(aptos_hash::keccak256(b"testing") == x"5f16f4c7f149ac4f9510d9cf8cf384038ad348b3bcdc01915f95de12df9d1b02", 1);
    }

    #[test]
    fun siphash() {
        // SipHash-2-4 with zero keys, computed independently.
        assert!(aptos_hash::sip_hash(b"") == 0x1e924b9d737700d7, 0);
        assert!(aptos_hash::sip_hash(b"abc") == 4596069200710135518, 1);
        assert!(aptos_hash::sip_hash_from_value(&1u64) == 9224715256000962398, 2);
    }

    #[test(fx = @std)]
    #[expected_failure(abort_code = 0x30001, location = aptos_std::aptos_hash)]
    fun blake2b_needs_feature(fx: &signer) {
        std::features::change_feature_flags_for_testing(fx, vector[], vector[8]);
        aptos_hash::blake2b_256(b"");
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::from_bcs)]
    fun from_bcs_trailing_bytes() {
        from_bcs::to_u8(x"0102");
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::from_bcs)]
    fun from_bcs_short_address() {
        from_bcs::to_address(x"01");
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::from_bcs)]
    fun from_bcs_bad_bool() {
        from_bcs::to_bool(x"02");
    }
}
