#[test_only]
module std::vector_tests {
    use std::vector;

    struct R has store { v: u64 }
    struct D has copy, drop, store { v: u64 }

    #[test]
    fun push_pop_length_borrow() {
        let v = vector::empty<u64>();
        assert!(vector::is_empty(&v), 0);
        vector::push_back(&mut v, 10);
        vector::push_back(&mut v, 20);
        assert!(vector::length(&v) == 2, 1);
        assert!(*vector::borrow(&v, 1) == 20, 2);
        *vector::borrow_mut(&mut v, 0) = 11;
        assert!(v == vector[11, 20], 3);
        assert!(vector::pop_back(&mut v) == 20, 4);
        assert!(v[0] == 11, 5);
        vector::swap(&mut v, 0, 0);
        assert!(vector::singleton(7u8) == vector[7u8], 6);
    }

    #[test]
    fun reverse_append_trim() {
        let v = vector[1, 2, 3, 4, 5];
        vector::reverse(&mut v);
        assert!(v == vector[5, 4, 3, 2, 1], 0);
        vector::reverse_slice(&mut v, 1, 4);
        assert!(v == vector[5, 2, 3, 4, 1], 1);
        vector::reverse_slice(&mut v, 2, 2);
        assert!(v == vector[5, 2, 3, 4, 1], 2);
        vector::append(&mut v, vector[7, 8]);
        assert!(v == vector[5, 2, 3, 4, 1, 7, 8], 3);
        vector::reverse_append(&mut v, vector[9, 10]);
        assert!(v == vector[5, 2, 3, 4, 1, 7, 8, 10, 9], 4);
        let tail = vector::trim(&mut v, 6);
        assert!(tail == vector[8, 10, 9], 5);
        assert!(v == vector[5, 2, 3, 4, 1, 7], 6);
        let rtail = vector::trim_reverse(&mut v, 4);
        assert!(rtail == vector[7, 1], 7);
        assert!(vector::trim(&mut v, 4) == vector[], 8);
        let e = vector::empty<u64>();
        vector::reverse(&mut e);
        assert!(e == vector[], 9);
    }

    #[test]
    fun search_insert_remove() {
        let v = vector[3, 1, 4, 1, 5];
        assert!(vector::contains(&v, &4), 0);
        assert!(!vector::contains(&v, &9), 1);
        let (found, i) = vector::index_of(&v, &1);
        assert!(found && i == 1, 2);
        let (found2, i2) = vector::index_of(&v, &9);
        assert!(!found2 && i2 == 0, 3);
        let (f3, i3) = vector::find(&v, |x| *x > 3);
        assert!(f3 && i3 == 2, 4);
        let (f4, i4) = vector::find(&v, |x| *x > 30);
        assert!(!f4 && i4 == 0, 5);
        vector::insert(&mut v, 0, 0);
        vector::insert(&mut v, 6, 6);
        vector::insert(&mut v, 3, 9);
        assert!(v == vector[0, 3, 1, 9, 4, 1, 5, 6], 6);
        assert!(vector::remove(&mut v, 3) == 9, 7);
        assert!(vector::remove(&mut v, 0) == 0, 8);
        assert!(vector::remove(&mut v, 5) == 6, 9);
        assert!(v == vector[3, 1, 4, 1, 5], 10);
        assert!(vector::remove_value(&mut v, &1) == vector[1], 11);
        assert!(vector::remove_value(&mut v, &42) == vector[], 12);
        assert!(v == vector[3, 4, 1, 5], 13);
        assert!(vector::swap_remove(&mut v, 0) == 3, 14);
        assert!(v == vector[5, 4, 1], 15);
        assert!(vector::replace(&mut v, 1, 40) == 4, 16);
        assert!(v == vector[5, 40, 1], 17);
    }

    #[test]
    fun rotate_range_slice() {
        let v = vector[1, 2, 3, 4, 5];
        assert!(vector::rotate(&mut v, 2) == 3, 0);
        assert!(v == vector[3, 4, 5, 1, 2], 1);
        let w = vector[1, 2, 3, 4, 5, 6];
        assert!(vector::rotate_slice(&mut w, 1, 3, 5) == 3, 2);
        assert!(w == vector[1, 4, 5, 2, 3, 6], 3);
        assert!(vector::range(2, 6) == vector[2, 3, 4, 5], 4);
        assert!(vector::range(6, 2) == vector[], 5);
        assert!(vector::range_with_step(0, 10, 3) == vector[0, 3, 6, 9], 6);
        assert!(vector::slice(&vector[1, 2, 3, 4], 1, 3) == vector[2, 3], 7);
        assert!(vector::slice(&vector[1, 2, 3, 4], 4, 4) == vector[], 8);
    }

    #[test]
    fun inline_functions() {
        let v = vector[1, 2, 3, 4];
        let sum = 0;
        vector::for_each_ref(&v, |x| sum = sum + *x);
        assert!(sum == 10, 0);
        let order = vector[];
        vector::for_each(v, |x| vector::push_back(&mut order, x));
        assert!(order == vector[1, 2, 3, 4], 1);
        let rev = vector[];
        vector::for_each_reverse(vector[1, 2, 3], |x| vector::push_back(&mut rev, x));
        assert!(rev == vector[3, 2, 1], 2);
        let m = vector[1, 2, 3];
        vector::for_each_mut(&mut m, |x| *x = *x * 10);
        assert!(m == vector[10, 20, 30], 3);
        let idx = 0;
        vector::enumerate_ref(&m, |i, x| idx = idx + i * *x);
        assert!(idx == 20 + 60, 4);
        vector::enumerate_mut(&mut m, |i, x| *x = *x + i);
        assert!(m == vector[10, 21, 32], 5);
        assert!(vector::fold(vector[1, 2, 3], 0, |acc, x| acc * 10 + x) == 123, 6);
        assert!(vector::foldr(vector[1, 2, 3], 0, |x, acc| acc * 10 + x) == 321, 7);
        assert!(vector::map(vector[1, 2, 3], |x| x * 2) == vector[2, 4, 6], 8);
        assert!(vector::map_ref(&vector[1, 2, 3], |x| *x + 1) == vector[2, 3, 4], 9);
        assert!(vector::filter(vector[1, 2, 3, 4, 5], |x| *x % 2 == 1) == vector[1, 3, 5], 10);
        assert!(vector::any(&vector[1, 2, 3], |x| *x == 2), 11);
        assert!(!vector::any(&vector<u64>[], |x| *x == 2), 12);
        assert!(vector::all(&vector[2, 4], |x| *x % 2 == 0), 13);
        assert!(!vector::all(&vector[2, 3], |x| *x % 2 == 0), 14);
        assert!(vector::all(&vector<u64>[], |x| *x == 1), 15);
        let pairs = vector[];
        vector::zip(vector[1, 2], vector[10, 20], |a, b| vector::push_back(&mut pairs, a + b));
        assert!(pairs == vector[11, 22], 16);
        let zr = vector[];
        vector::zip_reverse(vector[1, 2], vector[10, 20], |a, b| vector::push_back(&mut zr, a + b));
        assert!(zr == vector[22, 11], 17);
        let dot = 0;
        vector::zip_ref(&vector[1, 2], &vector[3, 4], |a, b| dot = dot + *a * *b);
        assert!(dot == 11, 18);
        let a = vector[1, 2];
        let b = vector[3, 4];
        vector::zip_mut(&mut a, &mut b, |x, y| { *x = *x + *y; *y = 0 });
        assert!(a == vector[4, 6] && b == vector[0, 0], 19);
        assert!(vector::zip_map(vector[1, 2], vector[3, 4], |x, y| x * y) == vector[3, 8], 20);
        assert!(vector::zip_map_ref(&vector[1, 2], &vector[3, 4], |x, y| *x + *y) == vector[4, 6], 21);
        let p = vector[1, 2, 3, 4, 5, 6];
        let k = vector::partition(&mut p, |x| *x % 2 == 0);
        assert!(k == 3, 22);
        assert!(vector::all(&vector::slice(&p, 0, 3), |x| *x % 2 == 0), 23);
        let s = vector[1, 2, 3, 4, 5, 6];
        assert!(vector::stable_partition(&mut s, |x| *x % 2 == 0) == 3, 24);
        assert!(s == vector[2, 4, 6, 1, 3, 5], 25);
        let total = 0;
        vector::destroy(vector[R { v: 1 }, R { v: 2 }], |r| { let R { v } = r; total = total + v });
        assert!(total == 3, 26);
    }

    #[test]
    fun equality_and_nesting() {
        let a = vector[D { v: 1 }, D { v: 2 }];
        let b = a;
        assert!(a == b, 0);
        vector::push_back(&mut b, D { v: 3 });
        assert!(a != b, 1);
        let nested = vector[vector[1u8], vector[]];
        vector::push_back(vector::borrow_mut(&mut nested, 1), 2);
        assert!(nested == vector[vector[1u8], vector[2u8]], 2);
        let rs = vector[R { v: 5 }];
        let R { v } = vector::pop_back(&mut rs);
        assert!(v == 5, 3);
        vector::destroy_empty(rs);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun remove_out_of_bounds() {
        let v = vector[1, 2];
        vector::remove(&mut v, 2);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun swap_remove_empty() {
        let v = vector<u64>[];
        vector::swap_remove(&mut v, 0);
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 1, location = std::vector)]
    fun swap_remove_out_of_range() {
        let v = vector[1, 2];
        vector::swap_remove(&mut v, 5);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun insert_past_end() {
        let v = vector[1];
        vector::insert(&mut v, 2, 0);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun replace_past_end() {
        let v = vector[1];
        vector::replace(&mut v, 1, 0);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::vector)]
    fun trim_too_long() {
        let v = vector[1];
        vector::trim(&mut v, 2);
    }

    #[test]
    #[expected_failure(abort_code = 0x20001, location = std::vector)]
    fun reverse_slice_inverted() {
        let v = vector[1, 2, 3];
        vector::reverse_slice(&mut v, 2, 1);
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 1, location = std::vector)]
    fun reverse_slice_past_end() {
        let v = vector[1, 2, 3];
        vector::reverse_slice(&mut v, 0, 5);
    }

    #[test]
    #[expected_failure(abort_code = 0x20003, location = std::vector)]
    fun range_zero_step() {
        vector::range_with_step(0, 10, 0);
    }

    #[test]
    #[expected_failure(arithmetic_error, location = std::vector)]
    fun range_step_overflow() {
        vector::range_with_step(18446744073709551614, 18446744073709551615, 5);
    }

    #[test]
    #[expected_failure(abort_code = 0x20004, location = std::vector)]
    fun slice_past_end() {
        vector::slice(&vector[1, 2], 1, 3);
    }

    #[test]
    #[expected_failure(abort_code = 0x20002, location = Self)]
    fun zip_length_mismatch() {
        vector::zip(vector[1], vector[1, 2], |a, b| { let _ = a + b; });
    }

    #[test]
    #[expected_failure(abort_code = 0x20002, location = Self)]
    fun zip_map_length_mismatch() {
        vector::zip_map(vector[1], vector<u64>[], |a, b| a + b);
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 1, location = Self)]
    fun borrow_out_of_range() {
        let v = vector[1, 2];
        let _ = v[2];
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 2, location = Self)]
    fun pop_empty() {
        let v = vector<u64>[];
        vector::pop_back(&mut v);
    }

    #[test]
    #[expected_failure(vector_error, minor_status = 3, location = Self)]
    fun destroy_non_empty() {
        vector::destroy_empty(vector[1]);
    }
}
