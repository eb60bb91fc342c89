package natives

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

type fmtOpts struct {
	typeTag, canonical, singleLine, intTypes bool
}

// formatValue renders a value as aptos_std::string_utils does.
func formatValue(p *vm.Program, b *strings.Builder, t *vm.Type, v vm.Value, o fmtOpts, indent int) {
	nl := func(depth int) {
		if o.singleLine {
			b.WriteByte(' ')
			return
		}
		b.WriteByte('\n')
		b.WriteString(strings.Repeat("    ", depth))
	}
	switch t.Kind {
	case vm.KBool:
		b.WriteString(strconv.FormatBool(v.AsBool()))
	case vm.KU8, vm.KU16, vm.KU32, vm.KU64:
		b.WriteString(strconv.FormatUint(v.N, 10))
		if o.intTypes {
			b.WriteString(t.String())
		}
	case vm.KI8, vm.KI16, vm.KI32, vm.KI64, vm.KI128, vm.KI256:
		b.WriteString(vm.SignedBig(v, t.Kind).String())
		if o.intTypes {
			b.WriteString(t.String())
		}
	case vm.KU128, vm.KU256:
		b.WriteString(v.AsBig().String())
		if o.intTypes {
			b.WriteString(t.String())
		}
	case vm.KAddress:
		a := v.AsAddress()
		b.WriteByte('@')
		if o.canonical {
			b.WriteString(a.Long()[2:])
		} else {
			b.WriteString(a.String())
		}
	case vm.KSigner:
		a := v.AsSigner().Addr
		b.WriteString("signer(@")
		if o.canonical {
			b.WriteString(a.Long()[2:])
		} else {
			b.WriteString(a.String()[2:])
		}
		b.WriteString(")")
	case vm.KRef, vm.KMutRef:
		formatValue(p, b, t.Elem, *v.Deref(), o, indent)
	case vm.KVector:
		elems := v.AsVector().Elems
		if t.Elem.Kind == vm.KU8 {
			b.WriteString("0x")
			b.WriteString(hex.EncodeToString(v.AsBytes()))
			return
		}
		if len(elems) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, e := range elems {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(indent + 1)
			formatValue(p, b, t.Elem, e, o, indent+1)
		}
		nl(indent)
		b.WriteByte(']')
	case vm.KStruct:
		def := t.Struct
		full := def.FullName()
		if full == "0x1::string::String" {
			b.WriteString(strconv.Quote(string(v.AsStruct().Fields[0].AsBytes())))
			return
		}
		st := v.AsStruct()
		if full == "0x1::option::Option" {
			var inner *vm.Value
			if def.IsEnum {
				if st.Variant == 1 {
					inner = &st.Fields[0]
				}
			} else if e := st.Fields[0].AsVector().Elems; len(e) == 1 {
				inner = &e[0]
			}
			if inner == nil {
				b.WriteString("None")
				return
			}
			b.WriteString("Some(")
			formatValue(p, b, t.Args[0], *inner, o, indent)
			b.WriteString(")")
			return
		}
		if o.typeTag {
			b.WriteString(t.String())
		} else {
			b.WriteString(def.Name)
		}
		var fields []vm.FieldDef
		if def.IsEnum {
			variant := def.Variants[st.Variant]
			b.WriteString("::" + variant.Name)
			fields = variant.Fields
		} else {
			fields = def.Fields
		}
		if len(fields) == 0 {
			if !def.IsEnum {
				b.WriteString(" {}")
			}
			return
		}
		b.WriteString(" {")
		variant := 0
		if def.IsEnum {
			variant = st.Variant
		}
		fts := p.FieldTypes(t, variant)
		for i, f := range fields {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(indent + 1)
			b.WriteString(f.Name)
			b.WriteString(": ")
			formatValue(p, b, fts[i], st.Fields[i], o, indent+1)
		}
		nl(indent)
		b.WriteByte('}')
	default:
		b.WriteString("<function>")
	}
}

func stringValue(s string) vm.Value { return vm.StructOf(vm.Bytes([]byte(s))) }

func nativeFormat(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	o := fmtOpts{typeTag: a[1].AsBool(), canonical: a[2].AsBool(), singleLine: a[3].AsBool(), intTypes: a[4].AsBool()}
	var b strings.Builder
	formatValue(ctx.Program(), &b, ty[0], *a[0].Deref(), o, 0)
	if err := ctx.Charge(uint64(b.Len()) / 16); err != nil {
		return nil, err
	}
	return []vm.Value{stringValue(b.String())}, nil
}

// nativeFormatList fills "{}" placeholders from a Cons list; "{{" and "}}" escape braces.
func nativeFormatList(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	fmtBytes := a[0].Deref().AsBytes()
	t := ty[0]
	v := *a[1].Deref()
	var b strings.Builder
	o := fmtOpts{singleLine: true, typeTag: true}
	for i := 0; i < len(fmtBytes); i++ {
		c := fmtBytes[i]
		switch {
		case c == '{' && i+1 < len(fmtBytes) && fmtBytes[i+1] == '{':
			b.WriteByte('{')
			i++
		case c == '}' && i+1 < len(fmtBytes) && fmtBytes[i+1] == '}':
			b.WriteByte('}')
			i++
		case c == '{' && i+1 < len(fmtBytes) && fmtBytes[i+1] == '}':
			if t.Kind != vm.KStruct || t.Struct.Name != "Cons" {
				return nil, ctx.Abort(1)
			}
			fts := ctx.Program().FieldTypes(t, 0)
			st := v.AsStruct()
			formatValue(ctx.Program(), &b, fts[0], st.Fields[0], o, 0)
			t, v = fts[1], st.Fields[1]
			i++
		case c == '{' || c == '}':
			return nil, ctx.Abort(2)
		default:
			b.WriteByte(c)
		}
	}
	if t.Kind == vm.KStruct && t.Struct.Name == "Cons" {
		return nil, ctx.Abort(1)
	}
	return []vm.Value{stringValue(b.String())}, nil
}
