// Package natives implements the native functions of the Move standard
// library (std::vector, signer, bcs, hash, string, mem, cmp, unit_test) and
// the reflection and debugging natives of aptos_std (type_info,
// string_utils, debug, from_bcs). The framework's own natives register
// alongside them through vm.Natives.
package natives

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha3"
	"strings"
	"unicode/utf8"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

var one = vm.AddressFromU64(1)

// Std returns a registry holding the standard natives.
func Std() *vm.Natives {
	n := vm.NewNatives()
	RegisterStd(n)
	return n
}

// RegisterStd adds the standard natives to n.
func RegisterStd(n *vm.Natives) {
	n.RegisterAll(one, "vector", map[string]vm.NativeFunc{
		"empty":         vecEmpty,
		"length":        vecLength,
		"borrow":        vecBorrow,
		"borrow_mut":    vecBorrow,
		"push_back":     vecPushBack,
		"pop_back":      vecPopBack,
		"destroy_empty": vecDestroyEmpty,
		"swap":          vecSwap,
		"move_range":    vecMoveRange,
	})
	n.Register(one, "signer", "borrow_address", signerBorrowAddress)
	n.RegisterAll(one, "bcs", map[string]vm.NativeFunc{
		"to_bytes":                 bcsToBytes,
		"serialized_size":          bcsSerializedSize,
		"constant_serialized_size": bcsConstantSize,
	})
	n.RegisterAll(one, "hash", map[string]vm.NativeFunc{
		"sha2_256": hashFn(func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }),
		"sha3_256": hashFn(func(b []byte) []byte { s := sha3.Sum256(b); return s[:] }),
	})
	n.RegisterAll(one, "string", map[string]vm.NativeFunc{
		"internal_check_utf8":       strCheckUTF8,
		"internal_is_char_boundary": strIsCharBoundary,
		"internal_sub_string":       strSubString,
		"internal_index_of":         strIndexOf,
	})
	n.Register(one, "mem", "swap", memSwap)
	n.Register(one, "reflect", "native_resolve", reflectResolve)
	n.Register(one, "cmp", "compare", cmpCompare)
	n.Register(one, "unit_test", "create_signers_for_testing", createSigners)
	n.RegisterAll(one, "type_info", map[string]vm.NativeFunc{
		"type_of":           typeOf,
		"type_name":         typeName,
		"chain_id_internal": chainID,
	})
	n.RegisterAll(one, "string_utils", map[string]vm.NativeFunc{
		"native_format":      nativeFormat,
		"native_format_list": nativeFormatList,
	})
	n.RegisterAll(one, "debug", map[string]vm.NativeFunc{
		"native_print":       debugPrint,
		"native_stack_trace": debugStackTrace,
	})
	n.Register(one, "from_bcs", "from_bytes", fromBytes)
	// Natives of Aptos framework modules beyond the subset in
	// localnet/framework, for packages that bring those modules.
	n.Register(one, "util", "from_bytes", fromBytes)
	n.RegisterAll(one, "permissioned_signer", map[string]vm.NativeFunc{
		"is_permissioned_signer_impl": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.Bool(a[0].Deref().AsSigner().Permissioned)}, nil
		},
		"permission_address": func(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			s := a[0].Deref().AsSigner()
			if !s.Permissioned {
				return nil, ctx.Abort(0x30001)
			}
			return []vm.Value{vm.Addr(s.PermAddr)}, nil
		},
		"signer_from_permissioned_handle_impl": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return []vm.Value{{P: &vm.Signer{Addr: a[0].AsAddress(), Permissioned: true, PermAddr: a[1].AsAddress()}}}, nil
		},
	})
	registerDispatch(n)
	n.Register(one, "function_info", "is_identifier", func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		return []vm.Value{vm.Bool(validIdent(string(a[0].Deref().AsBytes())))}, nil
	})
}

func vecErr(sub uint64) error {
	return &vm.ExecError{Status: vm.VectorOperationError, Sub: sub, HasSub: true}
}

func vecEmpty(_ *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.VectorOf(nil)}, nil
}

func vecLength(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.U64(uint64(len(a[0].Deref().AsVector().Elems)))}, nil
}

func vecBorrow(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	v := a[0].Deref().AsVector()
	i := a[1].AsU64()
	if i >= uint64(len(v.Elems)) {
		return nil, vecErr(vm.VecIndexOutOfBounds)
	}
	return []vm.Value{vm.RefTo(&v.Elems[i])}, nil
}

func vecPushBack(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	v := a[0].Deref().AsVector()
	v.Elems = append(v.Elems, a[1])
	return nil, nil
}

func vecPopBack(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	v := a[0].Deref().AsVector()
	n := len(v.Elems)
	if n == 0 {
		return nil, vecErr(vm.VecPopEmpty)
	}
	e := v.Elems[n-1]
	v.Elems = v.Elems[:n-1]
	return []vm.Value{e}, nil
}

func vecDestroyEmpty(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	if len(a[0].AsVector().Elems) != 0 {
		return nil, vecErr(vm.VecUnpackMismatch)
	}
	return nil, nil
}

func vecSwap(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	v := a[0].Deref().AsVector()
	i, j := a[1].AsU64(), a[2].AsU64()
	n := uint64(len(v.Elems))
	if i >= n || j >= n {
		return nil, vecErr(vm.VecIndexOutOfBounds)
	}
	v.Elems[i], v.Elems[j] = v.Elems[j], v.Elems[i]
	return nil, nil
}

// vecMoveRange moves `length` elements of `from` starting at
// `removal_position` into `to` at `insert_position`.
func vecMoveRange(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	from := a[0].Deref().AsVector()
	rp, length := a[1].AsU64(), a[2].AsU64()
	to := a[3].Deref().AsVector()
	ip := a[4].AsU64()
	if rp > uint64(len(from.Elems)) || length > uint64(len(from.Elems))-rp || ip > uint64(len(to.Elems)) {
		return nil, vecErr(vm.VecIndexOutOfBounds)
	}
	if err := ctx.Charge(length); err != nil {
		return nil, err
	}
	if from == to {
		moved := append([]vm.Value(nil), from.Elems[rp:rp+length]...)
		from.Elems = append(from.Elems[:rp], from.Elems[rp+length:]...)
		rest := append(moved, to.Elems[ip:]...)
		to.Elems = append(to.Elems[:ip], rest...)
		return nil, nil
	}
	// In place: open a gap of length at ip in to, copy the range into it,
	// then close the range in from (vector::append moves a whole vector to
	// the end of another, and must not allocate more than the growth).
	n := int(length)
	src := from.Elems[rp : rp+length]
	tail := len(to.Elems) - int(ip)
	to.Elems = ctx.Grow(to.Elems, n)[:len(to.Elems)+n]
	copy(to.Elems[int(ip)+n:], to.Elems[ip:int(ip)+tail])
	copy(to.Elems[ip:], src)
	end := copy(from.Elems[rp:], from.Elems[rp+length:]) + int(rp)
	clear(from.Elems[end:])
	from.Elems = from.Elems[:end]
	return nil, nil
}

func signerBorrowAddress(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	s := a[0].Deref().AsSigner()
	loc := vm.Addr(s.Addr)
	return []vm.Value{vm.RefTo(&loc)}, nil
}

// nfeBCSSerializationFailure is the abort code of std::bcs natives for a
// value without a BCS form.
const nfeBCSSerializationFailure = 453

func bcsToBytes(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	b, err := ctx.Serialize(ty[0], *a[0].Deref())
	if err == vm.ErrNotSerializable {
		return nil, ctx.Abort(nfeBCSSerializationFailure)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Charge(uint64(len(b)) / 16); err != nil {
		return nil, err
	}
	return []vm.Value{ctx.Bytes(b)}, nil
}

func bcsSerializedSize(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	b, err := ctx.Serialize(ty[0], *a[0].Deref())
	if err == vm.ErrNotSerializable {
		return nil, ctx.Abort(nfeBCSSerializationFailure)
	}
	if err != nil {
		return nil, err
	}
	return []vm.Value{vm.U64(uint64(len(b)))}, nil
}

// constantSize returns the serialized size of every value of t, if fixed.
func constantSize(p *vm.Program, t *vm.Type) (uint64, bool) {
	switch t.Kind {
	case vm.KBool, vm.KU8, vm.KI8:
		return 1, true
	case vm.KU16, vm.KI16:
		return 2, true
	case vm.KU32, vm.KI32:
		return 4, true
	case vm.KU64, vm.KI64:
		return 8, true
	case vm.KU128, vm.KI128:
		return 16, true
	case vm.KU256, vm.KI256, vm.KAddress:
		return 32, true
	case vm.KSigner:
		return 32, true
	case vm.KStruct:
		if t.Struct.IsEnum {
			return 0, false
		}
		if len(t.Struct.Fields) == 0 {
			return 1, true
		}
		var total uint64
		for _, ft := range p.FieldTypes(t, 0) {
			n, ok := constantSize(p, ft)
			if !ok {
				return 0, false
			}
			total += n
		}
		return total, true
	}
	return 0, false
}

// optionValue builds an Option<T> value for the program's std::option layout.
func optionValue(p *vm.Program, v *vm.Value) vm.Value {
	def := p.LookupStruct(one, "option", "Option")
	if def != nil && def.IsEnum {
		if v == nil {
			return vm.VariantOf(0)
		}
		return vm.VariantOf(1, *v)
	}
	if v == nil {
		return vm.StructOf(vm.VectorOf(nil))
	}
	return vm.StructOf(vm.VectorOf([]vm.Value{*v}))
}

func bcsConstantSize(ctx *vm.NativeContext, ty []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	n, ok := constantSize(ctx.Program(), ty[0])
	if !ok {
		return []vm.Value{optionValue(ctx.Program(), nil)}, nil
	}
	v := vm.U64(n)
	return []vm.Value{optionValue(ctx.Program(), &v)}, nil
}

func hashFn(h func([]byte) []byte) vm.NativeFunc {
	return func(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		data := a[0].AsBytes()
		if err := ctx.Charge(uint64(len(data)) / 64); err != nil {
			return nil, err
		}
		return []vm.Value{ctx.Bytes(h(data))}, nil
	}
}

func strCheckUTF8(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.Bool(utf8.Valid(a[0].Deref().AsBytes()))}, nil
}

func strIsCharBoundary(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	b := a[0].Deref().AsBytes()
	i := a[1].AsU64()
	ok := i == uint64(len(b)) || (i < uint64(len(b)) && utf8.RuneStart(b[i]))
	return []vm.Value{vm.Bool(ok)}, nil
}

func strSubString(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	b := a[0].Deref().AsBytes()
	i, j := a[1].AsU64(), a[2].AsU64()
	if i > j || j > uint64(len(b)) {
		return nil, &vm.ExecError{Status: vm.Aborted, Sub: 2, HasSub: true}
	}
	return []vm.Value{vm.Bytes(b[i:j])}, nil
}

func strIndexOf(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	b := a[0].Deref().AsBytes()
	r := a[1].Deref().AsBytes()
	i := bytes.Index(b, r)
	if i < 0 {
		i = len(b)
	}
	return []vm.Value{vm.U64(uint64(i))}, nil
}

func memSwap(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	x, y := a[0].Deref(), a[1].Deref()
	*x, *y = *y, *x
	return nil, nil
}

func cmpCompare(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	c := ctx.Program().CompareTyped(ty[0], *a[0].Deref(), *a[1].Deref())
	return []vm.Value{vm.VariantOf(c + 1)}, nil
}

// createSigners makes n signers at deterministic addresses, as the unit
// test framework does.
func createSigners(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	n := a[0].AsU64()
	if n > 1<<16 {
		return nil, ctx.Abort(1)
	}
	out := make([]vm.Value, n)
	for i := range out {
		var addr vm.Address
		copy(addr[:], sha3Seed(uint64(i)))
		out[i] = vm.SignerValue(addr)
	}
	return []vm.Value{vm.VectorOf(out)}, nil
}

func sha3Seed(i uint64) []byte {
	var b [8]byte
	for k := 0; k < 8; k++ {
		b[k] = byte(i >> (8 * k))
	}
	s := sha3.Sum256(append([]byte("unit-test-signer"), b[:]...))
	return s[:]
}

func chainID(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	id := ctx.Txn().ChainID
	if id == 0 {
		id = 4
	}
	return []vm.Value{vm.U64(uint64(id))}, nil
}

func typeName(_ *vm.NativeContext, ty []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.StructOf(vm.Bytes([]byte(ty[0].String())))}, nil
}

func typeOf(ctx *vm.NativeContext, ty []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	t := ty[0]
	if t.Kind != vm.KStruct {
		return nil, ctx.Abort(1)
	}
	name := t.Struct.Name
	if len(t.Args) > 0 {
		// The tag is the struct's full name followed by its arguments.
		full := t.String()
		name += full[strings.IndexByte(full, '<'):]
	}
	return []vm.Value{ctx.StructOf(ctx.Addr(t.Struct.Module.Addr), ctx.Bytes([]byte(t.Struct.Module.Name)), ctx.Bytes([]byte(name)))}, nil
}

func fromBytes(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	v, err := ctx.Deserialize(ty[0], a[0].AsBytes())
	if err != nil {
		return nil, ctx.Abort(0x10001)
	}
	return []vm.Value{v}, nil
}

func debugPrint(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	ctx.Print(string(a[0].AsStruct().Fields[0].AsBytes()))
	return nil, nil
}

func debugStackTrace(_ *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.StructOf(vm.Bytes(nil))}, nil
}
