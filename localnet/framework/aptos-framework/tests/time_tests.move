#[test_only]
module aptos_framework::time_tests {
    use aptos_framework::chain_id;
    use aptos_framework::timestamp;
    use aptos_framework::system_addresses;

    #[test(fx = @aptos_framework)]
    fun clock(fx: &signer) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::set_time_has_started_for_testing(fx);
        assert!(timestamp::now_microseconds() == 0, 0);
        timestamp::update_global_time_for_test(1_000_000);
        assert!(timestamp::now_seconds() == 1, 1);
        timestamp::fast_forward_seconds(10);
        assert!(timestamp::now_microseconds() == 11_000_000, 2);
        timestamp::update_global_time_for_test_secs(20);
        assert!(timestamp::now_seconds() == 20, 3);
    }

    #[test]
    #[expected_failure(major_status = 4008, location = aptos_framework::timestamp)]
    fun clock_not_started() {
        timestamp::now_seconds();
    }

    #[test(fx = @aptos_framework)]
    #[expected_failure(abort_code = 0x10002, location = aptos_framework::timestamp)]
    fun time_must_increase(fx: &signer) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::update_global_time_for_test(5);
        timestamp::update_global_time_for_test(5);
    }

    #[test(other = @0xcafe)]
    #[expected_failure(abort_code = 0x50003, location = aptos_framework::system_addresses)]
    fun clock_needs_framework(other: &signer) {
        timestamp::set_time_has_started_for_testing(other);
    }

    #[test(fx = @aptos_framework)]
    fun chain(fx: &signer) {
        chain_id::initialize_for_test(fx, 4);
        assert!(chain_id::get() == 4, 0);
    }

    #[test]
    fun reserved_addresses() {
        assert!(system_addresses::is_framework_reserved_address(@0xa), 0);
        assert!(!system_addresses::is_framework_reserved_address(@0xb), 1);
        assert!(system_addresses::is_vm_address(@0x0) && system_addresses::is_reserved_address(@0x1), 2);
        assert!(system_addresses::is_core_resource_address(@0xA550C18), 3);
    }

    #[test(vm = @0x0, fx = @aptos_framework)]
    fun vm_updates_time(vm: &signer, fx: &signer) {
        timestamp::set_time_has_started_for_testing(fx);
        timestamp::update_global_time(vm, @0xcafe, 100);
        timestamp::update_global_time(vm, @vm_reserved, 100);
        assert!(timestamp::now_microseconds() == 100, 0);
    }
}
