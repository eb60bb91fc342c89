/// A package the localnet's tests publish to exercise the node with real
/// Move: resources, both kinds of events, aborts with and without a named
/// error, arithmetic failures, running out of gas, views and init_module.
module probe::probe {
    use std::option::{Self, Option};
    use std::signer;
    use std::string::String;
    use aptos_framework::account;
    use aptos_framework::event::{Self, EventHandle};
    use aptos_framework::timestamp;

    /// The caller asked for this abort.
    const EASKED: u64 = 7;

    /// Set by init_module, to show it ran at publication.
    struct Config has key {
        publisher: address,
    }

    struct Counter has key {
        value: u64,
        note: String,
        changes: EventHandle<Changed>,
    }

    #[event]
    struct Bumped has drop, store {
        who: address,
        value: u64,
        at: u64,
    }

    #[event]
    struct Paired has drop, store {
        first: address,
        second: address,
    }

    /// A legacy handle event.
    struct Changed has drop, store {
        value: u64,
    }

    fun init_module(publisher: &signer) {
        move_to(publisher, Config { publisher: signer::address_of(publisher) });
    }

    /// Aborts with `code`.
    public entry fun boom(_caller: &signer, code: u64) {
        abort code
    }

    /// Adds `by` to the caller's counter (created on first use) and emits a
    /// module event and a handle event. Overflowing u64 is an arithmetic
    /// error.
    public entry fun bump(caller: &signer, by: u64, note: String) acquires Counter {
        let addr = signer::address_of(caller);
        if (!exists<Counter>(addr)) {
            let changes = account::new_event_handle<Changed>(caller);
            move_to(caller, Counter { value: 0, note, changes });
        };
        let c = borrow_global_mut<Counter>(addr);
        c.value = c.value + by;
        c.note = note;
        event::emit(Bumped { who: addr, value: c.value, at: timestamp::now_seconds() });
        event::emit_event(&mut c.changes, Changed { value: c.value });
    }

    /// Takes two signers, for multi-agent transactions.
    public entry fun pair(first: &signer, second: &signer) {
        event::emit(Paired { first: signer::address_of(first), second: signer::address_of(second) });
    }

    /// Counts to `n`, to run out of gas.
    public entry fun spin(_caller: &signer, n: u64) {
        let i = 0;
        while (i < n) {
            i = i + 1;
        }
    }

    #[view]
    public fun value(addr: address): u64 acquires Counter {
        if (exists<Counter>(addr)) borrow_global<Counter>(addr).value else 0
    }

    #[view]
    public fun publisher(): address acquires Config {
        borrow_global<Config>(@probe).publisher
    }

    #[view]
    public fun echo(bytes: vector<u8>, text: String, maybe: Option<u64>, many: vector<u128>): (vector<u8>, String, Option<u64>, u64) {
        let n = std::vector::length(&many);
        (bytes, text, maybe, n + if (option::is_some(&maybe)) 1 else 0)
    }

    #[test(account = @probe)]
    fun init_records_the_publisher(account: &signer) acquires Config {
        init_module(account);
        assert!(publisher() == @probe, 0);
    }

    #[test(caller = @0x123)]
    #[expected_failure(abort_code = EASKED, location = Self)]
    fun boom_aborts(caller: &signer) {
        boom(caller, EASKED);
    }
}
