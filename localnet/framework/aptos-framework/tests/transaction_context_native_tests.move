#[test_only]
module aptos_framework::transaction_context_native_tests {
    use aptos_std::table;
    use aptos_framework::object;
    use aptos_framework::transaction_context;

    #[test]
    fun unique_addresses() {
        // Unit tests run with transaction hash vector[1], as on Aptos, so the
        // AUIDs are sha3_256(x"01" ++ le_u64(n) ++ 0xFB) (computed with Python's
        // hashlib.sha3_256). Tables draw their handles from another
        // sequence, so creating one first changes nothing.
        table::drop_unchecked(table::new<u64, u64>());
        let a = transaction_context::generate_auid_address();
        assert!(a == @0xe46a3c36283330c97668b5d4693766b8626420a5701c18eb64026075c3ec8a0a, 0);
        let id = transaction_context::generate_auid();
        let b = transaction_context::auid_address(&id);
        assert!(b == @0xfab16b00983f01e5c2b7682472a4f4c3e5929fbba987958570b6290c02817df2, 1);
        assert!(transaction_context::get_transaction_hash() == vector[1], 2);
        assert!(transaction_context::get_script_hash() == vector[1], 3);
        // create_object draws from the same sequence.
        let cref = object::create_object(@0xcafe);
        let d = object::address_from_constructor_ref(&cref);
        assert!(d != a && d != b, 4);
        assert!(object::can_generate_delete_ref(&cref), 5);
    }

    #[test]
    fun monotonically_increasing_counter_counts_per_session() {
        let first = transaction_context::monotonically_increasing_counter();
        assert!(first == 1, 0);
        assert!(transaction_context::monotonically_increasing_counter() == 2, 1);
    }

    // Outside a user transaction (unit tests, views) the transaction's facts
    // abort with invalid_state(ETRANSACTION_CONTEXT_NOT_AVAILABLE).

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun sender_outside_a_transaction() {
        transaction_context::sender();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun secondary_signers_outside_a_transaction() {
        transaction_context::secondary_signers();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun gas_payer_outside_a_transaction() {
        transaction_context::gas_payer();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun max_gas_amount_outside_a_transaction() {
        transaction_context::max_gas_amount();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun gas_unit_price_outside_a_transaction() {
        transaction_context::gas_unit_price();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun chain_id_outside_a_transaction() {
        transaction_context::chain_id();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun entry_function_payload_outside_a_transaction() {
        transaction_context::entry_function_payload();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun multisig_payload_outside_a_transaction() {
        transaction_context::multisig_payload();
    }

    #[test]
    #[expected_failure(abort_code = 0x30001, location = aptos_framework::transaction_context)]
    fun is_encrypted_txn_outside_a_transaction() {
        transaction_context::is_encrypted_txn();
    }
}
