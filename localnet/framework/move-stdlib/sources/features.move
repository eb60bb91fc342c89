/// Feature flags of the chain, kept as a bit set in the `Features` resource
/// under @std. Genesis (and the unit-test harness) publishes the default set;
/// flags that can no longer change are answered by constants.
module std::features {
    use std::error;
    use std::signer;
    use std::vector;

    /// The feature is not (or no longer) defined.
    const EINVALID_FEATURE: u64 = 1;
    /// The API is disabled; use change_feature_flags_for_next_epoch.
    const EAPI_DISABLED: u64 = 2;
    /// The feature is permanently on.
    const EFEATURE_CANNOT_BE_DISABLED: u64 = 3;
    /// Only the framework account may change feature flags.
    const EFRAMEWORK_SIGNER_NEEDED: u64 = 1;

    const CODE_DEPENDENCY_CHECK: u64 = 1;
    public fun code_dependency_check_enabled(): bool acquires Features { is_enabled(CODE_DEPENDENCY_CHECK) }

    const TREAT_FRIEND_AS_PRIVATE: u64 = 2;
    public fun treat_friend_as_private(): bool acquires Features { is_enabled(TREAT_FRIEND_AS_PRIVATE) }

    const SHA_512_AND_RIPEMD_160_NATIVES: u64 = 3;
    public fun get_sha_512_and_ripemd_160_feature(): u64 { SHA_512_AND_RIPEMD_160_NATIVES }

    public fun sha_512_and_ripemd_160_enabled(): bool acquires Features { is_enabled(SHA_512_AND_RIPEMD_160_NATIVES) }

    const APTOS_STD_CHAIN_ID_NATIVES: u64 = 4;
    public fun get_aptos_stdlib_chain_id_feature(): u64 { APTOS_STD_CHAIN_ID_NATIVES }

    public fun aptos_stdlib_chain_id_enabled(): bool acquires Features { is_enabled(APTOS_STD_CHAIN_ID_NATIVES) }

    const VM_BINARY_FORMAT_V6: u64 = 5;
    public fun get_vm_binary_format_v6(): u64 { VM_BINARY_FORMAT_V6 }

    public fun allow_vm_binary_format_v6(): bool acquires Features { is_enabled(VM_BINARY_FORMAT_V6) }

    public fun get_collect_and_distribute_gas_fees_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun collect_and_distribute_gas_fees(): bool { false }

    const MULTI_ED25519_PK_VALIDATE_V2_NATIVES: u64 = 7;
    public fun multi_ed25519_pk_validate_v2_feature(): u64 { MULTI_ED25519_PK_VALIDATE_V2_NATIVES }

    public fun multi_ed25519_pk_validate_v2_enabled(): bool acquires Features { is_enabled(MULTI_ED25519_PK_VALIDATE_V2_NATIVES) }

    const BLAKE2B_256_NATIVE: u64 = 8;
    public fun get_blake2b_256_feature(): u64 { BLAKE2B_256_NATIVE }

    public fun blake2b_256_enabled(): bool acquires Features { is_enabled(BLAKE2B_256_NATIVE) }

    const RESOURCE_GROUPS: u64 = 9;
    public fun get_resource_groups_feature(): u64 { RESOURCE_GROUPS }

    public fun resource_groups_enabled(): bool acquires Features { is_enabled(RESOURCE_GROUPS) }

    const MULTISIG_ACCOUNTS: u64 = 10;
    public fun get_multisig_accounts_feature(): u64 { MULTISIG_ACCOUNTS }

    public fun multisig_accounts_enabled(): bool acquires Features { is_enabled(MULTISIG_ACCOUNTS) }

    const DELEGATION_POOLS: u64 = 11;
    public fun get_delegation_pools_feature(): u64 { DELEGATION_POOLS }

    public fun delegation_pools_enabled(): bool acquires Features { is_enabled(DELEGATION_POOLS) }

    const CRYPTOGRAPHY_ALGEBRA_NATIVES: u64 = 12;
    public fun get_cryptography_algebra_natives_feature(): u64 { CRYPTOGRAPHY_ALGEBRA_NATIVES }

    public fun cryptography_algebra_enabled(): bool acquires Features { is_enabled(CRYPTOGRAPHY_ALGEBRA_NATIVES) }

    const BLS12_381_STRUCTURES: u64 = 13;
    public fun get_bls12_381_strutures_feature(): u64 { BLS12_381_STRUCTURES }

    public fun bls12_381_structures_enabled(): bool acquires Features { is_enabled(BLS12_381_STRUCTURES) }

    const ED25519_PUBKEY_VALIDATE_RETURN_FALSE_WRONG_LENGTH: u64 = 14;
    const STRUCT_CONSTRUCTORS: u64 = 15;
    const PERIODICAL_REWARD_RATE_DECREASE: u64 = 16;
    public fun get_periodical_reward_rate_decrease_feature(): u64 { PERIODICAL_REWARD_RATE_DECREASE }

    public fun periodical_reward_rate_decrease_enabled(): bool acquires Features { is_enabled(PERIODICAL_REWARD_RATE_DECREASE) }

    const PARTIAL_GOVERNANCE_VOTING: u64 = 17;
    public fun get_partial_governance_voting(): u64 { PARTIAL_GOVERNANCE_VOTING }

    public fun partial_governance_voting_enabled(): bool acquires Features { is_enabled(PARTIAL_GOVERNANCE_VOTING) }

    const CHARGE_INVARIANT_VIOLATION: u64 = 20;
    const DELEGATION_POOL_PARTIAL_GOVERNANCE_VOTING: u64 = 21;
    public fun get_delegation_pool_partial_governance_voting(): u64 { DELEGATION_POOL_PARTIAL_GOVERNANCE_VOTING }

    public fun delegation_pool_partial_governance_voting_enabled(): bool acquires Features { is_enabled(DELEGATION_POOL_PARTIAL_GOVERNANCE_VOTING) }

    const FEE_PAYER_ENABLED: u64 = 22;
    public fun fee_payer_enabled(): bool acquires Features { is_enabled(FEE_PAYER_ENABLED) }

    const APTOS_UNIQUE_IDENTIFIERS: u64 = 23;
    public fun get_auids(): u64 { error::invalid_argument(EFEATURE_CANNOT_BE_DISABLED) }

    public fun auids_enabled(): bool { true }

    const BULLETPROOFS_NATIVES: u64 = 24;
    public fun get_bulletproofs_feature(): u64 { BULLETPROOFS_NATIVES }

    public fun bulletproofs_enabled(): bool acquires Features { is_enabled(BULLETPROOFS_NATIVES) }

    const SIGNER_NATIVE_FORMAT_FIX: u64 = 25;
    public fun get_signer_native_format_fix_feature(): u64 { SIGNER_NATIVE_FORMAT_FIX }

    public fun signer_native_format_fix_enabled(): bool acquires Features { is_enabled(SIGNER_NATIVE_FORMAT_FIX) }

    const MODULE_EVENT: u64 = 26;
    public fun get_module_event_feature(): u64 { MODULE_EVENT }

    public fun module_event_enabled(): bool acquires Features { is_enabled(MODULE_EVENT) }

    const SIGNATURE_CHECKER_V2_SCRIPT_FIX: u64 = 29;
    public fun get_aggregator_v2_api_feature(): u64 { abort error::invalid_argument(EFEATURE_CANNOT_BE_DISABLED) }

    public fun aggregator_v2_api_enabled(): bool { true }

    #[deprecated]
    public fun get_aggregator_snapshots_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun aggregator_snapshots_enabled(): bool { abort error::invalid_argument(EINVALID_FEATURE) }

    const SPONSORED_AUTOMATIC_ACCOUNT_CREATION: u64 = 34;
    public fun get_sponsored_automatic_account_creation(): u64 { SPONSORED_AUTOMATIC_ACCOUNT_CREATION }

    public fun sponsored_automatic_account_creation_enabled(): bool acquires Features { is_enabled(SPONSORED_AUTOMATIC_ACCOUNT_CREATION) }

    const FEE_PAYER_ACCOUNT_OPTIONAL: u64 = 35;
    public fun get_concurrent_token_v2_feature(): u64 { error::invalid_argument(EFEATURE_CANNOT_BE_DISABLED) }

    public fun concurrent_token_v2_enabled(): bool { true }

    #[deprecated]
    public fun get_concurrent_assets_feature(): u64 { abort error::invalid_argument(EFEATURE_CANNOT_BE_DISABLED) }

    #[deprecated]
    public fun concurrent_assets_enabled(): bool { abort error::invalid_argument(EFEATURE_CANNOT_BE_DISABLED) }

    const OPERATOR_BENEFICIARY_CHANGE: u64 = 39;
    public fun get_operator_beneficiary_change_feature(): u64 { OPERATOR_BENEFICIARY_CHANGE }

    public fun operator_beneficiary_change_enabled(): bool acquires Features { is_enabled(OPERATOR_BENEFICIARY_CHANGE) }

    const COMMISSION_CHANGE_DELEGATION_POOL: u64 = 42;
    public fun get_commission_change_delegation_pool_feature(): u64 { COMMISSION_CHANGE_DELEGATION_POOL }

    public fun commission_change_delegation_pool_enabled(): bool acquires Features { is_enabled(COMMISSION_CHANGE_DELEGATION_POOL) }

    const BN254_STRUCTURES: u64 = 43;
    public fun get_bn254_strutures_feature(): u64 { BN254_STRUCTURES }

    public fun bn254_structures_enabled(): bool acquires Features { is_enabled(BN254_STRUCTURES) }

    const RECONFIGURE_WITH_DKG: u64 = 45;
    public fun get_reconfigure_with_dkg_feature(): u64 { RECONFIGURE_WITH_DKG }

    public fun reconfigure_with_dkg_enabled(): bool acquires Features { is_enabled(RECONFIGURE_WITH_DKG) }

    const KEYLESS_ACCOUNTS: u64 = 46;
    public fun get_keyless_accounts_feature(): u64 { KEYLESS_ACCOUNTS }

    public fun keyless_accounts_enabled(): bool acquires Features { is_enabled(KEYLESS_ACCOUNTS) }

    const KEYLESS_BUT_ZKLESS_ACCOUNTS: u64 = 47;
    public fun get_keyless_but_zkless_accounts_feature(): u64 { KEYLESS_BUT_ZKLESS_ACCOUNTS }

    public fun keyless_but_zkless_accounts_feature_enabled(): bool acquires Features { is_enabled(KEYLESS_BUT_ZKLESS_ACCOUNTS) }

    const JWK_CONSENSUS: u64 = 49;
    public fun get_jwk_consensus_feature(): u64 { JWK_CONSENSUS }

    public fun jwk_consensus_enabled(): bool acquires Features { is_enabled(JWK_CONSENSUS) }

    const CONCURRENT_FUNGIBLE_ASSETS: u64 = 50;
    public fun get_concurrent_fungible_assets_feature(): u64 { CONCURRENT_FUNGIBLE_ASSETS }

    public fun concurrent_fungible_assets_enabled(): bool acquires Features { is_enabled(CONCURRENT_FUNGIBLE_ASSETS) }

    #[deprecated]
    public fun is_object_code_deployment_enabled(): bool { true }

    const MAX_OBJECT_NESTING_CHECK: u64 = 53;
    public fun get_max_object_nesting_check_feature(): u64 { MAX_OBJECT_NESTING_CHECK }

    public fun max_object_nesting_check_enabled(): bool acquires Features { is_enabled(MAX_OBJECT_NESTING_CHECK) }

    const KEYLESS_ACCOUNTS_WITH_PASSKEYS: u64 = 54;
    public fun get_keyless_accounts_with_passkeys_feature(): u64 { KEYLESS_ACCOUNTS_WITH_PASSKEYS }

    public fun keyless_accounts_with_passkeys_feature_enabled(): bool acquires Features { is_enabled(KEYLESS_ACCOUNTS_WITH_PASSKEYS) }

    const MULTISIG_V2_ENHANCEMENT: u64 = 55;
    public fun get_multisig_v2_enhancement_feature(): u64 { MULTISIG_V2_ENHANCEMENT }

    public fun multisig_v2_enhancement_feature_enabled(): bool acquires Features { is_enabled(MULTISIG_V2_ENHANCEMENT) }

    const DELEGATION_POOL_ALLOWLISTING: u64 = 56;
    public fun get_delegation_pool_allowlisting_feature(): u64 { DELEGATION_POOL_ALLOWLISTING }

    public fun delegation_pool_allowlisting_enabled(): bool acquires Features { is_enabled(DELEGATION_POOL_ALLOWLISTING) }

    const MODULE_EVENT_MIGRATION: u64 = 57;
    public fun get_module_event_migration_feature(): u64 { MODULE_EVENT_MIGRATION }

    public fun module_event_migration_enabled(): bool acquires Features { is_enabled(MODULE_EVENT_MIGRATION) }

    const TRANSACTION_CONTEXT_EXTENSION: u64 = 59;
    public fun get_transaction_context_extension_feature(): u64 { TRANSACTION_CONTEXT_EXTENSION }

    public fun transaction_context_extension_enabled(): bool acquires Features { is_enabled(TRANSACTION_CONTEXT_EXTENSION) }

    const COIN_TO_FUNGIBLE_ASSET_MIGRATION: u64 = 60;
    public fun get_coin_to_fungible_asset_migration_feature(): u64 { COIN_TO_FUNGIBLE_ASSET_MIGRATION }

    public fun coin_to_fungible_asset_migration_feature_enabled(): bool acquires Features { is_enabled(COIN_TO_FUNGIBLE_ASSET_MIGRATION) }

    #[deprecated]
    public fun get_primary_apt_fungible_store_at_user_address_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun primary_apt_fungible_store_at_user_address_enabled(): bool { true }

    #[deprecated]
    public fun aggregator_v2_is_at_least_api_enabled(): bool { true }

    #[deprecated]
    public fun get_object_native_derived_address_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun object_native_derived_address_enabled(): bool { true }

    #[deprecated]
    public fun get_dispatchable_fungible_asset_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun dispatchable_fungible_asset_enabled(): bool { true }

    #[deprecated]
    public fun get_new_accounts_default_to_fa_apt_store_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun new_accounts_default_to_fa_apt_store_enabled(): bool { true }

    #[deprecated]
    public fun get_operations_default_to_fa_apt_store_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun operations_default_to_fa_apt_store_enabled(): bool { true }

    const CONCURRENT_FUNGIBLE_BALANCE: u64 = 67;
    public fun get_concurrent_fungible_balance_feature(): u64 { CONCURRENT_FUNGIBLE_BALANCE }

    public fun concurrent_fungible_balance_enabled(): bool acquires Features { is_enabled(CONCURRENT_FUNGIBLE_BALANCE) }

    const DEFAULT_TO_CONCURRENT_FUNGIBLE_BALANCE: u64 = 68;
    public fun get_default_to_concurrent_fungible_balance_feature(): u64 { DEFAULT_TO_CONCURRENT_FUNGIBLE_BALANCE }

    public fun default_to_concurrent_fungible_balance_enabled(): bool acquires Features { is_enabled(DEFAULT_TO_CONCURRENT_FUNGIBLE_BALANCE) }

    const ABORT_IF_MULTISIG_PAYLOAD_MISMATCH: u64 = 70;
    public fun get_abort_if_multisig_payload_mismatch_feature(): u64 { ABORT_IF_MULTISIG_PAYLOAD_MISMATCH }

    public fun abort_if_multisig_payload_mismatch_enabled(): bool acquires Features { is_enabled(ABORT_IF_MULTISIG_PAYLOAD_MISMATCH) }

    const TRANSACTION_SIMULATION_ENHANCEMENT: u64 = 78;
    public fun get_transaction_simulation_enhancement_feature(): u64 { TRANSACTION_SIMULATION_ENHANCEMENT }

    public fun transaction_simulation_enhancement_enabled(): bool acquires Features { is_enabled(TRANSACTION_SIMULATION_ENHANCEMENT) }

    const COLLECTION_OWNER: u64 = 79;
    public fun get_collection_owner_feature(): u64 { COLLECTION_OWNER }

    public fun is_collection_owner_enabled(): bool acquires Features { is_enabled(COLLECTION_OWNER) }

    const NATIVE_MEMORY_OPERATIONS: u64 = 80;
    public fun get_native_memory_operations_feature(): u64 { NATIVE_MEMORY_OPERATIONS }

    public fun is_native_memory_operations_enabled(): bool { true }

    const PERMISSIONED_SIGNER: u64 = 84;
    public fun get_permissioned_signer_feature(): u64 { PERMISSIONED_SIGNER }

    public fun is_permissioned_signer_enabled(): bool acquires Features { is_enabled(PERMISSIONED_SIGNER) }

    const ACCOUNT_ABSTRACTION: u64 = 85;
    public fun get_account_abstraction_feature(): u64 { ACCOUNT_ABSTRACTION }

    public fun is_account_abstraction_enabled(): bool acquires Features { is_enabled(ACCOUNT_ABSTRACTION) }

    const VM_BINARY_FORMAT_V8: u64 = 86;
    const BULLETPROOFS_BATCH_NATIVES: u64 = 87;
    public fun get_bulletproofs_batch_feature(): u64 { BULLETPROOFS_BATCH_NATIVES }

    public fun bulletproofs_batch_enabled(): bool acquires Features { is_enabled(BULLETPROOFS_BATCH_NATIVES) }

    const DERIVABLE_ACCOUNT_ABSTRACTION: u64 = 88;
    public fun is_derivable_account_abstraction_enabled(): bool acquires Features { is_enabled(DERIVABLE_ACCOUNT_ABSTRACTION) }

    #[deprecated]
    public fun is_domain_account_abstraction_enabled(): bool { false }

    const NEW_ACCOUNTS_DEFAULT_TO_FA_STORE: u64 = 90;
    #[deprecated]
    public fun get_new_accounts_default_to_fa_store_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun new_accounts_default_to_fa_store_enabled(): bool { true }

    const DEFAULT_ACCOUNT_RESOURCE: u64 = 91;
    public fun get_default_account_resource_feature(): u64 { DEFAULT_ACCOUNT_RESOURCE }

    public fun is_default_account_resource_enabled(): bool acquires Features { is_enabled(DEFAULT_ACCOUNT_RESOURCE) }

    const JWK_CONSENSUS_PER_KEY_MODE: u64 = 92;
    public fun get_jwk_consensus_per_key_mode_feature(): u64 { JWK_CONSENSUS_PER_KEY_MODE }

    public fun is_jwk_consensus_per_key_mode_enabled(): bool acquires Features { is_enabled(JWK_CONSENSUS_PER_KEY_MODE) }

    const ORDERLESS_TRANSACTIONS: u64 = 94;
    public fun get_orderless_transactions_feature(): u64 { ORDERLESS_TRANSACTIONS }

    public fun orderless_transactions_enabled(): bool acquires Features { is_enabled(ORDERLESS_TRANSACTIONS) }

    const CALCULATE_TRANSACTION_FEE_FOR_DISTRIBUTION: u64 = 96;
    public fun get_calculate_transaction_fee_for_distribution_feature(): u64 { CALCULATE_TRANSACTION_FEE_FOR_DISTRIBUTION }

    public fun is_calculate_transaction_fee_for_distribution_enabled(): bool acquires Features { is_enabled(CALCULATE_TRANSACTION_FEE_FOR_DISTRIBUTION) }

    const DISTRIBUTE_TRANSACTION_FEE: u64 = 97;
    public fun get_distribute_transaction_fee_feature(): u64 { DISTRIBUTE_TRANSACTION_FEE }

    public fun is_distribute_transaction_fee_enabled(): bool acquires Features { is_enabled(DISTRIBUTE_TRANSACTION_FEE) }

    #[deprecated]
    public fun get_monotonically_increasing_counter_feature(): u64 { abort error::invalid_argument(EINVALID_FEATURE) }

    #[deprecated]
    public fun is_monotonically_increasing_counter_enabled(): bool { true }

    const FUNCTION_REFLECTION: u64 = 105;
    public fun get_function_reflection_feature(): u64 { FUNCTION_REFLECTION }

    public fun is_function_reflection_enabled(): bool acquires Features { is_enabled(FUNCTION_REFLECTION) }

    const SLH_DSA_SHA2_128S_SIGNATURE: u64 = 107;
    public fun get_slh_dsa_sha2_128s_signature_feature(): u64 { SLH_DSA_SHA2_128S_SIGNATURE }

    public fun slh_dsa_sha2_128s_signature_enabled(): bool acquires Features { is_enabled(SLH_DSA_SHA2_128S_SIGNATURE) }

    const ENCRYPTED_TRANSACTIONS: u64 = 108;
    public fun get_encrypted_transactions_feature(): u64 { ENCRYPTED_TRANSACTIONS }

    public fun is_encrypted_transactions_enabled(): bool acquires Features { is_enabled(ENCRYPTED_TRANSACTIONS) }

    const TRANSACTION_LIMITS: u64 = 111;
    public fun get_transaction_limits_feature(): u64 { TRANSACTION_LIMITS }

    public fun is_transaction_limits_enabled(): bool acquires Features { is_enabled(TRANSACTION_LIMITS) }

    const STORAGE_SLOT_NATIVES: u64 = 113;
    public fun is_storage_slot_natives_enabled(): bool acquires Features { is_enabled(STORAGE_SLOT_NATIVES) }

    const MULTISIG_TIMELOCK: u64 = 115;
    public fun get_multisig_timelock_feature(): u64 { MULTISIG_TIMELOCK }

    public fun is_multisig_timelock_enabled(): bool acquires Features { is_enabled(MULTISIG_TIMELOCK) }

    const HOTNESS_IN_EPILOGUE: u64 = 116;
    const TRANSACTION_INFO_V1: u64 = 117;
    /// The flags in effect.
    struct Features has key {
        features: vector<u8>,
    }

    /// Flags staged to take effect at the next epoch.
    struct PendingFeatures has key {
        features: vector<u8>,
    }

    /// Replaced by change_feature_flags_for_next_epoch.
    public fun change_feature_flags(_framework: &signer, _enable: vector<u64>, _disable: vector<u64>) {
        abort error::invalid_state(EAPI_DISABLED)
    }

    fun change_feature_flags_internal(framework: &signer, enable: vector<u64>, disable: vector<u64>) acquires Features {
        ensure_framework_signer(framework);
        if (!exists<Features>(@std)) {
            move_to(framework, Features { features: vector[] })
        };
        let bits = &mut borrow_global_mut<Features>(@std).features;
        apply_diff(bits, enable, disable);
    }

    /// Stages a change that on_new_epoch applies.
    public fun change_feature_flags_for_next_epoch(
        framework: &signer, enable: vector<u64>, disable: vector<u64>
    ) acquires PendingFeatures, Features {
        ensure_framework_signer(framework);
        let base = if (exists<PendingFeatures>(@std)) {
            let PendingFeatures { features } = move_from<PendingFeatures>(@std);
            features
        } else if (exists<Features>(@std)) {
            borrow_global<Features>(@std).features
        } else {
            vector[]
        };
        apply_diff(&mut base, enable, disable);
        move_to(framework, PendingFeatures { features: base });
    }

    /// Applies staged flags, if any.
    public fun on_new_epoch(framework: &signer) acquires Features, PendingFeatures {
        ensure_framework_signer(framework);
        if (!exists<PendingFeatures>(@std)) return;
        let PendingFeatures { features } = move_from<PendingFeatures>(@std);
        if (exists<Features>(@std)) {
            borrow_global_mut<Features>(@std).features = features;
        } else {
            move_to(framework, Features { features })
        }
    }

    #[view]
    /// Whether flag `feature` is on.
    public fun is_enabled(feature: u64): bool acquires Features {
        exists<Features>(@std) && contains(&borrow_global<Features>(@std).features, feature)
    }

    fun set(features: &mut vector<u8>, feature: u64, include: bool) {
        let byte = feature / 8;
        let mask = 1u8 << ((feature % 8) as u8);
        while (vector::length(features) <= byte) vector::push_back(features, 0);
        let b = vector::borrow_mut(features, byte);
        if (include) *b = *b | mask else *b = *b & (0xff ^ mask);
    }

    fun contains(features: &vector<u8>, feature: u64): bool {
        let byte = feature / 8;
        byte < vector::length(features) && (*vector::borrow(features, byte) & (1u8 << ((feature % 8) as u8))) != 0
    }

    fun apply_diff(features: &mut vector<u8>, enable: vector<u64>, disable: vector<u64>) {
        let i = 0;
        while (i < vector::length(&enable)) {
            set(features, *vector::borrow(&enable, i), true);
            i = i + 1;
        };
        let j = 0;
        while (j < vector::length(&disable)) {
            set(features, *vector::borrow(&disable, j), false);
            j = j + 1;
        };
    }

    fun ensure_framework_signer(account: &signer) {
        assert!(signer::address_of(account) == @std, error::permission_denied(EFRAMEWORK_SIGNER_NEEDED));
    }

    #[test_only]
    public fun change_feature_flags_for_testing(
        framework: &signer, enable: vector<u64>, disable: vector<u64>
    ) acquires Features {
        change_feature_flags_internal(framework, enable, disable)
    }
}
