#[test_only]
/// Aggregators are natives the reference VM lacks: our interpreter only.
module aptos_framework::aggregator_native_tests {
    use std::string;
    use aptos_framework::aggregator;
    use aptos_framework::aggregator_factory;
    use aptos_framework::aggregator_v2;

    #[test]
    fun bounded_v2() {
        let a = aggregator_v2::create_aggregator<u64>(10);
        assert!(aggregator_v2::max_value(&a) == 10 && aggregator_v2::read(&a) == 0, 0);
        assert!(aggregator_v2::try_add(&mut a, 7), 1);
        assert!(!aggregator_v2::try_add(&mut a, 4), 2);
        assert!(aggregator_v2::read(&a) == 7, 3);
        aggregator_v2::add(&mut a, 3);
        assert!(aggregator_v2::is_at_least(&a, 10) && !aggregator_v2::is_at_least(&a, 11), 4);
        assert!(!aggregator_v2::try_sub(&mut a, 11), 5);
        aggregator_v2::sub(&mut a, 10);
        assert!(aggregator_v2::read(&a) == 0, 6);
        let s = aggregator_v2::snapshot(&a);
        aggregator_v2::add(&mut a, 1);
        assert!(aggregator_v2::read_snapshot(&s) == 0, 7);
        let u = aggregator_v2::create_unbounded_aggregator<u128>();
        assert!(aggregator_v2::max_value(&u) == 340282366920938463463374607431768211455, 8);
        let w = aggregator_v2::create_aggregator_with_value<u128>(5, 9);
        assert!(aggregator_v2::read(&w) == 5, 9);
        let snap = aggregator_v2::create_snapshot<u64>(42);
        let d = aggregator_v2::derive_string_concat(string::utf8(b"n="), &snap, string::utf8(b"!"));
        assert!(aggregator_v2::read_derived_string(&d) == string::utf8(b"n=42!"), 10);
    }

    // Deprecated natives that Aptos does not implement: they always abort
    // with invalid_state(EAGGREGATOR_FUNCTION_NOT_YET_SUPPORTED).
    #[test]
    #[expected_failure(abort_code = 0x30009, location = aptos_framework::aggregator_v2)]
    fun copy_snapshot_is_not_supported() {
        let snap = aggregator_v2::create_snapshot<u64>(42);
        aggregator_v2::copy_snapshot(&snap);
    }

    #[test]
    #[expected_failure(abort_code = 0x30009, location = aptos_framework::aggregator_v2)]
    fun string_concat_is_not_supported() {
        let snap = aggregator_v2::create_snapshot<u64>(42);
        aggregator_v2::string_concat(string::utf8(b"a"), &snap, string::utf8(b"b"));
    }

    #[test]
    #[expected_failure(abort_code = 0x20001, location = aptos_framework::aggregator_v2)]
    fun v2_overflow() {
        let a = aggregator_v2::create_aggregator<u64>(1);
        aggregator_v2::add(&mut a, 2);
    }

    #[test]
    #[expected_failure(abort_code = 0x20002, location = aptos_framework::aggregator_v2)]
    fun v2_underflow() {
        let a = aggregator_v2::create_unbounded_aggregator<u64>();
        aggregator_v2::sub(&mut a, 1);
    }

    #[test]
    #[expected_failure(abort_code = 0x30007, location = aptos_framework::aggregator_v2)]
    fun v2_unsupported_type() {
        aggregator_v2::create_unbounded_aggregator<u8>();
    }

    #[test(fx = @aptos_framework)]
    fun v1(fx: &signer) {
        aggregator_factory::initialize_aggregator_factory_for_test(fx);
        let a = aggregator_factory::create_aggregator_for_test();
        let b = aggregator_factory::create_aggregator_for_test();
        aggregator::add(&mut a, 12);
        aggregator::add(&mut a, 3);
        aggregator::sub(&mut a, 10);
        aggregator::add(&mut b, 1);
        assert!(aggregator::read(&a) == 5 && aggregator::read(&b) == 1, 0);
        assert!(aggregator::limit(&a) == 340282366920938463463374607431768211455, 1);
        aggregator::destroy(a);
        aggregator::destroy(b);
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x20002, location = aptos_framework::aggregator)]
    fun v1_underflow(fx: &signer) {
        aggregator_factory::initialize_aggregator_factory_for_test(fx);
        let a = aggregator_factory::create_aggregator_for_test();
        aggregator::sub(&mut a, 1);
        aggregator::destroy(a);
    }

    #[test]
    #[expected_failure(abort_code = 0x60001, location = aptos_framework::aggregator_factory)]
    fun factory_missing() {
        aggregator::destroy(aggregator_factory::create_aggregator_for_test());
    }
}
