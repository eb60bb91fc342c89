/// Run-time type names: the address, module and struct of a type.
module aptos_std::type_info {
    use std::bcs;
    use std::error;
    use std::features;
    use std::string::String;

    const E_NATIVE_FUN_NOT_AVAILABLE: u64 = 1;

    struct TypeInfo has copy, drop, store {
        account_address: address,
        module_name: vector<u8>,
        struct_name: vector<u8>,
    }

    public fun account_address(self: &TypeInfo): address {
        self.account_address
    }

    public fun module_name(self: &TypeInfo): vector<u8> {
        self.module_name
    }

    /// The struct's name with its type arguments, e.g. `Coin<0x1::aptos_coin::AptosCoin>`.
    public fun struct_name(self: &TypeInfo): vector<u8> {
        self.struct_name
    }

    /// The chain id the code runs on (4 for local test chains).
    public fun chain_id(): u8 {
        if (!features::aptos_stdlib_chain_id_enabled()) {
            abort error::invalid_state(E_NATIVE_FUN_NOT_AVAILABLE)
        };
        chain_id_internal()
    }

    /// The TypeInfo of struct type T; aborts with code 1 if T is not a struct.
    public native fun type_of<T>(): TypeInfo;

    /// The canonical name of any type, e.g. `u64`, `vector<u8>`,
    /// `0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>`.
    public native fun type_name<T>(): String;

    native fun chain_id_internal(): u8;

    /// The BCS size of the value.
    public fun size_of_val<T>(val_ref: &T): u64 {
        bcs::serialized_size(val_ref)
    }
}
