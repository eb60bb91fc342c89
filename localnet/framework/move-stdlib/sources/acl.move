/// An access control list: a set of addresses kept in insertion order.
module std::acl {
    use std::vector;
    use std::error;

    /// The address is already in the list.
    const ECONTAIN: u64 = 0;
    /// The address is not in the list.
    const ENOT_CONTAIN: u64 = 1;

    struct ACL has store, drop, copy {
        list: vector<address>
    }

    public fun empty(): ACL {
        ACL { list: vector::empty<address>() }
    }

    public fun add(self: &mut ACL, addr: address) {
        assert!(!vector::contains(&self.list, &addr), error::invalid_argument(ECONTAIN));
        vector::push_back(&mut self.list, addr);
    }

    public fun remove(self: &mut ACL, addr: address) {
        let (found, i) = vector::index_of(&self.list, &addr);
        assert!(found, error::invalid_argument(ENOT_CONTAIN));
        vector::remove(&mut self.list, i);
    }

    public fun contains(self: &ACL, addr: address): bool {
        vector::contains(&self.list, &addr)
    }

    public fun assert_contains(self: &ACL, addr: address) {
        assert!(contains(self, addr), error::invalid_argument(ENOT_CONTAIN));
    }
}
