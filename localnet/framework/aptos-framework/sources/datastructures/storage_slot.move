/// A value kept in a storage slot of its own (a fresh object address)
/// instead of inline in the resource that holds the StorageSlot: reading or
/// writing it touches only that slot.
module aptos_framework::storage_slot {
    use aptos_framework::object;

    /// The STORAGE_SLOT_NATIVES feature is off.
    const ESTORAGE_SLOT_NATIVES_NOT_ENABLED: u64 = 1;
    /// No value under the slot (raised by the natives; cannot happen for a
    /// slot made by `new`).
    const ESTORAGE_SLOT_NOT_FOUND: u64 = 2;

    struct StorageSlotResource<T> has key {
        val: T
    }

    /// A handle on the slot at `addr`.
    struct StorageSlot<phantom T> has store {
        addr: address
    }

    /// Moves `value` to a new slot.
    public fun new<T: store>(value: T): StorageSlot<T> {
        let signer = object::create_unique_onchain_signer().generate_signer_for_extending();
        move_to(&signer, StorageSlotResource { val: value });
        StorageSlot { addr: std::signer::address_of(&signer) }
    }

    native fun borrow_storage_slot_resource<T: store, BR>(self: &StorageSlot<T>): &BR;
    native fun borrow_storage_slot_resource_mut<T: store, BR>(self: &mut StorageSlot<T>): &mut BR;

    public fun borrow<T: store>(self: &StorageSlot<T>): &T {
        assert!(std::features::is_storage_slot_natives_enabled(), ESTORAGE_SLOT_NATIVES_NOT_ENABLED);
        &self.borrow_storage_slot_resource<T, StorageSlotResource<T>>().val
    }

    public fun borrow_mut<T: store>(self: &mut StorageSlot<T>): &mut T {
        assert!(std::features::is_storage_slot_natives_enabled(), ESTORAGE_SLOT_NATIVES_NOT_ENABLED);
        &mut self.borrow_storage_slot_resource_mut<T, StorageSlotResource<T>>().val
    }

    /// A new slot holding a copy of the value.
    public fun copy_storage_slot<T: store + copy>(self: &StorageSlot<T>): StorageSlot<T> {
        new(*self.borrow())
    }

    /// Removes the slot and returns its value.
    public fun destroy<T: store>(self: StorageSlot<T>): T {
        let StorageSlot { addr } = self;
        let StorageSlotResource { val } = move_from<StorageSlotResource<T>>(addr);
        val
    }
}
