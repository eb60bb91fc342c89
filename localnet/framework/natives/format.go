package natives

import (
	"encoding/hex"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Error codes of aptos_std::string_utils.
const (
	fmtArgsMismatch  = 1
	fmtInvalidFormat = 2
)

// formatter renders Move values the way aptos_std::string_utils does.
type formatter struct {
	prog          *vm.Program
	typeTag       bool // structs print their full type tag, not just the name
	canonicalize  bool // addresses in 64-digit form
	singleLine    bool
	includeIntTys bool // integers get their type as suffix: 5u64
	out           strings.Builder
}

var intSuffix = map[vm.Kind]string{vm.KU8: "u8", vm.KU16: "u16", vm.KU32: "u32", vm.KU64: "u64", vm.KU128: "u128", vm.KU256: "u256",
	vm.KI8: "i8", vm.KI16: "i16", vm.KI32: "i32", vm.KI64: "i64", vm.KI128: "i128", vm.KI256: "i256"}

func (f *formatter) address(a vm.Address) string {
	if f.canonicalize {
		return hex.EncodeToString(a[:])
	}
	return a.String()
}

// separator starts a new element: a space, or a newline indented to depth.
func (f *formatter) separator(newline bool, depth int) {
	if !newline {
		f.out.WriteByte(' ')
		return
	}
	f.out.WriteByte('\n')
	for i := 0; i < depth; i++ {
		f.out.WriteString("  ")
	}
}

type element struct {
	name string // field name, empty for vector elements
	t    *vm.Type
	v    vm.Value
}

func (f *formatter) elements(elems []element, depth int, newline bool) {
	if len(elems) == 0 {
		return
	}
	f.separator(newline, depth+1)
	for i, e := range elems {
		if i > 0 {
			f.out.WriteByte(',')
			f.separator(newline, depth+1)
		}
		if e.name != "" {
			f.out.WriteString(e.name + ": ")
		}
		f.value(e.t, e.v, depth+1)
	}
	f.separator(newline, depth)
}

func (f *formatter) value(t *vm.Type, v vm.Value, depth int) {
	switch t.Kind {
	case vm.KBool:
		f.out.WriteString(strconv.FormatBool(v.AsBool()))
	case vm.KU8, vm.KU16, vm.KU32, vm.KU64:
		f.out.WriteString(strconv.FormatUint(v.AsU64(), 10))
	case vm.KU128, vm.KU256:
		f.out.WriteString(v.AsBig().String())
	case vm.KI8, vm.KI16, vm.KI32, vm.KI64, vm.KI128, vm.KI256:
		f.out.WriteString(vm.SignedBig(v, t.Kind).String())
	case vm.KAddress:
		f.out.WriteString("@" + f.address(v.AsAddress()))
	case vm.KSigner:
		f.out.WriteString("signer(@" + f.address(v.AsSigner().Addr) + ")")
	case vm.KVector:
		if t.Elem.Kind == vm.KU8 {
			f.out.WriteString("0x" + hex.EncodeToString(v.AsBytes()))
			return
		}
		vec := v.AsVector().Elems
		elems := make([]element, len(vec))
		for i := range vec {
			elems[i] = element{t: t.Elem, v: vec[i]}
		}
		primitive := t.Elem.Kind != vm.KVector && t.Elem.Kind != vm.KStruct
		f.out.WriteByte('[')
		f.elements(elems, depth, !f.singleLine && !primitive)
		f.out.WriteByte(']')
		return
	case vm.KStruct:
		f.structValue(t, v, depth)
		return
	case vm.KFunction:
		f.closure(v.P.(*vm.Closure), depth)
		return
	default:
		f.out.WriteString("<" + t.String() + ">")
	}
	if f.includeIntTys {
		f.out.WriteString(intSuffix[t.Kind])
	}
}

func (f *formatter) structValue(t *vm.Type, v vm.Value, depth int) {
	def := t.Struct
	s := v.AsStruct()
	switch def.FullName() {
	case "0x1::string::String":
		b := string(s.Fields[0].AsBytes())
		b = strings.ReplaceAll(b, `\`, `\\`)
		f.out.WriteString(`"` + strings.ReplaceAll(b, `"`, `\"`) + `"`)
		return
	case "0x1::option::Option":
		// A struct holding a vector here; an enum (None, Some { e }) in
		// current mainnet sources. Both print the same.
		var some *vm.Value
		if def.IsEnum {
			if def.Variants[s.Variant].Name == "Some" {
				some = &s.Fields[0]
			}
		} else if vec := s.Fields[0].AsVector().Elems; len(vec) > 0 {
			some = &vec[0]
		}
		if some == nil {
			f.out.WriteString("None")
			return
		}
		f.out.WriteString("Some(")
		f.value(t.Args[0], *some, depth)
		f.out.WriteByte(')')
		return
	}
	fields := def.Fields
	if def.IsEnum {
		variant := def.Variants[s.Variant]
		fields = variant.Fields
		f.out.WriteString(variant.Name + "{")
	} else if f.typeTag {
		f.out.WriteString(t.String() + " {")
	} else {
		f.out.WriteString(def.Name + " {")
	}
	elems := make([]element, len(fields))
	for i, fd := range fields {
		elems[i] = element{name: fd.Name, t: f.prog.Subst(fd.Type, t.Args), v: s.Fields[i]}
	}
	if len(fields) == 0 && !def.IsEnum {
		// The Move compiler gives a struct without fields one boolean
		// field, which Aptos prints.
		elems = []element{{name: "dummy_field", t: vm.TBool, v: vm.Bool(false)}}
	}
	f.elements(elems, depth, !f.singleLine)
	f.out.WriteByte('}')
}

// closure prints a function value as Aptos does: the function, then its
// captured arguments in parameter order with `_` for the ones the caller
// supplies, and `..` for the rest.
func (f *formatter) closure(c *vm.Closure, depth int) {
	f.out.WriteString(c.Fn.QualifiedName())
	if len(c.TyArgs) > 0 {
		names := make([]string, len(c.TyArgs))
		for i, t := range c.TyArgs {
			names[i] = t.String()
		}
		f.out.WriteString("<" + strings.Join(names, ", ") + ">")
	}
	f.out.WriteByte('(')
	if len(c.Captured) > 0 {
		params := c.Fn.Params
		next := 0
		i := 0
		for mask := c.Mask; mask != 0; mask >>= 1 {
			if i > 0 {
				f.out.WriteByte(',')
				f.separator(!f.singleLine, depth+1)
			}
			if mask&1 != 0 && next < len(c.Captured) {
				pt := params[i]
				if len(c.TyArgs) > 0 {
					pt = f.prog.Subst(pt, c.TyArgs)
				}
				f.value(pt, c.Captured[next], depth+1)
				next++
			} else {
				f.out.WriteByte('_')
			}
			i++
		}
		f.out.WriteByte(',')
		f.separator(!f.singleLine, depth+1)
		f.out.WriteString("..")
	}
	f.out.WriteByte(')')
}

// native_format(s: &T, type_tag, canonicalize, single_line, include_int_types): String
func nativeFormat(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	f := &formatter{
		prog:          c.Program(),
		typeTag:       a[1].AsBool(),
		canonicalize:  a[2].AsBool(),
		singleLine:    a[3].AsBool(),
		includeIntTys: a[4].AsBool(),
	}
	f.value(t[0], *a[0].Deref(), 0)
	return one(stringValue(f.out.String()))
}

// native_format_list(fmt: &vector<u8>, val: &Cons<..>): String — each `{}`
// takes the next list element; `{{` and `}}` stand for braces.
func nativeFormatList(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	format := a[0].Deref().AsBytes()
	list, listTy := *a[1].Deref(), t[0]
	isList := func(ty *vm.Type, name string) bool {
		return ty.Kind == vm.KStruct && ty.Struct.Module == vm.ModuleID{Addr: core, Name: "string_utils"} && ty.Struct.Name == name
	}
	f := &formatter{prog: c.Program(), typeTag: true, singleLine: true}
	if !utf8.Valid(format) {
		return nil, c.Abort(fmtInvalidFormat)
	}
	state := 0 // 1 after '{', -1 after '}'
	for _, ch := range string(format) {
		switch {
		case state == 1:
			state = 0
			if ch == '}' {
				if !isList(listTy, "Cons") {
					return nil, c.Abort(fmtArgsMismatch)
				}
				cell := list.AsStruct()
				f.value(listTy.Args[0], cell.Fields[0], 0)
				list, listTy = cell.Fields[1], listTy.Args[1]
				continue
			}
			if ch != '{' {
				return nil, c.Abort(fmtInvalidFormat)
			}
		case state == -1:
			state = 0
			if ch != '}' {
				return nil, c.Abort(fmtInvalidFormat)
			}
		case ch == '{':
			state = 1
			continue
		case ch == '}':
			state = -1
			continue
		}
		f.out.WriteRune(ch)
	}
	if state != 0 {
		return nil, c.Abort(fmtInvalidFormat)
	}
	if !isList(listTy, "NIL") {
		return nil, c.Abort(fmtArgsMismatch)
	}
	return one(stringValue(f.out.String()))
}
