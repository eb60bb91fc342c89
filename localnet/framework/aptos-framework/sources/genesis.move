/// Bringing up a fresh chain. The localnet node calls initialize_localnet once
/// with the framework and faucet (core resources) signers; it publishes what
/// a running chain needs before the first transaction.
module aptos_framework::genesis {
    use std::features;
    use aptos_framework::account;
    use aptos_framework::aggregator_factory;
    use aptos_framework::aptos_coin;
    use aptos_framework::chain_id;
    use aptos_framework::coin;
    use aptos_framework::randomness;
    use aptos_framework::timestamp;

    /// Framework account, feature flags, chain id, clock, aggregator factory,
    /// APT with its fungible-asset pairing, and the faucet: core_resources
    /// receives the mint capability (aptos_coin::mint) and its delegation table.
    entry fun initialize_localnet(
        aptos_framework: &signer,
        core_resources: &signer,
        chain: u8,
        feature_flags: vector<u64>,
    ) {
        let (fx, _cap) = account::create_framework_reserved_account(@aptos_framework);
        let _ = fx;
        account::initialize(aptos_framework);
        features::change_feature_flags_for_next_epoch(aptos_framework, feature_flags, vector[]);
        features::on_new_epoch(aptos_framework);
        chain_id::initialize(aptos_framework, chain);
        timestamp::set_time_has_started(aptos_framework);
        randomness::initialize(aptos_framework);
        aggregator_factory::initialize_aggregator_factory(aptos_framework);
        let (burn_cap, mint_cap) = aptos_coin::initialize(aptos_framework);
        coin::create_coin_conversion_map(aptos_framework);
        coin::create_pairing<aptos_coin::AptosCoin>(aptos_framework);
        coin::destroy_burn_cap(burn_cap);
        aptos_coin::configure_accounts_for_test(aptos_framework, core_resources, mint_cap);
    }

    #[test_only]
    public fun initialize_localnet_for_test(
        aptos_framework: &signer,
        core_resources: &signer,
        chain: u8,
        feature_flags: vector<u64>,
    ) {
        initialize_localnet(aptos_framework, core_resources, chain, feature_flags)
    }
}
