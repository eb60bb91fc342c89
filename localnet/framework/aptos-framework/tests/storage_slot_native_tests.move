#[test_only]
/// Storage slots need their natives and the test genesis flags, which the
/// reference VM lacks: our interpreter only.
module aptos_framework::storage_slot_native_tests {
    use std::features;
    use aptos_framework::storage_slot::{Self, StorageSlot};

    struct Holder has key { slot: StorageSlot<vector<u64>> }

    #[test(s = @0xcafe)]
    fun value_lives_in_its_own_slot(s: &signer) acquires Holder {
        let slot = storage_slot::new(vector[1, 2]);
        assert!(slot.borrow() == &vector[1, 2], 0);
        slot.borrow_mut().push_back(3);
        let twin = slot.copy_storage_slot();
        move_to(s, Holder { slot });
        assert!(Holder[@0xcafe].slot.borrow() == &vector[1, 2, 3], 1);
        Holder[@0xcafe].slot.borrow_mut().push_back(4);
        let Holder { slot } = move_from<Holder>(@0xcafe);
        assert!(slot.destroy() == vector[1, 2, 3, 4], 2);
        // The copy is a slot of its own, unchanged by the writes above.
        assert!(twin.destroy() == vector[1, 2, 3], 3);
    }

    #[test(fx = @std)]
    #[expected_failure(abort_code = 1, location = aptos_framework::storage_slot)]
    fun needs_the_feature(fx: &signer) {
        features::change_feature_flags_for_testing(fx, vector[], vector[113]);
        let slot = storage_slot::new(7u64);
        slot.borrow();
        slot.destroy();
    }
}
