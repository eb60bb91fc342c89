/// Counters that many transactions can update in parallel on Aptos. Here they
/// are plain integers with an upper bound: the natives check the bound and the
/// type (u64 or u128 only).
module aptos_framework::aggregator_v2 {
    use std::error;
    use std::string::String;

    /// The value would exceed max_value.
    const EAGGREGATOR_OVERFLOW: u64 = 1;
    /// The value would go below zero.
    const EAGGREGATOR_UNDERFLOW: u64 = 2;
    /// Snapshots only of u64, u128 and String.
    const EUNSUPPORTED_AGGREGATOR_SNAPSHOT_TYPE: u64 = 5;
    const EAGGREGATOR_API_V2_NOT_ENABLED: u64 = 6;
    /// Aggregators only of u64 and u128.
    const EUNSUPPORTED_AGGREGATOR_TYPE: u64 = 7;
    const ECONCAT_STRING_LENGTH_TOO_LARGE: u64 = 8;
    const EAGGREGATOR_FUNCTION_NOT_YET_SUPPORTED: u64 = 9;

    struct Aggregator<IntElement> has store, drop {
        value: IntElement,
        max_value: IntElement,
    }

    struct AggregatorSnapshot<IntElement> has store, drop {
        value: IntElement,
    }

    struct DerivedStringSnapshot has store, drop {
        value: String,
        padding: vector<u8>,
    }

    public fun max_value<IntElement: copy + drop>(self: &Aggregator<IntElement>): IntElement {
        self.max_value
    }

    public native fun create_aggregator<IntElement: copy + drop>(max_value: IntElement): Aggregator<IntElement>;

    public fun create_aggregator_with_value<IntElement: copy + drop>(start_value: IntElement, max_value: IntElement): Aggregator<IntElement> {
        let a = create_aggregator(max_value);
        add(&mut a, start_value);
        a
    }

    /// An aggregator bounded only by its type's maximum.
    public native fun create_unbounded_aggregator<IntElement: copy + drop>(): Aggregator<IntElement>;

    public fun create_unbounded_aggregator_with_value<IntElement: copy + drop>(start_value: IntElement): Aggregator<IntElement> {
        let a = create_unbounded_aggregator();
        add(&mut a, start_value);
        a
    }

    /// Adds `value` unless that would pass max_value; reports whether it did.
    public native fun try_add<IntElement>(self: &mut Aggregator<IntElement>, value: IntElement): bool;

    public fun add<IntElement>(self: &mut Aggregator<IntElement>, value: IntElement) {
        assert!(try_add(self, value), error::out_of_range(EAGGREGATOR_OVERFLOW));
    }

    /// Subtracts `value` unless that would go below zero; reports whether it did.
    public native fun try_sub<IntElement>(self: &mut Aggregator<IntElement>, value: IntElement): bool;

    public fun sub<IntElement>(self: &mut Aggregator<IntElement>, value: IntElement) {
        assert!(try_sub(self, value), error::out_of_range(EAGGREGATOR_UNDERFLOW));
    }

    native fun is_at_least_impl<IntElement>(self: &Aggregator<IntElement>, min_amount: IntElement): bool;

    public fun is_at_least<IntElement>(self: &Aggregator<IntElement>, min_amount: IntElement): bool {
        is_at_least_impl(self, min_amount)
    }

    public native fun read<IntElement>(self: &Aggregator<IntElement>): IntElement;

    public native fun snapshot<IntElement>(self: &Aggregator<IntElement>): AggregatorSnapshot<IntElement>;

    public native fun create_snapshot<IntElement: copy + drop>(value: IntElement): AggregatorSnapshot<IntElement>;

    public native fun read_snapshot<IntElement>(self: &AggregatorSnapshot<IntElement>): IntElement;

    public native fun read_derived_string(self: &DerivedStringSnapshot): String;

    public native fun create_derived_string(value: String): DerivedStringSnapshot;

    public native fun derive_string_concat<IntElement>(before: String, snapshot: &AggregatorSnapshot<IntElement>, after: String): DerivedStringSnapshot;

    #[deprecated]
    public native fun copy_snapshot<IntElement: copy + drop>(snapshot: &AggregatorSnapshot<IntElement>): AggregatorSnapshot<IntElement>;

    #[deprecated]
    public native fun string_concat<IntElement>(before: String, snapshot: &AggregatorSnapshot<IntElement>, after: String): AggregatorSnapshot<String>;
}
