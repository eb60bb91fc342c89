#[test_only]
/// Random-looking call sequences against the market, with the books checked
/// after every call:
///
///   vault balance == escrowed + treasury
///   escrowed      == what the orders still owe (market::owed_on_open_orders)
///   APT held by the participants and the vault never changes in total
///
/// Each sequence ends by driving every order to a final state through the
/// exits that need nobody's cooperation (refund, settle) and emptying the
/// treasury: no sequence leaves a coin that nobody can move.
///
/// A pseudo-random generator picks the calls; only calls valid in the current
/// state are made (a test cannot catch an abort), which the state checks
/// decide from the public views. Each seed is its own test so that every run
/// stays within a unit test's instruction budget.
module agi_nostr::invariant_tests {
    use std::string::utf8;
    use aptos_framework::aptos_account;
    use aptos_framework::aptos_coin::{Self, AptosCoin};
    use aptos_framework::coin;
    use aptos_framework::timestamp;
    use agi_nostr::market;
    use agi_nostr::vault;
    use agi_nostr::vector_data;

    const FUNDS: u64 = 100000000;
    const T0: u64 = 1700000000;
    const SINK: address = @0x3001;
    /// Calls per sequence: short enough that a sequence stays well within a
    /// unit test's instruction budget; many seeds make up for the length.
    const STEPS: u64 = 18;
    const TOTAL_EVERY: u64 = 5;

    fun owners(): vector<address> { vector[@0x1001, @0x1002, @0x1003] }

    fun relays(): vector<address> { vector[@0x2001, @0x2002, @0x2003] }

    fun participants(): vector<address> {
        let all = owners();
        all.append(relays());
        all.push_back(SINK);
        all
    }

    /// The signers of the participants, in the order of owners() and relays().
    struct Actors has drop {
        owners: vector<signer>,
        relays: vector<signer>,
        sink: signer,
    }

    fun signer_of(v: &vector<signer>, a: address): &signer {
        let i = 0;
        while (std::signer::address_of(&v[i]) != a) i += 1;
        &v[i]
    }

    struct Rng has drop { s: u64 }

    /// A 64-bit linear congruential generator (Knuth's MMIX constants).
    fun next(r: &mut Rng, n: u64): u64 {
        let s = ((r.s as u128) * 6364136223846793005 + 1442695040888963407) & 0xffffffffffffffff;
        r.s = (s as u64);
        ((s >> 33) as u64) % n
    }

    fun total_apt(): u64 {
        let all = participants();
        let total = vault::balance();
        let i = 0;
        while (i < all.length()) {
            total += coin::balance<AptosCoin>(all[i]);
            i += 1;
        };
        total
    }

    /// The vault's books; every TOTAL_EVERY steps also the total APT (eight
    /// balance reads, the costliest part of a check).
    fun check(total: u64, step: u64) {
        assert!(vault::balance() == vault::escrowed() + vault::treasury(), 1000000 + step);
        assert!(vault::escrowed() == market::owed_on_open_orders(), 2000000 + step);
        if (step % TOTAL_EVERY == TOTAL_EVERY - 1) assert!(total_apt() == total, 3000000 + step);
    }

    fun setup(fx: &signer, publisher: &signer, actors: &Actors) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::update_global_time_for_test_secs(T0);
        let (burn, mint) = aptos_coin::initialize_for_test(fx);
        let all = participants();
        let i = 0;
        while (i < all.length()) {
            coin::deposit(all[i], coin::mint<AptosCoin>(FUNDS, &mint));
            i += 1;
        };
        coin::destroy_burn_cap(burn);
        coin::destroy_mint_cap(mint);
        market::init_for_test(publisher);
        // Short periods so that time steps cross deadlines; a 1024-bit
        // minimum so that the small pair of the vectors is accepted.
        market::set_config(publisher, 250, 1024, 600, 600, 7200);
        let rs = relays();
        let i = 0;
        while (i < rs.length()) {
            market::register_relay(
                signer_of(&actors.relays, rs[i]),
                x"2222222222222222222222222222222222222222222222222222222222222222",
                utf8(b"wss://relay.example"),
            );
            i += 1;
        };
    }

    fun random_pull(rng: &mut Rng, actors: &Actors) {
        let owner = &actors.owners[next(rng, 3)];
        let (_, object_id, _, size, _, _, _, _, _, _, _) = vector_data::dispute(0);
        let (down, cost, tip) = (next(rng, 2000), next(rng, 100000), next(rng, 10000));
        if (down + cost + tip == 0) cost = 1;
        let rs = relays();
        let listed = vector[];
        let k = next(rng, 3);
        let i = 0;
        while (i < k) {
            let r = rs[next(rng, 3)];
            if (market::is_active_relay(r) && !listed.contains(&r)) listed.push_back(r);
            i += 1;
        };
        let deliver_by = timestamp::now_seconds() + 60 + next(rng, 3000);
        market::pull(owner, object_id, size, x"1111111111111111111111111111111111111111111111111111111111111111",
            listed, down, cost, tip, deliver_by);
    }

    /// Orders not yet in a final state.
    fun live_orders(): vector<u64> {
        let live = vector[];
        let id = 1;
        while (id < market::next_order_id()) {
            if (market::order(id).order_state() < market::state_completed()) live.push_back(id);
            id += 1;
        };
        live
    }

    /// One step: a new order, time passing, an outside event (a relay
    /// leaving or returning, a stray deposit, a treasury payment), or one of
    /// the calls valid for a live order's state, chosen at random.
    fun step(rng: &mut Rng, publisher: &signer, actors: &Actors) {
        let r = next(rng, 100);
        let live = live_orders();
        if (r < 15 || live.is_empty()) {
            random_pull(rng, actors);
            return
        };
        if (r < 33) {
            if (r < 27) {
                timestamp::fast_forward_seconds(1 + next(rng, 1200));
            } else if (r < 30) {
                let rs = relays();
                let who = &actors.relays[2];
                if (market::is_active_relay(rs[2])) market::deregister_relay(who)
                else market::register_relay(who, x"2222222222222222222222222222222222222222222222222222222222222222",
                    utf8(b"wss://back.example"));
            } else if (r < 32) {
                aptos_account::transfer(&actors.sink, vault::vault_address(), 1 + next(rng, 1000));
                vault::sweep_surplus(publisher);
            } else if (vault::treasury() > 0) {
                vault::withdraw_treasury(publisher, SINK, 1 + next(rng, vault::treasury()));
            };
            return
        };
        let id = live[next(rng, live.length())];
        let o = market::order(id);
        let state = o.order_state();
        let (_, deliver_by, _, reveal_by, dispute_until, _) = o.order_times();
        let owner = signer_of(&actors.owners, o.order_owner());
        let now = timestamp::now_seconds();
        let c = next(rng, 100);
        if (state == market::state_open()) {
            if (now < deliver_by && c < 60) {
                let listed = o.order_relays();
                let candidates = if (listed.is_empty()) relays() else listed;
                let taker = candidates[next(rng, candidates.length())];
                if (market::is_active_relay(taker)) {
                    let (_, _, x) = vector_data::small_prime_pair();
                    let (_, _, cipher_id, _, _, _, _, _, _, _, _) = vector_data::dispute(0);
                    market::take_order(signer_of(&actors.relays, taker), id, x, cipher_id);
                }
            } else if (c < 85) {
                let by = if (deliver_by > now) deliver_by else now + 60 + next(rng, 600);
                market::raise_payment(owner, id, next(rng, 100), next(rng, 1000), 1 + next(rng, 100), by);
            } else if (c < 92 || now < deliver_by) {
                market::cancel(owner, id);
            } else {
                market::refund(publisher, id);
            }
        } else if (state == market::state_taken()) {
            if (now >= deliver_by) market::refund(publisher, id)
            else if (c < 85) market::confirm_received(owner, id)
            else if (c >= 95) market::refund(owner, id); // the owner leaves before confirming
        } else if (state == market::state_confirmed()) {
            if (now >= reveal_by) market::refund(publisher, id)
            else if (c < 85) {
                let (p1, p2, _) = vector_data::small_prime_pair();
                market::complete_order(signer_of(&actors.relays, o.order_relay()), id, p1, p2);
            }
        } else if (state == market::state_revealed()) {
            if (now >= dispute_until) market::settle(publisher, id)
            else if (c < 12) {
                // The vectors' tampered leaf decrypts wrongly under every
                // order's key here (all orders use the small pair, never the
                // vectors' key), so the dispute is valid.
                let (_, _, _, _, _, index, chunk, cpath, leaf, ppath, _) = vector_data::dispute(0);
                market::dispute(owner, id, index, chunk, cpath, leaf, ppath);
            }
        }
    }

    /// Ends every order through the exits nobody can block, then empties the
    /// treasury.
    fun drain(publisher: &signer, total: u64) {
        timestamp::fast_forward_seconds(100000);
        let id = 1;
        while (id < market::next_order_id()) {
            let state = market::order(id).order_state();
            if (state == market::state_revealed()) market::settle(publisher, id)
            else if (state == market::state_open() || state == market::state_taken() || state == market::state_confirmed())
                market::refund(publisher, id);
            id += 1;
        };
        check(total, 999998);
        assert!(vault::escrowed() == 0, 4000000);
        let t = vault::treasury();
        if (t > 0) vault::withdraw_treasury(publisher, SINK, t);
        assert!(vault::balance() == 0, 4000001);
        check(total, 999999);
    }

    fun run(fx: &signer, publisher: &signer, actors: Actors, seed: u64, steps: u64) {
        setup(fx, publisher, &actors);
        let total = total_apt();
        assert!(total == 7 * FUNDS, 0);
        let rng = Rng { s: seed };
        let i = 0;
        while (i < steps) {
            step(&mut rng, publisher, &actors);
            check(total, i);
            i += 1;
        };
        drain(publisher, total);
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_1(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 1, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_2(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 2, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_3(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 3, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_4(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0xdeadbeef, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_5(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0x5eed5eed5eed, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_6(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 42, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_7(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 1234567, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_8(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0xffffffffffffffff, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_9(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 7, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_10(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 11, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_11(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0xabcdef, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_12(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 99991, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_13(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0x123456789, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_14(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 31337, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_15(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 271828, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_16(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 314159, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_17(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0xfeedface, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_18(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 2718281828, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_19(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 0x31415926, STEPS)
    }

    #[test(fx = @aptos_framework, publisher = @agi_nostr, o1 = @0x1001, o2 = @0x1002, o3 = @0x1003, r1 = @0x2001, r2 = @0x2002, r3 = @0x2003, sink = @0x3001)]
    fun sequence_20(
        fx: &signer, publisher: &signer, o1: signer, o2: signer, o3: signer, r1: signer, r2: signer, r3: signer, sink: signer
    ) {
        run(fx, publisher, Actors { owners: vector[o1, o2, o3], relays: vector[r1, r2, r3], sink }, 65537, STEPS)
    }
}
