#[test_only]
/// Coins convert to their paired fungible asset (module events, aggregators):
/// our interpreter only.
module aptos_framework::coin_native_tests {
    use std::option;
    use std::string::utf8;
    use aptos_framework::coin;
    use aptos_framework::object;

    struct MyCoin {}

    fun init(fx: &signer): (coin::BurnCapability<MyCoin>, coin::FreezeCapability<MyCoin>, coin::MintCapability<MyCoin>) {
        coin::create_coin_conversion_map(fx);
        coin::initialize<MyCoin>(fx, utf8(b"My Coin"), utf8(b"MYC"), 6, true)
    }

    #[test(fx = @aptos_framework, alice = @0xa11ce, bob = @0xb0b)]
    fun coin_flow(fx: &signer, alice: &signer, bob: &signer) {
        let (burn, freeze, mint) = init(fx);
        assert!(coin::is_coin_initialized<MyCoin>(), 0);
        assert!(coin::name<MyCoin>() == utf8(b"My Coin") && coin::symbol<MyCoin>() == utf8(b"MYC"), 1);
        assert!(coin::decimals<MyCoin>() == 6, 2);
        assert!(coin::supply<MyCoin>() == option::some(0), 3);
        assert!(option::is_none(&coin::paired_metadata<MyCoin>()), 4);
        coin::register<MyCoin>(alice);
        assert!(coin::is_account_registered<MyCoin>(@0xa11ce), 5);

        let c = coin::mint<MyCoin>(1000, &mint);
        assert!(coin::value(&c) == 1000 && coin::coin_supply<MyCoin>() == option::some(1000), 6);
        coin::deposit(@0xa11ce, c);
        // The paired asset lives at the named object (0xA, type name).
        let meta = option::destroy_some(coin::paired_metadata<MyCoin>());
        assert!(object::object_address(&meta) == @0x4de646b195e8d3a58ce664c7814e5e3fdc3c30d9c0ae313473e4fc9a24ab493e, 7);
        assert!(coin::balance<MyCoin>(@0xa11ce) == 1000, 8);
        assert!(coin::coin_supply<MyCoin>() == option::some(0), 9);
        assert!(coin::supply<MyCoin>() == option::some(1000), 10);
        assert!(coin::is_balance_at_least<MyCoin>(@0xa11ce, 1000) && !coin::is_balance_at_least<MyCoin>(@0xa11ce, 1001), 11);

        coin::transfer<MyCoin>(alice, @0xb0b, 300);
        assert!(coin::balance<MyCoin>(@0xa11ce) == 700 && coin::balance<MyCoin>(@0xb0b) == 300, 12);
        let w = coin::withdraw<MyCoin>(bob, 100);
        assert!(coin::value(&w) == 100 && coin::balance<MyCoin>(@0xb0b) == 200, 13);
        let part = coin::extract(&mut w, 40);
        coin::merge(&mut part, coin::zero<MyCoin>());
        let all = coin::extract_all(&mut w);
        coin::destroy_zero(w);
        assert!(coin::value(&part) == 40 && coin::value(&all) == 60, 14);
        coin::burn(part, &burn);
        coin::deposit(@0xb0b, all);
        assert!(coin::supply<MyCoin>() == option::some(960), 15);
        coin::burn_from<MyCoin>(@0xb0b, 60, &burn);
        assert!(coin::balance<MyCoin>(@0xb0b) == 200 && coin::supply<MyCoin>() == option::some(900), 16);
        assert!(coin::paired_mint_ref_exists<MyCoin>() && coin::paired_burn_ref_exists<MyCoin>(), 17);
        let (mint_ref, receipt) = coin::get_paired_mint_ref(&mint);
        coin::return_paired_mint_ref(mint_ref, receipt);
        assert!(coin::paired_coin(meta) == option::some(aptos_std::type_info::type_of<MyCoin>()), 18);

        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x6001B, location = aptos_framework::coin)]
    fun deposit_without_conversion_map(fx: &signer) {
        let (burn, freeze, mint) = coin::initialize<MyCoin>(fx, utf8(b"C"), utf8(b"C"), 0, false);
        coin::deposit(@0xa11ce, coin::mint(1, &mint));
        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }

    #[test(fx = @aptos_framework, alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x10004, location = aptos_framework::fungible_asset)]
    fun withdraw_too_much(fx: &signer, alice: &signer) {
        let (burn, freeze, mint) = init(fx);
        coin::deposit(@0xa11ce, coin::mint(10, &mint));
        coin::deposit(@0xa11ce, coin::withdraw<MyCoin>(alice, 11));
        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }

    #[test(alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x10001, location = aptos_framework::coin)]
    fun initialize_at_wrong_address(alice: &signer) {
        let (burn, freeze, mint) = coin::initialize<MyCoin>(alice, utf8(b"C"), utf8(b"C"), 0, false);
        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x80002, location = aptos_framework::coin)]
    fun initialize_twice(fx: &signer) {
        let (b1, f1, m1) = init(fx);
        let (b2, f2, m2) = coin::initialize<MyCoin>(fx, utf8(b"C"), utf8(b"C"), 0, false);
        coin::destroy_burn_cap(b1);
        coin::destroy_freeze_cap(f1);
        coin::destroy_mint_cap(m1);
        coin::destroy_burn_cap(b2);
        coin::destroy_freeze_cap(f2);
        coin::destroy_mint_cap(m2);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x10007, location = aptos_framework::coin)]
    fun destroy_non_zero_coin(fx: &signer) {
        let (burn, freeze, mint) = init(fx);
        coin::destroy_zero(coin::mint(1, &mint));
        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x10006, location = aptos_framework::coin)]
    fun extract_too_much(fx: &signer) {
        let (burn, freeze, mint) = init(fx);
        let c = coin::mint(1, &mint);
        let d = coin::extract(&mut c, 2);
        coin::burn(c, &burn);
        coin::burn(d, &burn);
        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }

    #[test(alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x10003, location = aptos_framework::coin)]
    fun register_uninitialized(alice: &signer) {
        coin::register<MyCoin>(alice);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x1000C, location = aptos_framework::coin)]
    fun coin_name_too_long(fx: &signer) {
        let (burn, freeze, mint) = coin::initialize<MyCoin>(fx, utf8(b"0123456789012345678901234567890123"), utf8(b"C"), 0, false);
        coin::destroy_burn_cap(burn);
        coin::destroy_freeze_cap(freeze);
        coin::destroy_mint_cap(mint);
    }
}
