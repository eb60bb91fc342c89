#[test_only]
/// Fungible assets emit module events and use aggregators: our interpreter only.
module aptos_framework::fungible_asset_native_tests {
    use std::option;
    use std::string::utf8;
    use std::vector;
    use aptos_framework::event;
    use aptos_framework::fungible_asset::{Self, BurnRef, Metadata, MintRef, TransferRef};
    use aptos_framework::object::{Self, Object};
    use aptos_framework::primary_fungible_store;

    struct Holder has key {}

    fun create(creator: &signer, max: option::Option<u128>): (MintRef, TransferRef, BurnRef, Object<Metadata>) {
        let cref = object::create_named_object(creator, b"TOKEN");
        primary_fungible_store::create_primary_store_enabled_fungible_asset(
            &cref, max, utf8(b"Token"), utf8(b"TOK"), 6, utf8(b"http://icon"), utf8(b"http://project")
        );
        (
            fungible_asset::generate_mint_ref(&cref),
            fungible_asset::generate_transfer_ref(&cref),
            fungible_asset::generate_burn_ref(&cref),
            object::object_from_constructor_ref<Metadata>(&cref)
        )
    }

    #[test(creator = @0xcafe, alice = @0xa11ce, bob = @0xb0b)]
    fun primary_store_flow(creator: &signer, alice: &signer, bob: &signer) {
        let (mint, transfer, burn, meta) = create(creator, option::some(1000));
        assert!(fungible_asset::name(meta) == utf8(b"Token") && fungible_asset::symbol(meta) == utf8(b"TOK"), 0);
        assert!(fungible_asset::decimals(meta) == 6 && fungible_asset::icon_uri(meta) == utf8(b"http://icon"), 1);
        assert!(fungible_asset::project_uri(meta) == utf8(b"http://project"), 2);
        assert!(fungible_asset::supply(meta) == option::some(0) && fungible_asset::maximum(meta) == option::some(1000), 3);
        assert!(primary_fungible_store::balance(@0xa11ce, meta) == 0, 4);
        assert!(!primary_fungible_store::primary_store_exists(@0xa11ce, meta), 5);

        primary_fungible_store::mint(&mint, @0xa11ce, 300);
        assert!(primary_fungible_store::balance(@0xa11ce, meta) == 300, 6);
        assert!(fungible_asset::supply(meta) == option::some(300), 7);
        let store = primary_fungible_store::primary_store(@0xa11ce, meta);
        assert!(object::object_address(&store) == primary_fungible_store::primary_store_address(@0xa11ce, meta), 8);
        assert!(object::object_address(&store) == object::create_user_derived_object_address(@0xa11ce, object::object_address(&meta)), 9);
        assert!(object::owner(store) == @0xa11ce && !object::ungated_transfer_allowed(store), 10);
        assert!(fungible_asset::store_metadata(store) == meta && fungible_asset::balance(store) == 300, 11);

        primary_fungible_store::transfer(alice, meta, @0xb0b, 100);
        assert!(primary_fungible_store::balance(@0xa11ce, meta) == 200, 12);
        assert!(primary_fungible_store::balance(@0xb0b, meta) == 100, 13);
        assert!(primary_fungible_store::is_balance_at_least(@0xb0b, meta, 100), 14);
        assert!(!primary_fungible_store::is_balance_at_least(@0xb0b, meta, 101), 15);
        assert!(vector::length(&event::emitted_events<fungible_asset::Deposit>()) == 2, 16);
        assert!(vector::length(&event::emitted_events<fungible_asset::Withdraw>()) == 1, 17);
        assert!(vector::length(&event::emitted_events<fungible_asset::Creation>()) == 1, 18);

        let fa = primary_fungible_store::withdraw(bob, meta, 40);
        let part = fungible_asset::extract(&mut fa, 10);
        assert!(fungible_asset::amount(&fa) == 30 && fungible_asset::amount(&part) == 10, 19);
        fungible_asset::merge(&mut fa, part);
        assert!(fungible_asset::asset_metadata(&fa) == meta, 20);
        primary_fungible_store::deposit(@0xa11ce, fa);
        assert!(primary_fungible_store::balance(@0xa11ce, meta) == 240, 21);
        fungible_asset::destroy_zero(fungible_asset::zero(meta));

        primary_fungible_store::burn(&burn, @0xb0b, 60);
        assert!(fungible_asset::supply(meta) == option::some(240), 22);
        assert!(primary_fungible_store::balance(@0xb0b, meta) == 0, 23);

        primary_fungible_store::set_frozen_flag(&transfer, @0xa11ce, true);
        assert!(primary_fungible_store::is_frozen(@0xa11ce, meta), 24);
        primary_fungible_store::transfer_with_ref(&transfer, @0xa11ce, @0xb0b, 40);
        assert!(primary_fungible_store::balance(@0xb0b, meta) == 40, 25);
        let fa2 = primary_fungible_store::withdraw_with_ref(&transfer, @0xa11ce, 10);
        primary_fungible_store::deposit_with_ref(&transfer, @0xa11ce, fa2);
        assert!(primary_fungible_store::balance(@0xa11ce, meta) == 200, 26);
        assert!(vector::length(&event::emitted_events<fungible_asset::Frozen>()) == 1, 27);

        let unlimited = object::create_named_object(creator, b"FREE");
        primary_fungible_store::create_primary_store_enabled_fungible_asset(
            &unlimited, option::none(), utf8(b"Free"), utf8(b"F"), 0, utf8(b""), utf8(b"")
        );
        let free_meta = object::object_from_constructor_ref<Metadata>(&unlimited);
        assert!(fungible_asset::maximum(free_meta) == option::none(), 28);
        assert!(fungible_asset::supply(free_meta) == option::some(0), 29);
    }

    #[test(creator = @0xcafe, owner = @0xa11ce)]
    fun secondary_store(creator: &signer, owner: &signer) {
        let (mint, _t, _b, meta) = create(creator, option::none());
        let cref = object::create_object(@0xa11ce);
        let store = fungible_asset::create_store(&cref, meta);
        fungible_asset::mint_to(&mint, store, 5);
        assert!(fungible_asset::balance(store) == 5 && fungible_asset::store_exists(object::object_address(&store)), 0);
        let fa = fungible_asset::withdraw(owner, store, 5);
        primary_fungible_store::deposit(@0xa11ce, fa);
        fungible_asset::remove_store(&object::generate_delete_ref(&cref));
        assert!(!fungible_asset::store_exists(object::object_address(&store)), 1);
    }

    #[test(creator = @0xcafe, alice = @0xa11ce)]
    fun mutate_metadata(creator: &signer, alice: &signer) {
        let cref = object::create_named_object(creator, b"M");
        primary_fungible_store::create_primary_store_enabled_fungible_asset(
            &cref, option::none(), utf8(b"A"), utf8(b"A"), 1, utf8(b""), utf8(b"")
        );
        let r = fungible_asset::generate_mutate_metadata_ref(&cref);
        fungible_asset::mutate_metadata(&r, option::some(utf8(b"B")), option::none(), option::some(9), option::none(), option::none());
        let meta = fungible_asset::object_from_metadata_ref(&r);
        assert!(fungible_asset::name(meta) == utf8(b"B") && fungible_asset::symbol(meta) == utf8(b"A"), 0);
        assert!(fungible_asset::decimals(meta) == 9, 1);
        let _ = alice;
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x20005, location = aptos_framework::fungible_asset)]
    fun max_supply_exceeded(creator: &signer) {
        let (mint, _t, _b, _m) = create(creator, option::some(1000));
        primary_fungible_store::mint(&mint, @0xa11ce, 1001);
    }

    #[test(creator = @0xcafe, alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x10004, location = aptos_framework::fungible_asset)]
    fun insufficient_balance(creator: &signer, alice: &signer) {
        let (mint, _t, _b, meta) = create(creator, option::none());
        primary_fungible_store::mint(&mint, @0xa11ce, 10);
        primary_fungible_store::transfer(alice, meta, @0xb0b, 11);
    }

    #[test(creator = @0xcafe, alice = @0xa11ce)]
    #[expected_failure(abort_code = 0x50003, location = aptos_framework::fungible_asset)]
    fun frozen_withdraw(creator: &signer, alice: &signer) {
        let (mint, transfer, _b, meta) = create(creator, option::none());
        primary_fungible_store::mint(&mint, @0xa11ce, 10);
        primary_fungible_store::set_frozen_flag(&transfer, @0xa11ce, true);
        primary_fungible_store::transfer(alice, meta, @0xb0b, 1);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x50003, location = aptos_framework::fungible_asset)]
    fun frozen_deposit(creator: &signer) {
        let (mint, transfer, _b, _meta) = create(creator, option::none());
        primary_fungible_store::set_frozen_flag(&transfer, @0xb0b, true);
        primary_fungible_store::mint(&mint, @0xb0b, 1);
    }

    #[test(creator = @0xcafe, bob = @0xb0b)]
    #[expected_failure(abort_code = 0x50008, location = aptos_framework::fungible_asset)]
    fun withdraw_from_someone_elses_store(creator: &signer, bob: &signer) {
        let (mint, _t, _b, meta) = create(creator, option::none());
        primary_fungible_store::mint(&mint, @0xa11ce, 10);
        let fa = fungible_asset::withdraw(bob, primary_fungible_store::primary_store(@0xa11ce, meta), 1);
        primary_fungible_store::deposit(@0xb0b, fa);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x1000C, location = aptos_framework::fungible_asset)]
    fun destroy_non_zero(creator: &signer) {
        let (mint, _t, _b, _meta) = create(creator, option::none());
        fungible_asset::destroy_zero(fungible_asset::mint(&mint, 1));
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x10006, location = aptos_framework::fungible_asset)]
    fun merge_different_assets(creator: &signer) {
        let (mint, _t, _b, _meta) = create(creator, option::none());
        let other = object::create_named_object(creator, b"OTHER");
        primary_fungible_store::create_primary_store_enabled_fungible_asset(
            &other, option::none(), utf8(b"O"), utf8(b"O"), 0, utf8(b""), utf8(b"")
        );
        let a = fungible_asset::mint(&mint, 1);
        let b = fungible_asset::mint(&fungible_asset::generate_mint_ref(&other), 1);
        fungible_asset::merge(&mut a, b);
        primary_fungible_store::deposit(@0xa11ce, a);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x10012, location = aptos_framework::fungible_asset)]
    fun deletable_metadata(creator: &signer) {
        let cref = object::create_object(@0xcafe);
        primary_fungible_store::create_primary_store_enabled_fungible_asset(
            &cref, option::none(), utf8(b"X"), utf8(b"X"), 0, utf8(b""), utf8(b"")
        );
        let _ = creator;
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x2000F, location = aptos_framework::fungible_asset)]
    fun name_too_long(creator: &signer) {
        let cref = object::create_named_object(creator, b"L");
        primary_fungible_store::create_primary_store_enabled_fungible_asset(
            &cref, option::none(), utf8(b"0123456789012345678901234567890123"), utf8(b"X"), 0, utf8(b""), utf8(b"")
        );
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x60002, location = aptos_framework::object)]
    fun burn_without_store(creator: &signer) {
        let (_m, _t, burn, _meta) = create(creator, option::none());
        primary_fungible_store::burn(&burn, @0xb0b, 1);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x60017, location = aptos_framework::fungible_asset)]
    fun balance_of_non_store(creator: &signer) {
        let (_m, _t, _b, meta) = create(creator, option::none());
        fungible_asset::balance(meta);
    }
}
