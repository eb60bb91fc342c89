/// The shape of aptos_framework::function_info, trimmed to what dynamic
/// dispatch needs: the interpreter's natives for it are exercised here
/// without the Aptos framework.
module 0x1::function_info {
    use std::string::String;

    friend 0x1::dispatchable_fungible_asset;

    struct FunctionInfo has copy, drop, store {
        module_address: address,
        module_name: String,
        function_name: String,
    }

    public fun new_function_info_from_address(
        module_address: address, module_name: String, function_name: String
    ): FunctionInfo {
        assert!(is_identifier(module_name.bytes()), 1);
        assert!(is_identifier(function_name.bytes()), 1);
        FunctionInfo { module_address, module_name, function_name }
    }

    public(friend) fun check_dispatch_type_compatibility(
        framework_function: &FunctionInfo, dispatch_target: &FunctionInfo
    ): bool {
        load_function_impl(dispatch_target);
        check_dispatch_type_compatibility_impl(framework_function, dispatch_target)
    }

    public(friend) fun load_module_from_function(f: &FunctionInfo) {
        load_function_impl(f)
    }

    native fun check_dispatch_type_compatibility_impl(lhs: &FunctionInfo, r: &FunctionInfo): bool;
    native fun is_identifier(s: &vector<u8>): bool;
    native fun load_function_impl(f: &FunctionInfo);
}
