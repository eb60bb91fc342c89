/// Every account has, per asset, one primary store at a derived address
/// (create_user_derived_object_address(owner, metadata)), created on first
/// use. Its owner cannot transfer it away.
module aptos_framework::primary_fungible_store {
    use std::option::Option;
    use std::signer;
    use std::string::String;
    use aptos_framework::dispatchable_fungible_asset;
    use aptos_framework::fungible_asset::{Self, BurnRef, FungibleAsset, FungibleStore, Metadata, MintRef, TransferRef};
    use aptos_framework::object::{Self, ConstructorRef, DeriveRef, Object};

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    /// Kept at the metadata object so stores can be derived from it.
    struct DeriveRefPod has key {
        metadata_derive_ref: DeriveRef,
    }

    /// Creates a fungible asset whose holders get primary stores automatically.
    public fun create_primary_store_enabled_fungible_asset(
        constructor_ref: &ConstructorRef,
        maximum_supply: Option<u128>,
        name: String,
        symbol: String,
        decimals: u8,
        icon_uri: String,
        project_uri: String,
    ) {
        fungible_asset::add_fungibility(constructor_ref, maximum_supply, name, symbol, decimals, icon_uri, project_uri);
        move_to(&object::generate_signer(constructor_ref), DeriveRefPod {
            metadata_derive_ref: object::generate_derive_ref(constructor_ref),
        });
    }

    public fun ensure_primary_store_exists<T: key>(owner: address, metadata: Object<T>): Object<FungibleStore> acquires DeriveRefPod {
        let store_addr = primary_store_address(owner, metadata);
        if (fungible_asset::store_exists(store_addr)) {
            object::address_to_object(store_addr)
        } else {
            create_primary_store(owner, metadata)
        }
    }

    /// Creates `owner_addr`'s primary store; the asset must be primary-store enabled.
    public fun create_primary_store<T: key>(owner_addr: address, metadata: Object<T>): Object<FungibleStore> acquires DeriveRefPod {
        let metadata_addr = object::object_address(&metadata);
        object::address_to_object<Metadata>(metadata_addr);
        let derive_ref = &borrow_global<DeriveRefPod>(metadata_addr).metadata_derive_ref;
        let constructor_ref = &object::create_user_derived_object(owner_addr, derive_ref);
        object::disable_ungated_transfer(&object::generate_transfer_ref(constructor_ref));
        fungible_asset::create_store(constructor_ref, metadata)
    }

    #[view]
    public fun primary_store_address<T: key>(owner: address, metadata: Object<T>): address {
        object::create_user_derived_object_address(owner, object::object_address(&metadata))
    }

    #[view]
    public fun primary_store<T: key>(owner: address, metadata: Object<T>): Object<FungibleStore> {
        object::address_to_object<FungibleStore>(primary_store_address(owner, metadata))
    }

    #[view]
    public fun primary_store_exists<T: key>(account: address, metadata: Object<T>): bool {
        fungible_asset::store_exists(primary_store_address(account, metadata))
    }

    public inline fun primary_store_address_inlined<T: key>(owner: address, metadata: Object<T>): address {
        object::create_user_derived_object_address(owner, object::object_address(&metadata))
    }

    public inline fun primary_store_inlined<T: key>(owner: address, metadata: Object<T>): Object<FungibleStore> {
        object::address_to_object(primary_store_address_inlined(owner, metadata))
    }

    public inline fun primary_store_exists_inlined<T: key>(account: address, metadata: Object<T>): bool {
        fungible_asset::store_exists(primary_store_address_inlined(account, metadata))
    }

    #[view]
    /// The balance of `account`'s primary store, 0 if it has none.
    public fun balance<T: key>(account: address, metadata: Object<T>): u64 {
        if (primary_store_exists(account, metadata)) {
            dispatchable_fungible_asset::derived_balance(primary_store(account, metadata))
        } else {
            0
        }
    }

    #[view]
    public fun is_balance_at_least<T: key>(account: address, metadata: Object<T>, amount: u64): bool {
        if (primary_store_exists(account, metadata)) {
            dispatchable_fungible_asset::is_derived_balance_at_least(primary_store(account, metadata), amount)
        } else {
            amount == 0
        }
    }

    #[view]
    public fun is_frozen<T: key>(account: address, metadata: Object<T>): bool {
        if (primary_store_exists(account, metadata)) {
            fungible_asset::is_frozen(primary_store(account, metadata))
        } else {
            false
        }
    }

    public fun withdraw<T: key>(owner: &signer, metadata: Object<T>, amount: u64): FungibleAsset acquires DeriveRefPod {
        let store = ensure_primary_store_exists(signer::address_of(owner), metadata);
        may_be_unburn(owner, store);
        dispatchable_fungible_asset::withdraw(owner, store, amount)
    }

    public fun deposit(owner: address, fa: FungibleAsset) acquires DeriveRefPod {
        let store = ensure_primary_store_exists(owner, fungible_asset::asset_metadata(&fa));
        dispatchable_fungible_asset::deposit(store, fa);
    }

    public fun deposit_with_signer(owner: &signer, fa: FungibleAsset) acquires DeriveRefPod {
        deposit(signer::address_of(owner), fa)
    }

    public entry fun transfer<T: key>(sender: &signer, metadata: Object<T>, recipient: address, amount: u64) acquires DeriveRefPod {
        let sender_store = ensure_primary_store_exists(signer::address_of(sender), metadata);
        may_be_unburn(sender, sender_store);
        let recipient_store = ensure_primary_store_exists(recipient, metadata);
        dispatchable_fungible_asset::transfer(sender, sender_store, recipient_store, amount);
    }

    public entry fun transfer_assert_minimum_deposit<T: key>(
        sender: &signer,
        metadata: Object<T>,
        recipient: address,
        amount: u64,
        expected: u64,
    ) acquires DeriveRefPod {
        let sender_store = ensure_primary_store_exists(signer::address_of(sender), metadata);
        may_be_unburn(sender, sender_store);
        let recipient_store = ensure_primary_store_exists(recipient, metadata);
        dispatchable_fungible_asset::transfer_assert_minimum_deposit(sender, sender_store, recipient_store, amount, expected);
    }

    public fun mint(mint_ref: &MintRef, owner: address, amount: u64) acquires DeriveRefPod {
        let store = ensure_primary_store_exists(owner, fungible_asset::mint_ref_metadata(mint_ref));
        fungible_asset::mint_to(mint_ref, store, amount);
    }

    /// Burns from `owner`'s primary store, which must exist.
    public fun burn(burn_ref: &BurnRef, owner: address, amount: u64) {
        let store = primary_store(owner, fungible_asset::burn_ref_metadata(burn_ref));
        fungible_asset::burn_from(burn_ref, store, amount);
    }

    public fun set_frozen_flag(transfer_ref: &TransferRef, owner: address, frozen: bool) acquires DeriveRefPod {
        let store = ensure_primary_store_exists(owner, fungible_asset::transfer_ref_metadata(transfer_ref));
        fungible_asset::set_frozen_flag(transfer_ref, store, frozen);
    }

    public fun withdraw_with_ref(transfer_ref: &TransferRef, owner: address, amount: u64): FungibleAsset {
        let store = primary_store(owner, fungible_asset::transfer_ref_metadata(transfer_ref));
        fungible_asset::withdraw_with_ref(transfer_ref, store, amount)
    }

    public fun deposit_with_ref(transfer_ref: &TransferRef, owner: address, fa: FungibleAsset) acquires DeriveRefPod {
        let store = ensure_primary_store_exists(owner, fungible_asset::transfer_ref_metadata(transfer_ref));
        fungible_asset::deposit_with_ref(transfer_ref, store, fa);
    }

    public fun transfer_with_ref(transfer_ref: &TransferRef, from: address, to: address, amount: u64) acquires DeriveRefPod {
        let from_store = primary_store(from, fungible_asset::transfer_ref_metadata(transfer_ref));
        let to_store = ensure_primary_store_exists(to, fungible_asset::transfer_ref_metadata(transfer_ref));
        fungible_asset::transfer_with_ref(transfer_ref, from_store, to_store, amount);
    }

    fun may_be_unburn(owner: &signer, store: Object<FungibleStore>) {
        if (object::is_burnt(store)) object::unburn(owner, store);
    }
}
