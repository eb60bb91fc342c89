#[test_only]
module std::option_tests {
    use std::option::{Self, Option};
    use std::vector;

    struct R has store { v: u64 }

    #[test]
    fun constructors_and_queries() {
        let n = option::none<u64>();
        let s = option::some(5);
        assert!(option::is_none(&n) && !option::is_some(&n), 0);
        assert!(option::is_some(&s) && !option::is_none(&s), 1);
        assert!(option::contains(&s, &5) && !option::contains(&s, &6) && !option::contains(&n, &5), 2);
        assert!(*option::borrow(&s) == 5, 3);
        assert!(*option::borrow_with_default(&n, &7) == 7, 4);
        assert!(*option::borrow_with_default(&s, &7) == 5, 5);
        assert!(option::get_with_default(&n, 8) == 8, 6);
        assert!(option::get_with_default(&s, 8) == 5, 7);
        assert!(option::from_vec(vector[3]) == option::some(3), 8);
        assert!(option::from_vec(vector<u64>[]) == n, 9);
        assert!(option::to_vec(s) == vector[5], 10);
        assert!(option::to_vec(n) == vector[], 11);
        assert!(option::destroy_with_default(n, 4) == 4, 12);
        assert!(option::destroy_with_default(s, 4) == 5, 13);
    }

    #[test]
    fun mutation() {
        let o = option::none<u64>();
        option::fill(&mut o, 1);
        assert!(o == option::some(1), 0);
        *option::borrow_mut(&mut o) = 2;
        assert!(option::swap(&mut o, 3) == 2, 1);
        assert!(option::swap_or_fill(&mut o, 4) == option::some(3), 2);
        assert!(option::extract(&mut o) == 4, 3);
        assert!(option::is_none(&o), 4);
        assert!(option::swap_or_fill(&mut o, 5) == option::none(), 5);
        assert!(option::destroy_some(o) == 5, 6);
        option::destroy_none(option::none<R>());
        let R { v } = option::destroy_some(option::some(R { v: 9 }));
        assert!(v == 9, 7);
    }

    #[test]
    fun inline_functions() {
        let sum = 0;
        option::for_each(option::some(3), |x| sum = sum + x);
        option::for_each(option::none<u64>(), |x| sum = sum + x);
        assert!(sum == 3, 0);
        option::for_each_ref(&option::some(4), |x| sum = sum + *x);
        assert!(sum == 7, 1);
        let o = option::some(1);
        option::for_each_mut(&mut o, |x| *x = *x + 10);
        assert!(o == option::some(11), 2);
        assert!(option::fold(option::some(2), 10, |a, x| a * x) == 20, 3);
        assert!(option::fold(option::none<u64>(), 10, |a, x| a * x) == 10, 4);
        assert!(option::map(option::some(2), |x| x + 1) == option::some(3), 5);
        assert!(option::map(option::none<u64>(), |x| x + 1) == option::none(), 6);
        assert!(option::map_ref(&option::some(2), |x| vector::singleton(*x)) == option::some(vector[2]), 7);
        assert!(option::filter(option::some(2), |x| *x > 1) == option::some(2), 8);
        assert!(option::filter(option::some(1), |x| *x > 1) == option::none(), 9);
        assert!(option::any(&option::some(2), |x| *x == 2), 10);
        assert!(!option::any(&option::none<u64>(), |x| *x == 2), 11);
        let got = 0;
        option::destroy(option::some(R { v: 6 }), |r| { let R { v } = r; got = v });
        assert!(got == 6, 12);
        let x: Option<u8> = option::none();
        option::destroy(x, |_e| abort 99);
    }

    #[test]
    #[expected_failure(abort_code = 0x40001, location = std::option)]
    fun borrow_none() {
        option::borrow(&option::none<u64>());
    }

    #[test]
    #[expected_failure(abort_code = 0x40001, location = std::option)]
    fun borrow_mut_none() {
        let o = option::none<u64>();
        option::borrow_mut(&mut o);
    }

    #[test]
    #[expected_failure(abort_code = 0x40000, location = std::option)]
    fun fill_some() {
        let o = option::some(1);
        option::fill(&mut o, 2);
    }

    #[test]
    #[expected_failure(abort_code = 0x40001, location = std::option)]
    fun extract_none() {
        let o = option::none<u64>();
        option::extract(&mut o);
    }

    #[test]
    #[expected_failure(abort_code = 0x40001, location = std::option)]
    fun swap_none() {
        let o = option::none<u64>();
        option::swap(&mut o, 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x40001, location = std::option)]
    fun destroy_some_none() {
        option::destroy_some(option::none<u64>());
    }

    #[test]
    #[expected_failure(abort_code = 0x40000, location = std::option)]
    fun destroy_none_some() {
        option::destroy_none(option::some(1));
    }

    #[test]
    #[expected_failure(abort_code = 0x40002, location = std::option)]
    fun from_vec_too_long() {
        option::from_vec(vector[1, 2]);
    }
}
