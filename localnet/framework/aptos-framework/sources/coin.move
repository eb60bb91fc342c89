/// Coins: the typed Coin<CoinType> value and the coin's CoinInfo. Balances
/// no longer live in CoinStore resources: every coin type is paired with a
/// fungible asset (created on first use), and deposits, withdrawals and
/// transfers go through the owners' primary fungible stores. The pairing
/// table (CoinConversionMap at @aptos_framework) must exist first.
module aptos_framework::coin {
    use std::error;
    use std::option::{Self, Option};
    use std::signer;
    use std::string::{Self, String};
    use aptos_framework::account;
    use aptos_framework::aggregator::Aggregator;
    use aptos_framework::create_signer;
    use aptos_framework::event::{Self, EventHandle};
    use aptos_framework::fungible_asset::{Self, BurnRef, FungibleAsset, Metadata, MintRef, TransferRef};
    use aptos_framework::guid;
    use aptos_framework::object::{Self, Object};
    use aptos_framework::optional_aggregator::{Self, OptionalAggregator};
    use aptos_framework::primary_fungible_store;
    use aptos_framework::system_addresses;
    use aptos_std::table::{Self, Table};
    use aptos_std::type_info::{Self, TypeInfo};

    friend aptos_framework::aptos_coin;
    friend aptos_framework::genesis;

    const ECOIN_INFO_ADDRESS_MISMATCH: u64 = 1;
    const ECOIN_INFO_ALREADY_PUBLISHED: u64 = 2;
    const ECOIN_INFO_NOT_PUBLISHED: u64 = 3;
    const ECOIN_STORE_ALREADY_PUBLISHED: u64 = 4;
    const ECOIN_STORE_NOT_PUBLISHED: u64 = 5;
    const EINSUFFICIENT_BALANCE: u64 = 6;
    const EDESTRUCTION_OF_NONZERO_TOKEN: u64 = 7;
    const EFROZEN: u64 = 10;
    const ECOIN_SUPPLY_UPGRADE_NOT_SUPPORTED: u64 = 11;
    const ECOIN_NAME_TOO_LONG: u64 = 12;
    const ECOIN_SYMBOL_TOO_LONG: u64 = 13;
    const EAGGREGATABLE_COIN_VALUE_TOO_LARGE: u64 = 14;
    const EPAIRED_COIN: u64 = 15;
    const EPAIRED_FUNGIBLE_ASSET: u64 = 16;
    const ECOIN_TYPE_MISMATCH: u64 = 17;
    const ECOIN_TO_FUNGIBLE_ASSET_FEATURE_NOT_ENABLED: u64 = 18;
    const EPAIRED_FUNGIBLE_ASSET_REFS_NOT_FOUND: u64 = 19;
    const EMINT_REF_RECEIPT_MISMATCH: u64 = 20;
    const EMINT_REF_NOT_FOUND: u64 = 21;
    const ETRANSFER_REF_RECEIPT_MISMATCH: u64 = 22;
    const ETRANSFER_REF_NOT_FOUND: u64 = 23;
    const EBURN_REF_RECEIPT_MISMATCH: u64 = 24;
    const EBURN_REF_NOT_FOUND: u64 = 25;
    const EMIGRATION_FRAMEWORK_NOT_ENABLED: u64 = 26;
    /// The coin-to-fungible-asset pairing table does not exist yet.
    const ECOIN_CONVERSION_MAP_NOT_FOUND: u64 = 27;
    /// APT can only be paired by create_pairing.
    const EAPT_PAIRING_IS_NOT_ENABLED: u64 = 28;
    const ECOIN_DECIMALS_TOO_LARGE: u64 = 29;

    const MAX_COIN_NAME_LENGTH: u64 = 32;
    const MAX_COIN_SYMBOL_LENGTH: u64 = 32;
    const MAX_DECIMALS: u8 = 32;
    const MAX_U64: u128 = 18446744073709551615;

    struct Coin<phantom CoinType> has store {
        value: u64
    }

    #[deprecated]
    struct AggregatableCoin<phantom CoinType> has store {
        value: Aggregator
    }

    /// Legacy per-account balance; only read (and migrated) now.
    struct CoinStore<phantom CoinType> has key {
        coin: Coin<CoinType>,
        frozen: bool,
        deposit_events: EventHandle<DepositEvent>,
        withdraw_events: EventHandle<WithdrawEvent>
    }

    #[deprecated]
    struct SupplyConfig has key {
        allow_upgrades: bool
    }

    /// Published at the address of the module that declares CoinType.
    struct CoinInfo<phantom CoinType> has key {
        name: String,
        symbol: String,
        decimals: u8,
        supply: Option<OptionalAggregator>
    }

    #[event]
    struct CoinDeposit has drop, store {
        coin_type: String,
        account: address,
        amount: u64
    }

    #[event]
    struct CoinWithdraw has drop, store {
        coin_type: String,
        account: address,
        amount: u64
    }

    #[deprecated]
    #[event]
    struct Deposit<phantom CoinType> has drop, store {
        account: address,
        amount: u64
    }

    #[deprecated]
    #[event]
    struct Withdraw<phantom CoinType> has drop, store {
        account: address,
        amount: u64
    }

    struct DepositEvent has drop, store {
        amount: u64
    }

    struct WithdrawEvent has drop, store {
        amount: u64
    }

    #[event]
    struct CoinStoreDeletion has drop, store {
        coin_type: String,
        event_handle_creation_address: address,
        deleted_deposit_event_handle_creation_number: u64,
        deleted_withdraw_event_handle_creation_number: u64
    }

    #[event]
    struct PairCreation has drop, store {
        coin_type: TypeInfo,
        fungible_asset_metadata_address: address
    }

    struct MintCapability<phantom CoinType> has copy, store {}

    struct FreezeCapability<phantom CoinType> has copy, store {}

    struct BurnCapability<phantom CoinType> has copy, store {}

    struct CoinConversionMap has key {
        coin_to_fungible_asset_map: Table<TypeInfo, Object<Metadata>>
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    /// At a paired asset's metadata: which coin it mirrors.
    struct PairedCoinType has key {
        type: TypeInfo
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    struct PairedFungibleAssetRefs has key {
        mint_ref_opt: Option<MintRef>,
        transfer_ref_opt: Option<TransferRef>,
        burn_ref_opt: Option<BurnRef>
    }

    /// Must be handed back with the borrowed MintRef.
    struct MintRefReceipt {
        metadata: Object<Metadata>
    }

    struct TransferRefReceipt {
        metadata: Object<Metadata>
    }

    struct BurnRefReceipt {
        metadata: Object<Metadata>
    }

    #[view]
    public fun paired_metadata<CoinType>(): Option<Object<Metadata>> acquires CoinConversionMap {
        if (exists<CoinConversionMap>(@aptos_framework)) {
            let map = &borrow_global<CoinConversionMap>(@aptos_framework).coin_to_fungible_asset_map;
            let t = type_info::type_of<CoinType>();
            if (table::contains(map, t)) return option::some(*table::borrow(map, t));
        };
        option::none()
    }

    public entry fun create_coin_conversion_map(aptos_framework: &signer) {
        system_addresses::assert_aptos_framework(aptos_framework);
        if (!exists<CoinConversionMap>(@aptos_framework)) {
            move_to(aptos_framework, CoinConversionMap { coin_to_fungible_asset_map: table::new() })
        };
    }

    /// Pairs CoinType (APT included) with a fungible asset.
    public entry fun create_pairing<CoinType>(aptos_framework: &signer) acquires CoinConversionMap, CoinInfo {
        system_addresses::assert_aptos_framework(aptos_framework);
        paired_metadata_or_create<CoinType>(true);
    }

    fun is_apt<CoinType>(): bool {
        type_info::type_name<CoinType>() == string::utf8(b"0x1::aptos_coin::AptosCoin")
    }

    /// The paired asset's metadata, creating it (at @aptos_fungible_asset for
    /// APT, else at the named object (0xA, type name)) the first time.
    fun paired_metadata_or_create<CoinType>(allow_apt_creation: bool): Object<Metadata> acquires CoinConversionMap, CoinInfo {
        assert!(exists<CoinConversionMap>(@aptos_framework), error::not_found(ECOIN_CONVERSION_MAP_NOT_FOUND));
        let map = borrow_global_mut<CoinConversionMap>(@aptos_framework);
        let t = type_info::type_of<CoinType>();
        if (!table::contains(&map.coin_to_fungible_asset_map, t)) {
            let apt = is_apt<CoinType>();
            assert!(!apt || allow_apt_creation, error::invalid_state(EAPT_PAIRING_IS_NOT_ENABLED));
            let cref = if (apt) {
                object::create_sticky_object_at_address(@aptos_framework, @aptos_fungible_asset)
            } else {
                object::create_named_object(
                    &create_signer::create_signer(@aptos_fungible_asset),
                    *string::bytes(&type_info::type_name<CoinType>())
                )
            };
            primary_fungible_store::create_primary_store_enabled_fungible_asset(
                &cref, option::none(), name<CoinType>(), symbol<CoinType>(), decimals<CoinType>(),
                string::utf8(b""), string::utf8(b"")
            );
            let metadata_signer = &object::generate_signer(&cref);
            move_to(metadata_signer, PairedCoinType { type: t });
            let metadata = object::object_from_constructor_ref<Metadata>(&cref);
            table::add(&mut map.coin_to_fungible_asset_map, t, metadata);
            event::emit(PairCreation { coin_type: t, fungible_asset_metadata_address: object::object_address(&metadata) });
            move_to(metadata_signer, PairedFungibleAssetRefs {
                mint_ref_opt: option::some(fungible_asset::generate_mint_ref(&cref)),
                transfer_ref_opt: option::some(fungible_asset::generate_transfer_ref(&cref)),
                burn_ref_opt: option::some(fungible_asset::generate_burn_ref(&cref)),
            });
        };
        *table::borrow(&map.coin_to_fungible_asset_map, t)
    }

    public(friend) fun ensure_paired_metadata<CoinType>(): Object<Metadata> acquires CoinConversionMap, CoinInfo {
        paired_metadata_or_create<CoinType>(false)
    }

    #[view]
    public fun paired_coin(metadata: Object<Metadata>): Option<TypeInfo> acquires PairedCoinType {
        let addr = object::object_address(&metadata);
        if (exists<PairedCoinType>(addr)) option::some(borrow_global<PairedCoinType>(addr).type) else option::none()
    }

    /// Burns the coin and mints the same amount of its paired asset.
    public fun coin_to_fungible_asset<CoinType>(coin: Coin<CoinType>): FungibleAsset acquires CoinConversionMap, CoinInfo {
        let metadata = ensure_paired_metadata<CoinType>();
        let amount = burn_internal(coin);
        fungible_asset::mint_internal(metadata, amount)
    }

    fun fungible_asset_to_coin<CoinType>(fa: FungibleAsset): Coin<CoinType> acquires CoinInfo, PairedCoinType {
        let metadata_addr = object::object_address(&fungible_asset::asset_metadata(&fa));
        assert!(object::object_exists<PairedCoinType>(metadata_addr), error::not_found(EPAIRED_COIN));
        let t = borrow_global<PairedCoinType>(metadata_addr).type;
        assert!(t == type_info::type_of<CoinType>(), error::invalid_argument(ECOIN_TYPE_MISMATCH));
        let amount = fungible_asset::burn_internal(fa);
        mint_internal<CoinType>(amount)
    }

    fun paired_refs_addr<CoinType>(): (Object<Metadata>, address) acquires CoinConversionMap {
        let m = paired_metadata<CoinType>();
        assert!(option::is_some(&m), error::not_found(EPAIRED_FUNGIBLE_ASSET));
        let metadata = option::destroy_some(m);
        let addr = object::object_address(&metadata);
        assert!(exists<PairedFungibleAssetRefs>(addr), error::internal(EPAIRED_FUNGIBLE_ASSET_REFS_NOT_FOUND));
        (metadata, addr)
    }

    #[view]
    public fun paired_mint_ref_exists<CoinType>(): bool acquires CoinConversionMap, PairedFungibleAssetRefs {
        let (_, addr) = paired_refs_addr<CoinType>();
        option::is_some(&borrow_global<PairedFungibleAssetRefs>(addr).mint_ref_opt)
    }

    /// Lends the paired asset's MintRef to the holder of the coin's MintCapability.
    public fun get_paired_mint_ref<CoinType>(_: &MintCapability<CoinType>): (MintRef, MintRefReceipt)
    acquires CoinConversionMap, PairedFungibleAssetRefs {
        let (metadata, addr) = paired_refs_addr<CoinType>();
        let opt = &mut borrow_global_mut<PairedFungibleAssetRefs>(addr).mint_ref_opt;
        assert!(option::is_some(opt), error::not_found(EMINT_REF_NOT_FOUND));
        (option::extract(opt), MintRefReceipt { metadata })
    }

    public fun return_paired_mint_ref(mint_ref: MintRef, receipt: MintRefReceipt) acquires PairedFungibleAssetRefs {
        let MintRefReceipt { metadata } = receipt;
        assert!(fungible_asset::mint_ref_metadata(&mint_ref) == metadata, error::invalid_argument(EMINT_REF_RECEIPT_MISMATCH));
        option::fill(&mut borrow_global_mut<PairedFungibleAssetRefs>(object::object_address(&metadata)).mint_ref_opt, mint_ref);
    }

    #[view]
    public fun paired_transfer_ref_exists<CoinType>(): bool acquires CoinConversionMap, PairedFungibleAssetRefs {
        let (_, addr) = paired_refs_addr<CoinType>();
        option::is_some(&borrow_global<PairedFungibleAssetRefs>(addr).transfer_ref_opt)
    }

    public fun get_paired_transfer_ref<CoinType>(_: &FreezeCapability<CoinType>): (TransferRef, TransferRefReceipt)
    acquires CoinConversionMap, PairedFungibleAssetRefs {
        let (metadata, addr) = paired_refs_addr<CoinType>();
        let opt = &mut borrow_global_mut<PairedFungibleAssetRefs>(addr).transfer_ref_opt;
        assert!(option::is_some(opt), error::not_found(ETRANSFER_REF_NOT_FOUND));
        (option::extract(opt), TransferRefReceipt { metadata })
    }

    public fun return_paired_transfer_ref(transfer_ref: TransferRef, receipt: TransferRefReceipt) acquires PairedFungibleAssetRefs {
        let TransferRefReceipt { metadata } = receipt;
        assert!(fungible_asset::transfer_ref_metadata(&transfer_ref) == metadata, error::invalid_argument(ETRANSFER_REF_RECEIPT_MISMATCH));
        option::fill(&mut borrow_global_mut<PairedFungibleAssetRefs>(object::object_address(&metadata)).transfer_ref_opt, transfer_ref);
    }

    #[view]
    public fun paired_burn_ref_exists<CoinType>(): bool acquires CoinConversionMap, PairedFungibleAssetRefs {
        let (_, addr) = paired_refs_addr<CoinType>();
        option::is_some(&borrow_global<PairedFungibleAssetRefs>(addr).burn_ref_opt)
    }

    public fun get_paired_burn_ref<CoinType>(_: &BurnCapability<CoinType>): (BurnRef, BurnRefReceipt)
    acquires CoinConversionMap, PairedFungibleAssetRefs {
        let (metadata, addr) = paired_refs_addr<CoinType>();
        let opt = &mut borrow_global_mut<PairedFungibleAssetRefs>(addr).burn_ref_opt;
        assert!(option::is_some(opt), error::not_found(EBURN_REF_NOT_FOUND));
        (option::extract(opt), BurnRefReceipt { metadata })
    }

    public fun convert_and_take_paired_burn_ref<CoinType>(burn_cap: BurnCapability<CoinType>): BurnRef
    acquires CoinConversionMap, PairedFungibleAssetRefs {
        destroy_burn_cap(burn_cap);
        let (_, addr) = paired_refs_addr<CoinType>();
        let opt = &mut borrow_global_mut<PairedFungibleAssetRefs>(addr).burn_ref_opt;
        assert!(option::is_some(opt), error::not_found(EBURN_REF_NOT_FOUND));
        option::extract(opt)
    }

    public fun return_paired_burn_ref(burn_ref: BurnRef, receipt: BurnRefReceipt) acquires PairedFungibleAssetRefs {
        let BurnRefReceipt { metadata } = receipt;
        assert!(fungible_asset::burn_ref_metadata(&burn_ref) == metadata, error::invalid_argument(EBURN_REF_RECEIPT_MISMATCH));
        option::fill(&mut borrow_global_mut<PairedFungibleAssetRefs>(object::object_address(&metadata)).burn_ref_opt, burn_ref);
    }

    public fun allow_supply_upgrades(_aptos_framework: &signer, _allowed: bool) {
        abort error::invalid_state(ECOIN_SUPPLY_UPGRADE_NOT_SUPPORTED)
    }

    /// Moves a legacy CoinStore balance into the primary fungible store.
    fun maybe_convert_to_fungible_store<CoinType>(account: address) acquires CoinStore, CoinConversionMap, CoinInfo {
        if (!exists<CoinStore<CoinType>>(account)) return;
        let CoinStore<CoinType> { coin, frozen, deposit_events, withdraw_events } = move_from<CoinStore<CoinType>>(account);
        if (is_coin_initialized<CoinType>() && coin.value > 0) {
            let metadata = ensure_paired_metadata<CoinType>();
            let store = primary_fungible_store::ensure_primary_store_exists(account, metadata);
            event::emit(CoinStoreDeletion {
                coin_type: type_info::type_name<CoinType>(),
                event_handle_creation_address: guid::creator_address(event::guid(&deposit_events)),
                deleted_deposit_event_handle_creation_number: guid::creation_num(event::guid(&deposit_events)),
                deleted_withdraw_event_handle_creation_number: guid::creation_num(event::guid(&withdraw_events))
            });
            fungible_asset::unchecked_deposit_with_no_events(object::object_address(&store), coin_to_fungible_asset(coin));
            if (frozen != fungible_asset::is_frozen(store)) fungible_asset::set_frozen_flag_internal(store, frozen);
        } else {
            destroy_zero(coin);
        };
        event::destroy_handle(deposit_events);
        event::destroy_handle(withdraw_events);
    }

    public entry fun migrate_to_fungible_store<CoinType>(account: &signer) acquires CoinStore, CoinConversionMap, CoinInfo {
        maybe_convert_to_fungible_store<CoinType>(signer::address_of(account));
    }

    public entry fun migrate_coin_store_to_fungible_store<CoinType>(accounts: vector<address>)
    acquires CoinStore, CoinConversionMap, CoinInfo {
        let i = 0;
        while (i < std::vector::length(&accounts)) {
            maybe_convert_to_fungible_store<CoinType>(*std::vector::borrow(&accounts, i));
            i = i + 1;
        }
    }

    fun coin_address<CoinType>(): address {
        type_info::account_address(&type_info::type_of<CoinType>())
    }

    fun coin_balance<CoinType>(owner: address): u64 acquires CoinStore {
        if (exists<CoinStore<CoinType>>(owner)) borrow_global<CoinStore<CoinType>>(owner).coin.value else 0
    }

    #[view]
    /// Legacy CoinStore balance plus the paired primary store's balance.
    public fun balance<CoinType>(owner: address): u64 acquires CoinConversionMap, CoinStore {
        let paired = paired_metadata<CoinType>();
        coin_balance<CoinType>(owner) + if (option::is_some(&paired)) {
            primary_fungible_store::balance(owner, option::extract(&mut paired))
        } else 0
    }

    #[view]
    public fun is_balance_at_least<CoinType>(owner: address, amount: u64): bool acquires CoinConversionMap, CoinStore {
        let in_coin = coin_balance<CoinType>(owner);
        if (in_coin >= amount) return true;
        let paired = paired_metadata<CoinType>();
        if (option::is_some(&paired)) {
            primary_fungible_store::is_balance_at_least(owner, option::extract(&mut paired), amount - in_coin)
        } else false
    }

    #[view]
    public fun is_coin_initialized<CoinType>(): bool {
        exists<CoinInfo<CoinType>>(coin_address<CoinType>())
    }

    #[view]
    public fun is_coin_store_frozen<CoinType>(account_addr: address): bool acquires CoinStore {
        if (!is_account_registered<CoinType>(account_addr)) return true;
        borrow_global<CoinStore<CoinType>>(account_addr).frozen
    }

    #[view]
    /// Every account can hold an initialized coin (in its primary store).
    public fun is_account_registered<CoinType>(_account_addr: address): bool {
        assert!(is_coin_initialized<CoinType>(), error::invalid_argument(ECOIN_INFO_NOT_PUBLISHED));
        true
    }

    #[view]
    public fun name<CoinType>(): String acquires CoinInfo {
        borrow_global<CoinInfo<CoinType>>(coin_address<CoinType>()).name
    }

    #[view]
    public fun symbol<CoinType>(): String acquires CoinInfo {
        borrow_global<CoinInfo<CoinType>>(coin_address<CoinType>()).symbol
    }

    #[view]
    public fun decimals<CoinType>(): u8 acquires CoinInfo {
        borrow_global<CoinInfo<CoinType>>(coin_address<CoinType>()).decimals
    }

    #[view]
    /// Coin supply plus the paired asset's supply, if the coin monitors supply.
    public fun supply<CoinType>(): Option<u128> acquires CoinInfo, CoinConversionMap {
        let s = coin_supply<CoinType>();
        let paired = paired_metadata<CoinType>();
        if (option::is_some(&paired) && option::is_some(&s)) {
            let fa_supply = fungible_asset::supply(option::extract(&mut paired));
            let total = option::borrow_mut(&mut s);
            *total = *total + option::destroy_some(fa_supply);
        };
        s
    }

    #[view]
    public fun coin_supply<CoinType>(): Option<u128> acquires CoinInfo {
        let s = &borrow_global<CoinInfo<CoinType>>(coin_address<CoinType>()).supply;
        if (option::is_some(s)) option::some(optional_aggregator::read(option::borrow(s))) else option::none()
    }

    public fun burn<CoinType>(coin: Coin<CoinType>, _cap: &BurnCapability<CoinType>) acquires CoinInfo {
        burn_internal(coin);
    }

    /// Burns from the account's paired primary store.
    public fun burn_from<CoinType>(account_addr: address, amount: u64, burn_cap: &BurnCapability<CoinType>)
    acquires CoinInfo, CoinConversionMap, PairedFungibleAssetRefs {
        if (amount == 0) return;
        let (_, addr) = paired_refs_addr<CoinType>();
        let _ = burn_cap;
        let opt = &borrow_global<PairedFungibleAssetRefs>(addr).burn_ref_opt;
        assert!(option::is_some(opt), error::not_found(EBURN_REF_NOT_FOUND));
        let store = primary_fungible_store::primary_store(account_addr, ensure_paired_metadata<CoinType>());
        fungible_asset::burn_from(option::borrow(opt), store, amount);
    }

    /// Converts the coin to its paired asset and deposits it in the primary store.
    public fun deposit<CoinType>(account_addr: address, coin: Coin<CoinType>) acquires CoinConversionMap, CoinInfo {
        primary_fungible_store::deposit(account_addr, coin_to_fungible_asset(coin));
    }

    public fun deposit_with_signer<CoinType>(account: &signer, coin: Coin<CoinType>) acquires CoinConversionMap, CoinInfo {
        ensure_paired_metadata<CoinType>();
        deposit(signer::address_of(account), coin);
    }

    public fun destroy_zero<CoinType>(zero_coin: Coin<CoinType>) {
        let Coin { value } = zero_coin;
        assert!(value == 0, error::invalid_argument(EDESTRUCTION_OF_NONZERO_TOKEN))
    }

    public fun extract<CoinType>(coin: &mut Coin<CoinType>, amount: u64): Coin<CoinType> {
        assert!(coin.value >= amount, error::invalid_argument(EINSUFFICIENT_BALANCE));
        coin.value = coin.value - amount;
        Coin { value: amount }
    }

    public fun extract_all<CoinType>(coin: &mut Coin<CoinType>): Coin<CoinType> {
        let v = coin.value;
        coin.value = 0;
        Coin { value: v }
    }

    #[legacy_entry_fun]
    public entry fun freeze_coin_store<CoinType>(account_addr: address, _freeze_cap: &FreezeCapability<CoinType>) acquires CoinStore {
        borrow_global_mut<CoinStore<CoinType>>(account_addr).frozen = true;
    }

    #[legacy_entry_fun]
    public entry fun unfreeze_coin_store<CoinType>(account_addr: address, _freeze_cap: &FreezeCapability<CoinType>) acquires CoinStore {
        borrow_global_mut<CoinStore<CoinType>>(account_addr).frozen = false;
    }

    public entry fun upgrade_supply<CoinType>(_account: &signer) {
        abort error::invalid_state(ECOIN_SUPPLY_UPGRADE_NOT_SUPPORTED)
    }

    /// Publishes CoinInfo<CoinType>; `account` must be the address that
    /// declares CoinType. Returns the coin's capabilities.
    public fun initialize<CoinType>(
        account: &signer,
        name: String,
        symbol: String,
        decimals: u8,
        monitor_supply: bool
    ): (BurnCapability<CoinType>, FreezeCapability<CoinType>, MintCapability<CoinType>) {
        initialize_internal(account, name, symbol, decimals, monitor_supply, false)
    }

    public(friend) fun initialize_with_parallelizable_supply<CoinType>(
        account: &signer,
        name: String,
        symbol: String,
        decimals: u8,
        monitor_supply: bool
    ): (BurnCapability<CoinType>, FreezeCapability<CoinType>, MintCapability<CoinType>) {
        system_addresses::assert_aptos_framework(account);
        initialize_internal(account, name, symbol, decimals, monitor_supply, true)
    }

    fun initialize_internal<CoinType>(
        account: &signer,
        name: String,
        symbol: String,
        decimals: u8,
        monitor_supply: bool,
        parallelizable: bool
    ): (BurnCapability<CoinType>, FreezeCapability<CoinType>, MintCapability<CoinType>) {
        let account_addr = signer::address_of(account);
        assert!(coin_address<CoinType>() == account_addr, error::invalid_argument(ECOIN_INFO_ADDRESS_MISMATCH));
        assert!(!exists<CoinInfo<CoinType>>(account_addr), error::already_exists(ECOIN_INFO_ALREADY_PUBLISHED));
        assert!(string::length(&name) <= MAX_COIN_NAME_LENGTH, error::invalid_argument(ECOIN_NAME_TOO_LONG));
        assert!(string::length(&symbol) <= MAX_COIN_SYMBOL_LENGTH, error::invalid_argument(ECOIN_SYMBOL_TOO_LONG));
        assert!(decimals <= MAX_DECIMALS, error::invalid_argument(ECOIN_DECIMALS_TOO_LARGE));
        let supply = if (monitor_supply) option::some(optional_aggregator::new(parallelizable)) else option::none();
        move_to(account, CoinInfo<CoinType> { name, symbol, decimals, supply });
        (BurnCapability<CoinType> {}, FreezeCapability<CoinType> {}, MintCapability<CoinType> {})
    }

    public fun merge<CoinType>(dst_coin: &mut Coin<CoinType>, source_coin: Coin<CoinType>) {
        let Coin { value } = source_coin;
        dst_coin.value = dst_coin.value + value;
    }

    public fun mint<CoinType>(amount: u64, _cap: &MintCapability<CoinType>): Coin<CoinType> acquires CoinInfo {
        mint_internal<CoinType>(amount)
    }

    /// Kept for compatibility: accounts no longer need registering. Aborts
    /// 0x10003 if the coin is not initialized.
    public fun register<CoinType>(account: &signer) {
        let account_addr = signer::address_of(account);
        if (is_account_registered<CoinType>(account_addr)) return;
        account::register_coin<CoinType>(account_addr);
    }

    public entry fun transfer<CoinType>(from: &signer, to: address, amount: u64) acquires CoinConversionMap, CoinInfo {
        let fa = primary_fungible_store::withdraw(from, ensure_paired_metadata<CoinType>(), amount);
        primary_fungible_store::deposit(to, fa);
    }

    public fun value<CoinType>(coin: &Coin<CoinType>): u64 {
        coin.value
    }

    /// Withdraws from the paired primary store (0x10004 in fungible_asset if short).
    public fun withdraw<CoinType>(account: &signer, amount: u64): Coin<CoinType> acquires CoinConversionMap, CoinInfo, PairedCoinType {
        let fa = primary_fungible_store::withdraw(account, ensure_paired_metadata<CoinType>(), amount);
        fungible_asset_to_coin(fa)
    }

    public fun zero<CoinType>(): Coin<CoinType> {
        Coin<CoinType> { value: 0 }
    }

    public fun destroy_freeze_cap<CoinType>(freeze_cap: FreezeCapability<CoinType>) {
        let FreezeCapability<CoinType> {} = freeze_cap;
    }

    public fun destroy_mint_cap<CoinType>(mint_cap: MintCapability<CoinType>) {
        let MintCapability<CoinType> {} = mint_cap;
    }

    public fun destroy_burn_cap<CoinType>(burn_cap: BurnCapability<CoinType>) {
        let BurnCapability<CoinType> {} = burn_cap;
    }

    fun mint_internal<CoinType>(amount: u64): Coin<CoinType> acquires CoinInfo {
        if (amount == 0) return Coin<CoinType> { value: 0 };
        let s = &mut borrow_global_mut<CoinInfo<CoinType>>(coin_address<CoinType>()).supply;
        if (option::is_some(s)) optional_aggregator::add(option::borrow_mut(s), (amount as u128));
        Coin<CoinType> { value: amount }
    }

    fun burn_internal<CoinType>(coin: Coin<CoinType>): u64 acquires CoinInfo {
        let Coin { value: amount } = coin;
        if (amount != 0) {
            let s = &mut borrow_global_mut<CoinInfo<CoinType>>(coin_address<CoinType>()).supply;
            if (option::is_some(s)) optional_aggregator::sub(option::borrow_mut(s), (amount as u128));
        };
        amount
    }
}
