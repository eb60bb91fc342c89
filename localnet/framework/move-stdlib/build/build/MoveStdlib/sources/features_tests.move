#[test_only]
module std::features_tests {
    use std::features;

    #[test(fx = @std)]
    fun change_flags(fx: &signer) {
        features::change_feature_flags_for_testing(fx, vector[1, 9, 23, 200], vector[]);
        assert!(features::is_enabled(1) && features::is_enabled(9) && features::is_enabled(23), 0);
        assert!(features::is_enabled(200) && !features::is_enabled(201), 1);
        features::change_feature_flags_for_testing(fx, vector[17], vector[9]);
        assert!(!features::is_enabled(9) && features::is_enabled(17), 2);
        assert!(features::code_dependency_check_enabled(), 3);
        features::change_feature_flags_for_testing(fx, vector[], vector[91]);
        assert!(!features::is_default_account_resource_enabled(), 4);
        features::change_feature_flags_for_testing(fx, vector[91], vector[]);
        assert!(features::is_default_account_resource_enabled(), 5);
        assert!(features::get_blake2b_256_feature() == 8, 6);
        assert!(features::aggregator_v2_api_enabled(), 7);
    }

    #[test(fx = @std)]
    fun next_epoch(fx: &signer) {
        features::change_feature_flags_for_testing(fx, vector[], vector[40]);
        features::change_feature_flags_for_next_epoch(fx, vector[40], vector[]);
        assert!(!features::is_enabled(40), 0);
        features::on_new_epoch(fx);
        assert!(features::is_enabled(40), 1);
    }

    #[test(other = @0xcafe)]
    #[expected_failure(abort_code = 0x50001, location = std::features)]
    fun needs_framework(other: &signer) {
        features::change_feature_flags_for_testing(other, vector[1], vector[]);
    }

    #[test(fx = @std)]
    #[expected_failure(abort_code = 0x30002, location = std::features)]
    fun old_api_disabled(fx: &signer) {
        features::change_feature_flags(fx, vector[1], vector[]);
    }
}
