#[test_only]
module aptos_framework::managed_coin_native_tests {
    use std::option;
    use std::signer;
    use aptos_framework::coin;
    use aptos_framework::managed_coin;

    struct FakeMoney {}

    #[test(fx = @aptos_framework, source = @0xa11ce, destination = @0xb0b)]
    fun end_to_end(fx: &signer, source: &signer, destination: &signer) {
        coin::create_coin_conversion_map(fx);
        managed_coin::initialize<FakeMoney>(fx, b"Fake Money", b"FMD", 10, true);
        managed_coin::register<FakeMoney>(source);
        managed_coin::mint<FakeMoney>(fx, @0xa11ce, 50);
        managed_coin::mint<FakeMoney>(fx, @0xb0b, 10);
        assert!(coin::balance<FakeMoney>(@0xa11ce) == 50 && coin::balance<FakeMoney>(@0xb0b) == 10, 0);
        assert!(coin::supply<FakeMoney>() == option::some(60), 1);
        coin::transfer<FakeMoney>(source, @0xb0b, 10);
        coin::transfer<FakeMoney>(destination, signer::address_of(fx), 20);
        managed_coin::burn<FakeMoney>(fx, 20);
        assert!(coin::supply<FakeMoney>() == option::some(40), 2);
        managed_coin::destroy_caps<FakeMoney>(fx);
    }

    #[test(fx = @aptos_framework, other = @0xb0b)]
    #[expected_failure(abort_code = 0x60001, location = aptos_framework::managed_coin)]
    fun mint_without_caps(fx: &signer, other: &signer) {
        coin::create_coin_conversion_map(fx);
        managed_coin::initialize<FakeMoney>(fx, b"Fake Money", b"FMD", 10, true);
        managed_coin::mint<FakeMoney>(other, @0xa11ce, 1);
    }
}
