#[test_only]
/// Address derivations and lookups that need no native beyond std.
module aptos_framework::derivation_tests {
    use aptos_framework::account;
    use aptos_framework::object::{Self, ObjectCore};

    #[test]
    fun resource_addresses_match_aptos() {
        // Values computed independently: sha3-256(bcs(source) ++ seed ++ 0xFF).
        assert!(account::create_resource_address(&@0xcafe, b"") == @0xc3bb8488ab1a5815a9d543d7e41b0e0df46a7396f89b22821f07a4362f75ddc5, 0);
        assert!(account::create_resource_address(&@0xcafe, b"market") == @0xf11f9b45d16c619859c53f7b1f28494556e3bebe8c3f2246a67380a2bf8524fc, 1);
    }

    #[test]
    fun derived_addresses_match_aptos() {
        // Values computed independently with sha3-256 and the scheme bytes.
        assert!(object::create_object_address(&@0xcafe, b"market") == @0x1d284900a07965750a03507f8a7091e1be15a6facb1c1ae512a0b733e0e25fcc, 0);
        assert!(object::create_user_derived_object_address(@0xcafe, @0xa) == @0xe0185f4b5f826f407f026920e7335961c4836248ad87accf8e758748498dc398, 1);
        assert!(object::create_guid_object_address(@0xcafe, 0) == @0x662e50418ce5f35a6ca8b79e287c94129071aa3fbd2ab95137f7cbad136f092b, 2);
    }

    #[test]
    #[expected_failure(abort_code = 0x60002, location = aptos_framework::object)]
    fun address_to_missing_object() {
        object::address_to_object<ObjectCore>(@0x1234);
    }

    #[test]
    #[expected_failure(abort_code = 0x60002, location = aptos_framework::object)]
    fun owner_of_missing_object() {
        object::owner(object::address_to_object<ObjectCore>(@0x99));
    }

}
