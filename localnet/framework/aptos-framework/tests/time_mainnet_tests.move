#[test_only]
/// Since release 1.28, fast_forward_seconds keeps the sub-second part of the
/// clock (1.28 rounded the current time down to whole seconds first).
module aptos_framework::time_mainnet_tests {
    use aptos_framework::timestamp;

    #[test(fx = @aptos_framework)]
    fun fast_forward_keeps_microseconds(fx: &signer) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::update_global_time_for_test(1_500_000);
        timestamp::fast_forward_seconds(10);
        assert!(timestamp::now_microseconds() == 11_500_000, 0);
    }
}
