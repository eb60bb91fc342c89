/// A fixed-length vector of bits (1 to 1023 of them).
module std::bit_vector {
    use std::vector;

    /// The index is past the end of the bit vector.
    const EINDEX: u64 = 0x20000;
    /// The requested length is zero or not below MAX_SIZE.
    const ELENGTH: u64 = 0x20001;

    const WORD_SIZE: u64 = 1;
    const MAX_SIZE: u64 = 1024;

    struct BitVector has copy, drop, store {
        length: u64,
        bit_field: vector<bool>,
    }

    public fun new(length: u64): BitVector {
        assert!(length > 0, ELENGTH);
        assert!(length < MAX_SIZE, ELENGTH);
        let bit_field = vector::empty();
        let i = 0;
        while (i < length) {
            vector::push_back(&mut bit_field, false);
            i = i + 1;
        };
        BitVector { length, bit_field }
    }

    public fun set(self: &mut BitVector, bit_index: u64) {
        assert!(bit_index < vector::length(&self.bit_field), EINDEX);
        *vector::borrow_mut(&mut self.bit_field, bit_index) = true;
    }

    public fun unset(self: &mut BitVector, bit_index: u64) {
        assert!(bit_index < vector::length(&self.bit_field), EINDEX);
        *vector::borrow_mut(&mut self.bit_field, bit_index) = false;
    }

    /// Shifts every bit `amount` places toward index 0; vacated bits become 0.
    public fun shift_left(self: &mut BitVector, amount: u64) {
        let n = self.length;
        if (amount >= n) amount = n;
        let i = 0;
        while (i < n) {
            let from = i + amount;
            let bit = from < n && *vector::borrow(&self.bit_field, from);
            *vector::borrow_mut(&mut self.bit_field, i) = bit;
            i = i + 1;
        }
    }

    public fun is_index_set(self: &BitVector, bit_index: u64): bool {
        assert!(bit_index < vector::length(&self.bit_field), EINDEX);
        *vector::borrow(&self.bit_field, bit_index)
    }

    public fun length(self: &BitVector): u64 {
        vector::length(&self.bit_field)
    }

    /// How many consecutive bits are set from `start_index` on.
    public fun longest_set_sequence_starting_at(self: &BitVector, start_index: u64): u64 {
        assert!(start_index < self.length, EINDEX);
        let i = start_index;
        while (i < self.length && is_index_set(self, i)) i = i + 1;
        i - start_index
    }

    #[test_only]
    public fun word_size(): u64 {
        WORD_SIZE
    }
}
