package natives

import "github.com/agi-nostr/agi-nostr/localnet/move/vm"

// Dynamic dispatch, as Aptos's function_info, dispatchable_fungible_asset
// and account_abstraction natives: a FunctionInfo names a public function,
// checked once against the framework's dispatch signature, then called
// through the dispatching native with the native's own arguments (its last
// argument, the FunctionInfo, dropped) and type arguments.

// Abort code of function_info for an invalid dispatch target.
const eInvalidFunction = 2

func registerDispatch(n *vm.Natives) {
	one := vm.AddressFromU64(1)
	n.RegisterAll(one, "function_info", map[string]vm.NativeFunc{
		"load_function_impl":                     loadFunctionImpl,
		"check_dispatch_type_compatibility_impl": checkDispatchCompat,
	})
	n.RegisterAll(one, "dispatchable_fungible_asset", map[string]vm.NativeFunc{
		"dispatchable_withdraw":        nativeDispatch,
		"dispatchable_deposit":         nativeDispatch,
		"dispatchable_derived_balance": nativeDispatch,
		"dispatchable_derived_supply":  nativeDispatch,
	})
	n.Register(one, "account_abstraction", "dispatchable_authenticate", nativeDispatch)
}

// functionInfo reads a &FunctionInfo { module_address, module_name,
// function_name } argument.
func functionInfo(v vm.Value) (vm.ModuleID, string) {
	f := v.Deref().AsStruct().Fields
	mod := string(f[1].AsStruct().Fields[0].AsBytes())
	fn := string(f[2].AsStruct().Fields[0].AsBytes())
	return vm.ModuleID{Addr: f[0].AsAddress(), Name: mod}, fn
}

// resolve finds the function a FunctionInfo names (nil if there is none).
func resolve(c *vm.NativeContext, v vm.Value) (*vm.Function, vm.ModuleID, bool) {
	id, name := functionInfo(v)
	m := c.Program().Module(id)
	if m == nil {
		return nil, id, false
	}
	return m.Function(name), id, true
}

func loadFunctionImpl(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	if _, id, ok := resolve(c, a[0]); !ok {
		return nil, &vm.ExecError{Status: vm.LinkerError, Msg: "Linker Error: Module " + id.String() + " doesn't exist"}
	}
	return nil, nil
}

// checkDispatchCompat: rhs must be a public, non-native function of another
// module with lhs's type parameters and results, and lhs's parameters but
// the last (the &FunctionInfo).
func checkDispatchCompat(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	rhs, _, _ := resolve(c, a[1])
	if rhs == nil {
		return nil, c.Abort(eInvalidFunction)
	}
	lhs, _, _ := resolve(c, a[0])
	if lhs == nil || len(lhs.Params) == 0 {
		return nil, c.Abort(eInvalidFunction)
	}
	ok := rhs.Visibility == vm.Public && !rhs.Native && lhs.Module != rhs.Module &&
		len(lhs.TypeParams) == len(rhs.TypeParams) &&
		sameTypes(lhs.Results, rhs.Results) && sameTypes(lhs.Params[:len(lhs.Params)-1], rhs.Params)
	for i := 0; ok && i < len(lhs.TypeParams); i++ {
		ok = lhs.TypeParams[i].Constraints == rhs.TypeParams[i].Constraints
	}
	return []vm.Value{vm.Bool(ok)}, nil
}

// sameTypes compares interned types.
func sameTypes(x, y []*vm.Type) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func nativeDispatch(c *vm.NativeContext, tyArgs []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	n := len(a) - 1
	f, id, ok := resolve(c, a[n])
	if !ok {
		return nil, &vm.ExecError{Status: vm.LinkerError, Msg: "Linker Error: Module " + id.String() + " doesn't exist"}
	}
	if f == nil {
		return nil, &vm.ExecError{Status: vm.FunctionResolutionFailure, Msg: "function not found in module " + id.String()}
	}
	return c.Dispatch(f, tyArgs, a[:n])
}
