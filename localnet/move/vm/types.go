// Package vm executes checked Move programs: values, types, global storage,
// the bytecode interpreter, gas metering and the native-function registry.
//
// A Program is built once (by package check) from source and is immutable
// afterwards; many executions may share it. Each execution gets a Session
// that reads global state through a Storage and returns a ChangeSet.
package vm

import (
	"encoding/hex"
	"strings"
	"sync"
)

// Address is a 32-byte account address.
type Address [32]byte

// String formats the address in short form: 0x1, 0xcafe.
func (a Address) String() string {
	h := hex.EncodeToString(a[:])
	h = strings.TrimLeft(h, "0")
	if h == "" {
		h = "0"
	}
	return "0x" + h
}

// Long formats the address with all 64 hex digits.
func (a Address) Long() string { return "0x" + hex.EncodeToString(a[:]) }

// IsSpecial reports whether the address is one of 0x0..0xf, which Aptos
// prints in short form in its standard string format.
func (a Address) IsSpecial() bool {
	for _, b := range a[:31] {
		if b != 0 {
			return false
		}
	}
	return a[31] < 16
}

// Standard formats the address as Aptos's standard string: short for
// special addresses, 64 hex digits otherwise.
func (a Address) Standard() string {
	if a.IsSpecial() {
		return a.String()
	}
	return a.Long()
}

// ParseAddress parses "0x..." (or bare hex) into an address.
func ParseAddress(s string) (Address, bool) {
	var a Address
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	s = strings.ReplaceAll(s, "_", "")
	if len(s) == 0 || len(s) > 64 {
		return a, false
	}
	if len(s)%2 == 1 {
		s = "0" + s
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return a, false
	}
	copy(a[32-len(b):], b)
	return a, true
}

// AddressFromU64 returns the address whose last 8 bytes hold x.
func AddressFromU64(x uint64) Address {
	var a Address
	for i := 0; i < 8; i++ {
		a[31-i] = byte(x >> (8 * i))
	}
	return a
}

// Kind is a type's kind.
type Kind uint8

// Type kinds.
const (
	KBool Kind = iota
	KU8
	KU16
	KU32
	KU64
	KU128
	KU256
	KAddress
	KSigner
	KVector
	KStruct
	KRef
	KMutRef
	KParam
	KFunction
	// Signed integers (Move 2.3). i8..i64 live in Value.N, sign-extended
	// two's complement; i128 and i256 in a *U256, two's complement.
	KI8
	KI16
	KI32
	KI64
	KI128
	KI256
)

// IsInt reports whether the kind is an unsigned integer kind.
func (k Kind) IsInt() bool { return k >= KU8 && k <= KU256 }

// IsSigned reports whether the kind is a signed integer kind.
func (k Kind) IsSigned() bool { return k >= KI8 && k <= KI256 }

// IsInteger reports whether the kind is a signed or unsigned integer kind.
func (k Kind) IsInteger() bool { return k.IsInt() || k.IsSigned() }

// Bits is the bit width of an integer kind.
func (k Kind) Bits() uint {
	switch k {
	case KU8, KI8:
		return 8
	case KU16, KI16:
		return 16
	case KU32, KI32:
		return 32
	case KU64, KI64:
		return 64
	case KU128, KI128:
		return 128
	case KU256, KI256:
		return 256
	}
	return 0
}

// isPrim reports whether the kind has a single shared Type.
func (k Kind) isPrim() bool { return k <= KSigner || k.IsSigned() }

// Ability is a bit set of copy, drop, store, key.
type Ability uint8

// Abilities.
const (
	Copy Ability = 1 << iota
	Drop
	Store
	Key
)

// AllAbilities is copy + drop + store + key.
const AllAbilities = Copy | Drop | Store | Key

func (a Ability) String() string {
	var parts []string
	for _, x := range []struct {
		a Ability
		n string
	}{{Copy, "copy"}, {Drop, "drop"}, {Store, "store"}, {Key, "key"}} {
		if a&x.a != 0 {
			parts = append(parts, x.n)
		}
	}
	return strings.Join(parts, " + ")
}

// Type is a runtime type. Types are interned per Program: two equal types
// are the same pointer, so pointer comparison is type equality.
type Type struct {
	Kind   Kind
	Elem   *Type      // vector element, referenced type
	Struct *StructDef // struct or enum
	Args   []*Type    // struct type arguments; function parameter types
	Result []*Type    // function results
	Param  int        // KParam: index of the type parameter
	Ab     Ability    // KFunction: declared abilities
	open   bool       // contains a type parameter
	tag    string     // canonical formatting, computed at interning
}

// Open reports whether the type mentions a type parameter.
func (t *Type) Open() bool { return t.open }

// String formats the type as Aptos formats type tags:
// "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>", "vector<u8>".
func (t *Type) String() string { return t.tag }

// ModuleID names a module.
type ModuleID struct {
	Addr Address
	Name string
}

func (m ModuleID) String() string { return m.Addr.String() + "::" + m.Name }

// FieldDef is a struct field.
type FieldDef struct {
	Name string
	Type *Type // may mention the struct's type parameters (KParam)
}

// VariantDef is an enum variant.
type VariantDef struct {
	Name   string
	Fields []FieldDef
}

// TypeParamDef describes a type parameter.
type TypeParamDef struct {
	Name        string
	Phantom     bool
	Constraints Ability
}

// StructDef is a struct or enum declaration.
type StructDef struct {
	Module     ModuleID
	Name       string
	TypeParams []TypeParamDef
	Abilities  Ability
	IsEnum     bool
	Fields     []FieldDef   // structs
	Variants   []VariantDef // enums
	Native     bool
	// Visibility is the struct's own visibility (Move 2.4 `public struct`);
	// a public struct with copy can be a transaction argument.
	Visibility Visibility
	// Attrs: a few attributes the runtime cares about.
	Event bool
}

// FullName is "0x1::m::S".
func (s *StructDef) FullName() string { return s.Module.String() + "::" + s.Name }

// typeTable interns types and lists of types. Keys are structural (the
// kind, the element, the declaration and the identities of interned
// argument lists), so a lookup builds no string and allocates nothing.
// Substitutions of type parameters are cached by (type or list, argument
// list): a generic call or a global-storage access in generic code costs a
// few map lookups once its instantiation has been seen, instead of
// rebuilding the type.
type typeTable struct {
	mu     sync.RWMutex
	types  map[typeKey]*Type
	lists  map[listKey][]*Type
	subst  map[substKey]*Type
	substL map[substListKey][]*Type
}

// listID is the identity of an interned list: the address of its first
// element (nil for the empty list). Interned lists are never modified and
// live as long as their Program.
type listID = **Type

func idOf(l []*Type) listID {
	if len(l) == 0 {
		return nil
	}
	return &l[0]
}

type typeKey struct {
	kind   Kind
	ab     Ability
	param  int
	elem   *Type
	def    *StructDef
	args   listID
	result listID
}

// listKey keys a list by its length, its first four types and the
// interned list of the others.
type listKey struct {
	n    int
	head [4]*Type
	rest listID
}

// stableList identifies a list that is never modified and lives as long as
// the Program: an interned list, or one a compiled function holds (its
// type-argument lists). Two such lists with the same identity have the
// same contents, so the identity can key caches without a lookup of the
// contents.
type stableList struct {
	p **Type
	n int
}

func stable(l []*Type) stableList {
	if len(l) == 0 {
		return stableList{}
	}
	return stableList{&l[0], len(l)}
}

type substKey struct {
	t    *Type
	args stableList
}

type substListKey struct{ list, args stableList }

var primTypes = func() [KI256 + 1]*Type {
	var out [KI256 + 1]*Type
	names := map[Kind]string{KBool: "bool", KU8: "u8", KU16: "u16", KU32: "u32", KU64: "u64", KU128: "u128", KU256: "u256",
		KAddress: "address", KSigner: "signer", KI8: "i8", KI16: "i16", KI32: "i32", KI64: "i64", KI128: "i128", KI256: "i256"}
	for k, n := range names {
		out[k] = &Type{Kind: k, tag: n}
	}
	return out
}()

// Prim returns the type of a primitive kind (bool, integers, address, signer).
func Prim(k Kind) *Type { return primTypes[k] }

// Convenience primitive types.
var (
	TBool    = primTypes[KBool]
	TU8      = primTypes[KU8]
	TU16     = primTypes[KU16]
	TU32     = primTypes[KU32]
	TU64     = primTypes[KU64]
	TU128    = primTypes[KU128]
	TU256    = primTypes[KU256]
	TAddress = primTypes[KAddress]
	TSigner  = primTypes[KSigner]
)

func (tt *typeTable) intern(t *Type) *Type {
	if t.Kind.isPrim() {
		return primTypes[t.Kind]
	}
	args, res := tt.list(t.Args), tt.list(t.Result)
	key := typeKey{kind: t.Kind, ab: t.Ab, param: t.Param, elem: t.Elem, def: t.Struct, args: idOf(args), result: idOf(res)}
	tt.mu.RLock()
	x, ok := tt.types[key]
	tt.mu.RUnlock()
	if ok {
		return x
	}
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if x, ok := tt.types[key]; ok {
		return x
	}
	if tt.types == nil {
		tt.types = map[typeKey]*Type{}
	}
	// The interned type holds the interned lists, never the caller's.
	t.Args, t.Result = args, res
	t.tag = formatType(t)
	t.open = isOpen(t)
	tt.types[key] = t
	return t
}

// listKeyLocked builds l's key; the lists beyond four types must be
// interned already (ok is false when they are not). tt.mu is held.
func (tt *typeTable) listKeyLocked(l []*Type) (listKey, bool) {
	k := listKey{n: len(l)}
	copy(k.head[:], l)
	if len(l) > len(k.head) {
		rest, ok := tt.lookupListLocked(l[len(k.head):])
		if !ok {
			return k, false
		}
		k.rest = idOf(rest)
	}
	return k, true
}

// lookupListLocked finds the interned copy of l; tt.mu is held.
func (tt *typeTable) lookupListLocked(l []*Type) ([]*Type, bool) {
	if len(l) == 0 {
		return nil, true
	}
	k, ok := tt.listKeyLocked(l)
	if !ok {
		return nil, false
	}
	x, ok := tt.lists[k]
	return x, ok
}

// list returns the interned list equal to l (nil when l is empty).
func (tt *typeTable) list(l []*Type) []*Type {
	if len(l) == 0 {
		return nil
	}
	tt.mu.RLock()
	x, ok := tt.lookupListLocked(l)
	tt.mu.RUnlock()
	if ok {
		return x
	}
	var rest []*Type
	if len(l) > 4 {
		rest = tt.list(l[4:])
	}
	tt.mu.Lock()
	defer tt.mu.Unlock()
	k := listKey{n: len(l), rest: idOf(rest)}
	copy(k.head[:], l)
	if x, ok := tt.lists[k]; ok {
		return x
	}
	if tt.lists == nil {
		tt.lists = map[listKey][]*Type{}
	}
	x = make([]*Type, len(l))
	copy(x, l)
	tt.lists[k] = x
	return x
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	neg := i < 0
	if neg {
		i = -i
	}
	var buf [20]byte
	n := len(buf)
	for i > 0 {
		n--
		buf[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		buf[n] = '-'
	}
	return string(buf[n:])
}

func formatType(t *Type) string {
	switch t.Kind {
	case KVector:
		return "vector<" + t.Elem.String() + ">"
	case KRef:
		return "&" + t.Elem.String()
	case KMutRef:
		return "&mut " + t.Elem.String()
	case KParam:
		return "T" + itoa(t.Param)
	case KStruct:
		s := t.Struct.FullName()
		if len(t.Args) > 0 {
			parts := make([]string, len(t.Args))
			for i, a := range t.Args {
				parts[i] = a.String()
			}
			s += "<" + strings.Join(parts, ", ") + ">"
		}
		return s
	case KFunction:
		parts := make([]string, len(t.Args))
		for i, a := range t.Args {
			parts[i] = a.String()
		}
		s := "|" + strings.Join(parts, ", ") + "|"
		if len(t.Result) == 1 {
			s += t.Result[0].String()
		} else if len(t.Result) > 1 {
			rs := make([]string, len(t.Result))
			for i, a := range t.Result {
				rs[i] = a.String()
			}
			s += "(" + strings.Join(rs, ", ") + ")"
		}
		if t.Ab != 0 {
			s += " has " + t.Ab.String()
		}
		return s
	}
	return primTypes[t.Kind].tag
}

func isOpen(t *Type) bool {
	switch t.Kind {
	case KParam:
		return true
	case KVector, KRef, KMutRef:
		return t.Elem.open
	case KStruct, KFunction:
		for _, a := range t.Args {
			if a.open {
				return true
			}
		}
		for _, a := range t.Result {
			if a.open {
				return true
			}
		}
	}
	return false
}

// Types builds interned types. Every Program has one; types from different
// Programs must not be mixed.
type Types struct{ tt typeTable }

// Vector returns vector<elem>.
func (ts *Types) Vector(elem *Type) *Type { return ts.tt.intern(&Type{Kind: KVector, Elem: elem}) }

// Ref returns &elem or &mut elem.
func (ts *Types) Ref(elem *Type, mut bool) *Type {
	k := KRef
	if mut {
		k = KMutRef
	}
	return ts.tt.intern(&Type{Kind: k, Elem: elem})
}

// Param returns the i-th type parameter.
func (ts *Types) Param(i int) *Type { return ts.tt.intern(&Type{Kind: KParam, Param: i}) }

// Struct returns the instantiation of a struct declaration.
func (ts *Types) Struct(def *StructDef, args []*Type) *Type {
	return ts.tt.intern(&Type{Kind: KStruct, Struct: def, Args: args})
}

// Function returns a function type.
func (ts *Types) Function(params, results []*Type, ab Ability) *Type {
	return ts.tt.intern(&Type{Kind: KFunction, Args: params, Result: results, Ab: ab})
}

// Subst replaces type parameters in t by args.
func (ts *Types) Subst(t *Type, args []*Type) *Type {
	if !t.open {
		return t
	}
	if t.Kind == KParam {
		if t.Param < len(args) {
			return args[t.Param]
		}
		return t
	}
	return ts.substStable(t, ts.tt.list(args))
}

// substStable is Subst for a stable args list (see stableList).
func (ts *Types) substStable(t *Type, args []*Type) *Type {
	if !t.open {
		return t
	}
	if t.Kind == KParam {
		if t.Param < len(args) {
			return args[t.Param]
		}
		return t
	}
	tt := &ts.tt
	key := substKey{t, stable(args)}
	tt.mu.RLock()
	r, ok := tt.subst[key]
	tt.mu.RUnlock()
	if ok {
		return r
	}
	switch t.Kind {
	case KVector:
		r = ts.Vector(ts.substStable(t.Elem, args))
	case KRef, KMutRef:
		r = ts.Ref(ts.substStable(t.Elem, args), t.Kind == KMutRef)
	case KStruct:
		r = ts.Struct(t.Struct, ts.substAllStable(t.Args, args))
	case KFunction:
		r = ts.Function(ts.substAllStable(t.Args, args), ts.substAllStable(t.Result, args), t.Ab)
	default:
		return t
	}
	tt.mu.Lock()
	if tt.subst == nil {
		tt.subst = map[substKey]*Type{}
	}
	tt.subst[key] = r
	tt.mu.Unlock()
	return r
}

// SubstAll substitutes in every type of a list. The result may be shared
// (an interned list, or list itself when nothing in it is open): callers
// must not modify it.
func (ts *Types) SubstAll(list []*Type, args []*Type) []*Type {
	if !anyOpen(list) {
		return list
	}
	return ts.substAllStable(ts.tt.list(list), ts.tt.list(args))
}

func anyOpen(list []*Type) bool {
	for _, t := range list {
		if t.open {
			return true
		}
	}
	return false
}

// substAllStable is SubstAll for stable lists (see stableList); the
// result is interned.
func (ts *Types) substAllStable(list []*Type, args []*Type) []*Type {
	if !anyOpen(list) {
		return list
	}
	tt := &ts.tt
	key := substListKey{stable(list), stable(args)}
	tt.mu.RLock()
	r, ok := tt.substL[key]
	tt.mu.RUnlock()
	if ok {
		return r
	}
	out := make([]*Type, len(list))
	for i, t := range list {
		out[i] = ts.substStable(t, args)
	}
	r = tt.list(out)
	tt.mu.Lock()
	if tt.substL == nil {
		tt.substL = map[substListKey][]*Type{}
	}
	tt.substL[key] = r
	tt.mu.Unlock()
	return r
}

// Abilities computes the abilities of a closed type.
func (t *Type) Abilities() Ability {
	switch t.Kind {
	case KBool, KU8, KU16, KU32, KU64, KU128, KU256, KAddress, KI8, KI16, KI32, KI64, KI128, KI256:
		return Copy | Drop | Store
	case KSigner:
		return Drop
	case KVector:
		return t.Elem.Abilities() &^ Key
	case KRef, KMutRef:
		return Copy | Drop
	case KFunction:
		return t.Ab
	case KStruct:
		ab := t.Struct.Abilities
		for i, a := range t.Args {
			if i < len(t.Struct.TypeParams) && t.Struct.TypeParams[i].Phantom {
				continue
			}
			aa := a.Abilities()
			// key on the struct needs store on the arguments.
			req := ab
			if aa&Copy == 0 {
				req &^= Copy
			}
			if aa&Drop == 0 {
				req &^= Drop
			}
			if aa&Store == 0 {
				req &^= Store | Key
			}
			ab = req
		}
		return ab
	}
	return 0
}

// FieldTypes returns the field types of a struct type (or of one variant of
// an enum), with the type arguments substituted.
func (ts *Types) FieldTypes(t *Type, variant int) []*Type {
	var fields []FieldDef
	if t.Struct.IsEnum {
		fields = t.Struct.Variants[variant].Fields
	} else {
		fields = t.Struct.Fields
	}
	out := make([]*Type, len(fields))
	for i, f := range fields {
		out[i] = ts.substStable(f.Type, t.Args)
	}
	return out
}
