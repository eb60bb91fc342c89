/// A supply counter that is either a parallel aggregator or a plain integer.
module aptos_framework::optional_aggregator {
    use std::error;
    use std::option::{Self, Option};
    use aptos_framework::aggregator_factory;
    use aptos_framework::aggregator::{Self, Aggregator};

    friend aptos_framework::coin;
    friend aptos_framework::fungible_asset;

    /// The value would pass the limit.
    const EAGGREGATOR_OVERFLOW: u64 = 1;
    /// The value would go below zero.
    const EAGGREGATOR_UNDERFLOW: u64 = 2;
    /// Switching between representations is no longer supported.
    const ESWITCH_DEPRECATED: u64 = 3;
    const MAX_U128: u128 = 340282366920938463463374607431768211455;

    struct Integer has store {
        value: u128,
        limit: u128,
    }

    struct OptionalAggregator has store {
        aggregator: Option<Aggregator>,
        integer: Option<Integer>,
    }

    public(friend) fun new(parallelizable: bool): OptionalAggregator {
        if (parallelizable) {
            OptionalAggregator {
                aggregator: option::some(aggregator_factory::create_aggregator_internal()),
                integer: option::none(),
            }
        } else {
            OptionalAggregator {
                aggregator: option::none(),
                integer: option::some(Integer { value: 0, limit: MAX_U128 }),
            }
        }
    }

    public fun switch(_optional_aggregator: &mut OptionalAggregator) {
        abort error::invalid_state(ESWITCH_DEPRECATED)
    }

    public fun destroy(optional_aggregator: OptionalAggregator) {
        let OptionalAggregator { aggregator, integer } = optional_aggregator;
        if (option::is_some(&aggregator)) {
            aggregator::destroy(option::destroy_some(aggregator));
            option::destroy_none(integer);
        } else {
            let Integer { value: _, limit: _ } = option::destroy_some(integer);
            option::destroy_none(aggregator);
        }
    }

    public fun add(optional_aggregator: &mut OptionalAggregator, value: u128) {
        if (option::is_some(&optional_aggregator.aggregator)) {
            aggregator::add(option::borrow_mut(&mut optional_aggregator.aggregator), value);
        } else {
            let i = option::borrow_mut(&mut optional_aggregator.integer);
            assert!(value <= i.limit - i.value, error::out_of_range(EAGGREGATOR_OVERFLOW));
            i.value = i.value + value;
        }
    }

    public fun sub(optional_aggregator: &mut OptionalAggregator, value: u128) {
        if (option::is_some(&optional_aggregator.aggregator)) {
            aggregator::sub(option::borrow_mut(&mut optional_aggregator.aggregator), value);
        } else {
            let i = option::borrow_mut(&mut optional_aggregator.integer);
            assert!(value <= i.value, error::out_of_range(EAGGREGATOR_UNDERFLOW));
            i.value = i.value - value;
        }
    }

    public fun read(optional_aggregator: &OptionalAggregator): u128 {
        if (option::is_some(&optional_aggregator.aggregator)) {
            aggregator::read(option::borrow(&optional_aggregator.aggregator))
        } else {
            option::borrow(&optional_aggregator.integer).value
        }
    }

    public fun is_parallelizable(optional_aggregator: &OptionalAggregator): bool {
        option::is_some(&optional_aggregator.aggregator)
    }
}
