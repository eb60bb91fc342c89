/// Function values (Move 2.2): closures passed to and returned from
/// functions, function names as values, captures by value.
module modern::closures {
    fun apply(f: |u64| u64 has drop, x: u64): u64 { f(x) }

    fun add_one(x: u64): u64 { x + 1 }

    fun compose(f: |u64| u64 has copy + drop, g: |u64| u64 has copy + drop): |u64| u64 has copy + drop {
        |x| g(f(x))
    }

    fun make_adder(k: u64): |u64| u64 has copy + drop {
        |x| x + k
    }

    fun apply_all<T: copy + drop>(fs: vector<|T| T has copy + drop>, x: T): T {
        let i = 0;
        let acc = x;
        while (i < fs.length()) {
            let f = fs[i];
            acc = f(acc);
            i += 1;
        };
        acc
    }

    #[test]
    fun closures() {
        let k = 10;
        assert!(apply(|x| x * k, 3) == 30, 0);
        let f = add_one;
        assert!(f(1) == 2 && apply(add_one, 5) == 6, 1);
        let add5 = make_adder(5);
        let both = compose(add5, |x| x * 2);
        assert!(both(1) == 12, 2);
        assert!(apply_all(vector[add5, make_adder(1), |x| x * 3], 0) == 18, 3);
    }

    #[test]
    fun captures_are_copies() {
        let v = vector[1, 2, 3];
        let len_of = |extra| v.length() + extra;
        v.push_back(4);
        assert!(len_of(0) == 3 && v.length() == 4, 0);
    }

    #[test]
    #[expected_failure(abort_code = 9, location = Self)]
    fun abort_inside_closure() {
        let check = |x| { assert!(x < 5, 9); x };
        apply(check, 7);
    }
}
