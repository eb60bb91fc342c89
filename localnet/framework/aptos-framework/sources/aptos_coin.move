/// APT, the chain's coin, and the mint capability the faucet uses.
module aptos_framework::aptos_coin {
    use std::error;
    use std::option::{Self, Option};
    use std::signer;
    use std::string;
    use std::vector;
    use aptos_framework::coin::{Self, BurnCapability, MintCapability};
    use aptos_framework::system_addresses;

    friend aptos_framework::genesis;

    /// The account holds no mint capability.
    const ENO_CAPABILITIES: u64 = 1;
    /// A delegation to this address exists already.
    const EALREADY_DELEGATED: u64 = 2;
    /// No delegation to the caller.
    const EDELEGATION_NOT_FOUND: u64 = 3;

    struct AptosCoin has key {}

    struct MintCapStore has key {
        mint_cap: MintCapability<AptosCoin>,
    }

    /// A mint capability offered by the core resources account, to be claimed.
    struct DelegatedMintCapability has store {
        to: address
    }

    struct Delegations has key {
        inner: vector<DelegatedMintCapability>,
    }

    /// Creates APT ("Aptos Coin", 8 decimals, tracked supply) and keeps the
    /// mint capability at @aptos_framework.
    public(friend) fun initialize(aptos_framework: &signer): (BurnCapability<AptosCoin>, MintCapability<AptosCoin>) {
        system_addresses::assert_aptos_framework(aptos_framework);
        let (burn_cap, freeze_cap, mint_cap) = coin::initialize_with_parallelizable_supply<AptosCoin>(
            aptos_framework, string::utf8(b"Aptos Coin"), string::utf8(b"APT"), 8, true,
        );
        move_to(aptos_framework, MintCapStore { mint_cap });
        coin::destroy_freeze_cap(freeze_cap);
        (burn_cap, mint_cap)
    }

    public fun has_mint_capability(account: &signer): bool {
        exists<MintCapStore>(signer::address_of(account))
    }

    public(friend) fun destroy_mint_cap(aptos_framework: &signer) acquires MintCapStore {
        system_addresses::assert_aptos_framework(aptos_framework);
        let MintCapStore { mint_cap } = move_from<MintCapStore>(@aptos_framework);
        coin::destroy_mint_cap(mint_cap);
    }

    /// Test chains: gives core_resources all of the supply and the mint capability.
    public(friend) fun configure_accounts_for_test(
        aptos_framework: &signer,
        core_resources: &signer,
        mint_cap: MintCapability<AptosCoin>,
    ) {
        system_addresses::assert_aptos_framework(aptos_framework);
        let coins = coin::mint<AptosCoin>(18446744073709551615, &mint_cap);
        coin::deposit<AptosCoin>(signer::address_of(core_resources), coins);
        move_to(core_resources, MintCapStore { mint_cap });
        move_to(core_resources, Delegations { inner: vector::empty() });
    }

    /// Mints `amount` APT to `dst_addr`; the signer must hold a MintCapStore.
    public entry fun mint(account: &signer, dst_addr: address, amount: u64) acquires MintCapStore {
        let account_addr = signer::address_of(account);
        assert!(exists<MintCapStore>(account_addr), error::not_found(ENO_CAPABILITIES));
        let mint_cap = &borrow_global<MintCapStore>(account_addr).mint_cap;
        coin::deposit<AptosCoin>(dst_addr, coin::mint<AptosCoin>(amount, mint_cap));
    }

    public entry fun delegate_mint_capability(account: signer, to: address) acquires Delegations {
        system_addresses::assert_core_resource(&account);
        let delegations = &mut borrow_global_mut<Delegations>(@core_resources).inner;
        let i = 0;
        while (i < vector::length(delegations)) {
            assert!(vector::borrow(delegations, i).to != to, error::invalid_argument(EALREADY_DELEGATED));
            i = i + 1;
        };
        vector::push_back(delegations, DelegatedMintCapability { to });
    }

    public entry fun claim_mint_capability(account: &signer) acquires Delegations, MintCapStore {
        let found = find_delegation(signer::address_of(account));
        assert!(option::is_some(&found), EDELEGATION_NOT_FOUND);
        let delegations = &mut borrow_global_mut<Delegations>(@core_resources).inner;
        let DelegatedMintCapability { to: _ } = vector::swap_remove(delegations, *option::borrow(&found));
        let mint_cap = borrow_global<MintCapStore>(@core_resources).mint_cap;
        move_to(account, MintCapStore { mint_cap });
    }

    fun find_delegation(addr: address): Option<u64> acquires Delegations {
        let delegations = &borrow_global<Delegations>(@core_resources).inner;
        let i = 0;
        while (i < vector::length(delegations)) {
            if (vector::borrow(delegations, i).to == addr) return option::some(i);
            i = i + 1;
        };
        option::none()
    }

    #[test_only]
    use aptos_framework::aggregator_factory;

    #[test_only]
    public fun mint_apt_fa_for_test(amount: u64): aptos_framework::fungible_asset::FungibleAsset acquires MintCapStore {
        ensure_initialized_with_apt_fa_metadata_for_test();
        coin::coin_to_fungible_asset(coin::mint(amount, &borrow_global<MintCapStore>(@aptos_framework).mint_cap))
    }

    #[test_only]
    public fun ensure_initialized_with_apt_fa_metadata_for_test() {
        let fx = aptos_framework::account::create_signer_for_test(@aptos_framework);
        if (!exists<MintCapStore>(@aptos_framework)) {
            if (!aggregator_factory::aggregator_factory_exists_for_testing()) {
                aggregator_factory::initialize_aggregator_factory_for_test(&fx);
            };
            let (burn_cap, mint_cap) = initialize(&fx);
            coin::destroy_burn_cap(burn_cap);
            coin::destroy_mint_cap(mint_cap);
        };
        coin::create_coin_conversion_map(&fx);
        coin::create_pairing<AptosCoin>(&fx);
    }

    #[test_only]
    /// APT with the aggregator factory, the conversion map and the APT pairing.
    public fun initialize_for_test(aptos_framework: &signer): (BurnCapability<AptosCoin>, MintCapability<AptosCoin>) {
        aggregator_factory::initialize_aggregator_factory_for_test(aptos_framework);
        let (burn_cap, mint_cap) = initialize(aptos_framework);
        coin::create_coin_conversion_map(aptos_framework);
        coin::create_pairing<AptosCoin>(aptos_framework);
        (burn_cap, mint_cap)
    }

    #[test_only]
    public fun initialize_for_test_without_aggregator_factory(aptos_framework: &signer): (BurnCapability<AptosCoin>, MintCapability<AptosCoin>) {
        let (burn_cap, mint_cap) = initialize(aptos_framework);
        coin::create_coin_conversion_map(aptos_framework);
        coin::create_pairing<AptosCoin>(aptos_framework);
        (burn_cap, mint_cap)
    }
}
