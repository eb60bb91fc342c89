/// Custody of the package's APT. One object, created at publish time and
/// owned by nobody (its owner is 0x0, so no account can withdraw from its
/// store directly); only this module can sign for it, through the ExtendRef it
/// keeps. Two ledgers split the balance:
///
///   escrowed  what open orders owe back to owners or forward to relays
///   treasury  protocol fees, drawn on by the package's reward modules and the
///             administrator
///
/// Invariant: APT balance of the vault == escrowed + treasury. APT sent to the
/// vault address by anyone else is surplus; sweep_surplus books it to the
/// treasury, so no coin is ever stranded.
module agi_nostr::vault {
    use std::error;
    use std::signer;
    use aptos_framework::aptos_account;
    use aptos_framework::aptos_coin::AptosCoin;
    use aptos_framework::coin;
    use aptos_framework::event;
    use aptos_framework::object::{Self, ExtendRef};
    use agi_nostr::governance;

    /// The treasury holds less than the amount asked for.
    const EINSUFFICIENT_TREASURY: u64 = 1;
    /// A release exceeds what is escrowed (a bug in a caller; never expected).
    const EINSUFFICIENT_ESCROW: u64 = 2;
    /// Amount must be greater than zero.
    const EZERO_AMOUNT: u64 = 3;

    const VAULT_SEED: vector<u8> = b"agi_nostr::vault";

    struct Vault has key {
        extend_ref: ExtendRef,
        escrowed: u64,
        treasury: u64,
    }

    #[event]
    /// A protocol fee (order_id > 0) or a sweep (order_id 0) reached the treasury.
    struct TreasuryCredited has drop, store {
        order_id: u64,
        amount: u64,
        treasury: u64,
    }

    #[event]
    struct TreasuryPaid has drop, store {
        to: address,
        amount: u64,
        treasury: u64,
        by: address,
    }

    fun init_module(publisher: &signer) {
        let constructor = object::create_named_object(publisher, VAULT_SEED);
        let extend_ref = object::generate_extend_ref(&constructor);
        // Hand the object to 0x0: an owner could otherwise withdraw from the
        // object's fungible store by ownership alone.
        let transfer_ref = object::generate_transfer_ref(&constructor);
        object::transfer_with_ref(object::generate_linear_transfer_ref(&transfer_ref), @0x0);
        object::disable_ungated_transfer(&transfer_ref);
        move_to(publisher, Vault { extend_ref, escrowed: 0, treasury: 0 });
    }

    /// Moves amount APT from payer into escrow.
    public(package) fun lock(payer: &signer, amount: u64) acquires Vault {
        if (amount == 0) return;
        let v = borrow_global_mut<Vault>(@agi_nostr);
        aptos_account::transfer(payer, object::address_from_extend_ref(&v.extend_ref), amount);
        v.escrowed += amount;
    }

    /// Pays amount APT out of escrow.
    public(package) fun release(to: address, amount: u64) acquires Vault {
        if (amount == 0) return;
        let v = borrow_global_mut<Vault>(@agi_nostr);
        assert!(v.escrowed >= amount, error::internal(EINSUFFICIENT_ESCROW));
        v.escrowed -= amount;
        aptos_account::transfer(&object::generate_signer_for_extending(&v.extend_ref), to, amount);
    }

    /// Books amount of escrow (an order's protocol fee) to the treasury.
    public(package) fun release_to_treasury(order_id: u64, amount: u64) acquires Vault {
        if (amount == 0) return;
        let v = borrow_global_mut<Vault>(@agi_nostr);
        assert!(v.escrowed >= amount, error::internal(EINSUFFICIENT_ESCROW));
        v.escrowed -= amount;
        v.treasury += amount;
        event::emit(TreasuryCredited { order_id, amount, treasury: v.treasury });
    }

    /// Pays from the treasury: for the package's reward modules.
    public(package) fun pay_from_treasury(to: address, amount: u64) acquires Vault {
        pay(to, amount, @agi_nostr);
    }

    /// The administrator pays from the treasury.
    public entry fun withdraw_treasury(admin: &signer, to: address, amount: u64) acquires Vault {
        governance::assert_admin(admin);
        pay(to, amount, signer::address_of(admin));
    }

    /// Books APT that reached the vault outside an order to the treasury.
    /// Anyone may call it; it moves no coin.
    public entry fun sweep_surplus(_caller: &signer) acquires Vault {
        let v = borrow_global_mut<Vault>(@agi_nostr);
        let balance = coin::balance<AptosCoin>(object::address_from_extend_ref(&v.extend_ref));
        let booked = (v.escrowed as u128) + (v.treasury as u128);
        if ((balance as u128) > booked) {
            let surplus = (((balance as u128) - booked) as u64);
            v.treasury += surplus;
            event::emit(TreasuryCredited { order_id: 0, amount: surplus, treasury: v.treasury });
        }
    }

    fun pay(to: address, amount: u64, by: address) acquires Vault {
        assert!(amount > 0, error::invalid_argument(EZERO_AMOUNT));
        let v = borrow_global_mut<Vault>(@agi_nostr);
        assert!(v.treasury >= amount, error::invalid_argument(EINSUFFICIENT_TREASURY));
        v.treasury -= amount;
        aptos_account::transfer(&object::generate_signer_for_extending(&v.extend_ref), to, amount);
        event::emit(TreasuryPaid { to, amount, treasury: v.treasury, by });
    }

    #[view]
    /// The vault object's address (where its APT sits).
    public fun vault_address(): address acquires Vault {
        object::address_from_extend_ref(&borrow_global<Vault>(@agi_nostr).extend_ref)
    }

    #[view]
    public fun balance(): u64 acquires Vault { coin::balance<AptosCoin>(vault_address()) }

    #[view]
    public fun escrowed(): u64 acquires Vault { borrow_global<Vault>(@agi_nostr).escrowed }

    #[view]
    public fun treasury(): u64 acquires Vault { borrow_global<Vault>(@agi_nostr).treasury }

    #[test_only]
    public fun init_for_test(publisher: &signer) { init_module(publisher) }
}
