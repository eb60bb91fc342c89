#[test_only]
module aptos_framework::genesis_native_tests {
    use std::features;
    use std::option;
    use aptos_framework::aptos_account;
    use aptos_framework::aptos_coin::{Self, AptosCoin};
    use aptos_framework::chain_id;
    use aptos_framework::coin;
    use aptos_framework::genesis;
    use aptos_framework::timestamp;

    #[test(fx = @aptos_framework, core = @core_resources)]
    fun localnet_genesis(fx: &signer, core: signer) {
        genesis::initialize_localnet_for_test(fx, &core, 4, vector[1, 91]);
        assert!(chain_id::get() == 4, 0);
        assert!(features::is_enabled(91), 1);
        assert!(timestamp::now_microseconds() == 0, 2);
        // As on Aptos test chains, the core resources account holds the
        // whole initial supply and a mint capability (the faucet).
        assert!(coin::balance<AptosCoin>(@core_resources) == 18446744073709551615, 3);
        assert!(coin::supply<AptosCoin>() == option::some(18446744073709551615), 4);
        assert!(aptos_coin::has_mint_capability(&core), 5);
        aptos_account::transfer(&core, @0xa11ce, 1000);
        assert!(coin::balance<AptosCoin>(@0xa11ce) == 1000, 6);
    }

    #[test(fx = @aptos_framework, core = @core_resources, bob = @0xb0b)]
    fun faucet_delegation(fx: &signer, core: signer, bob: &signer) {
        genesis::initialize_localnet_for_test(fx, &core, 4, vector[]);
        aptos_coin::delegate_mint_capability(core, @0xb0b);
        aptos_coin::claim_mint_capability(bob);
        assert!(aptos_coin::has_mint_capability(bob), 0);
        aptos_coin::mint(bob, @0xca501, 5);
        assert!(coin::balance<AptosCoin>(@0xca501) == 5, 1);
    }

    #[test(fx = @aptos_framework, core = @core_resources)]
    #[expected_failure(abort_code = 0x50003, location = aptos_framework::system_addresses)]
    fun genesis_needs_framework(fx: &signer, core: &signer) {
        let _ = fx;
        genesis::initialize_localnet_for_test(core, core, 4, vector[]);
    }
}
