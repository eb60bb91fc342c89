#[test_only]
/// The order market end to end: every entry function, every abort, every
/// deadline path, disputes with valid and invalid proofs. The books are
/// checked after each step: the vault holds exactly what open orders owe plus
/// the treasury, and no APT appears or disappears.
module agi_nostr::market_tests {
    use std::string::utf8;
    use aptos_framework::aptos_coin::{Self, AptosCoin};
    use aptos_framework::coin;
    use aptos_framework::event;
    use aptos_framework::timestamp;
    use agi_nostr::delivery;
    use agi_nostr::governance;
    use agi_nostr::market;
    use agi_nostr::vault;
    use agi_nostr::vector_data;

    const FUNDS: u64 = 1000000000;
    const T0: u64 = 1700000000;
    const DAY: u64 = 86400;
    const DOWN: u64 = 1000;
    const COST: u64 = 50000;
    const TIP: u64 = 7000;

    const OWNER: address = @0xA11CE;
    const RELAY: address = @0xB0B;
    const RELAY2: address = @0xC0C;
    const OTHER: address = @0xD0D;

    fun nostr(): vector<u8> { x"1111111111111111111111111111111111111111111111111111111111111111" }

    fun relay_nostr(): vector<u8> { x"2222222222222222222222222222222222222222222222222222222222222222" }

    /// Time, APT, funded accounts and the package, as after publishing.
    fun setup(fx: &signer, publisher: &signer) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::update_global_time_for_test_secs(T0);
        let (burn, mint) = aptos_coin::initialize_for_test(fx);
        let users = vector[OWNER, RELAY, RELAY2, OTHER];
        let i = 0;
        while (i < users.length()) {
            coin::deposit(users[i], coin::mint<AptosCoin>(FUNDS, &mint));
            i += 1;
        };
        coin::destroy_burn_cap(burn);
        coin::destroy_mint_cap(mint);
        market::init_for_test(publisher);
    }

    fun setup_with_relays(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher);
        market::register_relay(relay, relay_nostr(), utf8(b"wss://relay.example.org"));
    }

    fun balance(a: address): u64 { coin::balance<AptosCoin>(a) }

    /// The vault's books: balance == escrowed + treasury, escrowed == what
    /// open orders owe.
    fun assert_books() {
        assert!(vault::balance() == vault::escrowed() + vault::treasury(), 900);
        assert!(vault::escrowed() == market::owed_on_open_orders(), 901);
    }

    /// The object of the dispute vectors and the id of its tampered ciphertext.
    fun object(): (vector<u8>, vector<u8>, u64) {
        let (_, object_id, cipher_id, size, _, _, _, _, _, _, _) = vector_data::dispute(0);
        (object_id, cipher_id, size)
    }

    fun pull_default(owner: &signer): u64 {
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], DOWN, COST, TIP, timestamp::now_seconds() + DAY);
        market::next_order_id() - 1
    }

    fun take_default(relay: &signer, id: u64) {
        let (_, _, x) = vector_data::prime_pair();
        let (_, cipher_id, _) = object();
        market::take_order(relay, id, x, cipher_id);
    }

    fun reveal_default(relay: &signer, id: u64) {
        let (p1, p2, _) = vector_data::prime_pair();
        market::complete_order(relay, id, p1, p2);
    }

    /// Runs an order through take, confirm and reveal.
    fun revealed_order(owner: &signer, relay: &signer): u64 {
        let id = pull_default(owner);
        take_default(relay, id);
        market::confirm_received(owner, id);
        reveal_default(relay, id);
        id
    }

    fun state(id: u64): u8 { market::order(id).order_state() }

    fun dispute_with(owner: &signer, id: u64, vector_index: u64) {
        let (_, _, _, _, _, index, chunk, cpath, leaf, ppath, _) = vector_data::dispute(vector_index);
        market::dispute(owner, id, index, chunk, cpath, leaf, ppath);
    }

    // -----------------------------------------------------------------
    // The whole life of an order

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, other = @0xD0D)]
    fun happy_path(fx: &signer, publisher: &signer, owner: &signer, relay: &signer, other: &signer) {
        setup_with_relays(fx, publisher, relay);
        let (object_id, cipher_id, size) = object();
        let (p1, p2, x) = vector_data::prime_pair();

        market::pull(owner, object_id, size, nostr(), vector[RELAY], DOWN, COST, TIP, T0 + DAY);
        let id = vector_data::dispute_order_id();
        assert!(market::next_order_id() == id + 1, 1);
        assert!(balance(OWNER) == FUNDS - DOWN - COST - TIP, 2);
        assert!(vault::balance() == DOWN + COST + TIP, 3);
        assert!(event::was_event_emitted(&market::order_created_event(
            id, OWNER, nostr(), object_id, size, vector[RELAY], DOWN, COST, TIP, 100, DAY, DAY, T0 + DAY, T0,
        )), 4);
        assert_books();

        timestamp::fast_forward_seconds(10);
        market::take_order(relay, id, x, cipher_id);
        assert!(balance(RELAY) == FUNDS + DOWN, 5);
        assert!(state(id) == market::state_taken(), 6);
        assert!(event::was_event_emitted(&market::order_taken_event(id, OWNER, RELAY, x, cipher_id, DOWN, T0 + 10)), 7);
        assert_books();

        timestamp::fast_forward_seconds(10);
        market::confirm_received(owner, id);
        assert!(event::was_event_emitted(&market::delivery_confirmed_event(id, OWNER, RELAY, T0 + 20 + DAY, T0 + 20)), 8);

        timestamp::fast_forward_seconds(10);
        market::complete_order(relay, id, p1, p2);
        let o = market::order(id);
        let key = delivery::derive_key(id, &p1, &p2);
        assert!(o.order_key() == key, 9);
        let (_, _, _, _, dispute_until, _) = o.order_times();
        assert!(dispute_until == T0 + 30 + DAY, 10);
        assert!(event::was_event_emitted(&market::key_revealed_event(id, OWNER, RELAY, p1, p2, key, T0 + 30 + DAY, T0 + 30)), 11);
        // The key is the one the dispute vectors were encrypted for.
        let (_, _, _, _, vector_key, _, _, _, _, _, _) = vector_data::dispute(0);
        assert!(key == vector_key, 12);
        assert_books();

        timestamp::fast_forward_seconds(DAY);
        market::settle(other, id); // anyone may settle
        let fee = (COST + TIP) / 100;
        assert!(balance(RELAY) == FUNDS + DOWN + COST + TIP - fee, 13);
        assert!(vault::treasury() == fee && vault::escrowed() == 0 && vault::balance() == fee, 14);
        assert!(state(id) == market::state_completed(), 15);
        assert!(event::was_event_emitted(&market::order_settled_event(id, OWNER, RELAY, COST + TIP - fee, fee, T0 + 30 + DAY)), 16);
        let (taken, completed, disputed, refunded) = market::relay(RELAY).relay_stats();
        assert!(taken == 1 && completed == 1 && disputed == 0 && refunded == 0, 17);
        let (_, _, _, _, _, closed_at) = market::order(id).order_times();
        assert!(closed_at == T0 + 30 + DAY, 18);
        assert_books();
    }

    // -----------------------------------------------------------------
    // Relays

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B, relay2 = @0xC0C)]
    fun relay_registry(fx: &signer, publisher: &signer, relay: &signer, relay2: &signer) {
        setup(fx, publisher);
        assert!(!market::is_active_relay(RELAY) && market::relay_count() == 0, 0);
        market::register_relay(relay, relay_nostr(), utf8(b"wss://a.example"));
        market::register_relay(relay2, nostr(), utf8(b"https://b.example"));
        assert!(market::relay_count() == 2 && market::is_active_relay(RELAY), 1);
        assert!(event::was_event_emitted(&market::relay_updated_event(RELAY, relay_nostr(), utf8(b"wss://a.example"), true, T0)), 2);

        // Update keeps the registration and counters, changes the fields.
        timestamp::fast_forward_seconds(5);
        market::register_relay(relay, nostr(), utf8(b"ws://a2.example:7777"));
        assert!(market::relay_count() == 2, 3);
        let (addr, key, endpoint, active) = market::relay(RELAY).relay_info();
        assert!(addr == RELAY && key == nostr() && endpoint == utf8(b"ws://a2.example:7777") && active, 4);

        market::deregister_relay(relay);
        assert!(!market::is_active_relay(RELAY), 5);
        assert!(event::was_event_emitted(&market::relay_updated_event(RELAY, nostr(), utf8(b"ws://a2.example:7777"), false, T0 + 5)), 6);
        let page = market::relays(0, 10);
        assert!(page.length() == 2, 7);
        let (first, _, _, first_active) = page[0].relay_info();
        assert!(first == RELAY && !first_active, 8);
        assert!(market::relays(1, 10).length() == 1 && market::relays(2, 10).length() == 0, 9);
        assert!(market::relays(0, 1).length() == 1 && market::relays(0, 0).length() == 0, 10);

        // Registering again reactivates.
        market::register_relay(relay, nostr(), utf8(b"http://a3.example"));
        assert!(market::is_active_relay(RELAY) && market::relay_count() == 2, 11);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1000C, location = agi_nostr::market)]
    fun register_bad_nostr_key(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher);
        market::register_relay(relay, x"1234", utf8(b"wss://a.example"));
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1001C, location = agi_nostr::market)]
    fun register_bad_scheme(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher);
        market::register_relay(relay, nostr(), utf8(b"ftp://a.example"));
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1001C, location = agi_nostr::market)]
    fun register_scheme_only(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher);
        market::register_relay(relay, nostr(), utf8(b"wss://"));
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1001C, location = agi_nostr::market)]
    fun register_endpoint_too_long(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher);
        let url = b"https://";
        while (url.length() <= 256) url.push_back(0x61);
        market::register_relay(relay, nostr(), utf8(url));
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x6000F, location = agi_nostr::market)]
    fun deregister_unknown(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher);
        market::deregister_relay(relay);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x6000F, location = agi_nostr::market)]
    fun view_unknown_relay(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::relay(RELAY);
    }

    // -----------------------------------------------------------------
    // pull

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun pull_indexes_and_pages(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let i = 0;
        while (i < 5) {
            pull_default(owner);
            i += 1;
        };
        assert!(market::owner_order_count(OWNER) == 5 && market::owner_order_count(OTHER) == 0, 0);
        let page = market::orders_by_owner(OWNER, 1, 2);
        assert!(page.length() == 2 && page[0].order_id() == 2 && page[1].order_id() == 3, 1);
        assert!(market::orders_by_owner(OWNER, 4, 100).length() == 1, 2);
        assert!(market::orders_by_owner(OWNER, 5, 100).length() == 0, 3);
        assert!(market::orders_by_owner(OWNER, 0, 1000).length() == 5, 4);
        assert!(market::orders_by_owner(OTHER, 0, 10).length() == 0, 5);
        assert!(market::order_exists(5) && !market::order_exists(6) && !market::order_exists(0), 6);
        take_default(relay, 4);
        take_default(relay, 2);
        let taken = market::orders_by_relay(RELAY, 0, 10);
        assert!(market::relay_order_count(RELAY) == 2 && taken.length() == 2, 7);
        assert!(taken[0].order_id() == 4 && taken[1].order_id() == 2, 8);
        assert!(market::relay_order_count(OTHER) == 0 && market::orders_by_relay(OTHER, 0, 10).length() == 0, 9);
        let o = market::order(3);
        assert!(o.order_owner() == OWNER && o.order_owner_nostr() == nostr() && o.order_relays() == vector[], 10);
        let (down, cost, tip) = o.order_payment();
        assert!(down == DOWN && cost == COST && tip == TIP && o.order_owed() == DOWN + COST + TIP, 11);
        assert!(o.order_relay() == @0x0 && o.order_key() == vector[], 12);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x60002, location = agi_nostr::market)]
    fun view_unknown_order(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        pull_default(owner);
        market::order(2);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0xD0001, location = agi_nostr::market)]
    fun pull_paused(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        market::set_paused(publisher, true);
        pull_default(owner);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000B, location = agi_nostr::market)]
    fun pull_bad_object_id(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        market::pull(owner, x"00", 10, nostr(), vector[], DOWN, COST, TIP, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000C, location = agi_nostr::market)]
    fun pull_bad_nostr_key(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, x"11", vector[], DOWN, COST, TIP, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000D, location = agi_nostr::market)]
    fun pull_too_many_relays(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        let relays = vector[];
        let i = 0;
        while (i < 17) {
            relays.push_back(@0x7000);
            i += 1;
        };
        market::pull(owner, object_id, size, nostr(), relays, DOWN, COST, TIP, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1000E, location = agi_nostr::market)]
    fun pull_duplicate_relay(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[RELAY, RELAY], DOWN, COST, TIP, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x6000F, location = agi_nostr::market)]
    fun pull_unregistered_relay(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[RELAY, RELAY2], DOWN, COST, TIP, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30011, location = agi_nostr::market)]
    fun pull_inactive_relay(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        market::deregister_relay(relay);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[RELAY], DOWN, COST, TIP, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x10008, location = agi_nostr::market)]
    fun pull_zero_payment(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], 0, 0, 0, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x20009, location = agi_nostr::market)]
    fun pull_amount_overflow(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], 1, 18446744073709551615, 0, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000A, location = agi_nostr::market)]
    fun pull_deadline_now(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], DOWN, COST, TIP, T0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000A, location = agi_nostr::market)]
    fun pull_deadline_too_far(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], DOWN, COST, TIP, T0 + 30 * DAY + 1);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    fun pull_deadline_at_horizon(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], DOWN, COST, TIP, T0 + 30 * DAY);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x10004, location = aptos_framework::fungible_asset)]
    fun pull_without_funds(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], 0, FUNDS + 1, 0, T0 + DAY);
    }

    // -----------------------------------------------------------------
    // raise_payment

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    fun raise_adds_and_extends(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(100);
        market::raise_payment(owner, id, 1, 2, 3, T0 + DAY);
        let (down, cost, tip) = market::order(id).order_payment();
        assert!(down == DOWN + 1 && cost == COST + 2 && tip == TIP + 3, 0);
        assert!(event::was_event_emitted(&market::payment_raised_event(
            id, OWNER, 1, 2, 3, DOWN + 1, COST + 2, TIP + 3, T0 + DAY, T0 + 100)), 1);
        // Extending alone is a raise too.
        market::raise_payment(owner, id, 0, 0, 0, T0 + 2 * DAY);
        let (_, deliver_by, _, _, _, _) = market::order(id).order_times();
        assert!(deliver_by == T0 + 2 * DAY, 2);
        assert!(balance(OWNER) == FUNDS - DOWN - COST - TIP - 6, 3);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    fun raise_revives_expired_order(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(2 * DAY);
        market::raise_payment(owner, id, 0, 100, 0, T0 + 3 * DAY);
        assert!(state(id) == market::state_open(), 0);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, other = @0xD0D)]
    #[expected_failure(abort_code = 0x50003, location = agi_nostr::market)]
    fun raise_not_owner(fx: &signer, publisher: &signer, owner: &signer, other: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::raise_payment(other, id, 1, 1, 1, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun raise_taken_order(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        market::raise_payment(owner, id, 1, 1, 1, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x10020, location = agi_nostr::market)]
    fun raise_nothing(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::raise_payment(owner, id, 0, 0, 0, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000A, location = agi_nostr::market)]
    fun raise_earlier_deadline(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::raise_payment(owner, id, 1, 0, 0, T0 + DAY - 1);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x1000A, location = agi_nostr::market)]
    fun raise_expired_without_extension(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(DAY);
        market::raise_payment(owner, id, 1, 0, 0, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x20009, location = agi_nostr::market)]
    fun raise_overflow(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::raise_payment(owner, id, 0, 0, 18446744073709551615 - COST - DOWN, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0xD0001, location = agi_nostr::market)]
    fun raise_paused(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::set_paused(publisher, true);
        market::raise_payment(owner, id, 1, 0, 0, T0 + DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x60002, location = agi_nostr::market)]
    fun raise_unknown_order(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        market::raise_payment(owner, 1, 1, 0, 0, T0 + DAY);
    }

    // -----------------------------------------------------------------
    // cancel

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    fun cancel_refunds_everything(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(7);
        market::cancel(owner, id);
        assert!(balance(OWNER) == FUNDS && vault::balance() == 0, 0);
        assert!(state(id) == market::state_cancelled(), 1);
        assert!(event::was_event_emitted(&market::order_cancelled_event(id, OWNER, DOWN + COST + TIP, T0 + 7)), 2);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    fun cancel_after_deadline(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(2 * DAY);
        market::cancel(owner, id);
        assert!(balance(OWNER) == FUNDS, 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, other = @0xD0D)]
    #[expected_failure(abort_code = 0x50003, location = agi_nostr::market)]
    fun cancel_not_owner(fx: &signer, publisher: &signer, owner: &signer, other: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::cancel(other, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun cancel_taken(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        market::cancel(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun cancel_twice(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::cancel(owner, id);
        market::cancel(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x60002, location = agi_nostr::market)]
    fun cancel_unknown(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        market::cancel(owner, 9);
    }

    // -----------------------------------------------------------------
    // take_order

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, relay2 = @0xC0C)]
    fun take_listed_relay(fx: &signer, publisher: &signer, owner: &signer, relay: &signer, relay2: &signer) {
        setup_with_relays(fx, publisher, relay);
        market::register_relay(relay2, nostr(), utf8(b"wss://c.example"));
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[RELAY, RELAY2], DOWN, COST, TIP, T0 + DAY);
        take_default(relay2, 1);
        assert!(market::order(1).order_relay() == RELAY2, 0);
        let (x, cipher_id) = market::order(1).order_commitment();
        let (_, _, expected_x) = vector_data::prime_pair();
        let (_, expected_cipher, _) = object();
        assert!(x == expected_x && cipher_id == expected_cipher, 1);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, relay2 = @0xC0C)]
    #[expected_failure(abort_code = 0x50010, location = agi_nostr::market)]
    fun take_unlisted_relay(fx: &signer, publisher: &signer, owner: &signer, relay: &signer, relay2: &signer) {
        setup_with_relays(fx, publisher, relay);
        market::register_relay(relay2, nostr(), utf8(b"wss://c.example"));
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[RELAY], DOWN, COST, TIP, T0 + DAY);
        take_default(relay2, 1);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x6000F, location = agi_nostr::market)]
    fun take_unregistered(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        take_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30011, location = agi_nostr::market)]
    fun take_deregistered(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        market::deregister_relay(relay);
        take_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30006, location = agi_nostr::market)]
    fun take_after_deadline(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(DAY);
        take_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun take_twice(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        take_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun take_cancelled(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        market::cancel(owner, id);
        take_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10012, location = agi_nostr::market)]
    fun take_x_leading_zero(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        let (_, _, x) = vector_data::prime_pair();
        let padded = vector[0u8];
        padded.append(x);
        let (_, cipher_id, _) = object();
        market::take_order(relay, id, padded, cipher_id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10012, location = agi_nostr::market)]
    fun take_x_too_long(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        let x = vector[];
        while (x.length() < 1025) x.push_back(0xff);
        let (_, cipher_id, _) = object();
        market::take_order(relay, id, x, cipher_id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10013, location = agi_nostr::market)]
    fun take_x_too_small(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        let (_, _, x) = vector_data::small_prime_pair(); // 1024 bits < 2048
        let (_, cipher_id, _) = object();
        market::take_order(relay, id, x, cipher_id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun take_x_at_lowered_minimum(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        market::set_config(publisher, 100, 1024, DAY, DAY, 30 * DAY);
        let id = pull_default(owner);
        let (_, _, x) = vector_data::small_prime_pair();
        let (_, cipher_id, _) = object();
        market::take_order(relay, id, x, cipher_id);
        assert!(state(id) == market::state_taken(), 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10014, location = agi_nostr::market)]
    fun take_bad_cipher_id(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        let (_, _, x) = vector_data::prime_pair();
        market::take_order(relay, id, x, x"abcd");
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0xD0001, location = agi_nostr::market)]
    fun take_paused(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        market::set_paused(publisher, true);
        take_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x60002, location = agi_nostr::market)]
    fun take_unknown(fx: &signer, publisher: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        take_default(relay, 1);
    }

    // -----------------------------------------------------------------
    // confirm_received

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x50003, location = agi_nostr::market)]
    fun confirm_not_owner(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        market::confirm_received(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun confirm_open(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::confirm_received(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30006, location = agi_nostr::market)]
    fun confirm_after_deadline(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        timestamp::fast_forward_seconds(DAY);
        market::confirm_received(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun confirm_twice(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        market::confirm_received(owner, id);
        market::confirm_received(owner, id);
    }

    // -----------------------------------------------------------------
    // complete_order (the reveal)

    fun confirmed_order(owner: &signer, relay: &signer): u64 {
        let id = pull_default(owner);
        take_default(relay, id);
        market::confirm_received(owner, id);
        id
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, relay2 = @0xC0C)]
    #[expected_failure(abort_code = 0x50004, location = agi_nostr::market)]
    fun reveal_by_other_relay(fx: &signer, publisher: &signer, owner: &signer, relay: &signer, relay2: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        reveal_default(relay2, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x50004, location = agi_nostr::market)]
    fun reveal_open_order_as_zero_address(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        // Nobody, not even a signer for 0x0, can act as the taker of an untaken order.
        reveal_default(&aptos_framework::account::create_signer_for_test(@0x0), id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun reveal_before_confirm(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        reveal_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun reveal_twice(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        reveal_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30006, location = agi_nostr::market)]
    fun reveal_after_deadline(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY);
        reveal_default(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun reveal_just_before_deadline(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY - 1);
        reveal_default(relay, id);
        assert!(state(id) == market::state_revealed(), 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10015, location = agi_nostr::market)]
    fun reveal_leading_zero(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        let (p1, p2, _) = vector_data::prime_pair();
        let padded = vector[0u8];
        padded.append(p1);
        market::complete_order(relay, id, padded, p2);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10015, location = agi_nostr::market)]
    fun reveal_empty_prime(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        let (_, _, x) = vector_data::prime_pair();
        market::complete_order(relay, id, vector[], x);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10016, location = agi_nostr::market)]
    fun reveal_one_times_x(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        let (_, _, x) = vector_data::prime_pair();
        market::complete_order(relay, id, x"01", x);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10017, location = agi_nostr::market)]
    fun reveal_swapped(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        let (p1, p2, _) = vector_data::prime_pair();
        market::complete_order(relay, id, p2, p1);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10018, location = agi_nostr::market)]
    fun reveal_wrong_factors(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        let (p1, p2, _) = vector_data::prime_pair();
        let last = p2.length() - 1;
        p2[last] ^= 2;
        market::complete_order(relay, id, p1, p2);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10018, location = agi_nostr::market)]
    fun reveal_wrong_length(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        market::complete_order(relay, id, x"02", x"03");
    }

    // -----------------------------------------------------------------
    // dispute

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun dispute_tampered_leaf(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY - 1);
        dispute_with(owner, id, 0);
        assert!(state(id) == market::state_disputed(), 0);
        assert!(balance(OWNER) == FUNDS - DOWN, 1);
        assert!(balance(RELAY) == FUNDS + DOWN, 2);
        assert!(vault::balance() == 0 && vault::treasury() == 0, 3);
        let (_, _, disputed, _) = market::relay(RELAY).relay_stats();
        assert!(disputed == 1, 4);
        assert!(event::was_event_emitted(&market::order_disputed_event(id, OWNER, RELAY, 1, COST + TIP, T0 + DAY - 1)), 5);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun dispute_wrong_key_short_leaf(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let (object_id, _, size) = object();
        let (_, _, cipher_id, _, _, _, _, _, _, _, outcome) = vector_data::dispute(1);
        assert!(outcome == delivery::dispute_valid(), 0);
        market::pull(owner, object_id, size, nostr(), vector[], DOWN, COST, TIP, T0 + DAY);
        let (p1, p2, x) = vector_data::prime_pair();
        market::take_order(relay, 1, x, cipher_id);
        market::confirm_received(owner, 1);
        market::complete_order(relay, 1, p1, p2);
        dispute_with(owner, 1, 1);
        assert!(state(1) == market::state_disputed(), 1);
        assert_books();
    }

    /// Take and reveal with the ciphertext of dispute vector v, then dispute with it.
    fun dispute_vector_order(owner: &signer, relay: &signer, v: u64) {
        let (object_id, _, size) = object();
        let (_, _, cipher_id, _, _, _, _, _, _, _, _) = vector_data::dispute(v);
        market::pull(owner, object_id, size, nostr(), vector[], DOWN, COST, TIP, T0 + DAY);
        let (p1, p2, x) = vector_data::prime_pair();
        market::take_order(relay, 1, x, cipher_id);
        market::confirm_received(owner, 1);
        market::complete_order(relay, 1, p1, p2);
        dispute_with(owner, 1, v);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1001B, location = agi_nostr::market)]
    fun dispute_honest_delivery(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        dispute_vector_order(owner, relay, 2);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10019, location = agi_nostr::market)]
    fun dispute_bad_cipher_proof(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        dispute_vector_order(owner, relay, 3);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1001A, location = agi_nostr::market)]
    fun dispute_bad_plain_leaf(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        dispute_vector_order(owner, relay, 4);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x1001A, location = agi_nostr::market)]
    fun dispute_bad_plain_path(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        dispute_vector_order(owner, relay, 5);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10019, location = agi_nostr::market)]
    fun dispute_index_out_of_range(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        let (_, _, _, _, _, _, chunk, cpath, leaf, ppath, _) = vector_data::dispute(0);
        market::dispute(owner, id, 3, chunk, cpath, leaf, ppath);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30006, location = agi_nostr::market)]
    fun dispute_after_window(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY);
        dispute_with(owner, id, 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x50003, location = agi_nostr::market)]
    fun dispute_not_owner(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        dispute_with(relay, id, 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun dispute_before_reveal(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        dispute_with(owner, id, 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun dispute_twice(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        dispute_with(owner, id, 0);
        dispute_with(owner, id, 0);
    }

    // -----------------------------------------------------------------
    // settle

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun settle_during_window(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY - 1);
        market::settle(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun settle_confirmed(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        timestamp::fast_forward_seconds(3 * DAY);
        market::settle(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun settle_disputed(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        dispute_with(owner, id, 0);
        timestamp::fast_forward_seconds(DAY);
        market::settle(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun fee_terms_fixed_at_pull(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner); // 1 %
        market::set_config(publisher, 1000, 2048, 2 * DAY, 3 * DAY, 30 * DAY);
        let (fee_bps, reveal_secs, dispute_secs) = market::order(id).order_terms();
        assert!(fee_bps == 100 && reveal_secs == DAY && dispute_secs == DAY, 0);
        take_default(relay, id);
        market::confirm_received(owner, id);
        reveal_default(relay, id);
        timestamp::fast_forward_seconds(DAY);
        market::settle(owner, id);
        assert!(vault::treasury() == (COST + TIP) / 100, 1);
        // A new order gets the new terms.
        let id2 = pull_default(owner);
        let (fee_bps, reveal_secs, dispute_secs) = market::order(id2).order_terms();
        assert!(fee_bps == 1000 && reveal_secs == 2 * DAY && dispute_secs == 3 * DAY, 2);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun zero_fee_and_rounding(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        market::set_config(publisher, 0, 2048, DAY, DAY, 30 * DAY);
        let id = revealed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY);
        market::settle(owner, id);
        assert!(vault::treasury() == 0 && balance(RELAY) == FUNDS + DOWN + COST + TIP, 0);
        // 333 bps of 99 is 3.2967: the fee rounds down to 3, the relay gets 96.
        market::set_config(publisher, 333, 2048, DAY, DAY, 30 * DAY);
        let (object_id, _, size) = object();
        market::pull(owner, object_id, size, nostr(), vector[], 0, 90, 9, T0 + 3 * DAY);
        let id2 = market::next_order_id() - 1;
        take_default(relay, id2);
        market::confirm_received(owner, id2);
        reveal_default(relay, id2);
        timestamp::fast_forward_seconds(DAY);
        let before = balance(RELAY);
        market::settle(owner, id2);
        assert!(vault::treasury() == 3 && balance(RELAY) == before + 96, 1);
        assert_books();
    }

    // -----------------------------------------------------------------
    // refund on deadlines

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, other = @0xD0D)]
    fun refund_untaken_after_deadline(fx: &signer, publisher: &signer, owner: &signer, other: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(DAY);
        market::refund(other, id);
        assert!(balance(OWNER) == FUNDS && state(id) == market::state_refunded(), 0);
        assert!(event::was_event_emitted(&market::order_refunded_event(
            id, OWNER, @0x0, market::state_open(), DOWN + COST + TIP, T0 + DAY)), 1);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun refund_untaken_too_early(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        timestamp::fast_forward_seconds(DAY - 1);
        market::refund(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun refund_undelivered(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        timestamp::fast_forward_seconds(DAY);
        market::refund(relay, id);
        assert!(balance(OWNER) == FUNDS - DOWN && balance(RELAY) == FUNDS + DOWN, 0);
        let (_, _, _, refunded) = market::relay(RELAY).relay_stats();
        assert!(refunded == 1, 1);
        assert!(event::was_event_emitted(&market::order_refunded_event(
            id, OWNER, RELAY, market::state_taken(), COST + TIP, T0 + DAY)), 2);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, other = @0xD0D)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun refund_undelivered_too_early(fx: &signer, publisher: &signer, owner: &signer, relay: &signer, other: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = pull_default(owner);
        take_default(relay, id);
        timestamp::fast_forward_seconds(DAY - 1);
        // Before deliver_by only the owner may end a taken order.
        market::refund(other, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun refund_unrevealed(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = confirmed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY);
        market::refund(owner, id);
        assert!(balance(OWNER) == FUNDS - DOWN, 0);
        assert!(event::was_event_emitted(&market::order_refunded_event(
            id, OWNER, RELAY, market::state_confirmed(), COST + TIP, T0 + DAY)), 1);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun refund_unrevealed_too_early(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        // Confirmed late: the reveal period runs from the confirmation, past deliver_by.
        let id = pull_default(owner);
        take_default(relay, id);
        timestamp::fast_forward_seconds(DAY - 10);
        market::confirm_received(owner, id);
        timestamp::fast_forward_seconds(DAY - 1);
        market::refund(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun refund_revealed(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let id = revealed_order(owner, relay);
        timestamp::fast_forward_seconds(10 * DAY);
        market::refund(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x30005, location = agi_nostr::market)]
    fun refund_cancelled(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        let id = pull_default(owner);
        market::cancel(owner, id);
        timestamp::fast_forward_seconds(10 * DAY);
        market::refund(owner, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x60002, location = agi_nostr::market)]
    fun refund_unknown(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        market::refund(owner, 1);
    }

    // -----------------------------------------------------------------
    // Pause: new business stops, every exit stays open

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun exits_work_while_paused(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let open = pull_default(owner);
        let taken = pull_default(owner);
        take_default(relay, taken);
        let revealed = pull_default(owner);
        take_default(relay, revealed);
        let disputed = pull_default(owner);
        take_default(relay, disputed);
        market::set_paused(publisher, true);
        let (_, _, _, _, _, paused) = market::config().config_values();
        assert!(paused, 0);
        market::confirm_received(owner, revealed);
        reveal_default(relay, revealed);
        market::confirm_received(owner, disputed);
        reveal_default(relay, disputed);
        // disputed is order 4: its key is not the vectors' key, so leaf 1 is wrong under it too.
        dispute_with(owner, disputed, 0);
        market::cancel(owner, open);
        timestamp::fast_forward_seconds(DAY);
        market::settle(owner, revealed);
        market::refund(owner, taken);
        assert!(vault::escrowed() == 0, 1);
        market::set_paused(publisher, false);
        pull_default(owner);
        assert_books();
    }

    // -----------------------------------------------------------------
    // Administration

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    fun config_updates(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        let (fee, min_x, reveal, dispute, max_order, paused) = market::config().config_values();
        assert!(fee == 100 && min_x == 2048 && reveal == DAY && dispute == DAY && max_order == 30 * DAY && !paused, 0);
        market::set_config(publisher, 1000, 8192, 60, 30 * DAY, 3600);
        let (fee, min_x, reveal, dispute, max_order, _) = market::config().config_values();
        assert!(fee == 1000 && min_x == 8192 && reveal == 60 && dispute == 30 * DAY && max_order == 3600, 1);
        assert!(event::was_event_emitted(&market::config_updated_event(1000, 8192, 60, 30 * DAY, 3600, false, @agi_nostr, T0)), 2);
        market::set_config(publisher, 0, 1024, 60, 60, 365 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, other = @0xD0D)]
    #[expected_failure(abort_code = 0x50001, location = agi_nostr::governance)]
    fun config_not_admin(fx: &signer, publisher: &signer, other: &signer) {
        setup(fx, publisher);
        market::set_config(other, 100, 2048, DAY, DAY, 30 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, other = @0xD0D)]
    #[expected_failure(abort_code = 0x50001, location = agi_nostr::governance)]
    fun pause_not_admin(fx: &signer, publisher: &signer, other: &signer) {
        setup(fx, publisher);
        market::set_paused(other, true);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x2001D, location = agi_nostr::market)]
    fun config_fee_too_high(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::set_config(publisher, 1001, 2048, DAY, DAY, 30 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x2001E, location = agi_nostr::market)]
    fun config_min_x_too_low(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::set_config(publisher, 100, 1023, DAY, DAY, 30 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x2001E, location = agi_nostr::market)]
    fun config_min_x_too_high(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::set_config(publisher, 100, 8193, DAY, DAY, 30 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x2001F, location = agi_nostr::market)]
    fun config_reveal_too_short(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::set_config(publisher, 100, 2048, 59, DAY, 30 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x2001F, location = agi_nostr::market)]
    fun config_dispute_too_long(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::set_config(publisher, 100, 2048, DAY, 30 * DAY + 1, 30 * DAY);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x2001F, location = agi_nostr::market)]
    fun config_order_horizon_too_short(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        market::set_config(publisher, 100, 2048, DAY, DAY, 3599);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, other = @0xD0D)]
    fun admin_handover(fx: &signer, publisher: &signer, other: &signer) {
        setup(fx, publisher);
        assert!(governance::admin() == @agi_nostr, 0);
        governance::propose_admin(publisher, OWNER);
        governance::cancel_proposal(publisher);
        assert!(governance::proposed_admin() == std::option::none(), 1);
        governance::propose_admin(publisher, OTHER);
        assert!(governance::proposed_admin() == std::option::some(OTHER), 2);
        governance::accept_admin(other);
        assert!(governance::admin() == OTHER && governance::proposed_admin() == std::option::none(), 3);
        market::set_paused(other, true);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x50002, location = agi_nostr::governance)]
    fun admin_accept_by_stranger(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        governance::propose_admin(publisher, OTHER);
        governance::accept_admin(owner);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x50002, location = agi_nostr::governance)]
    fun admin_accept_without_proposal(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        governance::accept_admin(owner);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, other = @0xD0D)]
    #[expected_failure(abort_code = 0x50001, location = agi_nostr::governance)]
    fun old_admin_loses_rights(fx: &signer, publisher: &signer, other: &signer) {
        setup(fx, publisher);
        governance::propose_admin(publisher, OTHER);
        governance::accept_admin(other);
        market::set_paused(publisher, true);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE)]
    #[expected_failure(abort_code = 0x50001, location = agi_nostr::governance)]
    fun propose_not_admin(fx: &signer, publisher: &signer, owner: &signer) {
        setup(fx, publisher);
        governance::propose_admin(owner, OWNER);
    }

    // -----------------------------------------------------------------
    // Treasury

    /// A settled order leaves its fee in the treasury.
    fun treasury_with_fee(owner: &signer, relay: &signer): u64 {
        let id = revealed_order(owner, relay);
        timestamp::fast_forward_seconds(DAY);
        market::settle(owner, id);
        vault::treasury()
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun treasury_withdrawals(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let fee = treasury_with_fee(owner, relay);
        assert!(fee == (COST + TIP) / 100, 0);
        vault::withdraw_treasury(publisher, @0xFEE, 100);
        assert!(balance(@0xFEE) == 100 && vault::treasury() == fee - 100, 1);
        // The package's reward modules draw through pay_from_treasury.
        vault::pay_from_treasury(@0xFEE, fee - 100);
        assert!(balance(@0xFEE) == fee && vault::treasury() == 0 && vault::balance() == 0, 2);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10001, location = agi_nostr::vault)]
    fun treasury_overdraw(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        let fee = treasury_with_fee(owner, relay);
        vault::withdraw_treasury(publisher, @0xFEE, fee + 1);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    #[expected_failure(abort_code = 0x10003, location = agi_nostr::vault)]
    fun treasury_zero_withdrawal(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        vault::withdraw_treasury(publisher, @0xFEE, 0);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x50001, location = agi_nostr::governance)]
    fun treasury_not_admin(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup_with_relays(fx, publisher, relay);
        treasury_with_fee(owner, relay);
        vault::withdraw_treasury(owner, @0xFEE, 1);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, other = @0xD0D)]
    fun stray_deposits_are_swept(fx: &signer, publisher: &signer, owner: &signer, other: &signer) {
        setup(fx, publisher);
        pull_default(owner);
        // Someone sends APT straight to the vault's address.
        aptos_framework::aptos_account::transfer(other, vault::vault_address(), 555);
        assert!(vault::balance() == vault::escrowed() + 555, 0);
        vault::sweep_surplus(other);
        assert!(vault::treasury() == 555, 1);
        assert_books();
        vault::sweep_surplus(other); // nothing more to sweep
        assert!(vault::treasury() == 555, 2);
        vault::withdraw_treasury(publisher, OTHER, 555);
        assert!(balance(OTHER) == FUNDS, 3);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr)]
    fun vault_is_owned_by_nobody(fx: &signer, publisher: &signer) {
        setup(fx, publisher);
        let v = aptos_framework::object::address_to_object<aptos_framework::object::ObjectCore>(vault::vault_address());
        assert!(aptos_framework::object::owner(v) == @0x0, 0);
        assert!(!aptos_framework::object::owns(v, @agi_nostr), 1);
    }
}
