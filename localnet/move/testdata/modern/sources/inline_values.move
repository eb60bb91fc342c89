/// Inline functions whose lambda parameters are used as values (passed on
/// to a function taking a function value, stored in a struct) and
/// closures that capture a lambda-bound parameter, as the Aptos framework
/// does in big_ordered_map and ordered_map.
module modern::inline_values {
    use std::vector;

    struct Wrapper has copy, drop { f: |u64| u64 has copy + drop }

    fun call_value(f: |u64| u64 has copy + drop, x: u64): u64 { f(x) }

    inline fun pass_on(f: |u64| u64 has copy + drop, x: u64): u64 {
        call_value(f, x)
    }

    inline fun wrap(f: |u64| u64 has copy + drop, x: u64): u64 {
        let w = Wrapper { f };
        (w.f)(x)
    }

    inline fun map_all(v: vector<u64>, f: |u64| u64): vector<u64> {
        let out = vector[];
        vector::for_each(v, |e| out.push_back(f(e)));
        out
    }

    fun total(): u64 { 7 }

    fun adder(k: u64): |u64| u64 has copy + drop { |x| x + k }

    #[test]
    fun call_on_expression() {
        let w = Wrapper { f: adder(2) };
        assert!((w.f)(1) == 3, 0);
        assert!((adder(10))(5) == 15, 1);
        let ws = vector[w, Wrapper { f: |x| x * 2 }];
        assert!((ws[1].f)(4) == 8, 2);
    }

    #[test]
    fun lambda_as_value() {
        let k = 5;
        assert!(pass_on(|x| x + k, 1) == 6, 0);
        assert!(wrap(|x| x * k, 2) == 10, 1);
    }

    #[test]
    fun closure_captures_lambda_param() {
        let k = 3;
        let v = map_all(vector[1, 2, 3], |x| x * k);
        assert!(v == vector[3, 6, 9], 0);
    }

    #[test]
    fun local_named_like_function() {
        // A local that holds no function value does not shadow `total`.
        let total = total();
        assert!(total == 7, 0);
    }

    #[test(a = @0x1, s = @0x2)]
    fun address_test_parameter(a: address, s: signer) {
        assert!(a == @0x1, 0);
        assert!(std::signer::address_of(&s) == @0x2, 1);
    }
}
