package check

import (
	"math/big"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Test is a #[test] function of the root package.
type Test struct {
	Module   *vm.Module
	Function *vm.Function
	Name     string
	// Signers are the addresses given to the parameters, in parameter
	// order; each parameter is a signer, a &signer or an address (Params).
	Signers []vm.Address
	// Expected is nil when the test must succeed.
	Expected *Expected
	File     string
	Line     int32
}

// Expected is an #[expected_failure] specification.
type Expected struct {
	// Any accepts any failure (bare #[expected_failure]).
	Any    bool
	Status vm.StatusCode
	// Code is the abort code (ABORTED) or the minor status.
	Code    uint64
	HasCode bool
	// Location is the module expected to raise the error; nil accepts any
	// module (the deprecated abort_code-only form).
	Location *vm.ModuleID
}

func (c *compiler) collectTests(m *modInfo) {
	if !c.opts.Test || !m.pkg.Root {
		return
	}
	for _, f := range m.flist {
		ef := f.decl.Attrs.Find("expected_failure")
		if !f.isTest {
			if ef != nil {
				c.errorf(m.file, ef.Pos, "#[expected_failure] is only allowed on #[test] functions")
			}
			continue
		}
		t := &Test{Module: m.vmod, Function: f.vfn, Name: f.name, File: m.file, Line: f.decl.Pos.Line}
		if len(f.tparams) > 0 {
			c.errorf(m.file, f.decl.Name.Pos, "test function '%s' cannot have type parameters", f.name)
		}
		attr := f.decl.Attrs.Find("test")
		assigned := map[string]vm.Address{}
		for _, a := range attr.Args {
			lit, ok := a.Value.(*syntax.Lit)
			if !ok || lit.Kind != syntax.LitAddr {
				c.errorf(m.file, a.Pos, "test argument '%s' must be an address literal such as @0x1", a.Name)
				continue
			}
			var addr vm.Address
			if lit.IsName {
				addr, ok = c.opts.Addresses[lit.Text]
				if !ok {
					c.errorf(m.file, lit.Pos, "unbound named address '%s'", lit.Text)
					continue
				}
			} else if addr, ok = vm.ParseAddress(lit.Text); !ok {
				c.errorf(m.file, lit.Pos, "invalid address '%s'", lit.Text)
				continue
			}
			if _, dup := assigned[a.Name]; dup {
				c.errorf(m.file, a.Pos, "duplicate test argument '%s'", a.Name)
			}
			assigned[a.Name] = addr
		}
		for i, p := range f.pnames {
			pt := prune(f.params[i])
			if pt.k == tRef {
				pt = prune(pt.elem)
			}
			if pt != tySigner && pt != tyAddress {
				c.errorf(m.file, f.decl.Params[i].Name.Pos, "test function parameter '%s' must be a signer, &signer or address", p)
				continue
			}
			addr, ok := assigned[p]
			if !ok {
				c.errorf(m.file, f.decl.Params[i].Name.Pos, "missing test argument for parameter '%s'", p)
				continue
			}
			t.Signers = append(t.Signers, addr)
			delete(assigned, p)
		}
		for name := range assigned {
			c.warnf(m.file, attr.Pos, "test argument '%s' does not match a parameter; it is ignored", name)
		}
		if ef != nil {
			t.Expected = c.expected(m, ef)
		}
		c.tests = append(c.tests, t)
	}
}

func (c *compiler) expected(m *modInfo, a *syntax.Attr) *Expected {
	if len(a.Args) == 0 {
		return &Expected{Any: true}
	}
	e := &Expected{}
	var kinds int
	var loc *vm.ModuleID
	var locDefault *vm.ModuleID
	hasMinor := false
	var minor uint64
	for _, arg := range a.Args {
		switch arg.Name {
		case "abort_code":
			kinds++
			e.Status = vm.Aborted
			code, mod, ok := c.attrU64(m, arg.Value)
			if !ok {
				return e
			}
			e.Code, e.HasCode = code, true
			locDefault = mod
		case "arithmetic_error":
			kinds++
			e.Status = vm.ArithmeticError
		case "vector_error":
			kinds++
			e.Status = vm.VectorOperationError
		case "out_of_gas":
			kinds++
			e.Status = vm.OutOfGas
		case "major_status":
			kinds++
			code, _, ok := c.attrU64(m, arg.Value)
			if !ok {
				return e
			}
			e.Status = vm.StatusCode(code)
		case "minor_status":
			code, _, ok := c.attrU64(m, arg.Value)
			if !ok {
				return e
			}
			hasMinor, minor = true, code
		case "location":
			id, ok := c.attrModule(m, arg.Value)
			if !ok {
				return e
			}
			loc = &id
		default:
			c.errorf(m.file, arg.Pos, "unknown #[expected_failure] argument '%s'", arg.Name)
		}
	}
	if kinds != 1 {
		c.errorf(m.file, a.Pos, "#[expected_failure] needs exactly one of abort_code, arithmetic_error, vector_error, out_of_gas, major_status")
		return e
	}
	if hasMinor {
		if e.Status == vm.Aborted {
			c.errorf(m.file, a.Pos, "minor_status cannot be combined with abort_code")
		}
		e.Code, e.HasCode = minor, true
	}
	switch {
	case loc != nil:
		e.Location = loc
	case e.Status == vm.Aborted:
		e.Location = locDefault // nil: any module (deprecated form)
		if locDefault == nil {
			c.warnf(m.file, a.Pos, "test will pass on an abort from *any* module; add a location")
		}
	default:
		c.errorf(m.file, a.Pos, "#[expected_failure] with this failure kind needs a location")
	}
	return e
}

// attrU64 evaluates an attribute value: a u64 literal or a constant name.
// For a module-qualified constant it also returns that module.
func (c *compiler) attrU64(m *modInfo, v syntax.Expr) (uint64, *vm.ModuleID, bool) {
	switch v := v.(type) {
	case *syntax.Lit:
		if v.Kind == syntax.LitNum {
			n, suffix, ok := parseIntLit(v.Text)
			if ok && n.IsUint64() && (suffix == "" || suffix == "u64") {
				return n.Uint64(), nil, true
			}
		}
		c.errorf(m.file, v.Pos, "expected a u64 value")
		return 0, nil, false
	case *syntax.NameExpr:
		p := v.Path
		var mod *modInfo
		var name string
		qualified := false
		switch len(p.Names) {
		case 0:
			mod, name = m, p.Root.Name
		case 1:
			qualified = p.Root.Name != "Self"
			if p.Root.Name == "Self" {
				mod = m
			} else if id, ok := m.aliases[p.Root.Name]; ok {
				mod = c.mods[id]
			}
			name = p.Names[0].Name
		case 2:
			qualified = true
			if a, ok := c.attrAddress(p.Root); ok {
				mod = c.mods[vm.ModuleID{Addr: a, Name: p.Names[0].Name}]
			}
			name = p.Names[1].Name
		}
		if mod == nil || mod.consts[name] == nil {
			c.errorf(m.file, p.Pos, "unbound constant '%s'", p)
			return 0, nil, false
		}
		k := mod.consts[name]
		c.evalConst(k)
		if prune(k.ty) != tyU64 {
			c.errorf(m.file, p.Pos, "constant '%s' is not a u64", p)
			return 0, nil, false
		}
		if qualified {
			id := mod.id
			return k.val.N, &id, true
		}
		return k.val.N, nil, true
	}
	c.errorf(m.file, v.ExprPos(), "expected a u64 value or a constant")
	return 0, nil, false
}

func (c *compiler) attrAddress(ln syntax.LeadingName) (vm.Address, bool) {
	if ln.IsAddr {
		return vm.ParseAddress(ln.Name)
	}
	a, ok := c.opts.Addresses[ln.Name]
	return a, ok
}

func (c *compiler) attrModule(m *modInfo, v syntax.Expr) (vm.ModuleID, bool) {
	ne, ok := v.(*syntax.NameExpr)
	if !ok {
		c.errorf(m.file, v.ExprPos(), "location must be a module, such as Self or 0x1::vector")
		return vm.ModuleID{}, false
	}
	p := ne.Path
	switch len(p.Names) {
	case 0:
		if p.Root.Name == "Self" {
			return m.id, true
		}
		if id, ok := m.aliases[p.Root.Name]; ok {
			return id, true
		}
	case 1:
		if a, ok := c.attrAddress(p.Root); ok {
			return vm.ModuleID{Addr: a, Name: p.Names[0].Name}, true
		}
	}
	c.errorf(m.file, p.Pos, "unbound module '%s' in location", p)
	return vm.ModuleID{}, false
}

var txnArgStructs = map[string]bool{
	"0x1::string::String": true, "0x1::object::Object": true, "0x1::option::Option": true,
	"0x1::fixed_point32::FixedPoint32": true, "0x1::fixed_point64::FixedPoint64": true,
}

// validTxnArg reports whether a type may be a transaction argument.
func validTxnArg(t *cty, allowSigner bool) bool {
	t = prune(t)
	switch t.k {
	case tPrim:
		return t.prim != vm.KSigner || allowSigner
	case tParam:
		return true
	case tVec:
		return validTxnArg(t.elem, false)
	case tRef:
		e := prune(t.elem)
		return allowSigner && !t.mut && e == tySigner
	case tStruct:
		// Aptos's extended checks look at the struct only, not at its type
		// arguments: Option<T> of any T is accepted (None is always
		// buildable; a Some of a struct that cannot be built fails when the
		// transaction runs). Move 2.4 public structs and enums with copy
		// (not key) are built from their fields.
		if txnArgStructs[t.sdef.mod.id.String()+"::"+t.sdef.name] {
			return true
		}
		return t.sdef.vis == vm.Public && t.sdef.abilities&vm.Copy != 0 && t.sdef.abilities&vm.Key == 0
	}
	return false
}

// checkSignatureRules applies Aptos's extended checks to entry, view and
// init_module functions.
func (c *compiler) checkSignatureRules(f *funInfo) {
	m := f.mod
	pos := f.decl.Name.Pos
	if f.entry && !f.decl.Attrs.Has("legacy_entry_fun") {
		if len(f.results) > 0 && !isUnitType(f.result) {
			c.errorf(m.file, pos, "entry function '%s' cannot return values", f.name)
		}
		seenOther := false
		for i, p := range f.params {
			pt := prune(p)
			isSigner := pt == tySigner || (pt.k == tRef && prune(pt.elem) == tySigner)
			if pt.k == tRef && pt.mut && prune(pt.elem) == tySigner {
				c.errorf(m.file, f.decl.Params[i].Name.Pos, "entry function parameter '%s' cannot be &mut signer", f.pnames[i])
				continue
			}
			if !validTxnArg(p, true) {
				c.errorf(m.file, f.decl.Params[i].Name.Pos, "invalid entry function parameter '%s' of type %s", f.pnames[i], pt)
			}
			if isSigner && seenOther {
				c.warnf(m.file, f.decl.Params[i].Name.Pos, "signer parameter '%s' should come before other parameters", f.pnames[i])
			}
			if !isSigner {
				seenOther = true
			}
		}
	}
	if f.decl.Attrs.Has("randomness") && (!f.entry || f.vis == vm.Public) {
		c.errorf(m.file, pos, "#[randomness] is only for private or friend entry functions ('%s' is not one)", f.name)
	}
	if f.view {
		if isUnitType(f.result) {
			c.errorf(m.file, pos, "view function '%s' must return a value", f.name)
		}
		for i, p := range f.params {
			pt := prune(p)
			if pt == tySigner || (pt.k == tRef && prune(pt.elem) == tySigner) {
				c.errorf(m.file, f.decl.Params[i].Name.Pos, "view function '%s' cannot take a signer", f.name)
			} else if !validTxnArg(p, false) {
				c.errorf(m.file, f.decl.Params[i].Name.Pos, "invalid view function parameter '%s' of type %s", f.pnames[i], pt)
			}
		}
	}
	if f.name == "init_module" {
		ok := f.vis == vm.Private && !f.entry && len(f.tparams) == 0 && isUnitType(f.result) && len(f.params) == 1
		if ok {
			pt := prune(f.params[0])
			ok = pt == tySigner || (pt.k == tRef && !pt.mut && prune(pt.elem) == tySigner)
		}
		if !ok {
			c.errorf(m.file, pos, "init_module must be private, take one signer or &signer, and return nothing")
		}
	}
}

var _ = big.NewInt
