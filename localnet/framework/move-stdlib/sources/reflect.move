/// Function values from names (the FUNCTION_REFLECTION feature): the public
/// function `addr::module_name::func_name` as a value of type FuncType.
module std::reflect {
    use std::error;
    use std::features;
    use std::result::Result;
    use std::string::String;

    /// The function reflection feature is off.
    const E_FEATURE_NOT_ENABLED: u64 = 0;

    /// Why a function could not be resolved.
    enum ReflectionError has copy, drop, store {
        InvalidIdentifier,
        FunctionNotFound,
        FunctionNotAccessible,
        FunctionIncompatibleType,
        FunctionNotInstantiated
    }

    /// The function, or the reason it cannot be one of type FuncType.
    public fun resolve<FuncType>(addr: address, module_name: &String, func_name: &String): Result<FuncType, ReflectionError> {
        assert!(features::is_function_reflection_enabled(), error::invalid_state(E_FEATURE_NOT_ENABLED));
        native_resolve(addr, module_name, func_name)
    }

    /// 0 invalid identifier, 1 not found, 2 not accessible, 3 incompatible
    /// type, 4 type arguments not inferable.
    public fun error_code(self: ReflectionError): u64 {
        match (self) {
            InvalidIdentifier => 0,
            FunctionNotFound => 1,
            FunctionNotAccessible => 2,
            FunctionIncompatibleType => 3,
            FunctionNotInstantiated => 4
        }
    }

    native fun native_resolve<FuncType>(addr: address, module_name: &String, func_name: &String): Result<FuncType, ReflectionError>;
}
