/// Facts about the running transaction, and unique addresses derived from it.
module aptos_framework::transaction_context {
    use std::error;
    use std::features;
    use std::option::Option;
    use std::string::String;
    use aptos_framework::timestamp;

    /// Only available while executing a transaction.
    const ETRANSACTION_CONTEXT_NOT_AVAILABLE: u64 = 1;
    /// The transaction context extension feature is off.
    const ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED: u64 = 2;
    /// monotonically_increasing_counter was called too often in one session.
    const EMONOTONICALLY_INCREASING_COUNTER_OVERFLOW: u64 = 4;
    /// The transaction index is not available here.
    const ETRANSACTION_INDEX_NOT_AVAILABLE: u64 = 5;

    /// A unique address produced by generate_auid.
    struct AUID has drop, store {
        unique_address: address
    }

    /// The entry function a transaction calls.
    struct EntryFunctionPayload has copy, drop {
        account_address: address,
        module_name: String,
        function_name: String,
        ty_args_names: vector<String>,
        args: vector<vector<u8>>,
    }

    /// The payload of a multisig transaction.
    struct MultisigPayload has copy, drop {
        multisig_address: address,
        entry_function_payload: Option<EntryFunctionPayload>,
    }

    native fun get_txn_hash(): vector<u8>;

    /// The hash of the current transaction (vector[1] in unit tests, as on Aptos).
    public fun get_transaction_hash(): vector<u8> {
        get_txn_hash()
    }

    native fun generate_unique_address(): address;

    /// A fresh address no one can sign for: sha3-256 of the transaction hash,
    /// a per-transaction counter and scheme byte 0xFB.
    public fun generate_auid_address(): address {
        generate_unique_address()
    }

    /// The hash of the running script: empty for an entry function, vector[1]
    /// in unit tests (as on Aptos, where governance tests rely on it).
    public native fun get_script_hash(): vector<u8>;

    public fun generate_auid(): AUID {
        AUID { unique_address: generate_unique_address() }
    }

    public fun auid_address(auid: &AUID): address {
        auid.unique_address
    }

    public fun sender(): address {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        sender_internal()
    }
    native fun sender_internal(): address;

    public fun secondary_signers(): vector<address> {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        secondary_signers_internal()
    }
    native fun secondary_signers_internal(): vector<address>;

    public fun gas_payer(): address {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        gas_payer_internal()
    }
    native fun gas_payer_internal(): address;

    public fun max_gas_amount(): u64 {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        max_gas_amount_internal()
    }
    native fun max_gas_amount_internal(): u64;

    public fun gas_unit_price(): u64 {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        gas_unit_price_internal()
    }
    native fun gas_unit_price_internal(): u64;

    public fun chain_id(): u8 {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        chain_id_internal()
    }
    native fun chain_id_internal(): u8;

    public fun entry_function_payload(): Option<EntryFunctionPayload> {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        entry_function_payload_internal()
    }
    native fun entry_function_payload_internal(): Option<EntryFunctionPayload>;

    public fun account_address(payload: &EntryFunctionPayload): address {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.account_address
    }

    public fun module_name(payload: &EntryFunctionPayload): String {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.module_name
    }

    public fun function_name(payload: &EntryFunctionPayload): String {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.function_name
    }

    public fun type_arg_names(payload: &EntryFunctionPayload): vector<String> {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.ty_args_names
    }

    public fun args(payload: &EntryFunctionPayload): vector<vector<u8>> {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.args
    }

    public fun multisig_payload(): Option<MultisigPayload> {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        multisig_payload_internal()
    }
    native fun multisig_payload_internal(): Option<MultisigPayload>;

    public fun multisig_address(payload: &MultisigPayload): address {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.multisig_address
    }

    public fun inner_entry_function_payload(payload: &MultisigPayload): Option<EntryFunctionPayload> {
        assert!(features::transaction_context_extension_enabled(), error::invalid_state(ETRANSACTION_CONTEXT_EXTENSION_NOT_ENABLED));
        payload.entry_function_payload
    }

    /// Whether the current transaction is encrypted (never on the localnet).
    /// Aborts with invalid_state(1) outside a user transaction.
    public fun is_encrypted_txn(): bool {
        is_encrypted_txn_internal()
    }
    native fun is_encrypted_txn_internal(): bool;

    /// A value that increases with every call across the chain's history:
    /// block time in microseconds (64 bits), the transaction's index in its
    /// block (32 bits), a session counter (8 bits, 0) and a per-session
    /// counter (16 bits). Aborts with invalid_state(2) after 65535 calls in
    /// one session. In unit tests it returns the per-session counter alone.
    public fun monotonically_increasing_counter(): u128 {
        if (__COMPILE_FOR_TESTING__) {
            monotonically_increasing_counter_internal_for_test_only()
        } else {
            monotonically_increasing_counter_internal(timestamp::now_microseconds())
        }
    }
    native fun monotonically_increasing_counter_internal(timestamp_us: u64): u128;
    native fun monotonically_increasing_counter_internal_for_test_only(): u128;

    #[test_only]
    public fun new_entry_function_payload(
        account_address: address,
        module_name: String,
        function_name: String,
        ty_args_names: vector<String>,
        args: vector<vector<u8>>,
    ): EntryFunctionPayload {
        EntryFunctionPayload { account_address, module_name, function_name, ty_args_names, args }
    }
}
