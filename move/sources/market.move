/// Git as a service: escrowed orders for objects, completed by relays that
/// reveal a prime pair which is also the delivery key. docs/PROTOCOL.md
/// describes the protocol; this module is its on-chain half.
///
/// States and exits (every state has one that needs nobody's cooperation):
///
///   OPEN       cancel (owner) | refund after deliver_by (anyone) | take_order
///   TAKEN      confirm_received before deliver_by | refund after deliver_by
///              (by the owner: any time)
///   CONFIRMED  complete_order before reveal_by | refund after reveal_by
///   REVEALED   dispute before dispute_until | settle after dispute_until
///   COMPLETED, CANCELLED, REFUNDED, DISPUTED are final.
///
/// Money: pull and raise_payment lock down + cost + tip in the vault;
/// take_order pays the down payment to the relay; settle pays cost + tip minus
/// the protocol fee to the relay and the fee to the treasury; cancel refunds
/// everything; refund and a valid dispute return cost + tip to the owner.
module agi_nostr::market {
    use std::error;
    use std::signer;
    use std::string::String;
    use aptos_std::table::{Self, Table};
    use aptos_framework::event;
    use aptos_framework::timestamp;
    use agi_nostr::bigint;
    use agi_nostr::delivery;
    use agi_nostr::governance;
    use agi_nostr::vault;

    // Order states.
    const OPEN: u8 = 0;
    const TAKEN: u8 = 1;
    const CONFIRMED: u8 = 2;
    const REVEALED: u8 = 3;
    const COMPLETED: u8 = 4;
    const CANCELLED: u8 = 5;
    const REFUNDED: u8 = 6;
    const DISPUTED: u8 = 7;

    // Errors. Each entry function aborts with one of these, wrapped in its
    // std::error category (docs/PROTOCOL.md lists them with the categories).
    /// New orders, raises and takes are paused by the administrator.
    const EPAUSED: u64 = 1;
    /// No order has this id.
    const EORDER_NOT_FOUND: u64 = 2;
    /// Only the order's owner may do this.
    const ENOT_OWNER: u64 = 3;
    /// Only the relay that took the order may do this.
    const ENOT_TAKER: u64 = 4;
    /// The order is not in a state that allows this.
    const EWRONG_STATE: u64 = 5;
    /// The deadline for this step has passed.
    const EDEADLINE_PASSED: u64 = 6;
    /// The deadline that allows this step has not passed yet.
    const ETOO_EARLY: u64 = 7;
    /// An order must escrow something.
    const EZERO_PAYMENT: u64 = 8;
    /// Amounts would exceed u64.
    const EAMOUNT_OVERFLOW: u64 = 9;
    /// deliver_by must be in the future, within max_order_secs, and never earlier than before.
    const EBAD_DEADLINE: u64 = 10;
    /// Object ids are 32 bytes.
    const EBAD_OBJECT_ID: u64 = 11;
    /// Nostr public keys are 32 bytes (x-only, BIP-340).
    const EBAD_NOSTR_KEY: u64 = 12;
    /// At most MAX_RELAYS relays per order.
    const ETOO_MANY_RELAYS: u64 = 13;
    /// A relay is listed twice.
    const EDUPLICATE_RELAY: u64 = 14;
    /// The address is not a registered relay.
    const ERELAY_NOT_REGISTERED: u64 = 15;
    /// The order lists relays and this one is not among them.
    const ERELAY_NOT_ALLOWED: u64 = 16;
    /// The relay has deregistered.
    const ERELAY_INACTIVE: u64 = 17;
    /// x must be a minimal big-endian integer of at most 1024 bytes.
    const EBAD_X: u64 = 18;
    /// x has fewer bits than min_x_bits.
    const EX_TOO_SMALL: u64 = 19;
    /// Ciphertext ids are 32 bytes.
    const EBAD_CIPHER_ID: u64 = 20;
    /// p1 and p2 must be minimal big-endian integers.
    const EBAD_PRIME_ENCODING: u64 = 21;
    /// p1 must be greater than 1.
    const EPRIME_TOO_SMALL: u64 = 22;
    /// p1 must be smaller than p2.
    const EPRIMES_NOT_ORDERED: u64 = 23;
    /// p1 * p2 is not x.
    const EWRONG_FACTORS: u64 = 24;
    /// The ciphertext chunk does not prove against the committed ciphertext id.
    const EBAD_CIPHER_PROOF: u64 = 25;
    /// The leaf hash does not prove against the object id.
    const EBAD_PLAIN_PROOF: u64 = 26;
    /// The chunk decrypts to the object's leaf: the delivery of that leaf is correct.
    const EDELIVERY_CORRECT: u64 = 27;
    /// Endpoints are http(s):// or ws(s):// URLs of at most 256 bytes.
    const EBAD_ENDPOINT: u64 = 28;
    /// The fee exceeds MAX_FEE_BPS.
    const EFEE_TOO_HIGH: u64 = 29;
    /// min_x_bits outside [MIN_X_BITS_FLOOR, MAX_X_BITS].
    const EMIN_X_BITS_OUT_OF_RANGE: u64 = 30;
    /// A period outside its bounds.
    const EPERIOD_OUT_OF_RANGE: u64 = 31;
    /// raise_payment that adds nothing and does not extend the deadline.
    const ENOTHING_TO_RAISE: u64 = 32;

    const MAX_U64: u128 = 18446744073709551615;
    const BPS: u128 = 10000;
    /// Protocol fee cap: 10 %.
    const MAX_FEE_BPS: u64 = 1000;
    const MIN_X_BITS_FLOOR: u64 = 1024;
    const MAX_X_BITS: u64 = 8192;
    const MIN_PERIOD_SECS: u64 = 60;
    const MAX_PERIOD_SECS: u64 = 2592000; // 30 days
    const MIN_ORDER_SECS: u64 = 3600;
    const MAX_ORDER_SECS: u64 = 31536000; // 365 days
    const MAX_RELAYS: u64 = 16;
    const MAX_ENDPOINT_BYTES: u64 = 256;
    /// Views return at most this many entries per page.
    const MAX_PAGE: u64 = 100;
    const HASH_LEN: u64 = 32;

    /// Tunable parameters. An order copies fee_bps, reveal_secs and
    /// dispute_secs when it is created, so later changes never alter the terms
    /// of an existing order.
    struct Config has copy, drop, store {
        fee_bps: u64,
        min_x_bits: u64,
        reveal_secs: u64,
        dispute_secs: u64,
        max_order_secs: u64,
        paused: bool,
    }

    struct Order has copy, drop, store {
        id: u64,
        owner: address,
        /// Nostr key to deliver to (32 bytes).
        owner_nostr: vector<u8>,
        object_id: vector<u8>,
        object_size: u64,
        /// Relays allowed to take the order; empty: any active relay.
        relays: vector<address>,
        down: u64,
        cost: u64,
        tip: u64,
        fee_bps: u64,
        reveal_secs: u64,
        dispute_secs: u64,
        created_at: u64,
        /// Take and confirm before this time (seconds).
        deliver_by: u64,
        state: u8,
        /// The relay that took the order (0x0 before).
        relay: address,
        x: vector<u8>,
        cipher_id: vector<u8>,
        taken_at: u64,
        /// Reveal before this time; set at confirmation.
        reveal_by: u64,
        /// The delivery key; set at reveal.
        key: vector<u8>,
        /// Dispute before this time, settle from it; set at reveal.
        dispute_until: u64,
        /// When the order reached its final state.
        closed_at: u64,
    }

    struct Relay has copy, drop, store {
        addr: address,
        nostr_pubkey: vector<u8>,
        endpoint: String,
        active: bool,
        registered_at: u64,
        updated_at: u64,
        /// Orders taken, settled in the relay's favour, lost in a dispute, and
        /// refunded because the relay missed a deadline.
        taken: u64,
        completed: u64,
        disputed: u64,
        refunded: u64,
    }

    /// Position n of an account's list of orders (as owner or as relay).
    struct IndexKey has copy, drop, store {
        who: address,
        n: u64,
    }

    struct Market has key {
        config: Config,
        next_order_id: u64,
        orders: Table<u64, Order>,
        owner_counts: Table<address, u64>,
        by_owner: Table<IndexKey, u64>,
        by_relay: Table<IndexKey, u64>,
        relays: Table<address, Relay>,
        relay_list: Table<u64, address>,
        relay_count: u64,
    }

    // Events: one per state change, carrying what an indexer needs to rebuild
    // the order without reading state. `state` is the state after the change.

    #[event]
    struct OrderCreated has drop, store {
        order_id: u64,
        owner: address,
        owner_nostr: vector<u8>,
        object_id: vector<u8>,
        object_size: u64,
        relays: vector<address>,
        down: u64,
        cost: u64,
        tip: u64,
        fee_bps: u64,
        reveal_secs: u64,
        dispute_secs: u64,
        deliver_by: u64,
        created_at: u64,
        state: u8,
    }

    #[event]
    struct PaymentRaised has drop, store {
        order_id: u64,
        owner: address,
        added_down: u64,
        added_cost: u64,
        added_tip: u64,
        down: u64,
        cost: u64,
        tip: u64,
        deliver_by: u64,
        raised_at: u64,
        state: u8,
    }

    #[event]
    struct OrderTaken has drop, store {
        order_id: u64,
        owner: address,
        relay: address,
        x: vector<u8>,
        cipher_id: vector<u8>,
        down_paid: u64,
        taken_at: u64,
        state: u8,
    }

    #[event]
    struct DeliveryConfirmed has drop, store {
        order_id: u64,
        owner: address,
        relay: address,
        reveal_by: u64,
        confirmed_at: u64,
        state: u8,
    }

    #[event]
    struct KeyRevealed has drop, store {
        order_id: u64,
        owner: address,
        relay: address,
        p1: vector<u8>,
        p2: vector<u8>,
        key: vector<u8>,
        dispute_until: u64,
        revealed_at: u64,
        state: u8,
    }

    #[event]
    struct OrderDisputed has drop, store {
        order_id: u64,
        owner: address,
        relay: address,
        leaf_index: u64,
        refunded: u64,
        disputed_at: u64,
        state: u8,
    }

    #[event]
    struct OrderSettled has drop, store {
        order_id: u64,
        owner: address,
        relay: address,
        paid: u64,
        fee: u64,
        settled_at: u64,
        state: u8,
    }

    #[event]
    struct OrderCancelled has drop, store {
        order_id: u64,
        owner: address,
        refunded: u64,
        cancelled_at: u64,
        state: u8,
    }

    #[event]
    /// Refund after a missed deadline; from_state says which one (OPEN:
    /// never taken, TAKEN: not delivered, CONFIRMED: not revealed).
    struct OrderRefunded has drop, store {
        order_id: u64,
        owner: address,
        relay: address,
        from_state: u8,
        refunded: u64,
        refunded_at: u64,
        state: u8,
    }

    #[event]
    struct RelayUpdated has drop, store {
        relay: address,
        nostr_pubkey: vector<u8>,
        endpoint: String,
        active: bool,
        updated_at: u64,
    }

    #[event]
    struct ConfigUpdated has drop, store {
        fee_bps: u64,
        min_x_bits: u64,
        reveal_secs: u64,
        dispute_secs: u64,
        max_order_secs: u64,
        paused: bool,
        by: address,
        updated_at: u64,
    }

    fun init_module(publisher: &signer) acquires Market {
        move_to(publisher, Market {
            config: Config {
                fee_bps: 100,
                min_x_bits: 2048,
                reveal_secs: 86400,
                dispute_secs: 86400,
                max_order_secs: 2592000,
                paused: false,
            },
            next_order_id: 1,
            orders: table::new(),
            owner_counts: table::new(),
            by_owner: table::new(),
            by_relay: table::new(),
            relays: table::new(),
            relay_list: table::new(),
            relay_count: 0,
        });
        // The initial parameters, so that events alone tell them.
        emit_config(&borrow_global<Market>(signer::address_of(publisher)).config, publisher);
    }

    // ---------------------------------------------------------------------
    // Relays

    /// Registers the signer as a relay, or updates its keys and endpoint and
    /// reactivates it. Counters survive updates.
    public entry fun register_relay(relay: &signer, nostr_pubkey: vector<u8>, endpoint: String) acquires Market {
        assert!(nostr_pubkey.length() == HASH_LEN, error::invalid_argument(EBAD_NOSTR_KEY));
        assert!(valid_endpoint(&endpoint), error::invalid_argument(EBAD_ENDPOINT));
        let addr = signer::address_of(relay);
        let now = timestamp::now_seconds();
        let m = borrow_global_mut<Market>(@agi_nostr);
        if (m.relays.contains(addr)) {
            let r = m.relays.borrow_mut(addr);
            r.nostr_pubkey = nostr_pubkey;
            r.endpoint = endpoint;
            r.active = true;
            r.updated_at = now;
        } else {
            m.relays.add(addr, Relay {
                addr, nostr_pubkey, endpoint, active: true, registered_at: now, updated_at: now,
                taken: 0, completed: 0, disputed: 0, refunded: 0,
            });
            m.relay_list.add(m.relay_count, addr);
            m.relay_count += 1;
        };
        emit_relay(m.relays.borrow(addr));
    }

    /// Stops taking new orders. Orders already taken go on as before.
    public entry fun deregister_relay(relay: &signer) acquires Market {
        let addr = signer::address_of(relay);
        let m = borrow_global_mut<Market>(@agi_nostr);
        assert!(m.relays.contains(addr), error::not_found(ERELAY_NOT_REGISTERED));
        let r = m.relays.borrow_mut(addr);
        r.active = false;
        r.updated_at = timestamp::now_seconds();
        emit_relay(r);
    }

    // ---------------------------------------------------------------------
    // Orders

    /// Opens an order for object_id (a 32-byte object id of object_size bytes,
    /// docs/FORMAT.md), to be delivered to the Nostr key owner_nostr by one of
    /// relays (or any active relay when empty) before deliver_by. Escrows
    /// down + cost + tip.
    public entry fun pull(
        owner: &signer,
        object_id: vector<u8>,
        object_size: u64,
        owner_nostr: vector<u8>,
        relays: vector<address>,
        down: u64,
        cost: u64,
        tip: u64,
        deliver_by: u64,
    ) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        assert!(!m.config.paused, error::unavailable(EPAUSED));
        assert!(object_id.length() == HASH_LEN, error::invalid_argument(EBAD_OBJECT_ID));
        assert!(owner_nostr.length() == HASH_LEN, error::invalid_argument(EBAD_NOSTR_KEY));
        let n = relays.length();
        assert!(n <= MAX_RELAYS, error::invalid_argument(ETOO_MANY_RELAYS));
        let i = 0;
        while (i < n) {
            let r = relays[i];
            assert!(m.relays.contains(r), error::not_found(ERELAY_NOT_REGISTERED));
            assert!(m.relays.borrow(r).active, error::invalid_state(ERELAY_INACTIVE));
            let j = i + 1;
            while (j < n) {
                assert!(relays[j] != r, error::invalid_argument(EDUPLICATE_RELAY));
                j += 1;
            };
            i += 1;
        };
        let total = checked_sum(down, cost, tip);
        assert!(total > 0, error::invalid_argument(EZERO_PAYMENT));
        let now = timestamp::now_seconds();
        assert!(deliver_by > now && deliver_by - now <= m.config.max_order_secs, error::invalid_argument(EBAD_DEADLINE));

        let owner_addr = signer::address_of(owner);
        let id = m.next_order_id;
        m.next_order_id = id + 1;
        let order = Order {
            id, owner: owner_addr, owner_nostr, object_id, object_size, relays, down, cost, tip,
            fee_bps: m.config.fee_bps, reveal_secs: m.config.reveal_secs, dispute_secs: m.config.dispute_secs,
            created_at: now, deliver_by, state: OPEN, relay: @0x0, x: vector[], cipher_id: vector[],
            taken_at: 0, reveal_by: 0, key: vector[], dispute_until: 0, closed_at: 0,
        };
        event::emit(OrderCreated {
            order_id: id, owner: owner_addr, owner_nostr: order.owner_nostr, object_id: order.object_id,
            object_size, relays: order.relays, down, cost, tip, fee_bps: order.fee_bps,
            reveal_secs: order.reveal_secs, dispute_secs: order.dispute_secs, deliver_by, created_at: now,
            state: OPEN,
        });
        m.orders.add(id, order);
        let count = *m.owner_counts.borrow_with_default(owner_addr, &0);
        m.by_owner.add(IndexKey { who: owner_addr, n: count }, id);
        m.owner_counts.upsert(owner_addr, count + 1);
        vault::lock(owner, total);
    }

    /// Adds to an open order's payments and/or moves its deadline later
    /// (pass the current deliver_by to keep it).
    public entry fun raise_payment(
        owner: &signer, order_id: u64, down: u64, cost: u64, tip: u64, deliver_by: u64
    ) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        assert!(!m.config.paused, error::unavailable(EPAUSED));
        let max_order_secs = m.config.max_order_secs;
        let o = order_mut(m, order_id);
        assert!(o.owner == signer::address_of(owner), error::permission_denied(ENOT_OWNER));
        assert!(o.state == OPEN, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        assert!(
            deliver_by >= o.deliver_by && deliver_by > now && deliver_by - now <= max_order_secs,
            error::invalid_argument(EBAD_DEADLINE)
        );
        let added = checked_sum(down, cost, tip);
        assert!(added > 0 || deliver_by > o.deliver_by, error::invalid_argument(ENOTHING_TO_RAISE));
        // The new total must fit in u64 too; then every field and every later
        // partial sum of them does.
        let total = (o.down as u128) + (o.cost as u128) + (o.tip as u128) + (added as u128);
        assert!(total <= MAX_U64, error::out_of_range(EAMOUNT_OVERFLOW));
        o.down += down;
        o.cost += cost;
        o.tip += tip;
        o.deliver_by = deliver_by;
        event::emit(PaymentRaised {
            order_id, owner: o.owner, added_down: down, added_cost: cost, added_tip: tip,
            down: o.down, cost: o.cost, tip: o.tip, deliver_by, raised_at: now, state: OPEN,
        });
        vault::lock(owner, added);
    }

    /// The owner withdraws an untaken order and gets everything back.
    public entry fun cancel(owner: &signer, order_id: u64) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        let o = order_mut(m, order_id);
        assert!(o.owner == signer::address_of(owner), error::permission_denied(ENOT_OWNER));
        assert!(o.state == OPEN, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        let refunded = o.down + o.cost + o.tip;
        o.state = CANCELLED;
        o.closed_at = now;
        event::emit(OrderCancelled { order_id, owner: o.owner, refunded, cancelled_at: now, state: CANCELLED });
        vault::release(o.owner, refunded);
    }

    /// A relay takes an open order: it commits to x = p1 * p2 (minimal
    /// big-endian, at least min_x_bits bits, at most 1024 bytes) and to the id
    /// of the ciphertext it will deliver, and receives the down payment.
    public entry fun take_order(relay: &signer, order_id: u64, x: vector<u8>, cipher_id: vector<u8>) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        assert!(!m.config.paused, error::unavailable(EPAUSED));
        let min_x_bits = m.config.min_x_bits;
        let addr = signer::address_of(relay);
        assert!(m.relays.contains(addr), error::not_found(ERELAY_NOT_REGISTERED));
        assert!(m.relays.borrow(addr).active, error::invalid_state(ERELAY_INACTIVE));
        let o = order_mut(m, order_id);
        assert!(o.state == OPEN, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        assert!(now < o.deliver_by, error::invalid_state(EDEADLINE_PASSED));
        assert!(o.relays.is_empty() || o.relays.contains(&addr), error::permission_denied(ERELAY_NOT_ALLOWED));
        assert!(bigint::is_canonical(&x) && x.length() <= bigint::max_bytes(), error::invalid_argument(EBAD_X));
        assert!(bigint::bit_length(&x) >= min_x_bits, error::invalid_argument(EX_TOO_SMALL));
        assert!(cipher_id.length() == HASH_LEN, error::invalid_argument(EBAD_CIPHER_ID));
        o.state = TAKEN;
        o.relay = addr;
        o.x = x;
        o.cipher_id = cipher_id;
        o.taken_at = now;
        let (owner, down) = (o.owner, o.down);
        event::emit(OrderTaken {
            order_id, owner, relay: addr, x: o.x, cipher_id: o.cipher_id, down_paid: down, taken_at: now, state: TAKEN,
        });
        let r = m.relays.borrow_mut(addr);
        m.by_relay.add(IndexKey { who: addr, n: r.taken }, order_id);
        r.taken += 1;
        vault::release(addr, down);
    }

    /// The owner holds the committed ciphertext and the object's leaf hashes
    /// (docs/PROTOCOL.md); the relay now has reveal_secs to reveal the key.
    public entry fun confirm_received(owner: &signer, order_id: u64) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        let o = order_mut(m, order_id);
        assert!(o.owner == signer::address_of(owner), error::permission_denied(ENOT_OWNER));
        assert!(o.state == TAKEN, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        assert!(now < o.deliver_by, error::invalid_state(EDEADLINE_PASSED));
        o.state = CONFIRMED;
        o.reveal_by = now + o.reveal_secs;
        event::emit(DeliveryConfirmed {
            order_id, owner: o.owner, relay: o.relay, reveal_by: o.reveal_by, confirmed_at: now, state: CONFIRMED,
        });
    }

    /// The relay reveals p1 < p2 with p1 * p2 == x. The key derived from them
    /// is stored in the order and the dispute window opens. Wrong primes abort
    /// and change nothing.
    public entry fun complete_order(relay: &signer, order_id: u64, p1: vector<u8>, p2: vector<u8>) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        let o = order_mut(m, order_id);
        assert!(o.relay == signer::address_of(relay) && o.state != OPEN, error::permission_denied(ENOT_TAKER));
        assert!(o.state == CONFIRMED, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        assert!(now < o.reveal_by, error::invalid_state(EDEADLINE_PASSED));
        check_factors(&o.x, &p1, &p2);
        o.key = delivery::derive_key(order_id, &p1, &p2);
        o.state = REVEALED;
        o.dispute_until = now + o.dispute_secs;
        event::emit(KeyRevealed {
            order_id, owner: o.owner, relay: o.relay, p1, p2, key: o.key, dispute_until: o.dispute_until,
            revealed_at: now, state: REVEALED,
        });
    }

    /// The owner proves that leaf index of the delivery does not decrypt to
    /// the object: the ciphertext chunk with its Merkle path to the committed
    /// ciphertext id, and the object's leaf hash with its path to the object
    /// id. A valid proof refunds cost + tip; any other proof aborts.
    public entry fun dispute(
        owner: &signer,
        order_id: u64,
        index: u64,
        cipher_chunk: vector<u8>,
        cipher_path: vector<vector<u8>>,
        plain_leaf: vector<u8>,
        plain_path: vector<vector<u8>>,
    ) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        let o = order_mut(m, order_id);
        assert!(o.owner == signer::address_of(owner), error::permission_denied(ENOT_OWNER));
        assert!(o.state == REVEALED, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        assert!(now < o.dispute_until, error::invalid_state(EDEADLINE_PASSED));
        let outcome = delivery::check_dispute(
            &o.object_id, &o.cipher_id, o.object_size, &o.key,
            index, &cipher_chunk, &cipher_path, &plain_leaf, &plain_path,
        );
        assert!(outcome != delivery::bad_cipher_proof(), error::invalid_argument(EBAD_CIPHER_PROOF));
        assert!(outcome != delivery::bad_plain_proof(), error::invalid_argument(EBAD_PLAIN_PROOF));
        assert!(outcome == delivery::dispute_valid(), error::invalid_argument(EDELIVERY_CORRECT));
        let refunded = o.cost + o.tip;
        o.state = DISPUTED;
        o.closed_at = now;
        let (owner_addr, relay_addr) = (o.owner, o.relay);
        event::emit(OrderDisputed {
            order_id, owner: owner_addr, relay: relay_addr, leaf_index: index, refunded, disputed_at: now,
            state: DISPUTED,
        });
        m.relays.borrow_mut(relay_addr).disputed += 1;
        vault::release(owner_addr, refunded);
    }

    /// After the dispute window: pays cost + tip minus the protocol fee to the
    /// relay and the fee to the treasury. Anyone may call it.
    public entry fun settle(_caller: &signer, order_id: u64) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        let o = order_mut(m, order_id);
        assert!(o.state == REVEALED, error::invalid_state(EWRONG_STATE));
        let now = timestamp::now_seconds();
        assert!(now >= o.dispute_until, error::invalid_state(ETOO_EARLY));
        let gross = o.cost + o.tip;
        let fee = (((gross as u128) * (o.fee_bps as u128) / BPS) as u64);
        let paid = gross - fee;
        o.state = COMPLETED;
        o.closed_at = now;
        let relay_addr = o.relay;
        event::emit(OrderSettled {
            order_id, owner: o.owner, relay: relay_addr, paid, fee, settled_at: now, state: COMPLETED,
        });
        m.relays.borrow_mut(relay_addr).completed += 1;
        vault::release(relay_addr, paid);
        vault::release_to_treasury(order_id, fee);
    }

    /// Returns the owner's money when a deadline passed: an open order after
    /// deliver_by (everything), a taken order not confirmed by deliver_by or
    /// a confirmed order not revealed by reveal_by (cost + tip; the relay keeps
    /// the down payment). Anyone may call it; the money goes to the owner.
    /// The owner may also leave a taken order before deliver_by: until it
    /// confirms, the relay is owed nothing beyond the down payment it already
    /// has, and a relay that takes and never delivers must not hold the
    /// owner's cost and tip until the deadline.
    public entry fun refund(caller: &signer, order_id: u64) acquires Market {
        let m = borrow_global_mut<Market>(@agi_nostr);
        let o = order_mut(m, order_id);
        let now = timestamp::now_seconds();
        let from_state = o.state;
        let refunded = if (from_state == OPEN) {
            assert!(now >= o.deliver_by, error::invalid_state(ETOO_EARLY));
            o.down + o.cost + o.tip
        } else if (from_state == TAKEN) {
            assert!(
                now >= o.deliver_by || signer::address_of(caller) == o.owner,
                error::invalid_state(ETOO_EARLY)
            );
            o.cost + o.tip
        } else if (from_state == CONFIRMED) {
            assert!(now >= o.reveal_by, error::invalid_state(ETOO_EARLY));
            o.cost + o.tip
        } else {
            abort error::invalid_state(EWRONG_STATE)
        };
        o.state = REFUNDED;
        o.closed_at = now;
        let (owner_addr, relay_addr) = (o.owner, o.relay);
        event::emit(OrderRefunded {
            order_id, owner: owner_addr, relay: relay_addr, from_state, refunded, refunded_at: now, state: REFUNDED,
        });
        if (from_state != OPEN) {
            m.relays.borrow_mut(relay_addr).refunded += 1;
        };
        vault::release(owner_addr, refunded);
    }

    // ---------------------------------------------------------------------
    // Administration

    /// Sets every parameter at once, each within its bounds. Existing orders
    /// keep the fee and periods they were created with.
    public entry fun set_config(
        admin: &signer, fee_bps: u64, min_x_bits: u64, reveal_secs: u64, dispute_secs: u64, max_order_secs: u64
    ) acquires Market {
        governance::assert_admin(admin);
        assert!(fee_bps <= MAX_FEE_BPS, error::out_of_range(EFEE_TOO_HIGH));
        assert!(min_x_bits >= MIN_X_BITS_FLOOR && min_x_bits <= MAX_X_BITS, error::out_of_range(EMIN_X_BITS_OUT_OF_RANGE));
        assert!(
            in_range(reveal_secs, MIN_PERIOD_SECS, MAX_PERIOD_SECS) && in_range(dispute_secs, MIN_PERIOD_SECS, MAX_PERIOD_SECS)
                && in_range(max_order_secs, MIN_ORDER_SECS, MAX_ORDER_SECS),
            error::out_of_range(EPERIOD_OUT_OF_RANGE)
        );
        let m = borrow_global_mut<Market>(@agi_nostr);
        let paused = m.config.paused;
        m.config = Config { fee_bps, min_x_bits, reveal_secs, dispute_secs, max_order_secs, paused };
        emit_config(&m.config, admin);
    }

    /// Pauses or resumes new business (pull, raise_payment, take_order). Every
    /// way out of an existing order stays open while paused.
    public entry fun set_paused(admin: &signer, paused: bool) acquires Market {
        governance::assert_admin(admin);
        let m = borrow_global_mut<Market>(@agi_nostr);
        m.config.paused = paused;
        emit_config(&m.config, admin);
    }

    // ---------------------------------------------------------------------
    // Views

    #[view]
    public fun order(order_id: u64): Order acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        assert!(m.orders.contains(order_id), error::not_found(EORDER_NOT_FOUND));
        *m.orders.borrow(order_id)
    }

    #[view]
    public fun order_exists(order_id: u64): bool acquires Market {
        borrow_global<Market>(@agi_nostr).orders.contains(order_id)
    }

    #[view]
    /// The id the next order will get; orders are numbered 1, 2, 3, ...
    public fun next_order_id(): u64 acquires Market { borrow_global<Market>(@agi_nostr).next_order_id }

    #[view]
    public fun owner_order_count(owner: address): u64 acquires Market {
        *borrow_global<Market>(@agi_nostr).owner_counts.borrow_with_default(owner, &0)
    }

    #[view]
    /// The owner's orders in creation order, from position start, at most
    /// limit (capped at 100) of them.
    public fun orders_by_owner(owner: address, start: u64, limit: u64): vector<Order> acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        let count = *m.owner_counts.borrow_with_default(owner, &0);
        page(m, &m.by_owner, owner, count, start, limit)
    }

    #[view]
    public fun relay_order_count(relay: address): u64 acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        if (m.relays.contains(relay)) m.relays.borrow(relay).taken else 0
    }

    #[view]
    /// The orders a relay took, in taking order, paged like orders_by_owner.
    public fun orders_by_relay(relay: address, start: u64, limit: u64): vector<Order> acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        let count = if (m.relays.contains(relay)) m.relays.borrow(relay).taken else 0;
        page(m, &m.by_relay, relay, count, start, limit)
    }

    #[view]
    public fun relay(addr: address): Relay acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        assert!(m.relays.contains(addr), error::not_found(ERELAY_NOT_REGISTERED));
        *m.relays.borrow(addr)
    }

    #[view]
    public fun is_active_relay(addr: address): bool acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        m.relays.contains(addr) && m.relays.borrow(addr).active
    }

    #[view]
    public fun relay_count(): u64 acquires Market { borrow_global<Market>(@agi_nostr).relay_count }

    #[view]
    /// Registered relays (active or not) in registration order, paged.
    public fun relays(start: u64, limit: u64): vector<Relay> acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        let out = vector[];
        let end = page_end(m.relay_count, start, limit);
        while (start < end) {
            out.push_back(*m.relays.borrow(*m.relay_list.borrow(start)));
            start += 1;
        };
        out
    }

    #[view]
    public fun config(): Config acquires Market { borrow_global<Market>(@agi_nostr).config }

    // Field access for other modules and tests.

    public fun order_id(self: &Order): u64 { self.id }
    public fun order_owner(self: &Order): address { self.owner }
    public fun order_owner_nostr(self: &Order): vector<u8> { self.owner_nostr }
    public fun order_object(self: &Order): (vector<u8>, u64) { (self.object_id, self.object_size) }
    public fun order_relays(self: &Order): vector<address> { self.relays }
    public fun order_payment(self: &Order): (u64, u64, u64) { (self.down, self.cost, self.tip) }
    public fun order_terms(self: &Order): (u64, u64, u64) { (self.fee_bps, self.reveal_secs, self.dispute_secs) }
    public fun order_state(self: &Order): u8 { self.state }
    public fun order_relay(self: &Order): address { self.relay }
    public fun order_commitment(self: &Order): (vector<u8>, vector<u8>) { (self.x, self.cipher_id) }
    public fun order_key(self: &Order): vector<u8> { self.key }
    /// (created_at, deliver_by, taken_at, reveal_by, dispute_until, closed_at)
    public fun order_times(self: &Order): (u64, u64, u64, u64, u64, u64) {
        (self.created_at, self.deliver_by, self.taken_at, self.reveal_by, self.dispute_until, self.closed_at)
    }
    /// What the vault holds for this order: everything while open, cost + tip
    /// once the down payment is paid, nothing once final.
    public fun order_owed(self: &Order): u64 {
        if (self.state == OPEN) self.down + self.cost + self.tip
        else if (self.state == TAKEN || self.state == CONFIRMED || self.state == REVEALED) self.cost + self.tip
        else 0
    }

    public fun relay_info(self: &Relay): (address, vector<u8>, String, bool) {
        (self.addr, self.nostr_pubkey, self.endpoint, self.active)
    }
    /// (taken, completed, disputed, refunded)
    public fun relay_stats(self: &Relay): (u64, u64, u64, u64) {
        (self.taken, self.completed, self.disputed, self.refunded)
    }

    /// (fee_bps, min_x_bits, reveal_secs, dispute_secs, max_order_secs, paused)
    public fun config_values(self: &Config): (u64, u64, u64, u64, u64, bool) {
        (self.fee_bps, self.min_x_bits, self.reveal_secs, self.dispute_secs, self.max_order_secs, self.paused)
    }

    public fun state_open(): u8 { OPEN }
    public fun state_taken(): u8 { TAKEN }
    public fun state_confirmed(): u8 { CONFIRMED }
    public fun state_revealed(): u8 { REVEALED }
    public fun state_completed(): u8 { COMPLETED }
    public fun state_cancelled(): u8 { CANCELLED }
    public fun state_refunded(): u8 { REFUNDED }
    public fun state_disputed(): u8 { DISPUTED }

    // ---------------------------------------------------------------------
    // Internals

    fun order_mut(m: &mut Market, order_id: u64): &mut Order {
        assert!(m.orders.contains(order_id), error::not_found(EORDER_NOT_FOUND));
        m.orders.borrow_mut(order_id)
    }

    /// down + cost + tip, aborting with a named error instead of overflowing.
    fun checked_sum(a: u64, b: u64, c: u64): u64 {
        let s = (a as u128) + (b as u128) + (c as u128);
        assert!(s <= MAX_U64, error::out_of_range(EAMOUNT_OVERFLOW));
        (s as u64)
    }

    fun check_factors(x: &vector<u8>, p1: &vector<u8>, p2: &vector<u8>) {
        assert!(
            bigint::is_canonical(p1) && bigint::is_canonical(p2),
            error::invalid_argument(EBAD_PRIME_ENCODING)
        );
        assert!(!bigint::is_one(p1), error::invalid_argument(EPRIME_TOO_SMALL));
        assert!(bigint::less(p1, p2), error::invalid_argument(EPRIMES_NOT_ORDERED));
        // A k-byte times an l-byte number has k + l - 1 or k + l bytes: reject
        // anything else before multiplying, which also bounds the work.
        let (lp, lx) = (p1.length() + p2.length(), x.length());
        assert!(lp == lx || lp == lx + 1, error::invalid_argument(EWRONG_FACTORS));
        assert!(bigint::is_product(x, p1, p2), error::invalid_argument(EWRONG_FACTORS));
    }

    fun in_range(v: u64, lo: u64, hi: u64): bool { v >= lo && v <= hi }

    fun valid_endpoint(e: &String): bool {
        let n = e.length();
        if (n == 0 || n > MAX_ENDPOINT_BYTES) return false;
        has_prefix(e, b"https://") || has_prefix(e, b"http://") || has_prefix(e, b"wss://") || has_prefix(e, b"ws://")
    }

    fun has_prefix(s: &String, prefix: vector<u8>): bool {
        let bytes = s.bytes();
        let n = prefix.length();
        if (bytes.length() <= n) return false;
        let i = 0;
        while (i < n) {
            if (bytes[i] != prefix[i]) return false;
            i += 1;
        };
        true
    }

    fun page_end(count: u64, start: u64, limit: u64): u64 {
        if (start >= count) return start;
        let l = if (limit > MAX_PAGE) MAX_PAGE else limit;
        if (count - start < l) count else start + l
    }

    fun page(m: &Market, index: &Table<IndexKey, u64>, who: address, count: u64, start: u64, limit: u64): vector<Order> {
        let out = vector[];
        let end = page_end(count, start, limit);
        while (start < end) {
            let id = *index.borrow(IndexKey { who, n: start });
            out.push_back(*m.orders.borrow(id));
            start += 1;
        };
        out
    }

    fun emit_relay(r: &Relay) {
        event::emit(RelayUpdated {
            relay: r.addr, nostr_pubkey: r.nostr_pubkey, endpoint: r.endpoint, active: r.active, updated_at: r.updated_at,
        });
    }

    fun emit_config(c: &Config, admin: &signer) {
        event::emit(ConfigUpdated {
            fee_bps: c.fee_bps, min_x_bits: c.min_x_bits, reveal_secs: c.reveal_secs, dispute_secs: c.dispute_secs,
            max_order_secs: c.max_order_secs, paused: c.paused, by: signer::address_of(admin),
            updated_at: timestamp::now_seconds(),
        });
    }

    #[test_only]
    /// Runs the package's initializers in a test, as publishing does.
    public fun init_for_test(publisher: &signer) acquires Market {
        governance::init_for_test(publisher);
        vault::init_for_test(publisher);
        init_module(publisher);
    }

    #[test_only]
    /// Sum of order_owed over every order: what the vault must hold in escrow.
    public fun owed_on_open_orders(): u64 acquires Market {
        let m = borrow_global<Market>(@agi_nostr);
        let total = 0;
        let id = 1;
        while (id < m.next_order_id) {
            total += m.orders.borrow(id).order_owed();
            id += 1;
        };
        total
    }

    // Test-only constructors of the events, so tests in other modules can
    // check an event's every field with event::was_event_emitted.

    #[test_only]
    public fun order_created_event(
        order_id: u64, owner: address, owner_nostr: vector<u8>, object_id: vector<u8>, object_size: u64,
        relays: vector<address>, down: u64, cost: u64, tip: u64, fee_bps: u64, reveal_secs: u64,
        dispute_secs: u64, deliver_by: u64, created_at: u64,
    ): OrderCreated {
        OrderCreated {
            order_id, owner, owner_nostr, object_id, object_size, relays, down, cost, tip, fee_bps, reveal_secs,
            dispute_secs, deliver_by, created_at, state: OPEN,
        }
    }

    #[test_only]
    public fun payment_raised_event(
        order_id: u64, owner: address, added_down: u64, added_cost: u64, added_tip: u64, down: u64, cost: u64,
        tip: u64, deliver_by: u64, raised_at: u64,
    ): PaymentRaised {
        PaymentRaised {
            order_id, owner, added_down, added_cost, added_tip, down, cost, tip, deliver_by, raised_at, state: OPEN,
        }
    }

    #[test_only]
    public fun order_taken_event(
        order_id: u64, owner: address, relay: address, x: vector<u8>, cipher_id: vector<u8>, down_paid: u64,
        taken_at: u64,
    ): OrderTaken {
        OrderTaken { order_id, owner, relay, x, cipher_id, down_paid, taken_at, state: TAKEN }
    }

    #[test_only]
    public fun delivery_confirmed_event(
        order_id: u64, owner: address, relay: address, reveal_by: u64, confirmed_at: u64,
    ): DeliveryConfirmed {
        DeliveryConfirmed { order_id, owner, relay, reveal_by, confirmed_at, state: CONFIRMED }
    }

    #[test_only]
    public fun key_revealed_event(
        order_id: u64, owner: address, relay: address, p1: vector<u8>, p2: vector<u8>, key: vector<u8>,
        dispute_until: u64, revealed_at: u64,
    ): KeyRevealed {
        KeyRevealed { order_id, owner, relay, p1, p2, key, dispute_until, revealed_at, state: REVEALED }
    }

    #[test_only]
    public fun order_disputed_event(
        order_id: u64, owner: address, relay: address, leaf_index: u64, refunded: u64, disputed_at: u64,
    ): OrderDisputed {
        OrderDisputed { order_id, owner, relay, leaf_index, refunded, disputed_at, state: DISPUTED }
    }

    #[test_only]
    public fun order_settled_event(
        order_id: u64, owner: address, relay: address, paid: u64, fee: u64, settled_at: u64,
    ): OrderSettled {
        OrderSettled { order_id, owner, relay, paid, fee, settled_at, state: COMPLETED }
    }

    #[test_only]
    public fun order_cancelled_event(order_id: u64, owner: address, refunded: u64, cancelled_at: u64): OrderCancelled {
        OrderCancelled { order_id, owner, refunded, cancelled_at, state: CANCELLED }
    }

    #[test_only]
    public fun order_refunded_event(
        order_id: u64, owner: address, relay: address, from_state: u8, refunded: u64, refunded_at: u64,
    ): OrderRefunded {
        OrderRefunded { order_id, owner, relay, from_state, refunded, refunded_at, state: REFUNDED }
    }

    #[test_only]
    public fun relay_updated_event(
        relay: address, nostr_pubkey: vector<u8>, endpoint: String, active: bool, updated_at: u64,
    ): RelayUpdated {
        RelayUpdated { relay, nostr_pubkey, endpoint, active, updated_at }
    }

    #[test_only]
    public fun config_updated_event(
        fee_bps: u64, min_x_bits: u64, reveal_secs: u64, dispute_secs: u64, max_order_secs: u64, paused: bool,
        by: address, updated_at: u64,
    ): ConfigUpdated {
        ConfigUpdated { fee_bps, min_x_bits, reveal_secs, dispute_secs, max_order_secs, paused, by, updated_at }
    }
}
