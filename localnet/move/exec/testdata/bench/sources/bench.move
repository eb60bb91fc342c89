/// Loops the interpreter's benchmarks run.
module bench::bench {
    struct Slot has key { value: u64 }

    /// A tight arithmetic loop.
    public fun arith(n: u64): u64 {
        let s = 0;
        let i = 0;
        while (i < n) {
            s = (s + i * 3) % 1000003;
            i += 1;
        };
        s
    }

    /// Builds a vector, then reads, swaps and pops it.
    public fun vectors(n: u64): u64 {
        let v = vector[];
        let i = 0;
        while (i < n) {
            v.push_back(i);
            i += 1;
        };
        let s = 0;
        i = 0;
        while (i < n) {
            s += v[i];
            i += 1;
        };
        i = 1;
        while (i < n) {
            v.swap(i - 1, i);
            i += 1;
        };
        while (!v.is_empty()) {
            s += v.pop_back();
        };
        s
    }

    /// Reads and writes a resource in a loop.
    public fun globals(s: &signer, n: u64): u64 acquires Slot {
        let a = std::signer::address_of(s);
        if (!exists<Slot>(a)) move_to(s, Slot { value: 0 });
        let i = 0;
        while (i < n) {
            let slot = borrow_global_mut<Slot>(a);
            slot.value = slot.value + 1;
            if (exists<Slot>(a)) {
                i += 1;
            };
        };
        let Slot { value } = move_from<Slot>(a);
        value
    }

    #[test(s = @0x5)]
    fun loops(s: &signer) acquires Slot {
        assert!(arith(10) == 135, 0);
        assert!(vectors(10) == 90, 1);
        assert!(globals(s, 10) == 10, 2);
    }
}
