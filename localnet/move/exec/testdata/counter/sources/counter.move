/// A package the embedding API's tests publish and call.
module counter::counter {
    use std::bcs;
    use std::option::Option;
    use std::signer;
    use std::string::String;
    use aptos_framework::event;
    use aptos_framework::randomness;
    use aptos_framework::transaction_context;

    const ETOO_BIG: u64 = 2;

    struct Counter has key {
        value: u64,
        label: String,
        owners: vector<address>,
    }

    #[event]
    struct Bumped has drop, store {
        account: address,
        value: u64,
    }

    public entry fun create(s: &signer, label: String, owners: vector<address>, start: Option<u64>) {
        let value = if (start.is_some()) *start.borrow() else 0;
        move_to(s, Counter { value, label, owners });
    }

    public entry fun bump(s: &signer, by: u64) acquires Counter {
        assert!(by < 1000, ETOO_BIG);
        let addr = signer::address_of(s);
        let c = borrow_global_mut<Counter>(addr);
        c.value = c.value + by;
        event::emit(Bumped { account: addr, value: c.value });
    }

    public entry fun overflow(s: &signer) acquires Counter {
        let c = borrow_global_mut<Counter>(signer::address_of(s));
        c.value = c.value + 18446744073709551615;
    }

    #[event]
    struct Context has drop, store {
        sender: address,
        secondary: vector<address>,
        gas_payer: address,
        max_gas: u64,
        price: u64,
        chain_id: u8,
        script_hash: vector<u8>,
        function: String,
        args: vector<vector<u8>>,
        counters: vector<u128>,
    }

    /// Emits what transaction_context reports about the running transaction.
    public entry fun context(_s: &signer, _t: &signer, _x: u64) {
        let payload = transaction_context::entry_function_payload().destroy_some();
        let first = transaction_context::monotonically_increasing_counter();
        event::emit(Context {
            sender: transaction_context::sender(),
            secondary: transaction_context::secondary_signers(),
            gas_payer: transaction_context::gas_payer(),
            max_gas: transaction_context::max_gas_amount(),
            price: transaction_context::gas_unit_price(),
            chain_id: transaction_context::chain_id(),
            script_hash: transaction_context::get_script_hash(),
            function: transaction_context::function_name(&payload),
            args: transaction_context::args(&payload),
            counters: vector[first, transaction_context::monotonically_increasing_counter()],
        });
    }

    #[view]
    public fun view_sender(): address {
        transaction_context::sender()
    }

    // Argument types Aptos builds from bytes (Move 2.4 public structs) and
    // ones it refuses.
    struct Secret has copy, drop { v: u64 }
    struct Keyed has key, copy, drop { v: u64 }
    public struct Point has copy, drop { x: u64, y: i64 }
    public enum Shape has copy, drop { Dot, Line(Point, Point) }

    #[event]
    struct Got has drop, store { bytes: vector<u8> }

    /// Emits the BCS of whatever argument it was given.
    public entry fun take<T: drop>(x: T) {
        event::emit(Got { bytes: bcs::to_bytes(&x) });
    }

    /// Move 2.4 public copy structs and enums as declared parameters.
    public entry fun shapes(_s: &signer, p: Point, v: vector<Shape>) {
        event::emit(Got { bytes: bcs::to_bytes(&p) });
        event::emit(Got { bytes: bcs::to_bytes(&v) });
    }

    public entry fun maybe_secret(x: Option<Secret>) {
        event::emit(Got { bytes: bcs::to_bytes(&x) });
    }

    /// Verifies an Ed25519 signature (its cost is the native's).
    public entry fun check_signature(sig: vector<u8>, pk: vector<u8>, msg: vector<u8>) {
        let ok = aptos_std::ed25519::signature_verify_strict(
            &aptos_std::ed25519::new_signature_from_bytes(sig),
            &aptos_std::ed25519::new_unvalidated_public_key_from_bytes(pk),
            msg,
        );
        assert!(ok, 3);
    }

    #[randomness]
    /// A die roll: a private entry function marked #[randomness] may draw.
    entry fun roll() {
        event::emit(Got { bytes: bcs::to_bytes(&randomness::u64_range(1, 7)) });
    }

    /// Public: another module could call it and abort on a bad draw, so
    /// drawing here aborts.
    public entry fun roll_public() {
        randomness::u64_integer();
    }

    public entry fun spin() {
        loop {}
    }

    public fun not_entry(): u64 { 1 }

    #[view]
    public fun get(addr: address): (u64, String) acquires Counter {
        let c = borrow_global<Counter>(addr);
        (c.value, c.label)
    }

    #[test(s = @0xa11ce)]
    fun create_and_bump(s: &signer) acquires Counter {
        create(s, std::string::utf8(b"c"), vector[], std::option::some(5));
        bump(s, 2);
        let (v, _) = get(@0xa11ce);
        assert!(v == 7, 0);
    }
}
