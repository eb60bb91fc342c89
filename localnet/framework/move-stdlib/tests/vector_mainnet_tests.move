#[test_only]
/// Functions added to std::vector after framework release 1.28.
module std::vector_mainnet_tests {
    use std::vector;

    #[test]
    fun last_and_last_mut() {
        assert!(*vector::last(&vector[1, 2, 3]) == 3, 0);
        let w = vector[1, 2, 3];
        *vector::last_mut(&mut w) = 9;
        assert!(w == vector[1, 2, 9], 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun last_of_empty() {
        vector::last(&vector<u64>[]);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun last_mut_of_empty() {
        let v = vector<u64>[];
        vector::last_mut(&mut v);
    }
}

#[test_only]
/// Other std functions added after framework release 1.28.
module std::std_mainnet_tests {
    use std::features;
    use std::string;

    #[test]
    fun string_into_bytes() {
        assert!(string::into_bytes(string::utf8(b"ab")) == b"ab", 0);
    }

    #[test(fx = @std)]
    fun default_account_resource_flag(fx: &signer) {
        features::change_feature_flags_for_testing(fx, vector[91], vector[]);
        assert!(features::is_default_account_resource_enabled(), 0);
        features::change_feature_flags_for_testing(fx, vector[], vector[91]);
        assert!(!features::is_default_account_resource_enabled(), 1);
    }
}
