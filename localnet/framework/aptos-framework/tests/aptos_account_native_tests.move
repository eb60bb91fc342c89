#[test_only]
/// APT moves through fungible stores (module events, aggregators): our interpreter only.
module aptos_framework::aptos_account_native_tests {
    use std::option;
    use std::signer;
    use aptos_framework::account;
    use aptos_framework::aptos_account;
    use aptos_framework::aptos_coin::{Self, AptosCoin};
    use aptos_framework::coin;
    use aptos_framework::fungible_asset::Metadata;
    use aptos_framework::object;
    use aptos_framework::primary_fungible_store;
    use aptos_framework::resource_account;

    #[test(fx = @aptos_framework, alice = @0xa11ce)]
    fun apt_transfers(fx: &signer, alice: &signer) {
        let (burn, mint) = aptos_coin::initialize_for_test(fx);
        assert!(coin::name<AptosCoin>() == std::string::utf8(b"Aptos Coin") && coin::decimals<AptosCoin>() == 8, 0);
        aptos_account::create_account(@0xa11ce);
        coin::deposit(@0xa11ce, coin::mint(10000, &mint));
        assert!(coin::balance<AptosCoin>(@0xa11ce) == 10000, 1);
        let apt = object::address_to_object<Metadata>(@aptos_fungible_asset);
        assert!(option::destroy_some(coin::paired_metadata<AptosCoin>()) == apt, 2);
        assert!(primary_fungible_store::primary_store_address(@0xa11ce, apt) == @0x8a15d4d5fa379efc57556b795a01552b1cfcce89f427fb4d88cf8b4afaf0f6e1, 3);
        aptos_account::transfer(alice, @0xb0b, 500);
        aptos_account::transfer(alice, @0xca501, 1500);
        assert!(coin::balance<AptosCoin>(@0xb0b) == 500 && coin::balance<AptosCoin>(@0xca501) == 1500, 4);
        assert!(coin::balance<AptosCoin>(@0xa11ce) == 8000, 5);
        aptos_account::batch_transfer(alice, vector[@0xb0b, @0xca501], vector[1, 2]);
        assert!(coin::balance<AptosCoin>(@0xb0b) == 501 && coin::balance<AptosCoin>(@0xca501) == 1502, 6);
        aptos_account::transfer_coins<AptosCoin>(alice, @0xd0d, 7);
        assert!(coin::balance<AptosCoin>(@0xd0d) == 7, 7);
        assert!(coin::supply<AptosCoin>() == option::some(10000), 8);
        // The framework account holds the mint capability.
        aptos_coin::mint(fx, @0xe0e, 99);
        assert!(coin::balance<AptosCoin>(@0xe0e) == 99 && aptos_coin::has_mint_capability(fx), 9);
        aptos_account::transfer_fungible_assets(alice, apt, @0xf0f, 3);
        assert!(primary_fungible_store::balance(@0xf0f, apt) == 3, 10);
        coin::destroy_burn_cap(burn);
        coin::destroy_mint_cap(mint);
    }

    #[test(fx = @aptos_framework, alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x10004, location = aptos_framework::fungible_asset)]
    fun apt_insufficient(fx: &signer, alice: &signer) {
        let (burn, mint) = aptos_coin::initialize_for_test(fx);
        coin::deposit(@0xa11ce, coin::mint(10, &mint));
        aptos_account::transfer(alice, @0xb0b, 11);
        coin::destroy_burn_cap(burn);
        coin::destroy_mint_cap(mint);
    }

    #[test(alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x10005, location = aptos_framework::aptos_account)]
    fun batch_length_mismatch(alice: &signer) {
        aptos_account::batch_transfer(alice, vector[@0xb0b], vector[]);
    }

    #[test]
    #[expected_failure(abort_code = 0x60002, location = aptos_framework::object)]
    fun create_account_needs_apt() {
        aptos_account::create_account(@0xa11ce);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x80001, location = aptos_framework::account)]
    fun create_account_over_existing_resource(fx: &signer) {
        let (burn, mint) = aptos_coin::initialize_for_test(fx);
        account::create_account_for_test(@0xa11ce);
        aptos_account::create_account(@0xa11ce);
        coin::destroy_burn_cap(burn);
        coin::destroy_mint_cap(mint);
    }

    #[test(user = @0xcafe)]
    fun resource_account_capability(user: &signer) {
        resource_account::create_resource_account(user, b"seed", b"");
        let addr = account::create_resource_address(&@0xcafe, b"seed");
        // Until retrieved, the resource account's key is the origin's.
        assert!(account::get_authentication_key(addr) == account::get_authentication_key(@0xcafe), 0);
        let res = account::create_signer_for_test(addr);
        let cap = resource_account::retrieve_resource_account_cap(&res, @0xcafe);
        assert!(account::get_signer_capability_address(&cap) == addr, 1);
        assert!(signer::address_of(&account::create_signer_with_capability(&cap)) == addr, 2);
        assert!(account::get_authentication_key(addr) == x"0000000000000000000000000000000000000000000000000000000000000000", 3);
    }

    #[test(user = @0xcafe)]
    #[expected_failure(abort_code = 0x60001, location = aptos_framework::resource_account)]
    fun retrieve_twice(user: &signer) {
        resource_account::create_resource_account(user, b"seed", b"");
        let res = account::create_signer_for_test(account::create_resource_address(&@0xcafe, b"seed"));
        resource_account::retrieve_resource_account_cap(&res, @0xcafe);
        resource_account::retrieve_resource_account_cap(&res, @0xcafe);
    }

    #[test(user = @0xcafe)]
    #[expected_failure(abort_code = 0x10002, location = aptos_framework::resource_account)]
    fun retrieve_someone_elses(user: &signer) {
        resource_account::create_resource_account(user, b"seed", b"");
        let stranger = account::create_signer_for_test(@0xbad);
        resource_account::retrieve_resource_account_cap(&stranger, @0xcafe);
    }
}
