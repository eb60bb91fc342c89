package natives

import (
	"math/big"
	"strconv"

	fw "github.com/agi-nostr/agi-nostr/localnet/framework/natives"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// RegisterAptos adds the natives of aptos_std and aptos_framework that the
// framework in localnet/framework declares: tables, events, hashes,
// objects, signers, the transaction context and aggregators. The address
// derivations and digests come from localnet/framework/natives.
func RegisterAptos(n *vm.Natives) {
	n.RegisterAll(one, "table", map[string]vm.NativeFunc{
		"new_table_handle":   tableNewHandle,
		"add_box":            tableAdd,
		"borrow_box":         tableBorrow,
		"borrow_box_mut":     tableBorrow,
		"contains_box":       tableContains,
		"remove_box":         tableRemove,
		"destroy_empty_box":  tableNoop,
		"drop_unchecked_box": tableNoop,
	})
	n.RegisterAll(one, "aptos_hash", map[string]vm.NativeFunc{
		"sip_hash":             sipHash,
		"keccak256":            hashFn(fw.Keccak256),
		"sha2_512_internal":    hashFn(fw.SHA2_512),
		"sha3_512_internal":    hashFn(fw.SHA3_512),
		"ripemd160_internal":   hashFn(fw.RIPEMD160),
		"blake2b_256_internal": hashFn(fw.Blake2b256),
	})
	n.RegisterAll(one, "event", map[string]vm.NativeFunc{
		"write_module_event_to_store": eventWriteModule,
		"emitted_events":              eventEmitted,
		"write_to_event_store":        eventWriteHandle,
		"emitted_events_by_handle":    eventEmittedByHandle,
	})
	n.Register(one, "create_signer", "create_signer", func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		return []vm.Value{vm.SignerValue(a[0].AsAddress())}, nil
	})
	n.RegisterAll(one, "object", map[string]vm.NativeFunc{
		"exists_at": func(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			ok, err := ctx.Exists(a[0].AsAddress(), ty[0])
			return []vm.Value{vm.Bool(ok)}, err
		},
		"create_user_derived_object_address_impl": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.Addr(vm.Address(fw.UserDerivedAddress(fw.Address(a[0].AsAddress()), fw.Address(a[1].AsAddress()))))}, nil
		},
	})
	n.RegisterAll(one, "transaction_context", map[string]vm.NativeFunc{
		"get_txn_hash": func(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.Bytes(txnHash(ctx))}, nil
		},
		"generate_unique_address": genUniqueAddress,
		"get_script_hash": func(*vm.NativeContext, []*vm.Type, []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.Bytes(nil)}, nil
		},
		"sender_internal": func(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.Addr(ctx.Txn().Sender)}, nil
		},
		"secondary_signers_internal": secondarySigners,
		"gas_payer_internal":         gasPayer,
		"max_gas_amount_internal": func(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.U64(ctx.Txn().MaxGasAmount)}, nil
		},
		"gas_unit_price_internal": func(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return []vm.Value{vm.U64(ctx.Txn().GasUnitPrice)}, nil
		},
		"chain_id_internal":               chainID,
		"entry_function_payload_internal": entryPayload,
		"multisig_payload_internal": func(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return []vm.Value{optionValue(ctx.Program(), nil)}, nil
		},
	})
	n.RegisterAll(one, "aggregator_v2", map[string]vm.NativeFunc{
		"create_aggregator":           aggCreate,
		"create_unbounded_aggregator": aggCreateUnbounded,
		"try_add":                     aggTryAdd,
		"try_sub":                     aggTrySub,
		"is_at_least_impl":            aggIsAtLeast,
		"read":                        aggRead,
		"snapshot":                    aggSnapshot,
		"create_snapshot":             aggCreateSnapshot,
		"read_snapshot":               aggReadSnapshot,
		"copy_snapshot":               aggReadSnapshotCopy,
		"read_derived_string":         derivedRead,
		"create_derived_string":       derivedCreate,
		"derive_string_concat":        derivedConcat,
		"string_concat": func(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return nil, ctx.Abort(0x10009)
		},
	})
	n.RegisterAll(one, "aggregator", map[string]vm.NativeFunc{
		"add":     aggV1Add,
		"sub":     aggV1Sub,
		"read":    aggV1Read,
		"destroy": aggV1Destroy,
	})
	n.Register(one, "aggregator_factory", "new_aggregator", aggV1New)
}

// ---- tables ----

func tableHandle(v vm.Value) vm.Address {
	st := v.Deref().AsStruct()
	return st.Fields[0].AsAddress()
}

// nextUnique draws the next unique address of the transaction.
func nextUnique(ctx *vm.NativeContext) vm.Address {
	t := ctx.Txn()
	t.AUIDCounter++
	return vm.Address(fw.AUIDAddress(txnHash(ctx), t.AUIDCounter))
}

func txnHash(ctx *vm.NativeContext) []byte {
	h := ctx.Txn().Hash
	if len(h) != 32 {
		h = make([]byte, 32)
	}
	return h
}

func tableNewHandle(ctx *vm.NativeContext, ty []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	h := nextUnique(ctx)
	ctx.Tables().NewTable(h, ty[0], ty[1])
	return []vm.Value{vm.Addr(h)}, nil
}

const (
	tableAlreadyExists = (100 << 8) + 7
	tableNotFound      = (101 << 8) + 7
)

func tableKey(ctx *vm.NativeContext, ty []*vm.Type, k vm.Value) ([]byte, error) {
	return ctx.Serialize(ty[0], k)
}

func tableAdd(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(ctx, ty, a[1])
	if err != nil {
		return nil, err
	}
	ok, err := ctx.Tables().Add(tableHandle(a[0]), key, ty[2], a[2])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ctx.Abort(tableAlreadyExists)
	}
	return nil, nil
}

func tableBorrow(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(ctx, ty, a[1])
	if err != nil {
		return nil, err
	}
	loc, ok, err := ctx.Tables().Borrow(tableHandle(a[0]), key, ty[2], ctx.Fn.Name == "borrow_box_mut")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ctx.Abort(tableNotFound)
	}
	return []vm.Value{vm.RefTo(loc)}, nil
}

func tableContains(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(ctx, ty, a[1])
	if err != nil {
		return nil, err
	}
	ok, err := ctx.Tables().Contains(tableHandle(a[0]), key, ty[2])
	return []vm.Value{vm.Bool(ok)}, err
}

func tableRemove(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(ctx, ty, a[1])
	if err != nil {
		return nil, err
	}
	v, ok, err := ctx.Tables().Remove(tableHandle(a[0]), key, ty[2])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ctx.Abort(tableNotFound)
	}
	return []vm.Value{v}, nil
}

func tableNoop(*vm.NativeContext, []*vm.Type, []vm.Value) ([]vm.Value, error) { return nil, nil }

// ---- hashes ----

func sipHash(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	data := a[0].AsBytes()
	if err := ctx.Charge(uint64(len(data)) / 64); err != nil {
		return nil, err
	}
	return []vm.Value{vm.U64(fw.SipHash24(data))}, nil
}

// ---- events ----

func eventWriteModule(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return nil, ctx.EmitEvent(ty[0], a[0])
}

func eventEmitted(ctx *vm.NativeContext, ty []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	var out []vm.Value
	for _, e := range ctx.Events() {
		if !e.Handle && e.Type == ty[0] {
			out = append(out, e.Value.Copy())
		}
	}
	return []vm.Value{vm.VectorOf(out)}, nil
}

func eventWriteHandle(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return nil, ctx.EmitHandleEvent(a[0].AsBytes(), a[1].AsU64(), ty[0], a[2])
}

func eventEmittedByHandle(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	p := ctx.Program()
	def := p.LookupStruct(one, "event", "EventHandle")
	if def == nil {
		return nil, ctx.Errorf("0x1::event::EventHandle is not declared")
	}
	ht := p.Struct(def, []*vm.Type{ty[0]})
	guidType := p.FieldTypes(ht, 0)[1]
	guid, err := ctx.Serialize(guidType, a[0].Deref().AsStruct().Fields[1])
	if err != nil {
		return nil, err
	}
	var out []vm.Value
	for _, e := range ctx.Events() {
		if e.Handle && e.Type == ty[0] && string(e.GUID) == string(guid) {
			out = append(out, e.Value.Copy())
		}
	}
	return []vm.Value{vm.VectorOf(out)}, nil
}

// ---- transaction context ----

func genUniqueAddress(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.Addr(nextUnique(ctx))}, nil
}

func secondarySigners(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	var out []vm.Value
	for _, a := range ctx.Txn().Secondaries {
		out = append(out, vm.Addr(a))
	}
	return []vm.Value{vm.VectorOf(out)}, nil
}

func gasPayer(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	t := ctx.Txn()
	if t.FeePayer != nil {
		return []vm.Value{vm.Addr(*t.FeePayer)}, nil
	}
	return []vm.Value{vm.Addr(t.Sender)}, nil
}

func entryPayload(ctx *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	t := ctx.Txn()
	if t.EntryFunction == nil {
		return []vm.Value{optionValue(ctx.Program(), nil)}, nil
	}
	f := t.EntryFunction
	var tyNames []vm.Value
	for _, ta := range t.EntryTyArgs {
		tyNames = append(tyNames, stringValue(ta.String()))
	}
	var args []vm.Value
	for _, b := range t.EntryArgs {
		args = append(args, vm.Bytes(b))
	}
	v := vm.StructOf(vm.Addr(f.Module.ID.Addr), stringValue(f.Module.ID.Name), stringValue(f.Name), vm.VectorOf(tyNames), vm.VectorOf(args))
	return []vm.Value{optionValue(ctx.Program(), &v)}, nil
}

// ---- aggregators (v2: values held in the struct, as Aptos lays them out) ----

func intMax(ctx *vm.NativeContext, t *vm.Type) (vm.Value, error) {
	switch t.Kind {
	case vm.KU64:
		return vm.U64(^uint64(0)), nil
	case vm.KU128:
		return vm.U128(^uint64(0), ^uint64(0)), nil
	}
	return vm.Value{}, ctx.Abort(0x10007) // EUNSUPPORTED_AGGREGATOR_TYPE
}

func toBig(t *vm.Type, v vm.Value) *big.Int {
	if t.Kind == vm.KU64 {
		return new(big.Int).SetUint64(v.AsU64())
	}
	return v.AsBig()
}

func fromBig(t *vm.Type, x *big.Int) vm.Value {
	if t.Kind == vm.KU64 {
		return vm.U64(x.Uint64())
	}
	return vm.BigInt(x)
}

func aggCreate(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	if _, err := intMax(ctx, ty[0]); err != nil {
		return nil, err
	}
	return []vm.Value{vm.StructOf(fromBig(ty[0], new(big.Int)), a[0])}, nil
}

func aggCreateUnbounded(ctx *vm.NativeContext, ty []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	mx, err := intMax(ctx, ty[0])
	if err != nil {
		return nil, err
	}
	return []vm.Value{vm.StructOf(fromBig(ty[0], new(big.Int)), mx)}, nil
}

func aggTryAdd(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	st := a[0].Deref().AsStruct()
	v := new(big.Int).Add(toBig(ty[0], st.Fields[0]), toBig(ty[0], a[1]))
	if v.Cmp(toBig(ty[0], st.Fields[1])) > 0 {
		return []vm.Value{vm.Bool(false)}, nil
	}
	st.Fields[0] = fromBig(ty[0], v)
	return []vm.Value{vm.Bool(true)}, nil
}

func aggTrySub(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	st := a[0].Deref().AsStruct()
	cur, d := toBig(ty[0], st.Fields[0]), toBig(ty[0], a[1])
	if d.Cmp(cur) > 0 {
		return []vm.Value{vm.Bool(false)}, nil
	}
	st.Fields[0] = fromBig(ty[0], cur.Sub(cur, d))
	return []vm.Value{vm.Bool(true)}, nil
}

func aggIsAtLeast(_ *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	st := a[0].Deref().AsStruct()
	return []vm.Value{vm.Bool(toBig(ty[0], st.Fields[0]).Cmp(toBig(ty[0], a[1])) >= 0)}, nil
}

func aggRead(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{a[0].Deref().AsStruct().Fields[0].Copy()}, nil
}

func aggSnapshot(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.StructOf(a[0].Deref().AsStruct().Fields[0].Copy())}, nil
}

func aggCreateSnapshot(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.StructOf(a[0])}, nil
}

func aggReadSnapshot(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{a[0].Deref().AsStruct().Fields[0].Copy()}, nil
}

func aggReadSnapshotCopy(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{a[0].Deref().Copy()}, nil
}

func derivedRead(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{a[0].Deref().AsStruct().Fields[0].Copy()}, nil
}

func derivedCreate(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	return []vm.Value{vm.StructOf(a[0], vm.Bytes(nil))}, nil
}

func derivedConcat(ctx *vm.NativeContext, ty []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	before := a[0].AsStruct().Fields[0].AsBytes()
	snap := a[1].Deref().AsStruct().Fields[0]
	after := a[2].AsStruct().Fields[0].AsBytes()
	var mid string
	switch ty[0].Kind {
	case vm.KU64:
		mid = strconv.FormatUint(snap.AsU64(), 10)
	case vm.KU128:
		mid = snap.AsBig().String()
	default:
		return nil, ctx.Abort(0x10005) // EUNSUPPORTED_AGGREGATOR_SNAPSHOT_TYPE
	}
	if len(before)+len(mid)+len(after) > 1024 {
		return nil, ctx.Abort(0x10008) // ECONCAT_STRING_LENGTH_TOO_LARGE
	}
	s := string(before) + mid + string(after)
	return []vm.Value{vm.StructOf(stringValue(s), vm.Bytes(nil))}, nil
}

// ---- aggregator v1: the value is a u128 table item under (handle, key) ----

func aggV1New(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	factory := a[0].Deref().AsStruct()
	handle := factory.Fields[0].AsStruct().Fields[0].AsAddress()
	key := nextUnique(ctx)
	if _, err := ctx.Tables().Add(handle, key[:], vm.TU128, vm.U128(0, 0)); err != nil {
		return nil, err
	}
	return []vm.Value{vm.StructOf(vm.Addr(handle), vm.Addr(key), a[1])}, nil
}

func aggV1Item(ctx *vm.NativeContext, agg vm.Value) (*vm.Value, error) {
	st := agg.Deref().AsStruct()
	handle, key := st.Fields[0].AsAddress(), st.Fields[1].AsAddress()
	loc, ok, err := ctx.Tables().Borrow(handle, key[:], vm.TU128, true)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ctx.Abort(0x60001)
	}
	return loc, nil
}

func aggV1Add(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	loc, err := aggV1Item(ctx, a[0])
	if err != nil {
		return nil, err
	}
	limit := a[0].Deref().AsStruct().Fields[2].AsBig()
	v := new(big.Int).Add(loc.AsBig(), a[1].AsBig())
	if v.Cmp(limit) > 0 {
		return nil, ctx.Abort(0x20001) // out_of_range(EAGGREGATOR_OVERFLOW)
	}
	*loc = vm.BigInt(v)
	return nil, nil
}

func aggV1Sub(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	loc, err := aggV1Item(ctx, a[0])
	if err != nil {
		return nil, err
	}
	cur, d := loc.AsBig(), a[1].AsBig()
	if d.Cmp(cur) > 0 {
		return nil, ctx.Abort(0x20002) // out_of_range(EAGGREGATOR_UNDERFLOW)
	}
	*loc = vm.BigInt(new(big.Int).Sub(cur, d))
	return nil, nil
}

func aggV1Read(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	loc, err := aggV1Item(ctx, a[0])
	if err != nil {
		return nil, err
	}
	return []vm.Value{*loc}, nil
}

func aggV1Destroy(ctx *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	st := a[0].AsStruct()
	handle, key := st.Fields[0].AsAddress(), st.Fields[1].AsAddress()
	if _, _, err := ctx.Tables().Remove(handle, key[:], vm.TU128); err != nil {
		return nil, err
	}
	return nil, nil
}
