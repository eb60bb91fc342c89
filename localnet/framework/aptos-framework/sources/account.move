/// Accounts: the Account resource (authentication key, sequence number, GUID
/// counter, capability offers), resource accounts and signer capabilities.
///
/// With the DEFAULT_ACCOUNT_RESOURCE feature (on by default) every address is
/// an account: the Account resource is created lazily the first time
/// something needs to change it.
module aptos_framework::account {
    use std::bcs;
    use std::error;
    use std::features;
    use std::hash;
    use std::option::{Self, Option};
    use std::signer;
    use std::vector;
    use aptos_framework::create_signer::create_signer;
    use aptos_framework::event::{Self, EventHandle};
    use aptos_framework::guid;
    use aptos_framework::system_addresses;
    use aptos_std::from_bcs;
    use aptos_std::table::{Self, Table};
    use aptos_std::type_info::{Self, TypeInfo};

    friend aptos_framework::aptos_account;
    friend aptos_framework::coin;
    friend aptos_framework::genesis;
    friend aptos_framework::resource_account;

    #[event]
    struct KeyRotation has drop, store {
        account: address,
        old_authentication_key: vector<u8>,
        new_authentication_key: vector<u8>,
    }

    struct Account has key, store {
        authentication_key: vector<u8>,
        sequence_number: u64,
        guid_creation_num: u64,
        coin_register_events: EventHandle<CoinRegisterEvent>,
        key_rotation_events: EventHandle<KeyRotationEvent>,
        rotation_capability_offer: CapabilityOffer<RotationCapability>,
        signer_capability_offer: CapabilityOffer<SignerCapability>,
    }

    struct KeyRotationEvent has drop, store {
        old_authentication_key: vector<u8>,
        new_authentication_key: vector<u8>,
    }

    struct CoinRegisterEvent has drop, store {
        type_info: TypeInfo,
    }

    #[event]
    struct CoinRegister has drop, store {
        account: address,
        type_info: TypeInfo,
    }

    /// To whom (if anyone) a capability has been offered.
    struct CapabilityOffer<phantom T> has store { for: Option<address> }

    struct RotationCapability has drop, store { account: address }

    /// Lets its holder act as `account` (create_signer_with_capability).
    struct SignerCapability has drop, store { account: address }

    /// Maps authentication keys to the accounts that rotated to them.
    struct OriginatingAddress has key {
        address_map: Table<address, address>,
    }

    const MAX_U64: u128 = 18446744073709551615;
    const ZERO_AUTH_KEY: vector<u8> = x"0000000000000000000000000000000000000000000000000000000000000000";
    const ED25519_SCHEME: u8 = 0;
    const MULTI_ED25519_SCHEME: u8 = 1;
    const SINGLE_KEY_SCHEME: u8 = 2;
    const MULTI_KEY_SCHEME: u8 = 3;
    /// Scheme byte appended when deriving resource account addresses.
    const DERIVE_RESOURCE_ACCOUNT_SCHEME: u8 = 255;
    /// GUIDs of accounts stay below this; objects count from here.
    const MAX_GUID_CREATION_NUM: u64 = 0x4000000000000;

    const EACCOUNT_ALREADY_EXISTS: u64 = 1;
    const EACCOUNT_DOES_NOT_EXIST: u64 = 2;
    const ESEQUENCE_NUMBER_TOO_BIG: u64 = 3;
    const EMALFORMED_AUTHENTICATION_KEY: u64 = 4;
    const ECANNOT_RESERVED_ADDRESS: u64 = 5;
    const EOUT_OF_GAS: u64 = 6;
    const EWRONG_CURRENT_PUBLIC_KEY: u64 = 7;
    const EINVALID_PROOF_OF_KNOWLEDGE: u64 = 8;
    const ENO_CAPABILITY: u64 = 9;
    const EINVALID_ACCEPT_ROTATION_CAPABILITY: u64 = 10;
    const ENO_VALID_FRAMEWORK_RESERVED_ADDRESS: u64 = 11;
    const EINVALID_SCHEME: u64 = 12;
    const EINVALID_ORIGINATING_ADDRESS: u64 = 13;
    const ENO_SUCH_SIGNER_CAPABILITY: u64 = 14;
    const ERESOURCE_ACCCOUNT_EXISTS: u64 = 15;
    const EACCOUNT_ALREADY_USED: u64 = 16;
    const EOFFERER_ADDRESS_DOES_NOT_EXIST: u64 = 17;
    const ENO_SUCH_ROTATION_CAPABILITY_OFFER: u64 = 18;
    const ENO_SIGNER_CAPABILITY_OFFERED: u64 = 19;
    const EEXCEEDED_MAX_GUID_CREATION_NUM: u64 = 20;

    public(friend) fun initialize(aptos_framework: &signer) {
        system_addresses::assert_aptos_framework(aptos_framework);
        move_to(aptos_framework, OriginatingAddress { address_map: table::new() });
    }

    /// Publishes an Account resource at `account_address` unless one exists.
    /// The VM, framework and token addresses cannot be created this way.
    public fun create_account_if_does_not_exist(account_address: address) {
        if (!exists<Account>(account_address)) {
            assert_not_reserved(account_address);
            create_account_unchecked(account_address);
        }
    }

    /// Creates a new account. With default account resources on, this only
    /// checks the address and returns its signer; the resource comes later.
    public(friend) fun create_account(new_address: address): signer {
        assert!(!exists<Account>(new_address), error::already_exists(EACCOUNT_ALREADY_EXISTS));
        assert_not_reserved(new_address);
        if (features::is_default_account_resource_enabled()) {
            create_signer(new_address)
        } else {
            create_account_unchecked(new_address)
        }
    }

    fun assert_not_reserved(addr: address) {
        assert!(
            addr != @vm_reserved && addr != @aptos_framework && addr != @aptos_token,
            error::invalid_argument(ECANNOT_RESERVED_ADDRESS)
        );
    }

    fun create_account_unchecked(new_address: address): signer {
        let new_account = create_signer(new_address);
        let authentication_key = bcs::to_bytes(&new_address);
        let guid_creation_num = 0;
        let coin_register_events = event::new_event_handle<CoinRegisterEvent>(guid::create(new_address, &mut guid_creation_num));
        let key_rotation_events = event::new_event_handle<KeyRotationEvent>(guid::create(new_address, &mut guid_creation_num));
        move_to(&new_account, Account {
            authentication_key,
            sequence_number: 0,
            guid_creation_num,
            coin_register_events,
            key_rotation_events,
            rotation_capability_offer: CapabilityOffer { for: option::none() },
            signer_capability_offer: CapabilityOffer { for: option::none() },
        });
        new_account
    }

    /// Makes sure an Account resource exists before it is changed.
    fun ensure_resource_exists(addr: address) {
        if (features::is_default_account_resource_enabled()) {
            create_account_if_does_not_exist(addr);
        } else {
            assert!(exists<Account>(addr), error::not_found(EACCOUNT_DOES_NOT_EXIST));
        }
    }

    #[view]
    public fun exists_at(addr: address): bool {
        features::is_default_account_resource_enabled() || exists<Account>(addr)
    }

    #[view]
    public fun get_guid_next_creation_num(addr: address): u64 acquires Account {
        if (exists<Account>(addr)) {
            borrow_global<Account>(addr).guid_creation_num
        } else if (features::is_default_account_resource_enabled()) {
            0
        } else {
            abort error::not_found(EACCOUNT_DOES_NOT_EXIST)
        }
    }

    #[view]
    public fun get_sequence_number(addr: address): u64 acquires Account {
        if (exists<Account>(addr)) {
            borrow_global<Account>(addr).sequence_number
        } else if (features::is_default_account_resource_enabled()) {
            0
        } else {
            abort error::not_found(EACCOUNT_DOES_NOT_EXIST)
        }
    }

    #[view]
    public fun originating_address(auth_key: address): Option<address> acquires OriginatingAddress {
        let map = &borrow_global<OriginatingAddress>(@aptos_framework).address_map;
        if (table::contains(map, auth_key)) option::some(*table::borrow(map, auth_key)) else option::none()
    }

    public(friend) fun increment_sequence_number(addr: address) acquires Account {
        ensure_resource_exists(addr);
        let seq = &mut borrow_global_mut<Account>(addr).sequence_number;
        assert!((*seq as u128) < MAX_U64, error::out_of_range(ESEQUENCE_NUMBER_TOO_BIG));
        *seq = *seq + 1;
    }

    #[view]
    public fun get_authentication_key(addr: address): vector<u8> acquires Account {
        if (exists<Account>(addr)) {
            borrow_global<Account>(addr).authentication_key
        } else if (features::is_default_account_resource_enabled()) {
            bcs::to_bytes(&addr)
        } else {
            abort error::not_found(EACCOUNT_DOES_NOT_EXIST)
        }
    }

    /// Sets the authentication key without any proof; friends only.
    public(friend) fun rotate_authentication_key_internal(account: &signer, new_auth_key: vector<u8>) acquires Account {
        let addr = signer::address_of(account);
        ensure_resource_exists(addr);
        assert!(vector::length(&new_auth_key) == 32, error::invalid_argument(EMALFORMED_AUTHENTICATION_KEY));
        borrow_global_mut<Account>(addr).authentication_key = new_auth_key;
    }

    entry fun rotate_authentication_key_call(account: &signer, new_auth_key: vector<u8>) acquires Account {
        rotate_authentication_key_internal(account, new_auth_key);
    }

    #[view]
    public fun is_signer_capability_offered(account_addr: address): bool acquires Account {
        exists<Account>(account_addr) &&
            option::is_some(&borrow_global<Account>(account_addr).signer_capability_offer.for)
    }

    #[view]
    public fun get_signer_capability_offer_for(account_addr: address): address acquires Account {
        assert!(exists<Account>(account_addr), error::not_found(ENO_SIGNER_CAPABILITY_OFFERED));
        let offer = &borrow_global<Account>(account_addr).signer_capability_offer.for;
        assert!(option::is_some(offer), error::not_found(ENO_SIGNER_CAPABILITY_OFFERED));
        *option::borrow(offer)
    }

    #[view]
    public fun is_rotation_capability_offered(account_addr: address): bool acquires Account {
        exists<Account>(account_addr) &&
            option::is_some(&borrow_global<Account>(account_addr).rotation_capability_offer.for)
    }

    /// The address of a resource account: sha3-256(source ++ seed ++ 0xFF).
    public fun create_resource_address(source: &address, seed: vector<u8>): address {
        let preimage = bcs::to_bytes(source);
        vector::append(&mut preimage, seed);
        vector::push_back(&mut preimage, DERIVE_RESOURCE_ACCOUNT_SCHEME);
        from_bcs::to_address(hash::sha3_256(preimage))
    }

    /// Creates the resource account of (source, seed): an account no private
    /// key controls (its authentication key is zero), driven through the
    /// returned SignerCapability.
    public fun create_resource_account(source: &signer, seed: vector<u8>): (signer, SignerCapability) acquires Account {
        let resource_addr = create_resource_address(&signer::address_of(source), seed);
        let resource = if (exists_at(resource_addr)) {
            if (exists<Account>(resource_addr)) {
                assert!(
                    option::is_none(&borrow_global<Account>(resource_addr).signer_capability_offer.for),
                    error::already_exists(ERESOURCE_ACCCOUNT_EXISTS),
                );
            };
            assert!(get_sequence_number(resource_addr) == 0, error::invalid_state(EACCOUNT_ALREADY_USED));
            create_signer(resource_addr)
        } else {
            create_account_unchecked(resource_addr)
        };
        rotate_authentication_key_internal(&resource, ZERO_AUTH_KEY);
        borrow_global_mut<Account>(resource_addr).signer_capability_offer.for = option::some(resource_addr);
        (resource, SignerCapability { account: resource_addr })
    }

    /// Creates one of the framework-reserved accounts 0x1..0xa (genesis).
    public(friend) fun create_framework_reserved_account(addr: address): (signer, SignerCapability) {
        assert!(system_addresses::is_framework_reserved_address(addr), error::permission_denied(ENO_VALID_FRAMEWORK_RESERVED_ADDRESS));
        let s = create_account_unchecked(addr);
        (s, SignerCapability { account: addr })
    }

    /// A new GUID from the account's counter.
    public fun create_guid(account_signer: &signer): guid::GUID acquires Account {
        let addr = signer::address_of(account_signer);
        ensure_resource_exists(addr);
        let account = borrow_global_mut<Account>(addr);
        let g = guid::create(addr, &mut account.guid_creation_num);
        assert!(account.guid_creation_num < MAX_GUID_CREATION_NUM, error::out_of_range(EEXCEEDED_MAX_GUID_CREATION_NUM));
        g
    }

    public fun new_event_handle<T: drop + store>(account: &signer): EventHandle<T> acquires Account {
        event::new_event_handle(create_guid(account))
    }

    public(friend) fun register_coin<CoinType>(account_addr: address) {
        event::emit(CoinRegister { account: account_addr, type_info: type_info::type_of<CoinType>() });
    }

    public fun create_signer_with_capability(capability: &SignerCapability): signer {
        create_signer(capability.account)
    }

    public fun get_signer_capability_address(capability: &SignerCapability): address {
        capability.account
    }

    #[test_only]
    public fun create_signer_for_test(addr: address): signer { create_signer(addr) }

    #[test_only]
    /// Publishes an Account resource if missing and returns the signer.
    public fun create_account_for_test(new_address: address): signer {
        if (!exists<Account>(new_address)) create_account_unchecked(new_address) else create_signer(new_address)
    }

    #[test_only]
    public fun increment_sequence_number_for_test(addr: address) acquires Account {
        let acct = borrow_global_mut<Account>(addr);
        acct.sequence_number = acct.sequence_number + 1;
    }

    #[test_only]
    public fun set_sequence_number(addr: address, s: u64) acquires Account {
        borrow_global_mut<Account>(addr).sequence_number = s;
    }

    #[test_only]
    public fun create_test_signer_cap(account: address): SignerCapability {
        SignerCapability { account }
    }

    #[test_only]
    public fun set_signer_capability_offer(offerer: address, receiver: address) acquires Account {
        borrow_global_mut<Account>(offerer).signer_capability_offer.for = option::some(receiver);
    }

    #[test_only]
    public fun set_rotation_capability_offer(offerer: address, receiver: address) acquires Account {
        borrow_global_mut<Account>(offerer).rotation_capability_offer.for = option::some(receiver);
    }
}
