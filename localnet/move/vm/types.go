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

// types interns Type values.
type typeTable struct {
	mu sync.RWMutex
	m  map[string]*Type
}

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
	key := typeKey(t)
	tt.mu.RLock()
	if x, ok := tt.m[key]; ok {
		tt.mu.RUnlock()
		return x
	}
	tt.mu.RUnlock()
	tt.mu.Lock()
	defer tt.mu.Unlock()
	if x, ok := tt.m[key]; ok {
		return x
	}
	if tt.m == nil {
		tt.m = map[string]*Type{}
	}
	t.tag = formatType(t)
	t.open = isOpen(t)
	tt.m[key] = t
	return t
}

// typeKey is unique per type; it differs from the tag for type parameters.
func typeKey(t *Type) string {
	var b strings.Builder
	writeKey(&b, t)
	return b.String()
}

func writeKey(b *strings.Builder, t *Type) {
	switch t.Kind {
	case KVector:
		b.WriteString("vector<")
		writeKey(b, t.Elem)
		b.WriteByte('>')
	case KRef:
		b.WriteByte('&')
		writeKey(b, t.Elem)
	case KMutRef:
		b.WriteString("&mut ")
		writeKey(b, t.Elem)
	case KParam:
		b.WriteString("$")
		b.WriteString(itoa(t.Param))
	case KStruct:
		b.WriteString(t.Struct.Module.Addr.Long())
		b.WriteString("::")
		b.WriteString(t.Struct.Module.Name)
		b.WriteString("::")
		b.WriteString(t.Struct.Name)
		if len(t.Args) > 0 {
			b.WriteByte('<')
			for i, a := range t.Args {
				if i > 0 {
					b.WriteByte(',')
				}
				writeKey(b, a)
			}
			b.WriteByte('>')
		}
	case KFunction:
		b.WriteByte('|')
		for i, a := range t.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			writeKey(b, a)
		}
		b.WriteByte('|')
		for i, a := range t.Result {
			if i > 0 {
				b.WriteByte(',')
			}
			writeKey(b, a)
		}
		b.WriteString("/" + itoa(int(t.Ab)))
	default:
		b.WriteString(primTypes[t.Kind].tag)
	}
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
	switch t.Kind {
	case KParam:
		if t.Param < len(args) {
			return args[t.Param]
		}
		return t
	case KVector:
		return ts.Vector(ts.Subst(t.Elem, args))
	case KRef, KMutRef:
		return ts.Ref(ts.Subst(t.Elem, args), t.Kind == KMutRef)
	case KStruct:
		return ts.Struct(t.Struct, ts.SubstAll(t.Args, args))
	case KFunction:
		return ts.Function(ts.SubstAll(t.Args, args), ts.SubstAll(t.Result, args), t.Ab)
	}
	return t
}

// SubstAll substitutes in every type of a list.
func (ts *Types) SubstAll(list []*Type, args []*Type) []*Type {
	if len(list) == 0 {
		return list
	}
	out := make([]*Type, len(list))
	for i, t := range list {
		out[i] = ts.Subst(t, args)
	}
	return out
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
		out[i] = ts.Subst(f.Type, t.Args)
	}
	return out
}
