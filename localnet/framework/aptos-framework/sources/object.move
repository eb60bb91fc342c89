/// Objects: resources grouped at an address of their own, with an owner
/// (an account or another object) recorded in ObjectCore. Capabilities
/// (refs) produced when an object is constructed control what can later be
/// done with it: delete, extend (get its signer), transfer, derive.
module aptos_framework::object {
    use std::bcs;
    use std::error;
    use std::hash;
    use std::signer;
    use std::vector;
    use aptos_framework::account;
    use aptos_framework::create_signer::create_signer;
    use aptos_framework::event;
    use aptos_framework::guid;
    use aptos_framework::transaction_context;
    use aptos_std::from_bcs;

    friend aptos_framework::coin;
    friend aptos_framework::primary_fungible_store;

    /// An object already exists at this address.
    const EOBJECT_EXISTS: u64 = 1;
    /// No object at this address.
    const EOBJECT_DOES_NOT_EXIST: u64 = 2;
    /// The object does not allow ungated transfers.
    const ENO_UNGATED_TRANSFERS: u64 = 3;
    /// The caller does not own the object.
    const ENOT_OBJECT_OWNER: u64 = 4;
    /// The object was created non-deletable.
    const ECANNOT_DELETE: u64 = 5;
    /// Ownership chains are at most 8 deep.
    const EMAXIMUM_NESTING: u64 = 6;
    /// The object lacks the resource the Object<T> type names.
    const ERESOURCE_DOES_NOT_EXIST: u64 = 7;
    /// The object is not burnt.
    const EOBJECT_NOT_BURNT: u64 = 8;
    /// The object is untransferable.
    const EOBJECT_NOT_TRANSFERRABLE: u64 = 9;
    /// The object is already burnt.
    const EOBJECT_ALREADY_BURNT: u64 = 10;

    /// Objects' GUID counters start here, above any account's.
    const INIT_GUID_CREATION_NUM: u64 = 0x4000000000000;
    const MAXIMUM_OBJECT_NESTING: u8 = 8;
    const DERIVE_AUID_ADDRESS_SCHEME: u8 = 0xFB;
    const OBJECT_DERIVED_SCHEME: u8 = 0xFC;
    const OBJECT_FROM_GUID_ADDRESS_SCHEME: u8 = 0xFD;
    const OBJECT_FROM_SEED_ADDRESS_SCHEME: u8 = 0xFE;
    const BURN_ADDRESS: address = @0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff;

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    struct ObjectCore has key {
        /// Counter for GUIDs (event handles) created by the object.
        guid_creation_num: u64,
        owner: address,
        /// Whether the owner may transfer it without a TransferRef.
        allow_ungated_transfer: bool,
        transfer_events: event::EventHandle<TransferEvent>,
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    /// Marks a burnt object and remembers who burnt it.
    struct TombStone has key {
        original_owner: address,
    }

    #[resource_group_member(group = aptos_framework::object::ObjectGroup)]
    struct Untransferable has key {}

    #[resource_group(scope = global)]
    struct ObjectGroup {}

    /// A typed handle on an object known to hold a T.
    struct Object<phantom T> has copy, drop, store {
        inner: address,
    }

    /// Returned once, at creation; every other ref is generated from it.
    struct ConstructorRef has drop {
        self: address,
        can_delete: bool,
    }

    struct DeleteRef has drop, store {
        self: address,
    }

    struct ExtendRef has drop, store {
        self: address,
    }

    struct TransferRef has drop, store {
        self: address,
    }

    /// A one-time transfer permission, valid while the owner is unchanged.
    struct LinearTransferRef has drop {
        self: address,
        owner: address,
    }

    struct DeriveRef has drop, store {
        self: address,
    }

    struct TransferPermission has copy, drop, store {
        object: address,
    }

    struct TransferEvent has drop, store {
        object: address,
        from: address,
        to: address,
    }

    #[event]
    struct Transfer has drop, store {
        object: address,
        from: address,
        to: address,
    }

    #[view]
    public fun is_untransferable<T: key>(self: Object<T>): bool {
        exists<Untransferable>(self.inner)
    }

    #[view]
    public fun is_burnt<T: key>(self: Object<T>): bool {
        exists<TombStone>(self.inner)
    }

    public fun address_to_object<T: key>(object: address): Object<T> {
        assert!(exists<ObjectCore>(object), error::not_found(EOBJECT_DOES_NOT_EXIST));
        assert!(exists_at<T>(object), error::not_found(ERESOURCE_DOES_NOT_EXIST));
        Object<T> { inner: object }
    }

    public fun is_object(object: address): bool {
        exists<ObjectCore>(object)
    }

    public fun object_exists<T: key>(object: address): bool {
        exists<ObjectCore>(object) && exists_at<T>(object)
    }

    /// sha3-256(source ++ seed ++ 0xFE): the address of a named object.
    public fun create_object_address(source: &address, seed: vector<u8>): address {
        let preimage = bcs::to_bytes(source);
        vector::append(&mut preimage, seed);
        vector::push_back(&mut preimage, OBJECT_FROM_SEED_ADDRESS_SCHEME);
        from_bcs::to_address(hash::sha3_256(preimage))
    }

    native fun create_user_derived_object_address_impl(source: address, derive_from: address): address;

    /// sha3-256(source ++ derive_from ++ 0xFC), e.g. a primary store's address.
    public fun create_user_derived_object_address(source: address, derive_from: address): address {
        let preimage = bcs::to_bytes(&source);
        vector::append(&mut preimage, bcs::to_bytes(&derive_from));
        vector::push_back(&mut preimage, OBJECT_DERIVED_SCHEME);
        from_bcs::to_address(hash::sha3_256(preimage))
    }

    /// sha3-256(bcs(guid::ID{creation_num, source}) ++ 0xFD).
    public fun create_guid_object_address(source: address, creation_num: u64): address {
        let preimage = bcs::to_bytes(&guid::create_id(source, creation_num));
        vector::push_back(&mut preimage, OBJECT_FROM_GUID_ADDRESS_SCHEME);
        from_bcs::to_address(hash::sha3_256(preimage))
    }

    /// Whether a resource of type T is stored at `object`.
    native fun exists_at<T: key>(object: address): bool;

    public fun object_address<T: key>(self: &Object<T>): address {
        self.inner
    }

    public fun convert<X: key, Y: key>(self: Object<X>): Object<Y> {
        address_to_object<Y>(self.inner)
    }

    /// A deterministic, non-deletable object at create_object_address(creator, seed).
    public fun create_named_object(creator: &signer, seed: vector<u8>): ConstructorRef {
        let creator_address = signer::address_of(creator);
        let obj_addr = create_object_address(&creator_address, seed);
        create_object_internal(creator_address, obj_addr, false)
    }

    public(friend) fun create_user_derived_object(creator_address: address, derive_ref: &DeriveRef): ConstructorRef {
        let obj_addr = create_user_derived_object_address(creator_address, derive_ref.self);
        create_object_internal(creator_address, obj_addr, false)
    }

    /// A deletable object at a fresh unique address, owned by `owner_address`.
    public fun create_object(owner_address: address): ConstructorRef {
        create_object_internal(owner_address, transaction_context::generate_auid_address(), true)
    }

    /// Like create_object, but not deletable.
    public fun create_sticky_object(owner_address: address): ConstructorRef {
        create_object_internal(owner_address, transaction_context::generate_auid_address(), false)
    }

    public(friend) fun create_sticky_object_at_address(owner_address: address, object_address: address): ConstructorRef {
        create_object_internal(owner_address, object_address, false)
    }

    #[deprecated]
    public fun create_object_from_account(creator: &signer): ConstructorRef {
        let g = account::create_guid(creator);
        create_object_from_guid(signer::address_of(creator), g)
    }

    #[deprecated]
    public fun create_object_from_object(creator: &signer): ConstructorRef acquires ObjectCore {
        let g = create_guid(creator);
        create_object_from_guid(signer::address_of(creator), g)
    }

    fun create_object_from_guid(creator_address: address, g: guid::GUID): ConstructorRef {
        let preimage = bcs::to_bytes(&g);
        vector::push_back(&mut preimage, OBJECT_FROM_GUID_ADDRESS_SCHEME);
        create_object_internal(creator_address, from_bcs::to_address(hash::sha3_256(preimage)), true)
    }

    fun create_object_internal(creator_address: address, object: address, can_delete: bool): ConstructorRef {
        assert!(!exists<ObjectCore>(object), error::already_exists(EOBJECT_EXISTS));
        let object_signer = create_signer(object);
        let guid_creation_num = INIT_GUID_CREATION_NUM;
        let transfer_events_guid = guid::create(object, &mut guid_creation_num);
        move_to(&object_signer, ObjectCore {
            guid_creation_num,
            owner: creator_address,
            allow_ungated_transfer: true,
            transfer_events: event::new_event_handle(transfer_events_guid),
        });
        ConstructorRef { self: object, can_delete }
    }

    /// A signer for a fresh address that is not an object.
    public fun create_unique_onchain_signer(): ExtendRef {
        ExtendRef { self: transaction_context::generate_auid_address() }
    }

    /// A named object owned by no one (@0x0), returned as its ExtendRef.
    public fun create_named_unowned_onchain_signer(creator: &signer, name: vector<u8>): ExtendRef acquires ObjectCore, TombStone {
        let constructor_ref = create_named_object(creator, name);
        let extend_ref = generate_extend_ref(&constructor_ref);
        transfer_with_constructor_ref(&constructor_ref, @0x0);
        extend_ref
    }

    public fun generate_delete_ref(self: &ConstructorRef): DeleteRef {
        assert!(self.can_delete, error::permission_denied(ECANNOT_DELETE));
        DeleteRef { self: self.self }
    }

    public fun generate_extend_ref(self: &ConstructorRef): ExtendRef {
        ExtendRef { self: self.self }
    }

    public fun generate_transfer_ref(self: &ConstructorRef): TransferRef {
        assert!(!exists<Untransferable>(self.self), error::permission_denied(EOBJECT_NOT_TRANSFERRABLE));
        TransferRef { self: self.self }
    }

    public fun generate_derive_ref(self: &ConstructorRef): DeriveRef {
        DeriveRef { self: self.self }
    }

    public fun generate_signer(self: &ConstructorRef): signer {
        create_signer(self.self)
    }

    public fun address_from_constructor_ref(self: &ConstructorRef): address {
        self.self
    }

    public fun object_from_constructor_ref<T: key>(self: &ConstructorRef): Object<T> {
        address_to_object<T>(self.self)
    }

    public fun can_generate_delete_ref(self: &ConstructorRef): bool {
        self.can_delete
    }

    public fun transfer_with_constructor_ref(self: &ConstructorRef, to: address) acquires ObjectCore, TombStone {
        let linear = generate_linear_transfer_ref(&generate_transfer_ref(self));
        transfer_with_ref(linear, to)
    }

    /// A new GUID from the object's counter; the signer must be an object's.
    public fun create_guid(object: &signer): guid::GUID acquires ObjectCore {
        let addr = signer::address_of(object);
        let core = borrow_global_mut<ObjectCore>(addr);
        guid::create(addr, &mut core.guid_creation_num)
    }

    public fun new_event_handle<T: drop + store>(object: &signer): event::EventHandle<T> acquires ObjectCore {
        event::new_event_handle(create_guid(object))
    }

    public fun address_from_delete_ref(self: &DeleteRef): address {
        self.self
    }

    public fun object_from_delete_ref<T: key>(self: &DeleteRef): Object<T> {
        address_to_object<T>(self.self)
    }

    /// Removes ObjectCore (other resources at the address are the caller's to remove).
    public fun delete(self: DeleteRef) acquires ObjectCore, Untransferable {
        let ObjectCore { guid_creation_num: _, owner: _, allow_ungated_transfer: _, transfer_events } =
            move_from<ObjectCore>(self.self);
        if (exists<Untransferable>(self.self)) {
            let Untransferable {} = move_from<Untransferable>(self.self);
        };
        event::destroy_handle(transfer_events);
    }

    public fun generate_signer_for_extending(self: &ExtendRef): signer {
        create_signer(self.self)
    }

    public fun address_from_extend_ref(self: &ExtendRef): address {
        self.self
    }

    public fun disable_ungated_transfer(self: &TransferRef) acquires ObjectCore {
        borrow_global_mut<ObjectCore>(self.self).allow_ungated_transfer = false;
    }

    /// Makes the object permanently untransferable.
    public fun set_untransferable(self: &ConstructorRef) acquires ObjectCore {
        borrow_global_mut<ObjectCore>(self.self).allow_ungated_transfer = false;
        move_to(&generate_signer(self), Untransferable {});
    }

    public fun enable_ungated_transfer(self: &TransferRef) acquires ObjectCore {
        assert!(!exists<Untransferable>(self.self), error::permission_denied(EOBJECT_NOT_TRANSFERRABLE));
        borrow_global_mut<ObjectCore>(self.self).allow_ungated_transfer = true;
    }

    public fun generate_linear_transfer_ref(self: &TransferRef): LinearTransferRef acquires ObjectCore {
        assert!(!exists<Untransferable>(self.self), error::permission_denied(EOBJECT_NOT_TRANSFERRABLE));
        let owner = owner(Object<ObjectCore> { inner: self.self });
        LinearTransferRef { self: self.self, owner }
    }

    public fun transfer_with_ref(self: LinearTransferRef, to: address) acquires ObjectCore, TombStone {
        assert!(!exists<Untransferable>(self.self), error::permission_denied(EOBJECT_NOT_TRANSFERRABLE));
        if (exists<TombStone>(self.self)) {
            let TombStone { original_owner: _ } = move_from<TombStone>(self.self);
        };
        let core = borrow_global_mut<ObjectCore>(self.self);
        assert!(core.owner == self.owner, error::permission_denied(ENOT_OBJECT_OWNER));
        event::emit(Transfer { object: self.self, from: core.owner, to });
        core.owner = to;
    }

    public entry fun transfer_call(owner: &signer, object: address, to: address) acquires ObjectCore {
        transfer_raw(owner, object, to)
    }

    public entry fun transfer<T: key>(owner: &signer, object: Object<T>, to: address) acquires ObjectCore {
        transfer_raw(owner, object.inner, to)
    }

    /// Transfers an object the signer owns (directly or through objects it
    /// owns), if every object on the way allows ungated transfers.
    public fun transfer_raw(owner: &signer, object: address, to: address) acquires ObjectCore {
        verify_ungated_and_descendant(signer::address_of(owner), object);
        transfer_raw_inner(object, to);
    }

    fun transfer_raw_inner(object: address, to: address) acquires ObjectCore {
        let core = borrow_global_mut<ObjectCore>(object);
        if (core.owner != to) {
            event::emit(Transfer { object, from: core.owner, to });
            core.owner = to;
        };
    }

    public entry fun transfer_to_object<O: key, T: key>(owner: &signer, object: Object<O>, to: Object<T>) acquires ObjectCore {
        transfer(owner, object, to.inner)
    }

    fun verify_ungated_and_descendant(owner: address, destination: address) acquires ObjectCore {
        assert!(exists<ObjectCore>(destination), error::not_found(EOBJECT_DOES_NOT_EXIST));
        let core = borrow_global<ObjectCore>(destination);
        assert!(core.allow_ungated_transfer, error::permission_denied(ENO_UNGATED_TRANSFERS));
        let current = core.owner;
        let depth = 0u8;
        while (owner != current) {
            depth = depth + 1;
            assert!(depth < MAXIMUM_OBJECT_NESTING, error::out_of_range(EMAXIMUM_NESTING));
            assert!(exists<ObjectCore>(current), error::permission_denied(ENOT_OBJECT_OWNER));
            let parent = borrow_global<ObjectCore>(current);
            assert!(parent.allow_ungated_transfer, error::permission_denied(ENO_UNGATED_TRANSFERS));
            current = parent.owner;
        };
    }

    /// Marks the object burnt (it keeps its owner; unburn restores it).
    public entry fun burn<T: key>(owner: &signer, object: Object<T>) acquires ObjectCore {
        let original_owner = signer::address_of(owner);
        assert!(is_owner(object, original_owner), error::permission_denied(ENOT_OBJECT_OWNER));
        assert!(!exists<TombStone>(object.inner), EOBJECT_ALREADY_BURNT);
        move_to(&create_signer(object.inner), TombStone { original_owner });
    }

    public entry fun unburn<T: key>(original_owner: &signer, object: Object<T>) acquires ObjectCore, TombStone {
        let object_addr = object.inner;
        assert!(exists<TombStone>(object_addr), error::invalid_argument(EOBJECT_NOT_BURNT));
        let current_owner = borrow_global<ObjectCore>(object_addr).owner;
        if (current_owner == signer::address_of(original_owner)) {
            let TombStone { original_owner: _ } = move_from<TombStone>(object_addr);
        } else if (current_owner == BURN_ADDRESS) {
            let TombStone { original_owner: recorded } = move_from<TombStone>(object_addr);
            assert!(recorded == signer::address_of(original_owner), error::permission_denied(ENOT_OBJECT_OWNER));
            transfer_raw_inner(object_addr, recorded);
        } else {
            abort error::permission_denied(ENOT_OBJECT_OWNER)
        };
    }

    public fun ungated_transfer_allowed<T: key>(self: Object<T>): bool acquires ObjectCore {
        assert!(exists<ObjectCore>(self.inner), error::not_found(EOBJECT_DOES_NOT_EXIST));
        borrow_global<ObjectCore>(self.inner).allow_ungated_transfer
    }

    #[view]
    public fun owner<T: key>(self: Object<T>): address acquires ObjectCore {
        assert!(exists<ObjectCore>(self.inner), error::not_found(EOBJECT_DOES_NOT_EXIST));
        borrow_global<ObjectCore>(self.inner).owner
    }

    #[view]
    public fun is_owner<T: key>(object: Object<T>, owner: address): bool acquires ObjectCore {
        owner(object) == owner
    }

    #[view]
    /// Whether `owner` owns the object directly or through a chain of objects.
    public fun owns<T: key>(object: Object<T>, owner: address): bool acquires ObjectCore {
        let current = object.inner;
        assert!(exists<ObjectCore>(current), error::not_found(EOBJECT_DOES_NOT_EXIST));
        if (current == owner) return true;
        current = borrow_global<ObjectCore>(current).owner;
        let depth = 0u8;
        while (owner != current) {
            depth = depth + 1;
            assert!(depth < MAXIMUM_OBJECT_NESTING, error::out_of_range(EMAXIMUM_NESTING));
            if (!exists<ObjectCore>(current)) return false;
            current = borrow_global<ObjectCore>(current).owner;
        };
        true
    }

    #[view]
    /// The first owner up the chain that is not an object.
    public fun root_owner<T: key>(self: Object<T>): address acquires ObjectCore {
        let o = owner(self);
        while (is_object(o)) o = owner(address_to_object<ObjectCore>(o));
        o
    }

    #[test_only]
    public fun burn_object_with_transfer<T: key>(owner: &signer, object: Object<T>) acquires ObjectCore {
        let original_owner = signer::address_of(owner);
        assert!(is_owner(object, original_owner), error::permission_denied(ENOT_OBJECT_OWNER));
        move_to(&create_signer(object.inner), TombStone { original_owner });
        transfer_raw_inner(object.inner, BURN_ADDRESS);
    }
}
