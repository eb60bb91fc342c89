#[test_only]
module aptos_std::table_tests {
    use aptos_std::table::{Self, Table};
    use aptos_std::table_with_length;
    use std::string::{Self, String};

    struct Holder has key { t: Table<address, u64> }
    struct NoDrop has store { v: u64 }

    #[test(owner = @0xcafe)]
    fun table_in_storage(owner: &signer) acquires Holder {
        let t = table::new<address, u64>();
        table::add(&mut t, @0x1, 10);
        table::add(&mut t, @0x2, 20);
        move_to(owner, Holder { t });
        let h = borrow_global_mut<Holder>(@0xcafe);
        assert!(*table::borrow(&h.t, @0x1) == 10, 0);
        *table::borrow_mut(&mut h.t, @0x2) = 21;
        assert!(*table::borrow(&h.t, @0x2) == 21, 1);
        assert!(table::contains(&h.t, @0x1) && !table::contains(&h.t, @0x3), 2);
        table::upsert(&mut h.t, @0x3, 30);
        table::upsert(&mut h.t, @0x3, 31);
        assert!(*table::borrow(&h.t, @0x3) == 31, 3);
        assert!(*table::borrow_with_default(&h.t, @0x4, &7) == 7, 4);
        assert!(*table::borrow_with_default(&h.t, @0x3, &7) == 31, 5);
        *table::borrow_mut_with_default(&mut h.t, @0x5, 50) = 51;
        assert!(*table::borrow(&h.t, @0x5) == 51, 6);
        *table::borrow_mut_with_default(&mut h.t, @0x5, 0) = 52;
        assert!(*table::borrow(&h.t, @0x5) == 52, 7);
        assert!(table::remove(&mut h.t, @0x1) == 10, 8);
        assert!(!table::contains(&h.t, @0x1), 9);
        table::add(&mut h.t, @0x1, 11);
        assert!(*table::borrow(&h.t, @0x1) == 11, 10);
    }

    #[test]
    fun string_keys_and_non_drop_values() {
        let t = table::new<String, NoDrop>();
        table::add(&mut t, string::utf8(b"a"), NoDrop { v: 1 });
        table::add(&mut t, string::utf8(b"b"), NoDrop { v: 2 });
        let NoDrop { v } = table::remove(&mut t, string::utf8(b"a"));
        assert!(v == 1, 0);
        assert!(table::borrow(&t, string::utf8(b"b")).v == 2, 1);
        table::drop_unchecked(t);
    }

    #[test]
    fun with_length() {
        let t = table_with_length::new<u64, u64>();
        assert!(table_with_length::empty(&t), 0);
        table_with_length::add(&mut t, 1, 100);
        table_with_length::add(&mut t, 2, 200);
        table_with_length::upsert(&mut t, 2, 201);
        table_with_length::upsert(&mut t, 3, 300);
        assert!(table_with_length::length(&t) == 3, 1);
        *table_with_length::borrow_mut_with_default(&mut t, 4, 400) = 401;
        *table_with_length::borrow_mut_with_default(&mut t, 4, 0) = 402;
        assert!(table_with_length::length(&t) == 4, 2);
        assert!(*table_with_length::borrow(&t, 4) == 402 && *table_with_length::borrow(&t, 2) == 201, 3);
        *table_with_length::borrow_mut(&mut t, 1) = 101;
        assert!(table_with_length::contains(&t, 1) && !table_with_length::contains(&t, 9), 4);
        let i = 1;
        while (i <= 4) {
            table_with_length::remove(&mut t, i);
            i = i + 1;
        };
        assert!(table_with_length::length(&t) == 0, 5);
        table_with_length::destroy_empty(t);
    }

    #[test]
    #[expected_failure(abort_code = 0x30066, location = aptos_std::table_with_length)]
    fun destroy_non_empty() {
        let t = table_with_length::new<u64, u64>();
        table_with_length::add(&mut t, 1, 1);
        table_with_length::destroy_empty(t);
    }
}
