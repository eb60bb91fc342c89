package check

import (
	"strings"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

type tkind uint8

const (
	tVar tkind = iota
	tPrim
	tVec
	tStruct
	tRef
	tParam
	tTuple
	tFun
	tNever
	tErr // after an error, unifies with anything silently
)

// cty is a type during checking: a vm type shape plus inference variables.
type cty struct {
	k     tkind
	prim  vm.Kind
	elem  *cty // vector element, referenced type
	mut   bool // &mut
	sdef  *structInfo
	args  []*cty // struct args, tuple elems, fun params
	res   *cty   // fun result (tuple for several)
	ab    vm.Ability
	param int    // tParam index
	owner any    // tParam: *funInfo or *structInfo declaring it
	pname string // tParam name
	// variables
	bound   *cty
	intOnly bool
	id      int
}

var (
	tyBool    = &cty{k: tPrim, prim: vm.KBool}
	tyU8      = &cty{k: tPrim, prim: vm.KU8}
	tyU16     = &cty{k: tPrim, prim: vm.KU16}
	tyU32     = &cty{k: tPrim, prim: vm.KU32}
	tyU64     = &cty{k: tPrim, prim: vm.KU64}
	tyU128    = &cty{k: tPrim, prim: vm.KU128}
	tyU256    = &cty{k: tPrim, prim: vm.KU256}
	tyAddress = &cty{k: tPrim, prim: vm.KAddress}
	tySigner  = &cty{k: tPrim, prim: vm.KSigner}
	tyI8      = &cty{k: tPrim, prim: vm.KI8}
	tyI16     = &cty{k: tPrim, prim: vm.KI16}
	tyI32     = &cty{k: tPrim, prim: vm.KI32}
	tyI64     = &cty{k: tPrim, prim: vm.KI64}
	tyI128    = &cty{k: tPrim, prim: vm.KI128}
	tyI256    = &cty{k: tPrim, prim: vm.KI256}
	tyUnit    = &cty{k: tTuple}
	tyNever   = &cty{k: tNever}
	tyErr     = &cty{k: tErr}
)

var primByKind = map[vm.Kind]*cty{
	vm.KBool: tyBool, vm.KU8: tyU8, vm.KU16: tyU16, vm.KU32: tyU32, vm.KU64: tyU64,
	vm.KU128: tyU128, vm.KU256: tyU256, vm.KAddress: tyAddress, vm.KSigner: tySigner,
	vm.KI8: tyI8, vm.KI16: tyI16, vm.KI32: tyI32, vm.KI64: tyI64, vm.KI128: tyI128, vm.KI256: tyI256,
}

var primByName = map[string]*cty{
	"bool": tyBool, "u8": tyU8, "u16": tyU16, "u32": tyU32, "u64": tyU64, "u128": tyU128,
	"u256": tyU256, "address": tyAddress, "signer": tySigner,
	"i8": tyI8, "i16": tyI16, "i32": tyI32, "i64": tyI64, "i128": tyI128, "i256": tyI256,
}

func vecOf(e *cty) *cty           { return &cty{k: tVec, elem: e} }
func refOf(e *cty, mut bool) *cty { return &cty{k: tRef, elem: e, mut: mut} }
func tupleOf(ts []*cty) *cty {
	if len(ts) == 1 {
		return ts[0]
	}
	return &cty{k: tTuple, args: ts}
}

// prune follows bound variables.
func prune(t *cty) *cty {
	if t.k != tVar || t.bound == nil {
		return t
	}
	r := t.bound
	for r.k == tVar && r.bound != nil {
		r = r.bound
	}
	// path compression: long chains of bound variables (a sum of many
	// terms) would otherwise make checking quadratic
	for t != r {
		next := t.bound
		t.bound = r
		t = next
	}
	return r
}

func (t *cty) isUnit() bool {
	t = prune(t)
	return t.k == tTuple && len(t.args) == 0
}

func (t *cty) isInt() bool {
	t = prune(t)
	return (t.k == tPrim && t.prim.IsInteger()) || (t.k == tVar && t.intOnly)
}

func (t *cty) isSigned() bool {
	t = prune(t)
	return t.k == tPrim && t.prim.IsSigned()
}

func (t *cty) String() string {
	t = prune(t)
	switch t.k {
	case tVar:
		if t.intOnly {
			return "integer"
		}
		return "_"
	case tPrim:
		return vm.Prim(t.prim).String()
	case tVec:
		return "vector<" + t.elem.String() + ">"
	case tRef:
		if t.mut {
			return "&mut " + t.elem.String()
		}
		return "&" + t.elem.String()
	case tParam:
		return t.pname
	case tTuple:
		parts := make([]string, len(t.args))
		for i, a := range t.args {
			parts[i] = a.String()
		}
		return "(" + strings.Join(parts, ", ") + ")"
	case tStruct:
		s := t.sdef.mod.id.String() + "::" + t.sdef.name
		if len(t.args) > 0 {
			parts := make([]string, len(t.args))
			for i, a := range t.args {
				parts[i] = a.String()
			}
			s += "<" + strings.Join(parts, ", ") + ">"
		}
		return s
	case tFun:
		parts := make([]string, len(t.args))
		for i, a := range t.args {
			parts[i] = a.String()
		}
		s := "|" + strings.Join(parts, ", ") + "|"
		if t.res != nil && !t.res.isUnit() {
			s += t.res.String()
		}
		if t.ab != 0 {
			s += " has " + t.ab.String()
		}
		return s
	case tNever:
		return "<never>"
	}
	return "<error>"
}

// occurs reports whether variable v appears in t.
func occurs(v, t *cty) bool {
	t = prune(t)
	if t == v {
		return true
	}
	if t.elem != nil && occurs(v, t.elem) {
		return true
	}
	for _, a := range t.args {
		if occurs(v, a) {
			return true
		}
	}
	return t.res != nil && occurs(v, t.res)
}

// unify makes a and b equal, binding variables; false when impossible.
func unify(a, b *cty) bool {
	a, b = prune(a), prune(b)
	if a == b {
		return true
	}
	if a.k == tErr || b.k == tErr || a.k == tNever || b.k == tNever {
		return true
	}
	if a.k == tVar {
		return bindVar(a, b)
	}
	if b.k == tVar {
		return bindVar(b, a)
	}
	if a.k != b.k {
		return false
	}
	switch a.k {
	case tPrim:
		return a.prim == b.prim
	case tVec:
		return unify(a.elem, b.elem)
	case tRef:
		return a.mut == b.mut && unify(a.elem, b.elem)
	case tParam:
		return a.param == b.param && a.owner == b.owner
	case tStruct:
		if a.sdef != b.sdef || len(a.args) != len(b.args) {
			return false
		}
		for i := range a.args {
			if !unify(a.args[i], b.args[i]) {
				return false
			}
		}
		return true
	case tTuple, tFun:
		if len(a.args) != len(b.args) {
			return false
		}
		for i := range a.args {
			if !unify(a.args[i], b.args[i]) {
				return false
			}
		}
		if a.k == tFun {
			return unify(a.res, b.res)
		}
		return true
	case tNever:
		return true
	}
	return false
}

func bindVar(v, t *cty) bool {
	if t.k == tNever {
		return true // a diverging expression fits any type
	}
	if t.k == tVar {
		if v.intOnly {
			t.intOnly = true
		}
		v.bound = t
		return true
	}
	if v.intOnly && !(t.k == tPrim && t.prim.IsInteger()) {
		return false
	}
	if occurs(v, t) {
		return false
	}
	v.bound = t
	return true
}

// abilities computes the abilities of a type; type parameters use their
// constraints. Unresolved variables are assumed to have all abilities
// (they are checked again after inference).
func abilities(t *cty) vm.Ability {
	t = prune(t)
	switch t.k {
	case tPrim:
		return vm.Prim(t.prim).Abilities()
	case tVec:
		return abilities(t.elem) &^ vm.Key
	case tRef:
		return vm.Copy | vm.Drop
	case tParam:
		return t.ab
	case tFun:
		return t.ab
	case tStruct:
		ab := t.sdef.abilities
		for i, a := range t.args {
			if i < len(t.sdef.tparams) && t.sdef.tparams[i].Phantom {
				continue
			}
			aa := abilities(a)
			if aa&vm.Copy == 0 {
				ab &^= vm.Copy
			}
			if aa&vm.Drop == 0 {
				ab &^= vm.Drop
			}
			if aa&vm.Store == 0 {
				ab &^= vm.Store | vm.Key
			}
		}
		return ab
	case tTuple:
		ab := vm.Copy | vm.Drop
		for _, a := range t.args {
			ab &= abilities(a)
		}
		return ab
	case tVar, tNever, tErr:
		return vm.AllAbilities
	}
	return 0
}

// subst replaces type parameters owned by owner with args.
func subst(t *cty, owner any, args []*cty) *cty {
	t = prune(t)
	switch t.k {
	case tParam:
		if t.owner == owner && t.param < len(args) {
			return args[t.param]
		}
		return t
	case tVec:
		return vecOf(subst(t.elem, owner, args))
	case tRef:
		return refOf(subst(t.elem, owner, args), t.mut)
	case tStruct, tTuple, tFun:
		if len(t.args) == 0 && t.res == nil {
			return t
		}
		n := *t
		n.args = make([]*cty, len(t.args))
		for i, a := range t.args {
			n.args[i] = subst(a, owner, args)
		}
		if t.res != nil {
			n.res = subst(t.res, owner, args)
		}
		return &n
	}
	return t
}

// resolved reports whether t has no unbound variables.
func resolved(t *cty) bool {
	t = prune(t)
	switch t.k {
	case tVar:
		return false
	case tVec, tRef:
		return resolved(t.elem)
	}
	for _, a := range t.args {
		if !resolved(a) {
			return false
		}
	}
	if t.res != nil {
		return resolved(t.res)
	}
	return true
}

// defaultInts binds integer-literal variables left open to u64.
func defaultInts(t *cty) {
	t = prune(t)
	switch t.k {
	case tVar:
		if t.intOnly {
			t.bound = tyU64
		}
	case tVec, tRef:
		defaultInts(t.elem)
	}
	for _, a := range t.args {
		defaultInts(a)
	}
	if t.res != nil {
		defaultInts(t.res)
	}
}
