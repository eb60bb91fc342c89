#[test_only]
/// Regression tests of the security review (docs/PROTOCOL.md, "Security
/// review"): one or more tests per finding, named after it. Each failed
/// before its fix.
module agi_nostr::security_tests {
    use std::string::utf8;
    use aptos_framework::aptos_coin::{Self, AptosCoin};
    use aptos_framework::coin;
    use aptos_framework::event;
    use aptos_framework::timestamp;
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
    const OTHER: address = @0xD0D;

    fun setup(fx: &signer, publisher: &signer, relay: &signer) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::update_global_time_for_test_secs(T0);
        let (burn, mint) = aptos_coin::initialize_for_test(fx);
        let users = vector[OWNER, RELAY, OTHER];
        let i = 0;
        while (i < users.length()) {
            coin::deposit(users[i], coin::mint<AptosCoin>(FUNDS, &mint));
            i += 1;
        };
        coin::destroy_burn_cap(burn);
        coin::destroy_mint_cap(mint);
        market::init_for_test(publisher);
        market::register_relay(
            relay, x"2222222222222222222222222222222222222222222222222222222222222222", utf8(b"wss://relay.example.org")
        );
    }

    fun balance(a: address): u64 { coin::balance<AptosCoin>(a) }

    fun assert_books() {
        assert!(vault::balance() == vault::escrowed() + vault::treasury(), 900);
        assert!(vault::escrowed() == market::owed_on_open_orders(), 901);
    }

    /// An order open to any relay, deliverable until T0 + horizon.
    fun pull(owner: &signer, horizon: u64): u64 {
        let (_, object_id, _, size, _, _, _, _, _, _, _) = vector_data::dispute(0);
        market::pull(
            owner, object_id, size, x"1111111111111111111111111111111111111111111111111111111111111111",
            vector[], DOWN, COST, TIP, T0 + horizon,
        );
        market::next_order_id() - 1
    }

    fun take(relay: &signer, id: u64) {
        let (_, _, x) = vector_data::prime_pair();
        let (_, _, cipher_id, _, _, _, _, _, _, _, _) = vector_data::dispute(0);
        market::take_order(relay, id, x, cipher_id);
    }

    // -----------------------------------------------------------------
    // Finding 1: a taken order held the owner's cost + tip until deliver_by.
    // Anyone may register as a relay and take an order open to any relay;
    // one that never delivers kept the owner's money locked for up to
    // max_order_secs (30 days by default, 365 at most). Until the owner
    // confirms, the relay cannot be owed more than the down payment it
    // already has, so the owner may now leave a taken order at any time.

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun owner_leaves_taken_order_before_deadline(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = pull(owner, 30 * DAY);
        take(relay, id);
        timestamp::fast_forward_seconds(600);
        market::refund(owner, id);
        assert!(market::order(id).order_state() == market::state_refunded(), 0);
        assert!(balance(OWNER) == FUNDS - DOWN && balance(RELAY) == FUNDS + DOWN, 1);
        assert!(event::was_event_emitted(&market::order_refunded_event(
            id, OWNER, RELAY, market::state_taken(), COST + TIP, T0 + 600)), 2);
        let (taken, completed, disputed, refunded) = market::relay(RELAY).relay_stats();
        assert!(taken == 1 && completed == 0 && disputed == 0 && refunded == 1, 3);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    fun owner_leaves_taken_order_while_paused(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = pull(owner, 30 * DAY);
        take(relay, id);
        market::set_paused(publisher, true);
        market::refund(owner, id);
        assert!(balance(OWNER) == FUNDS - DOWN && vault::escrowed() == 0, 0);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, other = @0xD0D)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun others_wait_for_deadline_of_taken_order(
        fx: &signer, publisher: &signer, owner: &signer, relay: &signer, other: &signer
    ) {
        setup(fx, publisher, relay);
        let id = pull(owner, DAY);
        take(relay, id);
        timestamp::fast_forward_seconds(DAY - 1);
        market::refund(other, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun taker_cannot_end_taken_order_early(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = pull(owner, DAY);
        take(relay, id);
        market::refund(relay, id);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x30007, location = agi_nostr::market)]
    fun owner_cannot_leave_after_confirming(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = pull(owner, DAY);
        take(relay, id);
        market::confirm_received(owner, id);
        // Once confirmed, the relay is owed its chance to reveal until reveal_by.
        timestamp::fast_forward_seconds(DAY - 1);
        market::refund(owner, id);
    }

    // -----------------------------------------------------------------
    // Finding 3: publishing set the parameters and the administrator
    // without an event, so an indexer following events alone could not know
    // min_x_bits, max_order_secs, the pause flag or the administrator until
    // the first change.

    #[test(fx = @aptos_framework, publisher = @agi_nostr, relay = @0xB0B)]
    fun publishing_emits_initial_state(fx: &signer, publisher: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        assert!(event::was_event_emitted(
            &market::config_updated_event(100, 2048, DAY, DAY, 30 * DAY, false, @agi_nostr, T0)), 0);
        assert!(event::was_event_emitted(&governance::admin_changed_event(@0x0, @agi_nostr)), 1);
    }
}
