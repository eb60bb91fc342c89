/// Resource accounts created by an origin account, whose SignerCapability is
/// parked here until a module published at the resource account claims it
/// (typically in its init_module).
module aptos_framework::resource_account {
    use std::error;
    use std::signer;
    use std::vector;
    use aptos_framework::account;
    use aptos_framework::aptos_coin::AptosCoin;
    use aptos_framework::coin;
    use aptos_std::simple_map::{Self, SimpleMap};

    /// The origin has no pending resource account capabilities.
    const ECONTAINER_NOT_PUBLISHED: u64 = 1;
    /// The resource account was not created by this origin.
    const EUNAUTHORIZED_NOT_OWNER: u64 = 2;

    const ZERO_AUTH_KEY: vector<u8> = x"0000000000000000000000000000000000000000000000000000000000000000";

    struct Container has key {
        store: SimpleMap<address, account::SignerCapability>
    }

    /// Creates the resource account of (origin, seed); its authentication key
    /// becomes `optional_auth_key`, or the origin's when empty.
    public entry fun create_resource_account(origin: &signer, seed: vector<u8>, optional_auth_key: vector<u8>) acquires Container {
        let (resource, cap) = account::create_resource_account(origin, seed);
        store_capability(origin, resource, cap, optional_auth_key);
    }

    /// Like create_resource_account, and transfers `fund_amount` APT to it.
    public entry fun create_resource_account_and_fund(
        origin: &signer,
        seed: vector<u8>,
        optional_auth_key: vector<u8>,
        fund_amount: u64
    ) acquires Container {
        let (resource, cap) = account::create_resource_account(origin, seed);
        coin::register<AptosCoin>(&resource);
        coin::transfer<AptosCoin>(origin, signer::address_of(&resource), fund_amount);
        store_capability(origin, resource, cap, optional_auth_key);
    }

    fun store_capability(
        origin: &signer,
        resource: signer,
        resource_signer_cap: account::SignerCapability,
        optional_auth_key: vector<u8>
    ) acquires Container {
        let origin_addr = signer::address_of(origin);
        if (!exists<Container>(origin_addr)) move_to(origin, Container { store: simple_map::create() });
        let container = borrow_global_mut<Container>(origin_addr);
        simple_map::add(&mut container.store, signer::address_of(&resource), resource_signer_cap);
        let auth_key = if (vector::is_empty(&optional_auth_key)) {
            account::get_authentication_key(origin_addr)
        } else {
            optional_auth_key
        };
        account::rotate_authentication_key_internal(&resource, auth_key);
    }

    /// Hands the resource account its own SignerCapability and locks the
    /// account's authentication key to zero.
    public fun retrieve_resource_account_cap(resource: &signer, source_addr: address): account::SignerCapability acquires Container {
        assert!(exists<Container>(source_addr), error::not_found(ECONTAINER_NOT_PUBLISHED));
        let resource_addr = signer::address_of(resource);
        let container = borrow_global_mut<Container>(source_addr);
        assert!(simple_map::contains_key(&container.store, &resource_addr), error::invalid_argument(EUNAUTHORIZED_NOT_OWNER));
        let (_, cap) = simple_map::remove(&mut container.store, &resource_addr);
        if (simple_map::length(&container.store) == 0) {
            let Container { store } = move_from<Container>(source_addr);
            simple_map::destroy_empty(store);
        };
        account::rotate_authentication_key_internal(resource, ZERO_AUTH_KEY);
        cap
    }
}
