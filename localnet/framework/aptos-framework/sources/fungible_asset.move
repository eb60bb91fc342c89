/// Fungible assets: a metadata object describes the asset (name, symbol,
/// decimals, supply); balances live in FungibleStore objects; value in transit
/// is a FungibleAsset, which has no abilities and so must end up deposited,
/// burnt or destroyed at zero. Refs generated at creation authorize minting,
/// burning, moving frozen funds and editing metadata.
module aptos_framework::fungible_asset {
    use std::error;
    use std::features;
    use std::option::{Self, Option};
    use std::signer;
    use std::string::{Self, String};
    use aptos_framework::aggregator_v2::{Self, Aggregator};
    use aptos_framework::event;
    use aptos_framework::object::{Self, ConstructorRef, DeleteRef, ExtendRef, Object};

    friend aptos_framework::coin;
    friend aptos_framework::primary_fungible_store;
    friend aptos_framework::aptos_account;
    friend aptos_framework::dispatchable_fungible_asset;

    const EAMOUNT_CANNOT_BE_ZERO: u64 = 1;
    const ETRANSFER_REF_AND_FUNGIBLE_ASSET_MISMATCH: u64 = 2;
    const ESTORE_IS_FROZEN: u64 = 3;
    const EINSUFFICIENT_BALANCE: u64 = 4;
    const EMAX_SUPPLY_EXCEEDED: u64 = 5;
    const EFUNGIBLE_ASSET_MISMATCH: u64 = 6;
    const EMINT_REF_AND_STORE_MISMATCH: u64 = 7;
    const ENOT_STORE_OWNER: u64 = 8;
    const ETRANSFER_REF_AND_STORE_MISMATCH: u64 = 9;
    const EBURN_REF_AND_STORE_MISMATCH: u64 = 10;
    const EFUNGIBLE_ASSET_AND_STORE_MISMATCH: u64 = 11;
    const EAMOUNT_IS_NOT_ZERO: u64 = 12;
    const EBURN_REF_AND_FUNGIBLE_ASSET_MISMATCH: u64 = 13;
    const EBALANCE_IS_NOT_ZERO: u64 = 14;
    const ENAME_TOO_LONG: u64 = 15;
    const ESYMBOL_TOO_LONG: u64 = 16;
    const EDECIMALS_TOO_LARGE: u64 = 17;
    const EOBJECT_IS_DELETABLE: u64 = 18;
    const EURI_TOO_LONG: u64 = 19;
    const ESUPPLY_UNDERFLOW: u64 = 20;
    const ESUPPLY_NOT_FOUND: u64 = 21;
    const ECONCURRENT_SUPPLY_NOT_ENABLED: u64 = 22;
    const EFUNGIBLE_STORE_EXISTENCE: u64 = 23;
    const ENOT_METADATA_OWNER: u64 = 24;
    const EINVALID_DISPATCHABLE_OPERATIONS: u64 = 28;
    const EFUNGIBLE_METADATA_EXISTENCE: u64 = 30;
    const ECONCURRENT_BALANCE_NOT_ENABLED: u64 = 32;
    const ERAW_BALANCE_REF_AND_FUNGIBLE_ASSET_MISMATCH: u64 = 34;
    const ERAW_SUPPLY_REF_AND_FUNGIBLE_ASSET_MISMATCH: u64 = 35;
    const EWITHDRAW_PERMISSION_DENIED: u64 = 36;

    const MAX_NAME_LENGTH: u64 = 32;
    const MAX_SYMBOL_LENGTH: u64 = 32;
    const MAX_DECIMALS: u8 = 32;
    const MAX_URI_LENGTH: u64 = 512;
    const MAX_U128: u128 = 340282366920938463463374607431768211455;

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    /// Supply of an asset created while concurrent supply was off.
    struct Supply has key {
        current: u128,
        maximum: Option<u128>
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    /// Supply as a bounded counter (the maximum is the aggregator's bound).
    struct ConcurrentSupply has key {
        current: Aggregator<u128>
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    struct Metadata has key, copy, drop {
        name: String,
        symbol: String,
        decimals: u8,
        icon_uri: String,
        project_uri: String
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    /// Stores of this asset are created untransferable.
    struct Untransferable has key {}

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    struct FungibleStore has key {
        metadata: Object<Metadata>,
        balance: u64,
        frozen: bool
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    struct ConcurrentFungibleBalance has key {
        balance: Aggregator<u64>
    }

    struct FungibleAsset {
        metadata: Object<Metadata>,
        amount: u64
    }

    struct MintRef has drop, store {
        metadata: Object<Metadata>
    }

    struct TransferRef has drop, store {
        metadata: Object<Metadata>
    }

    struct RawBalanceRef has drop, store {
        metadata: Object<Metadata>
    }

    struct RawSupplyRef has drop, store {
        metadata: Object<Metadata>
    }

    struct BurnRef has drop, store {
        metadata: Object<Metadata>
    }

    struct MutateMetadataRef has drop, store {
        metadata: Object<Metadata>
    }

    #[event]
    struct Creation has drop, store {
        metadata: address,
        name: String,
        symbol: String,
        decimals: u8,
        icon_uri: String,
        project_uri: String,
        maximum_supply: Option<u128>
    }

    #[event]
    struct Deposit has drop, store {
        store: address,
        amount: u64
    }

    #[event]
    struct Withdraw has drop, store {
        store: address,
        amount: u64
    }

    #[event]
    struct Frozen has drop, store {
        store: address,
        frozen: bool
    }

    #[event]
    struct FungibleStoreDeletion has drop, store {
        store: address,
        owner: address,
        metadata: address
    }

    /// Makes the (non-deletable) object a fungible asset's metadata.
    public fun add_fungibility(
        constructor_ref: &ConstructorRef,
        maximum_supply: Option<u128>,
        name: String,
        symbol: String,
        decimals: u8,
        icon_uri: String,
        project_uri: String
    ): Object<Metadata> {
        assert!(!object::can_generate_delete_ref(constructor_ref), error::invalid_argument(EOBJECT_IS_DELETABLE));
        let metadata_signer = &object::generate_signer(constructor_ref);
        assert!(string::length(&name) <= MAX_NAME_LENGTH, error::out_of_range(ENAME_TOO_LONG));
        assert!(string::length(&symbol) <= MAX_SYMBOL_LENGTH, error::out_of_range(ESYMBOL_TOO_LONG));
        assert!(decimals <= MAX_DECIMALS, error::out_of_range(EDECIMALS_TOO_LARGE));
        assert!(string::length(&icon_uri) <= MAX_URI_LENGTH, error::out_of_range(EURI_TOO_LONG));
        assert!(string::length(&project_uri) <= MAX_URI_LENGTH, error::out_of_range(EURI_TOO_LONG));
        move_to(metadata_signer, Metadata { name, symbol, decimals, icon_uri, project_uri });
        event::emit(Creation {
            metadata: signer::address_of(metadata_signer),
            name, symbol, decimals, icon_uri, project_uri, maximum_supply
        });
        if (features::concurrent_fungible_assets_enabled()) {
            let current = if (option::is_none(&maximum_supply)) {
                aggregator_v2::create_unbounded_aggregator()
            } else {
                aggregator_v2::create_aggregator(option::extract(&mut maximum_supply))
            };
            move_to(metadata_signer, ConcurrentSupply { current });
        } else {
            move_to(metadata_signer, Supply { current: 0, maximum: maximum_supply });
        };
        object::object_from_constructor_ref<Metadata>(constructor_ref)
    }

    /// Makes every store of this asset untransferable.
    public fun set_untransferable(constructor_ref: &ConstructorRef) {
        let metadata_addr = object::address_from_constructor_ref(constructor_ref);
        assert!(exists<Metadata>(metadata_addr), error::not_found(EFUNGIBLE_METADATA_EXISTENCE));
        move_to(&object::generate_signer(constructor_ref), Untransferable {});
    }

    #[view]
    public fun is_untransferable<T: key>(metadata: Object<T>): bool {
        exists<Untransferable>(object::object_address(&metadata))
    }

    public fun generate_mint_ref(constructor_ref: &ConstructorRef): MintRef {
        MintRef { metadata: object::object_from_constructor_ref<Metadata>(constructor_ref) }
    }

    public fun generate_burn_ref(constructor_ref: &ConstructorRef): BurnRef {
        BurnRef { metadata: object::object_from_constructor_ref<Metadata>(constructor_ref) }
    }

    public(friend) fun generate_burn_copy_ref(self: &BurnRef): BurnRef {
        BurnRef { metadata: self.metadata }
    }

    public fun generate_transfer_ref(constructor_ref: &ConstructorRef): TransferRef {
        TransferRef { metadata: object::object_from_constructor_ref<Metadata>(constructor_ref) }
    }

    public fun generate_raw_balance_ref(constructor_ref: &ConstructorRef): RawBalanceRef {
        RawBalanceRef { metadata: object::object_from_constructor_ref<Metadata>(constructor_ref) }
    }

    public fun generate_raw_supply_ref(constructor_ref: &ConstructorRef): RawSupplyRef {
        RawSupplyRef { metadata: object::object_from_constructor_ref<Metadata>(constructor_ref) }
    }

    public fun generate_mutate_metadata_ref(constructor_ref: &ConstructorRef): MutateMetadataRef {
        MutateMetadataRef { metadata: object::object_from_constructor_ref<Metadata>(constructor_ref) }
    }

    #[view]
    public fun supply<T: key>(metadata: Object<T>): Option<u128> acquires Supply, ConcurrentSupply {
        let addr = object::object_address(&metadata);
        if (exists<ConcurrentSupply>(addr)) {
            option::some(aggregator_v2::read(&borrow_global<ConcurrentSupply>(addr).current))
        } else if (exists<Supply>(addr)) {
            option::some(borrow_global<Supply>(addr).current)
        } else {
            option::none()
        }
    }

    #[view]
    public fun maximum<T: key>(metadata: Object<T>): Option<u128> acquires Supply, ConcurrentSupply {
        let addr = object::object_address(&metadata);
        if (exists<ConcurrentSupply>(addr)) {
            let max = aggregator_v2::max_value(&borrow_global<ConcurrentSupply>(addr).current);
            if (max == MAX_U128) option::none() else option::some(max)
        } else if (exists<Supply>(addr)) {
            borrow_global<Supply>(addr).maximum
        } else {
            option::none()
        }
    }

    #[view]
    public fun name<T: key>(metadata: Object<T>): String acquires Metadata {
        borrow_global<Metadata>(object::object_address(&metadata)).name
    }

    #[view]
    public fun symbol<T: key>(metadata: Object<T>): String acquires Metadata {
        borrow_global<Metadata>(object::object_address(&metadata)).symbol
    }

    #[view]
    public fun decimals<T: key>(metadata: Object<T>): u8 acquires Metadata {
        borrow_global<Metadata>(object::object_address(&metadata)).decimals
    }

    #[view]
    public fun icon_uri<T: key>(metadata: Object<T>): String acquires Metadata {
        borrow_global<Metadata>(object::object_address(&metadata)).icon_uri
    }

    #[view]
    public fun project_uri<T: key>(metadata: Object<T>): String acquires Metadata {
        borrow_global<Metadata>(object::object_address(&metadata)).project_uri
    }

    #[view]
    public fun metadata<T: key>(metadata: Object<T>): Metadata acquires Metadata {
        *borrow_global<Metadata>(object::object_address(&metadata))
    }

    #[view]
    public fun store_exists(store: address): bool {
        exists<FungibleStore>(store)
    }

    fun store_addr_checked<T: key>(store: &Object<T>): address {
        let addr = object::object_address(store);
        assert!(exists<FungibleStore>(addr), error::not_found(EFUNGIBLE_STORE_EXISTENCE));
        addr
    }

    #[view]
    public fun store_metadata<T: key>(store: Object<T>): Object<Metadata> acquires FungibleStore {
        borrow_global<FungibleStore>(store_addr_checked(&store)).metadata
    }

    #[view]
    /// The store's balance; aborts 0x60017 if the object holds no store.
    public fun balance<T: key>(store: Object<T>): u64 acquires FungibleStore, ConcurrentFungibleBalance {
        store_addr_checked(&store);
        balance_impl(store)
    }

    fun balance_impl<T: key>(store: Object<T>): u64 acquires FungibleStore, ConcurrentFungibleBalance {
        let addr = object::object_address(&store);
        if (!exists<FungibleStore>(addr)) return 0;
        let b = borrow_global<FungibleStore>(addr).balance;
        if (b == 0 && exists<ConcurrentFungibleBalance>(addr)) {
            aggregator_v2::read(&borrow_global<ConcurrentFungibleBalance>(addr).balance)
        } else {
            b
        }
    }

    #[view]
    public fun is_balance_at_least<T: key>(store: Object<T>, amount: u64): bool acquires FungibleStore, ConcurrentFungibleBalance {
        is_address_balance_at_least(object::object_address(&store), amount)
    }

    public(friend) fun is_address_balance_at_least(store_addr: address, amount: u64): bool acquires FungibleStore, ConcurrentFungibleBalance {
        if (!exists<FungibleStore>(store_addr)) return amount == 0;
        let b = borrow_global<FungibleStore>(store_addr).balance;
        if (b == 0 && exists<ConcurrentFungibleBalance>(store_addr)) {
            aggregator_v2::is_at_least(&borrow_global<ConcurrentFungibleBalance>(store_addr).balance, amount)
        } else {
            b >= amount
        }
    }

    #[view]
    public fun is_frozen<T: key>(store: Object<T>): bool acquires FungibleStore {
        let addr = object::object_address(&store);
        exists<FungibleStore>(addr) && borrow_global<FungibleStore>(addr).frozen
    }

    #[view]
    /// Dispatchable (hook-driven) assets are not supported here: always false
    /// for an existing store.
    public fun is_store_dispatchable<T: key>(store: Object<T>): bool {
        store_addr_checked(&store);
        false
    }

    #[view]
    public fun is_asset_type_dispatchable(_metadata: Object<Metadata>): bool {
        false
    }

    public fun amount(self: &FungibleAsset): u64 {
        self.amount
    }

    #[deprecated]
    public fun metadata_from_asset(self: &FungibleAsset): Object<Metadata> {
        self.metadata
    }

    public fun asset_metadata(self: &FungibleAsset): Object<Metadata> {
        self.metadata
    }

    public fun mint_ref_metadata(self: &MintRef): Object<Metadata> {
        self.metadata
    }

    public fun transfer_ref_metadata(self: &TransferRef): Object<Metadata> {
        self.metadata
    }

    public fun burn_ref_metadata(self: &BurnRef): Object<Metadata> {
        self.metadata
    }

    public fun object_from_metadata_ref(self: &MutateMetadataRef): Object<Metadata> {
        self.metadata
    }

    public entry fun transfer<T: key>(sender: &signer, from: Object<T>, to: Object<T>, amount: u64)
    acquires FungibleStore, ConcurrentFungibleBalance {
        let fa = withdraw(sender, from, amount);
        deposit(to, fa);
    }

    /// Makes the object a store of `metadata`'s asset.
    public fun create_store<T: key>(constructor_ref: &ConstructorRef, metadata: Object<T>): Object<FungibleStore> {
        let store_signer = &object::generate_signer(constructor_ref);
        move_to(store_signer, FungibleStore { metadata: object::convert(metadata), balance: 0, frozen: false });
        if (is_untransferable(metadata)) object::set_untransferable(constructor_ref);
        if (features::default_to_concurrent_fungible_balance_enabled()) {
            move_to(store_signer, ConcurrentFungibleBalance { balance: aggregator_v2::create_unbounded_aggregator() });
        };
        object::object_from_constructor_ref<FungibleStore>(constructor_ref)
    }

    /// Removes an empty store from a deletable object.
    public fun remove_store(delete_ref: &DeleteRef) acquires FungibleStore, ConcurrentFungibleBalance {
        let store = object::object_from_delete_ref<FungibleStore>(delete_ref);
        let addr = object::object_address(&store);
        let FungibleStore { metadata, balance, frozen: _ } = move_from<FungibleStore>(addr);
        assert!(balance == 0, error::permission_denied(EBALANCE_IS_NOT_ZERO));
        if (exists<ConcurrentFungibleBalance>(addr)) {
            let ConcurrentFungibleBalance { balance } = move_from<ConcurrentFungibleBalance>(addr);
            assert!(aggregator_v2::read(&balance) == 0, error::permission_denied(EBALANCE_IS_NOT_ZERO));
        };
        event::emit(FungibleStoreDeletion {
            store: addr,
            owner: object::owner(store),
            metadata: object::object_address(&metadata)
        });
    }

    /// Withdraws from a store the signer owns (directly or through objects).
    public fun withdraw<T: key>(owner: &signer, store: Object<T>, amount: u64): FungibleAsset
    acquires FungibleStore, ConcurrentFungibleBalance {
        withdraw_sanity_check(owner, store, true);
        unchecked_withdraw(object::object_address(&store), amount)
    }

    public(friend) fun withdraw_sanity_check<T: key>(owner: &signer, store: Object<T>, _abort_on_dispatch: bool)
    acquires FungibleStore {
        assert!(object::owns(store, signer::address_of(owner)), error::permission_denied(ENOT_STORE_OWNER));
        let addr = store_addr_checked(&store);
        assert!(!borrow_global<FungibleStore>(addr).frozen, error::permission_denied(ESTORE_IS_FROZEN));
    }

    public fun deposit_sanity_check<T: key>(store: Object<T>, _abort_on_dispatch: bool) acquires FungibleStore {
        let addr = store_addr_checked(&store);
        assert!(!borrow_global<FungibleStore>(addr).frozen, error::permission_denied(ESTORE_IS_FROZEN));
    }

    /// Deposits into a store that is not frozen.
    public fun deposit<T: key>(store: Object<T>, fa: FungibleAsset) acquires FungibleStore, ConcurrentFungibleBalance {
        deposit_sanity_check(store, true);
        unchecked_deposit(object::object_address(&store), fa);
    }

    public fun mint(self: &MintRef, amount: u64): FungibleAsset acquires Supply, ConcurrentSupply {
        mint_internal(self.metadata, amount)
    }

    public(friend) fun mint_internal(metadata: Object<Metadata>, amount: u64): FungibleAsset acquires Supply, ConcurrentSupply {
        increase_supply(&metadata, amount);
        FungibleAsset { metadata, amount }
    }

    public fun mint_to<T: key>(self: &MintRef, store: Object<T>, amount: u64)
    acquires FungibleStore, Supply, ConcurrentSupply, ConcurrentFungibleBalance {
        deposit_sanity_check(store, false);
        unchecked_deposit(object::object_address(&store), mint(self, amount));
    }

    public fun set_frozen_flag<T: key>(self: &TransferRef, store: Object<T>, frozen: bool) acquires FungibleStore {
        assert!(self.metadata == store_metadata(store), error::invalid_argument(ETRANSFER_REF_AND_STORE_MISMATCH));
        set_frozen_flag_internal(store, frozen)
    }

    public(friend) fun set_frozen_flag_internal<T: key>(store: Object<T>, frozen: bool) acquires FungibleStore {
        let addr = object::object_address(&store);
        borrow_global_mut<FungibleStore>(addr).frozen = frozen;
        event::emit(Frozen { store: addr, frozen });
    }

    public fun burn(self: &BurnRef, fa: FungibleAsset) acquires Supply, ConcurrentSupply {
        assert!(self.metadata == fa.metadata, error::invalid_argument(EBURN_REF_AND_FUNGIBLE_ASSET_MISMATCH));
        burn_internal(fa);
    }

    public(friend) fun burn_internal(self: FungibleAsset): u64 acquires Supply, ConcurrentSupply {
        let FungibleAsset { metadata, amount } = self;
        decrease_supply(&metadata, amount);
        amount
    }

    /// Burns from a store, frozen or not.
    public fun burn_from<T: key>(self: &BurnRef, store: Object<T>, amount: u64)
    acquires FungibleStore, Supply, ConcurrentSupply, ConcurrentFungibleBalance {
        burn(self, unchecked_withdraw(object::object_address(&store), amount));
    }

    /// Withdraws from a store, frozen or not.
    public fun withdraw_with_ref<T: key>(self: &TransferRef, store: Object<T>, amount: u64): FungibleAsset
    acquires FungibleStore, ConcurrentFungibleBalance {
        assert!(self.metadata == store_metadata(store), error::invalid_argument(ETRANSFER_REF_AND_STORE_MISMATCH));
        unchecked_withdraw(object::object_address(&store), amount)
    }

    /// Deposits into a store, frozen or not.
    public fun deposit_with_ref<T: key>(self: &TransferRef, store: Object<T>, fa: FungibleAsset)
    acquires FungibleStore, ConcurrentFungibleBalance {
        assert!(self.metadata == fa.metadata, error::invalid_argument(ETRANSFER_REF_AND_FUNGIBLE_ASSET_MISMATCH));
        unchecked_deposit(object::object_address(&store), fa);
    }

    public fun transfer_with_ref<T: key>(self: &TransferRef, from: Object<T>, to: Object<T>, amount: u64)
    acquires FungibleStore, ConcurrentFungibleBalance {
        let fa = withdraw_with_ref(self, from, amount);
        deposit_with_ref(self, to, fa);
    }

    public fun balance_with_ref<T: key>(self: &RawBalanceRef, store: Object<T>): u64 acquires FungibleStore, ConcurrentFungibleBalance {
        assert!(self.metadata == store_metadata(store), error::invalid_argument(ERAW_BALANCE_REF_AND_FUNGIBLE_ASSET_MISMATCH));
        balance_impl(store)
    }

    public fun supply_with_ref<T: key>(self: &RawSupplyRef, metadata: Object<T>): Option<u128> acquires Supply, ConcurrentSupply {
        assert!(
            object::object_address(&self.metadata) == object::object_address(&metadata),
            error::invalid_argument(ERAW_BALANCE_REF_AND_FUNGIBLE_ASSET_MISMATCH)
        );
        supply(metadata)
    }

    /// Replaces the given metadata fields (none leaves a field unchanged).
    public fun mutate_metadata(
        self: &MutateMetadataRef,
        name: Option<String>,
        symbol: Option<String>,
        decimals: Option<u8>,
        icon_uri: Option<String>,
        project_uri: Option<String>
    ) acquires Metadata {
        let m = borrow_global_mut<Metadata>(object::object_address(&self.metadata));
        if (option::is_some(&name)) {
            let v = option::extract(&mut name);
            assert!(string::length(&v) <= MAX_NAME_LENGTH, error::out_of_range(ENAME_TOO_LONG));
            m.name = v;
        };
        if (option::is_some(&symbol)) {
            let v = option::extract(&mut symbol);
            assert!(string::length(&v) <= MAX_SYMBOL_LENGTH, error::out_of_range(ESYMBOL_TOO_LONG));
            m.symbol = v;
        };
        if (option::is_some(&decimals)) {
            let v = option::extract(&mut decimals);
            assert!(v <= MAX_DECIMALS, error::out_of_range(EDECIMALS_TOO_LARGE));
            m.decimals = v;
        };
        if (option::is_some(&icon_uri)) {
            let v = option::extract(&mut icon_uri);
            assert!(string::length(&v) <= MAX_URI_LENGTH, error::out_of_range(EURI_TOO_LONG));
            m.icon_uri = v;
        };
        if (option::is_some(&project_uri)) {
            let v = option::extract(&mut project_uri);
            assert!(string::length(&v) <= MAX_URI_LENGTH, error::out_of_range(EURI_TOO_LONG));
            m.project_uri = v;
        };
    }

    public fun zero<T: key>(metadata: Object<T>): FungibleAsset {
        FungibleAsset { metadata: object::convert(metadata), amount: 0 }
    }

    public fun extract(self: &mut FungibleAsset, amount: u64): FungibleAsset {
        assert!(self.amount >= amount, error::invalid_argument(EINSUFFICIENT_BALANCE));
        self.amount = self.amount - amount;
        FungibleAsset { metadata: self.metadata, amount }
    }

    public fun merge(self: &mut FungibleAsset, src_fungible_asset: FungibleAsset) {
        let FungibleAsset { metadata, amount } = src_fungible_asset;
        assert!(metadata == self.metadata, error::invalid_argument(EFUNGIBLE_ASSET_MISMATCH));
        self.amount = self.amount + amount;
    }

    public fun destroy_zero(self: FungibleAsset) {
        let FungibleAsset { amount, metadata: _ } = self;
        assert!(amount == 0, error::invalid_argument(EAMOUNT_IS_NOT_ZERO));
    }

    fun deposit_no_events(store_addr: address, fa: FungibleAsset): u64 acquires FungibleStore, ConcurrentFungibleBalance {
        let FungibleAsset { metadata, amount } = fa;
        assert!(exists<FungibleStore>(store_addr), error::not_found(EFUNGIBLE_STORE_EXISTENCE));
        let store = borrow_global_mut<FungibleStore>(store_addr);
        assert!(metadata == store.metadata, error::invalid_argument(EFUNGIBLE_ASSET_AND_STORE_MISMATCH));
        if (amount != 0) {
            if (store.balance == 0 && exists<ConcurrentFungibleBalance>(store_addr)) {
                aggregator_v2::add(&mut borrow_global_mut<ConcurrentFungibleBalance>(store_addr).balance, amount);
            } else {
                store.balance = store.balance + amount;
            };
        };
        amount
    }

    public(friend) fun unchecked_deposit(store_addr: address, fa: FungibleAsset) acquires FungibleStore, ConcurrentFungibleBalance {
        let amount = deposit_no_events(store_addr, fa);
        if (amount != 0) event::emit(Deposit { store: store_addr, amount });
    }

    public(friend) fun unchecked_deposit_with_no_events(store_addr: address, fa: FungibleAsset)
    acquires FungibleStore, ConcurrentFungibleBalance {
        deposit_no_events(store_addr, fa);
    }

    public(friend) fun unchecked_withdraw(store_addr: address, amount: u64): FungibleAsset
    acquires FungibleStore, ConcurrentFungibleBalance {
        let fa = withdraw_no_events(store_addr, amount);
        if (amount != 0) event::emit(Withdraw { store: store_addr, amount });
        fa
    }

    fun withdraw_no_events(store_addr: address, amount: u64): FungibleAsset acquires FungibleStore, ConcurrentFungibleBalance {
        assert!(exists<FungibleStore>(store_addr), error::not_found(EFUNGIBLE_STORE_EXISTENCE));
        let store = borrow_global_mut<FungibleStore>(store_addr);
        let metadata = store.metadata;
        if (amount != 0) {
            if (store.balance == 0 && exists<ConcurrentFungibleBalance>(store_addr)) {
                let agg = &mut borrow_global_mut<ConcurrentFungibleBalance>(store_addr).balance;
                assert!(aggregator_v2::try_sub(agg, amount), error::invalid_argument(EINSUFFICIENT_BALANCE));
            } else {
                assert!(store.balance >= amount, error::invalid_argument(EINSUFFICIENT_BALANCE));
                store.balance = store.balance - amount;
            };
        };
        FungibleAsset { metadata, amount }
    }

    fun increase_supply<T: key>(metadata: &Object<T>, amount: u64) acquires Supply, ConcurrentSupply {
        if (amount == 0) return;
        let addr = object::object_address(metadata);
        if (exists<ConcurrentSupply>(addr)) {
            let s = borrow_global_mut<ConcurrentSupply>(addr);
            assert!(aggregator_v2::try_add(&mut s.current, (amount as u128)), error::out_of_range(EMAX_SUPPLY_EXCEEDED));
        } else if (exists<Supply>(addr)) {
            let s = borrow_global_mut<Supply>(addr);
            if (option::is_some(&s.maximum)) {
                let max = *option::borrow(&s.maximum);
                assert!(max - s.current >= (amount as u128), error::out_of_range(EMAX_SUPPLY_EXCEEDED));
            };
            s.current = s.current + (amount as u128);
        } else {
            abort error::not_found(ESUPPLY_NOT_FOUND)
        }
    }

    fun decrease_supply<T: key>(metadata: &Object<T>, amount: u64) acquires Supply, ConcurrentSupply {
        if (amount == 0) return;
        let addr = object::object_address(metadata);
        if (exists<ConcurrentSupply>(addr)) {
            let s = borrow_global_mut<ConcurrentSupply>(addr);
            assert!(aggregator_v2::try_sub(&mut s.current, (amount as u128)), error::out_of_range(ESUPPLY_UNDERFLOW));
        } else if (exists<Supply>(addr)) {
            let s = borrow_global_mut<Supply>(addr);
            assert!(s.current >= (amount as u128), error::invalid_state(ESUPPLY_UNDERFLOW));
            s.current = s.current - (amount as u128);
        } else {
            abort error::not_found(ESUPPLY_NOT_FOUND)
        }
    }

    /// Moves a non-concurrent Supply to ConcurrentSupply.
    public fun upgrade_to_concurrent(ref: &ExtendRef) acquires Supply {
        let addr = object::address_from_extend_ref(ref);
        let metadata_signer = object::generate_signer_for_extending(ref);
        assert!(features::concurrent_fungible_assets_enabled(), error::invalid_argument(ECONCURRENT_SUPPLY_NOT_ENABLED));
        assert!(exists<Supply>(addr), error::not_found(ESUPPLY_NOT_FOUND));
        let Supply { current, maximum } = move_from<Supply>(addr);
        let agg = if (option::is_none(&maximum)) {
            aggregator_v2::create_unbounded_aggregator()
        } else {
            aggregator_v2::create_aggregator(option::extract(&mut maximum))
        };
        aggregator_v2::add(&mut agg, current);
        move_to(&metadata_signer, ConcurrentSupply { current: agg });
    }
}
