/// First-generation aggregators (a u128 counter with a limit), still used for
/// the supply of coins initialized with parallelizable supply (APT). The
/// value is kept by the natives, keyed by (handle, key).
module aptos_framework::aggregator {
    /// Adding would pass the limit.
    const EAGGREGATOR_OVERFLOW: u64 = 1;
    /// Subtracting would go below zero.
    const EAGGREGATOR_UNDERFLOW: u64 = 2;
    const ENOT_SUPPORTED: u64 = 3;

    struct Aggregator has store {
        handle: address,
        key: address,
        limit: u128,
    }

    public fun limit(aggregator: &Aggregator): u128 {
        aggregator.limit
    }

    public native fun add(aggregator: &mut Aggregator, value: u128);
    public native fun sub(aggregator: &mut Aggregator, value: u128);
    public native fun read(aggregator: &Aggregator): u128;
    public native fun destroy(aggregator: Aggregator);
}
