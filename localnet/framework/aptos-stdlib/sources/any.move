/// A value of any type with drop + store, kept as its type name and BCS bytes.
module aptos_std::any {
    use aptos_std::type_info;
    use aptos_std::from_bcs::from_bytes;
    use std::bcs::to_bytes;
    use std::error;
    use std::string::String;

    friend aptos_std::copyable_any;

    /// unpack<T> was called with a T other than the packed type.
    const ETYPE_MISMATCH: u64 = 1;

    struct Any has drop, store {
        type_name: String,
        data: vector<u8>
    }

    public fun pack<T: drop + store>(x: T): Any {
        Any { type_name: type_info::type_name<T>(), data: to_bytes(&x) }
    }

    public fun unpack<T>(self: Any): T {
        assert!(type_info::type_name<T>() == self.type_name, error::invalid_argument(ETYPE_MISMATCH));
        let Any { type_name: _, data } = self;
        from_bytes<T>(data)
    }

    public fun type_name(self: &Any): &String {
        &self.type_name
    }
}
