#[test_only]
module lang::extra_tests {
    use lang::structs;
    use std::unit_test;
    use std::signer;

    #[test]
    fun from_test_module() {
        let p = structs::new_point(3, 4);
        assert!(p.norm1() == 7, 0);
    }

    #[test]
    fun many_signers() {
        let signers = unit_test::create_signers_for_testing(3);
        assert!(signers.length() == 3, 0);
        let a = signer::address_of(&signers[0]);
        let b = signer::address_of(&signers[1]);
        assert!(a != b, 1);
    }
}
