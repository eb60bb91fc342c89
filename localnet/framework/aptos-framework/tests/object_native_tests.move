#[test_only]
/// Needs create_signer, object::exists_at and module events.
module aptos_framework::object_native_tests {
    use std::signer;
    use aptos_framework::object::{Self, Object, ObjectCore};

    struct Thing has key { v: u64 }
    struct Other has key {}


    #[test(creator = @0xcafe)]
    fun named_object(creator: &signer) {
        let cref = object::create_named_object(creator, b"market");
        let addr = object::address_from_constructor_ref(&cref);
        assert!(addr == @0x1d284900a07965750a03507f8a7091e1be15a6facb1c1ae512a0b733e0e25fcc, 0);
        assert!(!object::can_generate_delete_ref(&cref), 1);
        let s = object::generate_signer(&cref);
        assert!(signer::address_of(&s) == addr, 2);
        move_to(&s, Thing { v: 7 });
        let obj: Object<Thing> = object::object_from_constructor_ref(&cref);
        assert!(object::object_address(&obj) == addr, 3);
        assert!(object::owner(obj) == @0xcafe && object::is_owner(obj, @0xcafe), 4);
        assert!(object::owns(obj, @0xcafe) && !object::owns(obj, @0xbeef), 5);
        assert!(object::root_owner(obj) == @0xcafe, 6);
        assert!(object::is_object(addr) && object::object_exists<Thing>(addr) && !object::object_exists<Other>(addr), 7);
        assert!(object::ungated_transfer_allowed(obj), 8);
        let core: Object<ObjectCore> = object::convert(obj);
        assert!(object::object_address(&core) == addr, 9);
        let ext = object::generate_extend_ref(&cref);
        assert!(signer::address_of(&object::generate_signer_for_extending(&ext)) == addr, 10);
        assert!(object::address_from_extend_ref(&ext) == addr, 11);
        assert!(!object::is_burnt(obj) && !object::is_untransferable(obj), 12);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x80001, location = aptos_framework::object)]
    fun named_object_twice(creator: &signer) {
        object::create_named_object(creator, b"a");
        object::create_named_object(creator, b"a");
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x50005, location = aptos_framework::object)]
    fun named_object_not_deletable(creator: &signer) {
        let cref = object::create_named_object(creator, b"a");
        object::generate_delete_ref(&cref);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x60007, location = aptos_framework::object)]
    fun address_to_object_without_resource(creator: &signer) {
        let cref = object::create_named_object(creator, b"a");
        object::address_to_object<Thing>(object::address_from_constructor_ref(&cref));
    }

    #[test(creator = @0xcafe)]
    fun guid_objects(creator: &signer) {
        let cref = object::create_object_from_account(creator);
        let addr = object::address_from_constructor_ref(&cref);
        // The account resource's own handles used creation numbers 0 and 1.
        assert!(addr == object::create_guid_object_address(@0xcafe, 2), 0);
        assert!(addr == @0xcf43e993030acc2e5219a01deea9d68c1278db56bf072dfa805ed32cdb00665c, 2);
        assert!(object::can_generate_delete_ref(&cref), 1);
    }
}
