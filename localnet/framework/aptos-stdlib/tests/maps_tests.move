#[test_only]
module aptos_std::maps_tests {
    use aptos_std::simple_map;
    use std::option;

    #[test]
    fun simple_maps() {
        let m = simple_map::new<u64, u64>();
        simple_map::add(&mut m, 1, 10);
        simple_map::add(&mut m, 2, 20);
        simple_map::add(&mut m, 3, 30);
        assert!(simple_map::length(&m) == 3, 0);
        assert!(*simple_map::borrow(&m, &2) == 20, 1);
        *simple_map::borrow_mut(&mut m, &2) = 21;
        assert!(simple_map::contains_key(&m, &2) && !simple_map::contains_key(&m, &4), 2);
        let (k, v) = simple_map::upsert(&mut m, 2, 22);
        assert!(k == option::some(2) && v == option::some(21), 3);
        let (k2, v2) = simple_map::upsert(&mut m, 4, 40);
        assert!(option::is_none(&k2) && option::is_none(&v2), 4);
        assert!(simple_map::keys(&m) == vector[1, 2, 3, 4], 5);
        assert!(simple_map::values(&m) == vector[10, 22, 30, 40], 6);
        let (rk, rv) = simple_map::remove(&mut m, &1);
        assert!(rk == 1 && rv == 10, 7);
        // remove moved the last pair into the first slot
        assert!(simple_map::keys(&m) == vector[4, 2, 3], 8);
        let (ks, vs) = simple_map::to_vec_pair(m);
        assert!(ks == vector[4, 2, 3] && vs == vector[40, 22, 30], 9);
        let n = simple_map::new_from(vector[5, 6], vector[50, 60]);
        let total = 0;
        simple_map::destroy(n, |k| total = total + k, |v| total = total + v);
        assert!(total == 121, 10);
        simple_map::destroy_empty(simple_map::create<u8, u8>());
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::simple_map)]
    fun simple_map_add_twice() {
        let m = simple_map::new<u64, u64>();
        simple_map::add(&mut m, 1, 1);
        simple_map::add(&mut m, 1, 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x10002, location = aptos_std::simple_map)]
    fun simple_map_borrow_missing() {
        let m = simple_map::new<u64, u64>();
        simple_map::borrow(&m, &1);
    }

    #[test]
    #[expected_failure(abort_code = 0x10002, location = aptos_std::simple_map)]
    fun simple_map_remove_missing() {
        let m = simple_map::new<u64, u64>();
        simple_map::remove(&mut m, &1);
    }

    #[test]
    #[expected_failure(abort_code = 0x20002, location = aptos_std::simple_map)]
    fun simple_map_add_all_mismatch() {
        simple_map::new_from(vector[1, 2], vector[1]);
    }
}
