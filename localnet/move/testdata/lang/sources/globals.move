/// Global storage: move_to, move_from, borrow_global, exists, index notation.
module lang::globals {
    use std::signer;

    struct Counter has key, drop { n: u64 }
    struct Box<T: store> has key { item: T }
    struct Config has key, copy, drop { limit: u64 }

    public fun publish(s: &signer, n: u64) {
        move_to(s, Counter { n });
    }

    public fun bump(a: address) acquires Counter {
        let c = borrow_global_mut<Counter>(a);
        c.n += 1;
    }

    public fun get(a: address): u64 acquires Counter {
        borrow_global<Counter>(a).n
    }

    #[test(s = @0x42)]
    fun lifecycle(s: signer) acquires Counter {
        let a = signer::address_of(&s);
        assert!(!exists<Counter>(a), 0);
        publish(&s, 5);
        assert!(exists<Counter>(a), 1);
        bump(a);
        bump(a);
        assert!(get(a) == 7, 2);
        let Counter { n } = move_from<Counter>(a);
        assert!(n == 7 && !exists<Counter>(a), 3);
    }

    #[test(s = @lang)]
    fun index_notation(s: &signer) acquires Counter, Config {
        let a = signer::address_of(s);
        move_to(s, Counter { n: 1 });
        move_to(s, Config { limit: 10 });
        Counter[a].n += 4;
        assert!(Counter[a].n == 5, 0);
        let c = &mut Counter[a];
        c.n = 100;
        assert!(&Counter[a].n == &100, 1);
        let cfg = Config[a];
        assert!(cfg.limit == 10, 2);
        Config[a] = Config { limit: 11 };
        assert!(Config[a].limit == 11, 3);
    }

    #[test(a = @0x1, b = @0x2)]
    fun generic_resources(a: &signer, b: &signer) acquires Box {
        move_to(a, Box { item: 1u64 });
        move_to(a, Box { item: true });
        move_to(b, Box { item: vector[1u8] });
        assert!(exists<Box<u64>>(@0x1) && exists<Box<bool>>(@0x1), 0);
        assert!(!exists<Box<u64>>(@0x2) && exists<Box<vector<u8>>>(@0x2), 1);
        borrow_global_mut<Box<vector<u8>>>(@0x2).item.push_back(2);
        assert!(Box<vector<u8>>[@0x2].item == vector[1, 2], 2);
        let Box { item } = move_from<Box<u64>>(@0x1);
        assert!(item == 1, 3);
        let Box { item: _ } = move_from<Box<bool>>(@0x1);
        let Box { item: _ } = move_from<Box<vector<u8>>>(@0x2);
    }

    #[test]
    #[expected_failure(major_status = 4008, location = Self)]
    fun missing_resource() acquires Counter {
        get(@0x99);
    }

    #[test(s = @0x3)]
    #[expected_failure(major_status = 4004, location = Self)]
    fun already_exists(s: &signer) {
        publish(s, 1);
        publish(s, 2);
    }

    #[test]
    #[expected_failure(major_status = 4008, location = Self)]
    fun move_from_missing() acquires Counter {
        let Counter { n: _ } = move_from<Counter>(@0x5);
    }
}
