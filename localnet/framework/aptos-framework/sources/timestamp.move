/// Chain time in microseconds, kept at @aptos_framework. It does not exist
/// until genesis (or a test) starts it, so reading it before aborts with
/// MISSING_DATA in this module.
module aptos_framework::timestamp {
    use aptos_framework::system_addresses;
    use std::error;

    friend aptos_framework::genesis;

    struct CurrentTimeMicroseconds has key {
        microseconds: u64,
    }

    const MICRO_CONVERSION_FACTOR: u64 = 1000000;

    /// The chain is not operating yet.
    const ENOT_OPERATING: u64 = 1;
    /// A new time must be later than the current one.
    const EINVALID_TIMESTAMP: u64 = 2;

    public(friend) fun set_time_has_started(aptos_framework: &signer) {
        system_addresses::assert_aptos_framework(aptos_framework);
        move_to(aptos_framework, CurrentTimeMicroseconds { microseconds: 0 });
    }

    /// Called by the VM at each block; a NIL block (proposer @vm_reserved)
    /// must keep the time unchanged.
    public fun update_global_time(account: &signer, proposer: address, timestamp: u64) acquires CurrentTimeMicroseconds {
        system_addresses::assert_vm(account);
        let timer = borrow_global_mut<CurrentTimeMicroseconds>(@aptos_framework);
        if (proposer == @vm_reserved) {
            assert!(timer.microseconds == timestamp, error::invalid_argument(EINVALID_TIMESTAMP));
        } else {
            assert!(timer.microseconds < timestamp, error::invalid_argument(EINVALID_TIMESTAMP));
            timer.microseconds = timestamp;
        };
    }

    #[test_only]
    public fun set_time_has_started_for_testing(account: &signer) {
        if (!exists<CurrentTimeMicroseconds>(@aptos_framework)) {
            set_time_has_started(account);
        };
    }

    #[view]
    public fun now_microseconds(): u64 acquires CurrentTimeMicroseconds {
        borrow_global<CurrentTimeMicroseconds>(@aptos_framework).microseconds
    }

    #[view]
    public fun now_seconds(): u64 acquires CurrentTimeMicroseconds {
        now_microseconds() / MICRO_CONVERSION_FACTOR
    }

    #[test_only]
    public fun update_global_time_for_test(timestamp_microsecs: u64) acquires CurrentTimeMicroseconds {
        let timer = borrow_global_mut<CurrentTimeMicroseconds>(@aptos_framework);
        assert!(timer.microseconds < timestamp_microsecs, error::invalid_argument(EINVALID_TIMESTAMP));
        timer.microseconds = timestamp_microsecs;
    }

    #[test_only]
    public fun update_global_time_for_test_secs(timestamp_seconds: u64) acquires CurrentTimeMicroseconds {
        update_global_time_for_test(timestamp_seconds * MICRO_CONVERSION_FACTOR);
    }

    #[test_only]
    public fun fast_forward_seconds(timestamp_seconds: u64) acquires CurrentTimeMicroseconds {
        update_global_time_for_test(now_microseconds() + timestamp_seconds * MICRO_CONVERSION_FACTOR);
    }
}
