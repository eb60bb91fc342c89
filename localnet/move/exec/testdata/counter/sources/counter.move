/// A package the embedding API's tests publish and call.
module counter::counter {
    use std::option::Option;
    use std::signer;
    use std::string::String;
    use aptos_framework::event;

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
