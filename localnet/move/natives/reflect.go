package natives

import "github.com/agi-nostr/agi-nostr/localnet/move/vm"

// Errors of std::reflect::ReflectionError, by variant index.
const (
	reflectInvalidIdentifier = iota
	reflectFunctionNotFound
	reflectFunctionNotAccessible
	reflectFunctionIncompatibleType
	reflectFunctionNotInstantiated
)

func validIdent(s string) bool {
	if s == "" || !(s[0] == '_' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// matchType matches a signature type (with type parameters) against a
// concrete type, binding the parameters.
func matchType(sig, t *vm.Type, binds []*vm.Type) bool {
	if sig.Kind == vm.KParam {
		if b := binds[sig.Param]; b != nil {
			return b == t
		}
		binds[sig.Param] = t
		return true
	}
	if sig.Kind != t.Kind {
		return false
	}
	switch sig.Kind {
	case vm.KVector, vm.KRef, vm.KMutRef:
		return matchType(sig.Elem, t.Elem, binds)
	case vm.KStruct:
		if sig.Struct != t.Struct || len(sig.Args) != len(t.Args) {
			return false
		}
		for i := range sig.Args {
			if !matchType(sig.Args[i], t.Args[i], binds) {
				return false
			}
		}
		return true
	case vm.KFunction:
		if len(sig.Args) != len(t.Args) || len(sig.Result) != len(t.Result) {
			return false
		}
		for i := range sig.Args {
			if !matchType(sig.Args[i], t.Args[i], binds) {
				return false
			}
		}
		for i := range sig.Result {
			if !matchType(sig.Result[i], t.Result[i], binds) {
				return false
			}
		}
		return true
	}
	return sig == t
}

// reflectResolve implements std::reflect::native_resolve: it looks a public
// function up by name and returns it as a function value of type FuncType.
func reflectResolve(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	fail := func(code int) ([]vm.Value, error) {
		return []vm.Value{vm.VariantOf(1, vm.VariantOf(code))}, nil
	}
	addr := a[0].AsAddress()
	mod := string(a[1].Deref().AsStruct().Fields[0].AsBytes())
	name := string(a[2].Deref().AsStruct().Fields[0].AsBytes())
	if !validIdent(mod) || !validIdent(name) {
		return fail(reflectInvalidIdentifier)
	}
	f := ctx.Program().Lookup(addr, mod, name)
	if f == nil {
		return fail(reflectFunctionNotFound)
	}
	if f.Visibility != vm.Public {
		return fail(reflectFunctionNotAccessible)
	}
	ft := ty[0]
	if ft.Kind != vm.KFunction || len(ft.Args) != len(f.Params) || len(ft.Result) != len(f.Results) {
		return fail(reflectFunctionIncompatibleType)
	}
	binds := make([]*vm.Type, len(f.TypeParams))
	for i, p := range f.Params {
		if !matchType(p, ft.Args[i], binds) {
			return fail(reflectFunctionIncompatibleType)
		}
	}
	for i, r := range f.Results {
		if !matchType(r, ft.Result[i], binds) {
			return fail(reflectFunctionIncompatibleType)
		}
	}
	for i, b := range binds {
		if b == nil {
			return fail(reflectFunctionNotInstantiated)
		}
		if need := f.TypeParams[i].Constraints; need&^b.Abilities() != 0 {
			return fail(reflectFunctionIncompatibleType)
		}
	}
	return []vm.Value{vm.VariantOf(0, vm.Value{P: &vm.Closure{Fn: f, TyArgs: binds}})}, nil
}
