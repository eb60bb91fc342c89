#[test_only]
/// Randomness needs natives the reference VM lacks: our interpreter only.
/// The pinned draws are those Aptos's own randomness module gives for the
/// same seed (unit tests run with transaction hash vector[1]; checked by
/// running the mainnet framework's module on this interpreter).
module aptos_framework::randomness_native_tests {
    use std::vector;
    use aptos_framework::event;
    use aptos_framework::randomness::{Self, RandomnessGeneratedEvent};

    #[test(fx = @aptos_framework)]
    fun draws_for_a_fixed_seed(fx: signer) {
        randomness::initialize_for_testing(&fx);
        randomness::set_seed(x"0102030405060708091011121314151617181920212223242526272829303132");
        assert!(randomness::u8_integer() == 169, 0);
        assert!(randomness::u64_integer() == 1019837593049470617, 1);
        assert!(randomness::u256_integer() == 57759293892389577898222352723659698744315371521781560240235969723124601651360, 2);
        assert!(randomness::u64_range(10, 1000) == 338, 3);
        assert!(randomness::u256_range(5, 115792089237316195423570985008687907853269984665640564039457584007913129639935)
            == 52159431534694793917400237748957734276481867271443848269977617280262646398808, 4);
        assert!(randomness::permutation(10) == vector[5, 0, 6, 7, 2, 3, 8, 4, 9, 1], 5);
        assert!(randomness::bytes(40) == x"76a9df0cd6d21b7d48aa83646a6406092e158d9d4cdb540bd7bb58ec92111cae0ef718df4abadc08", 6);
        assert!(vector::length(&event::emitted_events<RandomnessGeneratedEvent>()) == 7, 7);
    }

    #[test(fx = @aptos_framework)]
    fun ranges_and_permutations(fx: signer) {
        randomness::initialize_for_testing(&fx);
        let i = 0;
        while (i < 50) {
            let x = randomness::u8_range(3, 9);
            assert!(x >= 3 && x < 9, 0);
            i += 1;
        };
        assert!(randomness::permutation(0) == vector[], 1);
        assert!(randomness::permutation(1) == vector[0], 2);
        assert!(randomness::bytes(0) == vector[], 3);
        assert!(vector::length(&randomness::bytes(33)) == 33, 4);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x50003, location = aptos_framework::system_addresses)]
    fun only_the_framework_initializes(fx: signer) {
        let _ = fx;
        randomness::initialize(&aptos_framework::account::create_signer_for_test(@0xcafe));
    }
}
