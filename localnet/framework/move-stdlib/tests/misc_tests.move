#[test_only]
module std::misc_tests {
    use std::acl;
    use std::bit_vector;
    use std::error;
    use std::signer;
    use std::unit_test;
    use std::vector;

    struct S has copy, drop { a: u64, b: vector<u8> }

    #[test]
    fun error_codes() {
        assert!(error::canonical(3, 7) == 0x30007, 0);
        assert!(error::invalid_argument(1) == 0x10001, 1);
        assert!(error::out_of_range(1) == 0x20001, 2);
        assert!(error::invalid_state(1) == 0x30001, 3);
        assert!(error::unauthenticated(1) == 0x40001, 4);
        assert!(error::permission_denied(1) == 0x50001, 5);
        assert!(error::not_found(1) == 0x60001, 6);
        assert!(error::aborted(1) == 0x70001, 7);
        assert!(error::already_exists(1) == 0x80001, 8);
        assert!(error::resource_exhausted(1) == 0x90001, 9);
        assert!(error::internal(1) == 0xB0001, 10);
        assert!(error::not_implemented(1) == 0xC0001, 11);
        assert!(error::unavailable(1) == 0xD0001, 12);
    }

    #[test(a = @0xcafe, b = @0x1)]
    fun signers(a: &signer, b: signer) {
        assert!(signer::address_of(a) == @0xcafe, 0);
        assert!(*signer::borrow_address(&b) == @std, 1);
        let ss = unit_test::create_signers_for_testing(3);
        assert!(vector::length(&ss) == 3, 2);
        let a0 = signer::address_of(vector::borrow(&ss, 0));
        let a1 = signer::address_of(vector::borrow(&ss, 1));
        assert!(a0 != a1, 3);
    }

    #[test]
    fun bit_vectors() {
        let bv = bit_vector::new(10);
        assert!(bit_vector::length(&bv) == 10, 0);
        bit_vector::set(&mut bv, 2);
        bit_vector::set(&mut bv, 3);
        bit_vector::set(&mut bv, 4);
        bit_vector::set(&mut bv, 9);
        assert!(bit_vector::is_index_set(&bv, 3) && !bit_vector::is_index_set(&bv, 5), 1);
        assert!(bit_vector::longest_set_sequence_starting_at(&bv, 2) == 3, 2);
        assert!(bit_vector::longest_set_sequence_starting_at(&bv, 5) == 0, 3);
        bit_vector::unset(&mut bv, 3);
        assert!(!bit_vector::is_index_set(&bv, 3), 4);
        bit_vector::shift_left(&mut bv, 2);
        assert!(bit_vector::is_index_set(&bv, 0) && !bit_vector::is_index_set(&bv, 1), 5);
        assert!(bit_vector::is_index_set(&bv, 2) && bit_vector::is_index_set(&bv, 7), 6);
        assert!(!bit_vector::is_index_set(&bv, 9) && !bit_vector::is_index_set(&bv, 8), 7);
        bit_vector::shift_left(&mut bv, 18446744073709551615);
        assert!(bit_vector::longest_set_sequence_starting_at(&bv, 0) == 0 && !bit_vector::is_index_set(&bv, 7), 8);
        assert!(bit_vector::word_size() == 1, 9);
    }

    #[test]
    #[expected_failure(abort_code = 0x20001, location = std::bit_vector)]
    fun bit_vector_too_long() {
        bit_vector::new(1024);
    }

    #[test]
    #[expected_failure(abort_code = 0x20001, location = std::bit_vector)]
    fun bit_vector_empty() {
        bit_vector::new(0);
    }

    #[test]
    #[expected_failure(abort_code = 0x20000, location = std::bit_vector)]
    fun bit_vector_set_out_of_range() {
        let bv = bit_vector::new(4);
        bit_vector::set(&mut bv, 4);
    }

    #[test]
    fun acls() {
        let l = acl::empty();
        acl::add(&mut l, @0x1);
        acl::add(&mut l, @0x2);
        assert!(acl::contains(&l, @0x2), 0);
        acl::assert_contains(&l, @0x1);
        acl::remove(&mut l, @0x1);
        assert!(!acl::contains(&l, @0x1), 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x10000, location = std::acl)]
    fun acl_add_twice() {
        let l = acl::empty();
        acl::add(&mut l, @0x1);
        acl::add(&mut l, @0x1);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = std::acl)]
    fun acl_remove_missing() {
        let l = acl::empty();
        acl::remove(&mut l, @0x1);
    }
}
