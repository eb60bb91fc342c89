/// Dispatch targets for 0x1::dispatchable_fungible_asset.
module dispatch::hooks {
    use 0x1::dispatchable_fungible_asset;

    struct Marker has key {}

    /// Doubles the amount once the owner has a Marker.
    public fun double<T: key>(owner: address, amount: u64): u64 {
        if (exists<Marker>(owner)) amount * 2 else amount
    }

    /// Wrong shape: returns nothing.
    public fun wrong_result<T: key>(_owner: address, _amount: u64) {}

    /// Wrong type parameter abilities.
    public fun wrong_abilities<T: store>(_owner: address, amount: u64): u64 { amount }

    /// Not public.
    public(friend) fun private_hook<T: key>(_owner: address, amount: u64): u64 { amount }

    /// Calls back into the dispatching module: re-entrancy.
    public fun reenter<T: key>(_owner: address, amount: u64): u64 {
        dispatchable_fungible_asset::plain(amount)
    }

    public fun publish(s: &signer) { move_to(s, Marker {}) }
}

#[test_only]
module dispatch::dispatch_tests {
    use std::string::utf8;
    use 0x1::dispatchable_fungible_asset as dfa;
    use 0x1::function_info::{Self, FunctionInfo};
    use dispatch::hooks::{Self, Marker};

    fun hook(module_name: vector<u8>, name: vector<u8>): FunctionInfo {
        function_info::new_function_info_from_address(@dispatch, utf8(module_name), utf8(name))
    }

    #[test(owner = @0xa)]
    fun dispatches_with_type_arguments(owner: &signer) {
        dfa::register(owner, hook(b"hooks", b"double"));
        assert!(dfa::balance<Marker>(@0xa, 21) == 21, 0);
        hooks::publish(owner);
        assert!(dfa::balance<Marker>(@0xa, 21) == 42, 1);
    }

    #[test]
    fun signature_checks() {
        assert!(dfa::compatible(&hook(b"hooks", b"double")), 0);
        assert!(!dfa::compatible(&hook(b"hooks", b"wrong_result")), 1);
        assert!(!dfa::compatible(&hook(b"hooks", b"wrong_abilities")), 2);
        assert!(!dfa::compatible(&hook(b"hooks", b"private_hook")), 3);
        // A function of the dispatching module itself is refused. (Aptos
        // counts 0x1 modules as loaded once account abstraction is on, as
        // on mainnet; forks without that abort with 2 here instead.)
        let own = function_info::new_function_info_from_address(@0x1, utf8(b"dispatchable_fungible_asset"), utf8(b"balance"));
        assert!(!dfa::compatible(&own), 4);
    }

    #[test]
    #[expected_failure(abort_code = 2, location = 0x1::function_info)]
    fun missing_function_aborts() {
        dfa::compatible(&hook(b"hooks", b"no_such_function"));
    }

    #[test]
    #[expected_failure(major_status = 1081, location = 0x1::function_info)]
    fun missing_module_is_a_linker_error() {
        dfa::compatible(&hook(b"no_such_module", b"f"));
    }

    #[test(owner = @0xa)]
    #[expected_failure(major_status = 4037, location = 0x1::dispatchable_fungible_asset)]
    fun reentering_the_dispatcher_fails(owner: &signer) {
        dfa::register(owner, hook(b"hooks", b"reenter"));
        dfa::balance<Marker>(@0xa, 1);
    }

    /// A target in a module already on the stack (this test's caller chain
    /// goes through dispatch_tests, the target is here too).
    public fun self_hook<T: key>(_owner: address, amount: u64): u64 { amount }

    #[test(owner = @0xa)]
    #[expected_failure(major_status = 4037, location = 0x1::dispatchable_fungible_asset)]
    fun dispatching_into_an_active_module_fails(owner: &signer) {
        dfa::register(owner, hook(b"dispatch_tests", b"self_hook"));
        dfa::balance<Marker>(@0xa, 1);
    }
}
