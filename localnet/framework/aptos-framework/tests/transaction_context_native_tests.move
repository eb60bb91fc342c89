#[test_only]
module aptos_framework::transaction_context_native_tests {
    use std::vector;
    use aptos_framework::object;
    use aptos_framework::transaction_context;

    #[test]
    fun unique_addresses() {
        let a = transaction_context::generate_auid_address();
        let b = transaction_context::generate_auid_address();
        assert!(a != b, 0);
        let id = transaction_context::generate_auid();
        let c = transaction_context::auid_address(&id);
        assert!(c != a && c != b, 1);
        assert!(vector::length(&transaction_context::get_transaction_hash()) == 32, 2);
        // create_object draws from the same sequence.
        let cref = object::create_object(@0xcafe);
        let d = object::address_from_constructor_ref(&cref);
        assert!(d != a && d != b && d != c, 3);
        assert!(object::can_generate_delete_ref(&cref), 4);
        assert!(transaction_context::chain_id() == 4, 5);
    }
}
