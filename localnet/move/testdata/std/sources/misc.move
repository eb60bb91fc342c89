module std::signer {
    native public fun borrow_address(self: &signer): &address;

    public fun address_of(self: &signer): address {
        *self.borrow_address()
    }
}

module std::error {
    const INVALID_ARGUMENT: u64 = 0x1;
    const OUT_OF_RANGE: u64 = 0x2;
    const INVALID_STATE: u64 = 0x3;
    const NOT_FOUND: u64 = 0x6;
    const ALREADY_EXISTS: u64 = 0x8;
    const PERMISSION_DENIED: u64 = 0x5;

    public fun canonical(category: u64, reason: u64): u64 { (category << 16) + reason }
    public fun invalid_argument(r: u64): u64 { canonical(INVALID_ARGUMENT, r) }
    public fun out_of_range(r: u64): u64 { canonical(OUT_OF_RANGE, r) }
    public fun invalid_state(r: u64): u64 { canonical(INVALID_STATE, r) }
    public fun not_found(r: u64): u64 { canonical(NOT_FOUND, r) }
    public fun already_exists(r: u64): u64 { canonical(ALREADY_EXISTS, r) }
    public fun permission_denied(r: u64): u64 { canonical(PERMISSION_DENIED, r) }
}

module std::bcs {
    native public fun to_bytes<MoveValue>(v: &MoveValue): vector<u8>;
    native public fun serialized_size<MoveValue>(v: &MoveValue): u64;
}

module std::hash {
    native public fun sha2_256(data: vector<u8>): vector<u8>;
    native public fun sha3_256(data: vector<u8>): vector<u8>;
}

module std::mem {
    public native fun swap<T>(left: &mut T, right: &mut T);

    public fun replace<T>(ref: &mut T, new: T): T {
        swap(ref, &mut new);
        new
    }
}

module std::cmp {
    enum Ordering has copy, drop {
        Less,
        Equal,
        Greater,
    }

    native public fun compare<T>(first: &T, second: &T): Ordering;

    public fun is_eq(self: &Ordering): bool { self is Ordering::Equal }
    public fun is_lt(self: &Ordering): bool { self is Ordering::Less }
    public fun is_gt(self: &Ordering): bool { self is Ordering::Greater }
}

#[test_only]
module std::unit_test {
    native public fun create_signers_for_testing(num_signers: u64): vector<signer>;
}
