/// Account-level entry points: create an account, transfer APT, coins and
/// fungible assets, and opt out of receiving unregistered coins.
module aptos_framework::aptos_account {
    use std::error;
    use std::signer;
    use std::vector;
    use aptos_framework::account;
    use aptos_framework::aptos_coin::AptosCoin;
    use aptos_framework::coin::{Self, Coin};
    use aptos_framework::create_signer::create_signer;
    use aptos_framework::event::{EventHandle, emit};
    use aptos_framework::fungible_asset::{Self, FungibleAsset, Metadata};
    use aptos_framework::object::{Self, Object};
    use aptos_framework::primary_fungible_store;

    friend aptos_framework::genesis;
    friend aptos_framework::resource_account;

    const EACCOUNT_NOT_FOUND: u64 = 1;
    const EACCOUNT_NOT_REGISTERED_FOR_APT: u64 = 2;
    /// The recipient opted out of receiving coins it has not registered.
    const EACCOUNT_DOES_NOT_ACCEPT_DIRECT_COIN_TRANSFERS: u64 = 3;
    const EACCOUNT_DOES_NOT_ACCEPT_DIRECT_TOKEN_TRANSFERS: u64 = 4;
    /// Batch transfers need one amount per recipient.
    const EMISMATCHING_RECIPIENTS_AND_AMOUNTS_LENGTH: u64 = 5;

    struct DirectTransferConfig has key {
        allow_arbitrary_coin_transfers: bool,
        update_coin_transfer_events: EventHandle<DirectCoinTransferConfigUpdatedEvent>
    }

    struct DirectCoinTransferConfigUpdatedEvent has drop, store {
        new_allow_direct_transfers: bool
    }

    #[event]
    struct DirectCoinTransferConfigUpdated has drop, store {
        account: address,
        new_allow_direct_transfers: bool
    }

    /// Creates an account at `auth_key` and its APT primary store (APT must exist).
    public entry fun create_account(auth_key: address) {
        let account_signer = account::create_account(auth_key);
        register_apt(&account_signer);
    }

    public entry fun batch_transfer(source: &signer, recipients: vector<address>, amounts: vector<u64>) {
        let n = vector::length(&recipients);
        assert!(n == vector::length(&amounts), error::invalid_argument(EMISMATCHING_RECIPIENTS_AND_AMOUNTS_LENGTH));
        let i = 0;
        while (i < n) {
            transfer(source, *vector::borrow(&recipients, i), *vector::borrow(&amounts, i));
            i = i + 1;
        };
    }

    /// Transfers `amount` APT (octas), creating the recipient's store if needed.
    public entry fun transfer(source: &signer, to: address, amount: u64) {
        if (!account::exists_at(to)) create_account(to);
        fungible_transfer_only(source, to, amount)
    }

    public entry fun batch_transfer_coins<CoinType>(from: &signer, recipients: vector<address>, amounts: vector<u64>)
    acquires DirectTransferConfig {
        let n = vector::length(&recipients);
        assert!(n == vector::length(&amounts), error::invalid_argument(EMISMATCHING_RECIPIENTS_AND_AMOUNTS_LENGTH));
        let i = 0;
        while (i < n) {
            transfer_coins<CoinType>(from, *vector::borrow(&recipients, i), *vector::borrow(&amounts, i));
            i = i + 1;
        };
    }

    public entry fun transfer_coins<CoinType>(from: &signer, to: address, amount: u64) acquires DirectTransferConfig {
        deposit_coins(to, coin::withdraw<CoinType>(from, amount));
    }

    public fun deposit_coins<CoinType>(to: address, coins: Coin<CoinType>) acquires DirectTransferConfig {
        if (!account::exists_at(to)) create_account(to);
        if (!coin::is_account_registered<CoinType>(to)) {
            assert!(
                can_receive_direct_coin_transfers(to),
                error::permission_denied(EACCOUNT_DOES_NOT_ACCEPT_DIRECT_COIN_TRANSFERS)
            );
            coin::register<CoinType>(&create_signer(to));
        };
        coin::deposit<CoinType>(to, coins)
    }

    public entry fun batch_transfer_fungible_assets(
        from: &signer,
        metadata: Object<Metadata>,
        recipients: vector<address>,
        amounts: vector<u64>
    ) {
        let n = vector::length(&recipients);
        assert!(n == vector::length(&amounts), error::invalid_argument(EMISMATCHING_RECIPIENTS_AND_AMOUNTS_LENGTH));
        let i = 0;
        while (i < n) {
            transfer_fungible_assets(from, metadata, *vector::borrow(&recipients, i), *vector::borrow(&amounts, i));
            i = i + 1;
        };
    }

    public entry fun transfer_fungible_assets(from: &signer, metadata: Object<Metadata>, to: address, amount: u64) {
        deposit_fungible_assets(to, primary_fungible_store::withdraw(from, metadata, amount));
    }

    public fun deposit_fungible_assets(to: address, fa: FungibleAsset) {
        if (!account::exists_at(to)) create_account(to);
        primary_fungible_store::deposit(to, fa)
    }

    public fun assert_account_exists(addr: address) {
        assert!(account::exists_at(addr), error::not_found(EACCOUNT_NOT_FOUND));
    }

    public fun assert_account_is_registered_for_apt(addr: address) {
        assert_account_exists(addr);
        assert!(coin::is_account_registered<AptosCoin>(addr), error::not_found(EACCOUNT_NOT_REGISTERED_FOR_APT));
    }

    public entry fun set_allow_direct_coin_transfers(account: &signer, allow: bool) acquires DirectTransferConfig {
        let addr = signer::address_of(account);
        if (exists<DirectTransferConfig>(addr)) {
            let config = borrow_global_mut<DirectTransferConfig>(addr);
            if (config.allow_arbitrary_coin_transfers == allow) return;
            config.allow_arbitrary_coin_transfers = allow;
            emit(DirectCoinTransferConfigUpdated { account: addr, new_allow_direct_transfers: allow });
        } else {
            let config = DirectTransferConfig {
                allow_arbitrary_coin_transfers: allow,
                update_coin_transfer_events: account::new_event_handle<DirectCoinTransferConfigUpdatedEvent>(account)
            };
            emit(DirectCoinTransferConfigUpdated { account: addr, new_allow_direct_transfers: allow });
            move_to(account, config);
        };
    }

    #[view]
    public fun can_receive_direct_coin_transfers(account: address): bool acquires DirectTransferConfig {
        !exists<DirectTransferConfig>(account) || borrow_global<DirectTransferConfig>(account).allow_arbitrary_coin_transfers
    }

    public(friend) fun register_apt(account_signer: &signer) {
        ensure_primary_fungible_store_exists(signer::address_of(account_signer));
    }

    /// Moves APT between primary stores directly (stores are created as needed).
    public(friend) entry fun fungible_transfer_only(source: &signer, to: address, amount: u64) {
        let from_store = ensure_primary_fungible_store_exists(signer::address_of(source));
        let to_store = ensure_primary_fungible_store_exists(to);
        fungible_asset::unchecked_deposit(to_store, fungible_asset::unchecked_withdraw(from_store, amount));
    }

    public(friend) fun is_fungible_balance_at_least(account: address, amount: u64): bool {
        fungible_asset::is_address_balance_at_least(primary_fungible_store_address(account), amount)
    }

    fun ensure_primary_fungible_store_exists(owner: address): address {
        let store_addr = primary_fungible_store_address(owner);
        if (fungible_asset::store_exists(store_addr)) {
            store_addr
        } else {
            let store = primary_fungible_store::create_primary_store(
                owner, object::address_to_object<Metadata>(@aptos_fungible_asset)
            );
            object::object_address(&store)
        }
    }

    fun primary_fungible_store_address(account: address): address {
        object::create_user_derived_object_address(account, @aptos_fungible_asset)
    }
}
