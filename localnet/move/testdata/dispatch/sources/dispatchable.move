/// A stand-in for aptos_framework::dispatchable_fungible_asset: a balance
/// hook registered per address and called through the dispatching native.
module 0x1::dispatchable_fungible_asset {
    use std::string;
    use 0x1::function_info::{Self, FunctionInfo};

    struct Hook has key { f: FunctionInfo }

    public fun register(owner: &signer, hook: FunctionInfo) {
        let framework = function_info::new_function_info_from_address(
            @0x1, string::utf8(b"dispatchable_fungible_asset"), string::utf8(b"dispatchable_derived_balance"));
        assert!(function_info::check_dispatch_type_compatibility(&framework, &hook), 7);
        move_to(owner, Hook { f: hook });
    }

    public fun compatible(hook: &FunctionInfo): bool {
        let framework = function_info::new_function_info_from_address(
            @0x1, string::utf8(b"dispatchable_fungible_asset"), string::utf8(b"dispatchable_derived_balance"));
        function_info::check_dispatch_type_compatibility(&framework, hook)
    }

    public fun balance<T: key>(owner: address, amount: u64): u64 acquires Hook {
        let f = &Hook[owner].f;
        function_info::load_module_from_function(f);
        dispatchable_derived_balance<T>(owner, amount, f)
    }

    public fun plain(amount: u64): u64 { amount }

    native fun dispatchable_derived_balance<T: key>(owner: address, amount: u64, function: &FunctionInfo): u64;
}
