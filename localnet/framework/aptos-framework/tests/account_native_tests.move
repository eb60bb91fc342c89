#[test_only]
/// Needs create_signer and the default feature flags of the test genesis.
module aptos_framework::account_native_tests {
    use std::signer;
    use aptos_framework::account;
    use aptos_framework::event;
    use aptos_framework::guid;

    struct Ev has drop, store { v: u64 }


    #[test(user = @0xcafe)]
    fun resource_account_lifecycle(user: &signer) {
        let (res, cap) = account::create_resource_account(user, b"market");
        let addr = signer::address_of(&res);
        assert!(addr == @0xf11f9b45d16c619859c53f7b1f28494556e3bebe8c3f2246a67380a2bf8524fc, 0);
        assert!(account::get_signer_capability_address(&cap) == addr, 1);
        assert!(signer::address_of(&account::create_signer_with_capability(&cap)) == addr, 2);
        assert!(account::get_authentication_key(addr) == x"0000000000000000000000000000000000000000000000000000000000000000", 3);
        assert!(account::is_signer_capability_offered(addr), 4);
        assert!(account::get_signer_capability_offer_for(addr) == addr, 5);
        assert!(account::get_sequence_number(addr) == 0, 6);
    }

    #[test(user = @0xcafe)]
    #[expected_failure(abort_code = 0x8000F, location = aptos_framework::account)]
    fun resource_account_twice(user: &signer) {
        account::create_resource_account(user, b"x");
        account::create_resource_account(user, b"x");
    }

    #[test(user = @0xcafe)]
    #[expected_failure(abort_code = 0x30010, location = aptos_framework::account)]
    fun resource_account_already_used(user: &signer) {
        let addr = account::create_resource_address(&@0xcafe, b"used");
        account::create_account_for_test(addr);
        account::set_sequence_number(addr, 3);
        account::create_resource_account(user, b"used");
    }

    #[test]
    fun accounts_and_sequence_numbers() {
        // Every address is an account by default; the resource comes lazily.
        assert!(account::exists_at(@0x1234), 0);
        assert!(account::get_sequence_number(@0x1234) == 0, 1);
        assert!(account::get_authentication_key(@0x1234) == std::bcs::to_bytes(&@0x1234), 2);
        assert!(account::get_guid_next_creation_num(@0x1234) == 0, 3);
        let s = account::create_account_for_test(@0x1234);
        assert!(signer::address_of(&s) == @0x1234, 4);
        assert!(account::get_guid_next_creation_num(@0x1234) == 2, 5);
        account::increment_sequence_number_for_test(@0x1234);
        account::increment_sequence_number_for_test(@0x1234);
        assert!(account::get_sequence_number(@0x1234) == 2, 6);
        let again = account::create_account_for_test(@0x1234);
        assert!(signer::address_of(&again) == @0x1234 && account::get_sequence_number(@0x1234) == 2, 7);
    }

    #[test(user = @0xbeef)]
    fun guids_and_handles(user: &signer) {
        let g = account::create_guid(user);
        assert!(guid::creator_address(&g) == @0xbeef, 0);
        // The lazily created Account resource used 0 and 1 for its own handles.
        assert!(guid::creation_num(&g) == 2, 1);
        let h = account::new_event_handle<Ev>(user);
        assert!(guid::creation_num(event::guid(&h)) == 3, 2);
        assert!(event::counter(&h) == 0, 3);
        assert!(guid::eq_id(&g, &guid::create_id(@0xbeef, 2)), 4);
        event::destroy_handle(h);
    }

    #[test]
    #[expected_failure(abort_code = 0x10005, location = aptos_framework::account)]
    fun reserved_address() {
        account::create_account_if_does_not_exist(@aptos_framework);
    }
}
