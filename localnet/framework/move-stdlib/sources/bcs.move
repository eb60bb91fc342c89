/// Binary Canonical Serialization of Move values.
module std::bcs {
    use std::option::Option;

    /// The BCS bytes of `v`.
    native public fun to_bytes<MoveValue>(v: &MoveValue): vector<u8>;

    /// The length of `to_bytes(v)`, computed without building the bytes.
    native public fun serialized_size<MoveValue>(v: &MoveValue): u64;

    /// The serialized size every value of the type has, when it is fixed
    /// (integers, bool, address, structs of such); none otherwise.
    native public fun constant_serialized_size<MoveValue>(): Option<u64>;
}
