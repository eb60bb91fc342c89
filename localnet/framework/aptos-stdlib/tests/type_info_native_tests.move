#[test_only]
module aptos_std::type_info_native_tests {
    use aptos_std::type_info;

    struct AtCafe has drop {}

    #[test]
    fun chain_id_in_tests() {
        assert!(type_info::chain_id() == 4, 0);
    }

    #[test(fx = @std)]
    #[expected_failure(abort_code = 0x30001, location = aptos_std::type_info)]
    fun chain_id_needs_feature(fx: &signer) {
        std::features::change_feature_flags_for_testing(fx, vector[], vector[4]);
        type_info::chain_id();
    }

    #[test]
    #[expected_failure(abort_code = 1, location = aptos_std::type_info)]
    fun type_of_primitive() {
        type_info::type_of<u64>();
    }
}
