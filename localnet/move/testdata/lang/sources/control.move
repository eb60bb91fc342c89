/// Control flow: if, while, loop, labels, early returns, blocks.
module lang::control {
    fun classify(n: u64): u64 {
        if (n == 0) return 100;
        let r = if (n < 10) { 1 } else if (n < 100) 2 else 3;
        r
    }

    fun find(v: &vector<u64>, x: u64): (bool, u64) {
        let i = 0;
        while (i < v.length()) {
            if (v[i] == x) return (true, i);
            i += 1;
        };
        (false, 0)
    }

    fun collatz(n: u64): u64 {
        let steps = 0;
        loop {
            if (n == 1) break;
            n = if (n % 2 == 0) n / 2 else 3 * n + 1;
            steps += 1;
        };
        steps
    }

    #[test]
    fun branches() {
        assert!(classify(0) == 100 && classify(5) == 1 && classify(50) == 2 && classify(500) == 3, 0);
        let (ok, i) = find(&vector[4, 5, 6], 6);
        assert!(ok && i == 2, 1);
        let (ok, _) = find(&vector[], 1);
        assert!(!ok, 2);
        assert!(collatz(27) == 111, 3);
    }

    #[test]
    fun labels_and_blocks() {
        let count = 0;
        let i = 0;
        'outer: while (i < 10) {
            i += 1;
            let j = 0;
            'inner: loop {
                j += 1;
                if (j > i) continue 'outer;
                if (i == 6) break 'outer;
                if (j == 100) break 'inner;
                count += 1;
            }
        };
        assert!(count == 15, 0);
        let x = { let a = 2; let b = 3; a * b };
        assert!(x == 6, 1);
        let y = 0;
        while ({ y += 1; y < 5 }) {};
        assert!(y == 5, 2);
        let z = if (x > 5) { x } else { abort 1 };
        assert!(z == 6, 3);
    }

    #[test]
    fun short_circuit() {
        let v = vector<u64>[];
        assert!(v.length() == 0 || v[0] == 1, 0);
        assert!(!(v.length() > 0 && v[0] == 1), 1);
    }

    #[test]
    #[expected_failure(abort_code = 7, location = Self)]
    fun abort_in_expression() {
        let _x = if (true) abort 7 else 1;
    }
}
