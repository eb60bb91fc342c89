/// Inline functions and lambdas.
module lang::lambdas {
    use std::vector;

    const E_NEGATIVE: u64 = 3;

    inline fun apply(x: u64, f: |u64| u64): u64 { f(x) }

    inline fun twice(x: u64, f: |u64| u64): u64 { f(f(x)) }

    inline fun checked(x: u64): u64 {
        assert!(x < 100, E_NEGATIVE);
        x
    }

    inline fun first_even(v: &vector<u64>): u64 {
        let i = 0;
        let n = v.length();
        let found = 0;
        while (i < n) {
            if (v[i] % 2 == 0) {
                found = v[i];
                break
            };
            i += 1;
        };
        found
    }

    public inline fun sum_with(v: &vector<u64>, f: |&u64| u64): u64 {
        let s = 0;
        vector::for_each_ref(v, |e| s += f(e));
        s
    }

    #[test]
    fun lambdas() {
        let k = 3;
        assert!(apply(2, |x| x * k) == 6, 0);
        assert!(twice(2, |x| x + k) == 8, 1);
        let calls = 0;
        let r = twice(1, |x| { calls += 1; x * 10 });
        assert!(r == 100 && calls == 2, 2);
        assert!(checked(5) == 5, 3);
        assert!(first_even(&vector[1, 3, 4, 6]) == 4, 4);
        assert!(first_even(&vector[1]) == 0, 5);
        assert!(sum_with(&vector[1, 2, 3], |e| *e * 2) == 12, 6);
    }

    #[test]
    fun std_inline_functions() {
        let v = vector[1, 2, 3, 4];
        let doubled = v.map(|x| x * 2);
        assert!(doubled == vector[2, 4, 6, 8], 0);
        let total = doubled.fold(0, |acc, x| acc + x);
        assert!(total == 20, 1);
        let evens = vector[1, 2, 3, 4, 5, 6].filter(|x| *x % 2 == 0);
        assert!(evens == vector[2, 4, 6], 2);
        let w = vector[1, 2, 3];
        w.for_each_mut(|x| *x = *x + 10);
        assert!(w == vector[11, 12, 13], 3);
        assert!(w.any(|x| *x == 12) && !w.any(|x| *x == 1), 4);
        let pairs = 0;
        vector[1, 2].zip(vector[3, 4], |a, b| pairs += a * b);
        assert!(pairs == 11, 5);
        let nested = 0;
        vector[1, 2].for_each(|a| vector[10, 20].for_each(|b| nested += a * b));
        assert!(nested == 90, 6);
    }

    #[test]
    #[expected_failure(abort_code = 3, location = Self)]
    fun inline_abort_is_located_in_caller() {
        checked(500);
    }

    #[test]
    #[expected_failure(abort_code = 0x20002, location = Self)]
    fun std_inline_abort_is_located_in_caller() {
        vector[1].zip(vector[1, 2], |_a, _b| {});
    }
}
