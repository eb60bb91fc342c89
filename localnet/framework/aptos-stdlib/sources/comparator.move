/// Ordering of values by their BCS bytes (lexicographic, shorter first on a
/// common prefix). Note that this is not numeric order for integers wider
/// than u8, whose BCS is little-endian.
module aptos_std::comparator {
    use std::bcs;
    use std::vector;

    const EQUAL: u8 = 0;
    const SMALLER: u8 = 1;
    const GREATER: u8 = 2;

    struct Result has drop {
        inner: u8,
    }

    public fun is_equal(self: &Result): bool {
        self.inner == EQUAL
    }

    public fun is_smaller_than(self: &Result): bool {
        self.inner == SMALLER
    }

    public fun is_greater_than(self: &Result): bool {
        self.inner == GREATER
    }

    public fun compare<T>(left: &T, right: &T): Result {
        compare_u8_vector(bcs::to_bytes(left), bcs::to_bytes(right))
    }

    public fun compare_u8_vector(left: vector<u8>, right: vector<u8>): Result {
        let n = vector::length(&left);
        let m = vector::length(&right);
        let i = 0;
        while (i < n && i < m) {
            let a = *vector::borrow(&left, i);
            let b = *vector::borrow(&right, i);
            if (a != b) return Result { inner: if (a < b) SMALLER else GREATER };
            i = i + 1;
        };
        Result { inner: if (n < m) SMALLER else if (n > m) GREATER else EQUAL }
    }
}
