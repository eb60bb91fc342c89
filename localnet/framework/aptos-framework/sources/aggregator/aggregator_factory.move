/// Creates first-generation aggregators; published once at @aptos_framework.
module aptos_framework::aggregator_factory {
    use std::error;
    use aptos_framework::system_addresses;
    use aptos_framework::aggregator::Aggregator;
    use aptos_std::table::{Self, Table};

    friend aptos_framework::genesis;
    friend aptos_framework::optional_aggregator;

    /// The factory has not been initialized.
    const EAGGREGATOR_FACTORY_NOT_FOUND: u64 = 1;
    /// Only unbounded (MAX_U128) aggregators can be created.
    const EAGG_V1_LIMIT_DEPRECATED: u64 = 2;
    const MAX_U128: u128 = 340282366920938463463374607431768211455;

    struct AggregatorFactory has key {
        phantom_table: Table<address, u128>,
    }

    public(friend) fun initialize_aggregator_factory(aptos_framework: &signer) {
        system_addresses::assert_aptos_framework(aptos_framework);
        move_to(aptos_framework, AggregatorFactory { phantom_table: table::new() });
    }

    public(friend) fun create_aggregator_internal(): Aggregator acquires AggregatorFactory {
        assert!(exists<AggregatorFactory>(@aptos_framework), error::not_found(EAGGREGATOR_FACTORY_NOT_FOUND));
        new_aggregator(borrow_global_mut<AggregatorFactory>(@aptos_framework), MAX_U128)
    }

    #[deprecated]
    public fun create_aggregator(account: &signer, limit: u128): Aggregator acquires AggregatorFactory {
        system_addresses::assert_aptos_framework(account);
        assert!(limit == MAX_U128, error::invalid_argument(EAGG_V1_LIMIT_DEPRECATED));
        create_aggregator_internal()
    }

    native fun new_aggregator(aggregator_factory: &mut AggregatorFactory, limit: u128): Aggregator;

    #[test_only]
    public fun create_aggregator_for_test(): Aggregator acquires AggregatorFactory {
        create_aggregator_internal()
    }

    #[test_only]
    public fun initialize_aggregator_factory_for_test(aptos_framework: &signer) {
        initialize_aggregator_factory(aptos_framework);
    }

    #[test_only]
    public fun aggregator_factory_exists_for_testing(): bool {
        exists<AggregatorFactory>(@aptos_framework)
    }
}
