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

    // -----------------------------------------------------------------
    // Checks of the review that found nothing to fix; they pin properties
    // docs/PROTOCOL.md relies on.

    /// Confirmed and revealed with the vectors' pair; object_size as given.
    fun revealed(owner: &signer, relay: &signer, object_size: u64): u64 {
        let (_, object_id, cipher_id, _, _, _, _, _, _, _, _) = vector_data::dispute(0);
        market::pull(
            owner, object_id, object_size, x"1111111111111111111111111111111111111111111111111111111111111111",
            vector[], DOWN, COST, TIP, T0 + DAY,
        );
        let id = market::next_order_id() - 1;
        let (p1, p2, x) = vector_data::prime_pair();
        market::take_order(relay, id, x, cipher_id);
        market::confirm_received(owner, id);
        market::complete_order(relay, id, p1, p2);
        id
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10019, location = agi_nostr::market)]
    /// The largest object size and leaf index: the leaf arithmetic cannot
    /// overflow, the proof is simply not one of the committed ciphertext.
    fun dispute_index_at_u64_max(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = revealed(owner, relay, 18446744073709551615);
        market::dispute(owner, id, 18446744073709551615, vector[], vector[], vector[], vector[]);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10019, location = agi_nostr::market)]
    /// The last leaf of a 2^64 - 1 byte object (4095 bytes, index 2^52 - 1,
    /// 52 path levels) walks the whole path without overflow.
    fun dispute_last_leaf_of_largest_object(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = revealed(owner, relay, 18446744073709551615);
        let chunk = vector[];
        while (chunk.length() < 4095) chunk.push_back(7u8);
        let path = vector[];
        while (path.length() < 52) path.push_back(x"0000000000000000000000000000000000000000000000000000000000000000");
        market::dispute(owner, id, 4503599627370495, chunk, path, x"00", vector[]);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10019, location = agi_nostr::market)]
    /// A proof padded with thousands of siblings costs the disputer, not the
    /// verifier: the walk stops at the tree's height and rejects it.
    fun dispute_with_oversized_path(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        let id = revealed(owner, relay, 10000);
        let (_, _, _, _, _, index, chunk, cpath, leaf, ppath, _) = vector_data::dispute(0);
        while (cpath.length() < 2000) cpath.push_back(x"00");
        market::dispute(owner, id, index, chunk, cpath, leaf, ppath);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B, other = @0xD0D)]
    /// A relay that copies another relay's x (from its take_order or from the
    /// mempool) into an order of its own can reveal only once the pair is
    /// public, and its ciphertext, committed before it knew the key, then
    /// loses the dispute: copying a commitment earns nothing beyond the down
    /// payment that taking any order with any x earns.
    fun copied_commitment_loses_the_dispute(
        fx: &signer, publisher: &signer, owner: &signer, relay: &signer, other: &signer
    ) {
        setup(fx, publisher, relay);
        market::register_relay(
            other, x"3333333333333333333333333333333333333333333333333333333333333333", utf8(b"wss://copy.example")
        );
        let first = revealed(owner, relay, 10000); // order 1: the vectors' key, revealed
        assert!(first == vector_data::dispute_order_id(), 0);
        // The copier commits a ciphertext made before the pair was public:
        // here the honest ciphertext of order 1, correct under order 1's key.
        let (_, object_id, cipher_id, size, _, index, chunk, cpath, leaf, ppath, _) = vector_data::dispute(2);
        market::pull(
            owner, object_id, size, x"1111111111111111111111111111111111111111111111111111111111111111",
            vector[], DOWN, COST, TIP, T0 + DAY,
        );
        let second = market::next_order_id() - 1;
        let (p1, p2, x) = vector_data::prime_pair();
        market::take_order(other, second, x, cipher_id);
        market::confirm_received(owner, second);
        market::complete_order(other, second, p1, p2);
        // Order 2's key binds its id: the leaf that was right for order 1 is wrong now.
        market::dispute(owner, second, index, chunk, cpath, leaf, ppath);
        assert!(market::order(second).order_state() == market::state_disputed(), 1);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    /// x = p * p has no reveal the market accepts (p1 < p2 is strict): the
    /// relay cannot be paid and the owner is refunded at reveal_by.
    fun square_x_ends_in_refund(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        market::set_config(publisher, 100, 1024, DAY, DAY, 30 * DAY);
        let id = pull(owner, DAY);
        let (p, _, _) = vector_data::small_prime_pair();
        let (_, _, cipher_id, _, _, _, _, _, _, _, _) = vector_data::dispute(0);
        market::take_order(relay, id, agi_nostr::bigint::mul(&p, &p), cipher_id);
        market::confirm_received(owner, id);
        timestamp::fast_forward_seconds(DAY);
        market::refund(owner, id);
        assert!(balance(OWNER) == FUNDS - DOWN && vault::escrowed() == 0, 0);
        assert_books();
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, owner = @0xA11CE, relay = @0xB0B)]
    #[expected_failure(abort_code = 0x10017, location = agi_nostr::market)]
    fun square_x_has_no_reveal(fx: &signer, publisher: &signer, owner: &signer, relay: &signer) {
        setup(fx, publisher, relay);
        market::set_config(publisher, 100, 1024, DAY, DAY, 30 * DAY);
        let id = pull(owner, DAY);
        let (p, _, _) = vector_data::small_prime_pair();
        let (_, _, cipher_id, _, _, _, _, _, _, _, _) = vector_data::dispute(0);
        market::take_order(relay, id, agi_nostr::bigint::mul(&p, &p), cipher_id);
        market::confirm_received(owner, id);
        market::complete_order(relay, id, p, p);
    }
}
