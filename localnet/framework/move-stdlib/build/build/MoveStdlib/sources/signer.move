/// The signer: proof that a transaction (or the test harness) acts for an address.
module std::signer {
    /// The address a signer acts for, without copying it.
    native public fun borrow_address(self: &signer): &address;

    public fun address_of(self: &signer): address {
        *borrow_address(self)
    }
}
