#[test_only]
/// Needs create_signer, object::exists_at and module events.
module aptos_framework::object_native_tests {
    use std::signer;
    use std::vector;
    use aptos_framework::event;
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

    #[test(creator = @0xcafe, bob = @0xb0b)]
    fun transfers_and_refs(creator: &signer, bob: &signer) {
        let cref = object::create_object(@0xcafe);
        let obj: Object<ObjectCore> = object::object_from_constructor_ref(&cref);
        let addr = object::object_address(&obj);
        object::transfer(creator, obj, @0xb0b);
        assert!(object::owner(obj) == @0xb0b, 0);
        assert!(vector::length(&event::emitted_events<object::Transfer>()) == 1, 1);
        // Transferring to the current owner emits nothing.
        object::transfer_call(bob, addr, @0xb0b);
        assert!(vector::length(&event::emitted_events<object::Transfer>()) == 1, 2);

        // Nested ownership: bob's object owns a child; bob owns it indirectly.
        let child_ref = object::create_object(addr);
        let child: Object<ObjectCore> = object::object_from_constructor_ref(&child_ref);
        assert!(object::owns(child, addr) && object::owns(child, @0xb0b) && !object::owns(child, @0xcafe), 3);
        assert!(object::root_owner(child) == @0xb0b, 4);
        object::transfer(bob, child, @0xcafe);
        assert!(object::is_owner(child, @0xcafe), 5);

        // A TransferRef moves the object even with ungated transfers off.
        let tref = object::generate_transfer_ref(&cref);
        object::disable_ungated_transfer(&tref);
        assert!(!object::ungated_transfer_allowed(obj), 6);
        let linear = object::generate_linear_transfer_ref(&tref);
        object::transfer_with_ref(linear, @0xcafe);
        assert!(object::owner(obj) == @0xcafe, 7);
        object::enable_ungated_transfer(&tref);

        // Burn and unburn.
        object::burn(creator, obj);
        assert!(object::is_burnt(obj), 8);
        object::unburn(creator, obj);
        assert!(!object::is_burnt(obj), 9);

        // Deletion removes ObjectCore.
        let dref = object::generate_delete_ref(&cref);
        assert!(object::address_from_delete_ref(&dref) == addr, 10);
        object::delete(dref);
        assert!(!object::is_object(addr), 11);
    }

    #[test(creator = @0xcafe, bob = @0xb0b)]
    #[expected_failure(abort_code = 0x50004, location = aptos_framework::object)]
    fun transfer_by_non_owner(creator: &signer, bob: &signer) {
        let cref = object::create_object(@0xcafe);
        let obj: Object<ObjectCore> = object::object_from_constructor_ref(&cref);
        object::transfer(bob, obj, @0xb0b);
        let _ = creator;
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x50003, location = aptos_framework::object)]
    fun transfer_without_ungated(creator: &signer) {
        let cref = object::create_object(@0xcafe);
        object::disable_ungated_transfer(&object::generate_transfer_ref(&cref));
        object::transfer(creator, object::object_from_constructor_ref<ObjectCore>(&cref), @0xb0b);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x50009, location = aptos_framework::object)]
    fun untransferable(creator: &signer) {
        let cref = object::create_named_object(creator, b"soulbound");
        object::set_untransferable(&cref);
        object::generate_transfer_ref(&cref);
    }

    #[test(creator = @0xcafe)]
    #[expected_failure(abort_code = 0x50004, location = aptos_framework::object)]
    fun stale_linear_transfer_ref(creator: &signer) {
        let cref = object::create_object(@0xcafe);
        let tref = object::generate_transfer_ref(&cref);
        let linear = object::generate_linear_transfer_ref(&tref);
        object::transfer(creator, object::object_from_constructor_ref<ObjectCore>(&cref), @0xb0b);
        object::transfer_with_ref(linear, @0xd0d);
    }
}
