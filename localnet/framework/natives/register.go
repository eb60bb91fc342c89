package natives

import (
	"encoding/binary"
	"math/big"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Abort codes raised by natives, as the Aptos natives raise them.
const (
	tableAlreadyExists  = (100 << 8) + 7 // 25607
	tableNotFound       = (101 << 8) + 7 // 25863
	tableNotEmpty       = (102 << 8) + 7
	aggV1AddOverflow    = 0x02_0001
	aggV1SubUnderflow   = 0x02_0002
	aggUnsupportedType  = 0x03_0007 // as the Aptos aggregator natives
	aggSnapshotBadType  = 0x03_0005
	aggConcatTooLong    = 0x03_0008
	aggNotYetSupported  = 0x03_0009
	storageSlotNotFound = 2
	randomnessBiasable  = 1 // E_API_USE_SUSCEPTIBLE_TO_TEST_AND_ABORT
	maxConcatStringSize = 1024
)

var core = vm.AddressFromU64(1)

// Register adds the natives of aptos_std and aptos_framework to n. The
// interpreter's standard set already provides type_info, from_bcs and debug;
// string_utils is registered here again because Aptos escapes only `\` and
// `"` in strings and prints canonical addresses without a 0x prefix.
func Register(n *vm.Natives) {
	n.RegisterAll(core, "table", map[string]vm.NativeFunc{
		"new_table_handle":   tableNew,
		"add_box":            tableAdd,
		"borrow_box":         tableBorrow(false),
		"borrow_box_mut":     tableBorrow(true),
		"contains_box":       tableContains,
		"remove_box":         tableRemove,
		"destroy_empty_box":  func(*vm.NativeContext, []*vm.Type, []vm.Value) ([]vm.Value, error) { return nil, nil },
		"drop_unchecked_box": func(*vm.NativeContext, []*vm.Type, []vm.Value) ([]vm.Value, error) { return nil, nil },
	})
	n.RegisterAll(core, "aptos_hash", map[string]vm.NativeFunc{
		"sip_hash": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(vm.U64(SipHash24(a[0].AsBytes())))
		},
		"keccak256":            bytesFn(Keccak256),
		"sha2_512_internal":    bytesFn(SHA2_512),
		"sha3_512_internal":    bytesFn(SHA3_512),
		"ripemd160_internal":   bytesFn(RIPEMD160),
		"blake2b_256_internal": bytesFn(Blake2b256),
	})
	n.RegisterAll(core, "string_utils", map[string]vm.NativeFunc{
		"native_format":      nativeFormat,
		"native_format_list": nativeFormatList,
	})
	n.Register(core, "create_signer", "create_signer", func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		return one(vm.SignerValue(a[0].AsAddress()))
	})
	n.RegisterAll(core, "event", map[string]vm.NativeFunc{
		"write_module_event_to_store": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return nil, c.EmitEvent(t[0], a[0])
		},
		"write_to_event_store": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return nil, c.EmitHandleEvent(a[0].AsBytes(), a[1].AsU64(), t[0], a[2])
		},
		"emitted_events":           emittedEvents,
		"emitted_events_by_handle": emittedEventsByHandle,
	})
	n.RegisterAll(core, "object", map[string]vm.NativeFunc{
		"exists_at": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			ok, err := c.Exists(a[0].AsAddress(), t[0])
			return []vm.Value{vm.Bool(ok)}, err
		},
		"create_user_derived_object_address_impl": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(vm.Addr(vm.Address(UserDerivedAddress(Address(a[0].AsAddress()), Address(a[1].AsAddress())))))
		},
	})
	registerTxnContext(n)
	registerAggregators(n)
	registerCrypto(n)
	registerBLS(n)
	registerStorageSlot(n)
	registerRandomness(n)
}

func one(v vm.Value) ([]vm.Value, error) { return []vm.Value{v}, nil }

func bytesFn(f func([]byte) []byte) vm.NativeFunc {
	return func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		return one(vm.Bytes(f(a[0].AsBytes())))
	}
}

// stringValue is a std::string::String.
func stringValue(s string) vm.Value { return vm.StructOf(vm.Bytes([]byte(s))) }

// optionValue is a std::option::Option (a vector of zero or one element).
func optionValue(v *vm.Value) vm.Value {
	if v == nil {
		return vm.StructOf(vm.VectorOf(nil))
	}
	return vm.StructOf(vm.VectorOf([]vm.Value{*v}))
}

func chainID(c *vm.NativeContext) uint8 {
	if id := c.Txn().ChainID; id != 0 {
		return id
	}
	return 4 // local test chains
}

// nextUniqueAddress is the next AUID of the transaction.
func nextUniqueAddress(c *vm.NativeContext) vm.Address {
	txn := c.Txn()
	txn.AUIDCounter++
	return vm.Address(AUIDAddress(txn.Hash, txn.AUIDCounter))
}

func sessionHash(txn *vm.TxnContext) []byte {
	if txn.SessionHash != nil {
		return txn.SessionHash
	}
	return txn.Hash
}

// nextTableHandle is the handle of the session's next table, derived as
// Aptos derives it (the preimage differs in length from an AUID's, so the
// two never collide).
func nextTableHandle(c *vm.NativeContext) vm.Address {
	txn := c.Txn()
	h := TableHandle(sessionHash(txn), txn.NewTables)
	txn.NewTables++
	return vm.Address(h)
}

// nextAggregatorKey is a unique key for a v1 aggregator of the session.
// Aptos hashes the same inputs with its own salted hasher, so the keys
// are unique here but not Aptos's values.
func nextAggregatorKey(c *vm.NativeContext) vm.Address {
	txn := c.Txn()
	pre := append([]byte("aggregator_v1"), sessionHash(txn)...)
	h := TableHandle(pre, txn.NewAggregators)
	txn.NewAggregators++
	return vm.Address(h)
}

// Tables.

func tableHandle(ref vm.Value) vm.Address { return ref.Deref().AsStruct().Fields[0].AsAddress() }

func tableKey(c *vm.NativeContext, t []*vm.Type, key vm.Value) ([]byte, error) {
	return c.Serialize(t[0], key)
}

func tableNew(c *vm.NativeContext, t []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	h := nextTableHandle(c)
	c.Tables().NewTable(h, t[0], t[1])
	return one(vm.Addr(h))
}

func tableAdd(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(c, t, a[1])
	if err != nil {
		return nil, err
	}
	ok, err := c.Tables().Add(tableHandle(a[0]), key, t[2], a[2])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, c.Abort(tableAlreadyExists)
	}
	return nil, nil
}

func tableBorrow(mut bool) vm.NativeFunc {
	return func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		key, err := tableKey(c, t, a[1])
		if err != nil {
			return nil, err
		}
		loc, ok, err := c.Tables().Borrow(tableHandle(a[0]), key, t[2], mut)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, c.Abort(tableNotFound)
		}
		return one(vm.RefTo(loc))
	}
}

func tableContains(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(c, t, a[1])
	if err != nil {
		return nil, err
	}
	ok, err := c.Tables().Contains(tableHandle(a[0]), key, t[2])
	return []vm.Value{vm.Bool(ok)}, err
}

func tableRemove(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	key, err := tableKey(c, t, a[1])
	if err != nil {
		return nil, err
	}
	v, ok, err := c.Tables().Remove(tableHandle(a[0]), key, t[2])
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, c.Abort(tableNotFound)
	}
	return one(v)
}

// Events.

func emittedEvents(c *vm.NativeContext, t []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
	var out []vm.Value
	for _, e := range c.Events() {
		if !e.Handle && e.Type == t[0] {
			out = append(out, e.Value.Copy())
		}
	}
	return one(vm.VectorOf(out))
}

func emittedEventsByHandle(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	// EventHandle { counter, guid: GUID { id: ID { creation_num, addr } } }
	id := a[0].Deref().AsStruct().Fields[1].AsStruct().Fields[0].AsStruct()
	guid := binary.LittleEndian.AppendUint64(nil, id.Fields[0].AsU64())
	addr := id.Fields[1].AsAddress()
	guid = append(guid, addr[:]...)
	var out []vm.Value
	for _, e := range c.Events() {
		if e.Handle && e.Type == t[0] && string(e.GUID) == string(guid) {
			out = append(out, e.Value.Copy())
		}
	}
	return one(vm.VectorOf(out))
}

// Transaction context.

// Abort codes of the transaction_context natives (invalid_state).
const (
	txnContextNotAvailable = 0x03_0001
	txnCounterOverflow     = 0x03_0002
)

// userTxn is the context of the running user transaction. Unit tests,
// views and genesis run outside one, where Aptos's natives for the
// transaction's sender, gas and payload abort with invalid_state(1).
func userTxn(c *vm.NativeContext) (*vm.TxnContext, error) {
	t := c.Txn()
	if !t.UserTransaction {
		return nil, c.Abort(txnContextNotAvailable)
	}
	return t, nil
}

// userTxnFn wraps a getter that needs a user transaction.
func userTxnFn(get func(*vm.NativeContext, *vm.TxnContext) vm.Value) vm.NativeFunc {
	return func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
		t, err := userTxn(c)
		if err != nil {
			return nil, err
		}
		return one(get(c, t))
	}
}

// nextLocalCounter advances the per-session counter behind
// monotonically_increasing_counter (16 bits, as on Aptos).
func nextLocalCounter(c *vm.NativeContext) (uint64, error) {
	t := c.Txn()
	if t.LocalCounter == 0xFFFF {
		return 0, c.Abort(txnCounterOverflow)
	}
	t.LocalCounter++
	return uint64(t.LocalCounter), nil
}

func registerTxnContext(n *vm.Natives) {
	n.RegisterAll(core, "transaction_context", map[string]vm.NativeFunc{
		"get_txn_hash": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return one(vm.Bytes(c.Txn().Hash))
		},
		"generate_unique_address": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return one(vm.Addr(nextUniqueAddress(c)))
		},
		"get_script_hash": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return one(vm.Bytes(c.Txn().ScriptHash))
		},
		"sender_internal": userTxnFn(func(_ *vm.NativeContext, t *vm.TxnContext) vm.Value {
			return vm.Addr(t.Sender)
		}),
		"secondary_signers_internal": userTxnFn(func(_ *vm.NativeContext, t *vm.TxnContext) vm.Value {
			out := make([]vm.Value, len(t.Secondaries))
			for i, a := range t.Secondaries {
				out[i] = vm.Addr(a)
			}
			return vm.VectorOf(out)
		}),
		"gas_payer_internal": userTxnFn(func(_ *vm.NativeContext, t *vm.TxnContext) vm.Value {
			if t.FeePayer != nil {
				return vm.Addr(*t.FeePayer)
			}
			return vm.Addr(t.Sender)
		}),
		"max_gas_amount_internal": userTxnFn(func(_ *vm.NativeContext, t *vm.TxnContext) vm.Value {
			return vm.U64(t.MaxGasAmount)
		}),
		"gas_unit_price_internal": userTxnFn(func(_ *vm.NativeContext, t *vm.TxnContext) vm.Value {
			return vm.U64(t.GasUnitPrice)
		}),
		"chain_id_internal": userTxnFn(func(c *vm.NativeContext, _ *vm.TxnContext) vm.Value {
			return vm.U64(uint64(chainID(c)))
		}),
		"entry_function_payload_internal": userTxnFn(entryFunctionPayload),
		"multisig_payload_internal": userTxnFn(func(*vm.NativeContext, *vm.TxnContext) vm.Value {
			return optionValue(nil) // the localnet has no multisig transactions
		}),
		"is_encrypted_txn_internal": userTxnFn(func(*vm.NativeContext, *vm.TxnContext) vm.Value {
			return vm.Bool(false) // no encrypted transactions on the localnet
		}),
		// reserved byte (8 bits: 0 in a block, 1 in a simulation) ||
		// timestamp_us (64) || transaction index in the block (32) ||
		// session counter (8; the payload runs in one session here, 0) ||
		// local counter (16), as Aptos lays it out.
		"monotonically_increasing_counter_internal": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			local, err := nextLocalCounter(c)
			if err != nil {
				return nil, err
			}
			t, err := userTxn(c)
			if err != nil {
				return nil, err
			}
			x := new(big.Int).SetUint64(a[0].AsU64())
			if t.Simulation {
				x.SetBit(x, 64, 1)
			}
			x.Lsh(x, 56)
			x.Or(x, new(big.Int).SetUint64(uint64(t.Index)<<24|local))
			return one(vm.BigInt(x))
		},
		// In unit tests Aptos returns the bare local counter.
		"monotonically_increasing_counter_internal_for_test_only": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			local, err := nextLocalCounter(c)
			if err != nil {
				return nil, err
			}
			return one(vm.BigInt(new(big.Int).SetUint64(local)))
		},
	})
}

func entryFunctionPayload(_ *vm.NativeContext, txn *vm.TxnContext) vm.Value {
	if txn.EntryFunction == nil {
		return optionValue(nil)
	}
	f := txn.EntryFunction
	var tys, args []vm.Value
	for _, t := range txn.EntryTyArgs {
		tys = append(tys, stringValue(t.String()))
	}
	for _, b := range txn.EntryArgs {
		args = append(args, vm.Bytes(b))
	}
	p := vm.StructOf(vm.Addr(f.Module.ID.Addr), stringValue(f.Module.ID.Name), stringValue(f.Name),
		vm.VectorOf(tys), vm.VectorOf(args))
	return optionValue(&p)
}

// Aggregators (v2 keep value and bound in the struct; v1 keep the value in
// the factory's phantom table, as Aptos does).

func intLimit(k vm.Kind) *big.Int {
	return new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), k.Bits()), big.NewInt(1))
}

func toBig(v vm.Value, k vm.Kind) *big.Int {
	if k == vm.KU128 || k == vm.KU256 {
		return v.AsBig()
	}
	return new(big.Int).SetUint64(v.AsU64())
}

func fromBigKind(x *big.Int, k vm.Kind) vm.Value {
	if k == vm.KU128 || k == vm.KU256 {
		return vm.BigInt(x)
	}
	return vm.U64(x.Uint64())
}

func aggKind(c *vm.NativeContext, t *vm.Type) (vm.Kind, error) {
	if t.Kind != vm.KU64 && t.Kind != vm.KU128 {
		return 0, c.Abort(aggUnsupportedType)
	}
	return t.Kind, nil
}

func registerAggregators(n *vm.Natives) {
	n.RegisterAll(core, "aggregator_v2", map[string]vm.NativeFunc{
		"create_aggregator": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			k, err := aggKind(c, t[0])
			if err != nil {
				return nil, err
			}
			return one(vm.StructOf(fromBigKind(new(big.Int), k), a[0]))
		},
		"create_unbounded_aggregator": func(c *vm.NativeContext, t []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			k, err := aggKind(c, t[0])
			if err != nil {
				return nil, err
			}
			return one(vm.StructOf(fromBigKind(new(big.Int), k), fromBigKind(intLimit(k), k)))
		},
		"try_add": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			k, err := aggKind(c, t[0])
			if err != nil {
				return nil, err
			}
			agg := a[0].Deref().AsStruct()
			sum := new(big.Int).Add(toBig(agg.Fields[0], k), toBig(a[1], k))
			if sum.Cmp(toBig(agg.Fields[1], k)) > 0 {
				return one(vm.Bool(false))
			}
			agg.Fields[0] = fromBigKind(sum, k)
			return one(vm.Bool(true))
		},
		"try_sub": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			k, err := aggKind(c, t[0])
			if err != nil {
				return nil, err
			}
			agg := a[0].Deref().AsStruct()
			diff := new(big.Int).Sub(toBig(agg.Fields[0], k), toBig(a[1], k))
			if diff.Sign() < 0 {
				return one(vm.Bool(false))
			}
			agg.Fields[0] = fromBigKind(diff, k)
			return one(vm.Bool(true))
		},
		"read": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			if _, err := aggKind(c, t[0]); err != nil {
				return nil, err
			}
			return one(a[0].Deref().AsStruct().Fields[0].Copy())
		},
		"is_at_least_impl": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			k, err := aggKind(c, t[0])
			if err != nil {
				return nil, err
			}
			return one(vm.Bool(toBig(a[0].Deref().AsStruct().Fields[0], k).Cmp(toBig(a[1], k)) >= 0))
		},
		"snapshot": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			if _, err := aggKind(c, t[0]); err != nil {
				return nil, err
			}
			return one(vm.StructOf(a[0].Deref().AsStruct().Fields[0].Copy()))
		},
		"create_snapshot": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			if !snapshotType(t[0]) {
				return nil, c.Abort(aggSnapshotBadType)
			}
			return one(vm.StructOf(a[0]))
		},
		// Deprecated on Aptos, where both natives always abort with
		// invalid_state(EAGGREGATOR_FUNCTION_NOT_YET_SUPPORTED).
		"copy_snapshot": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return nil, c.Abort(aggNotYetSupported)
		},
		"read_snapshot": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(a[0].Deref().AsStruct().Fields[0].Copy())
		},
		"read_derived_string": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(a[0].Deref().AsStruct().Fields[0].Copy())
		},
		"create_derived_string": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			if len(a[0].AsStruct().Fields[0].AsBytes()) > maxConcatStringSize {
				return nil, c.Abort(aggConcatTooLong)
			}
			return one(vm.StructOf(a[0], vm.Bytes(nil)))
		},
		"derive_string_concat": func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			s, err := concatSnapshot(c, t[0], a)
			if err != nil {
				return nil, err
			}
			return one(vm.StructOf(s, vm.Bytes(nil)))
		},
		"string_concat": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return nil, c.Abort(aggNotYetSupported)
		},
	})
	n.RegisterAll(core, "aggregator", map[string]vm.NativeFunc{
		"add":     aggV1Update(true),
		"sub":     aggV1Update(false),
		"read":    aggV1Read,
		"destroy": aggV1Destroy,
	})
	n.Register(core, "aggregator_factory", "new_aggregator", func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		// AggregatorFactory { phantom_table: Table { handle } }
		handle := a[0].Deref().AsStruct().Fields[0].AsStruct().Fields[0].AsAddress()
		key := nextAggregatorKey(c)
		return one(vm.StructOf(vm.Addr(handle), vm.Addr(key), a[1]))
	})
}

func snapshotType(t *vm.Type) bool {
	if t.Kind == vm.KU64 || t.Kind == vm.KU128 {
		return true
	}
	return t.Kind == vm.KStruct && t.Struct.FullName() == "0x1::string::String"
}

func concatSnapshot(c *vm.NativeContext, t *vm.Type, a []vm.Value) (vm.Value, error) {
	if t.Kind != vm.KU64 && t.Kind != vm.KU128 {
		return vm.Value{}, c.Abort(aggSnapshotBadType)
	}
	before := a[0].AsStruct().Fields[0].AsBytes()
	after := a[2].AsStruct().Fields[0].AsBytes()
	if len(before)+len(after) > maxConcatStringSize {
		return vm.Value{}, c.Abort(aggConcatTooLong)
	}
	mid := toBig(a[1].Deref().AsStruct().Fields[0], t.Kind).String()
	return stringValue(string(before) + mid + string(after)), nil
}

// aggregator v1: Aggregator { handle, key, limit }; the value is the u128
// item `key` of the phantom table `handle` (absent = 0).
func aggV1Item(c *vm.NativeContext, agg *vm.Struct) (vm.Address, []byte) {
	key := agg.Fields[1].AsAddress()
	return agg.Fields[0].AsAddress(), key[:]
}

func aggV1Value(c *vm.NativeContext, agg *vm.Struct) (*big.Int, error) {
	h, k := aggV1Item(c, agg)
	loc, ok, err := c.Tables().Borrow(h, k, vm.TU128, false)
	if err != nil || !ok {
		return new(big.Int), err
	}
	return loc.AsBig(), nil
}

func aggV1Update(add bool) vm.NativeFunc {
	return func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		agg := a[0].Deref().AsStruct()
		cur, err := aggV1Value(c, agg)
		if err != nil {
			return nil, err
		}
		x := a[1].AsBig()
		var next *big.Int
		if add {
			next = new(big.Int).Add(cur, x)
			if next.Cmp(agg.Fields[2].AsBig()) > 0 {
				return nil, c.Abort(aggV1AddOverflow)
			}
		} else {
			next = new(big.Int).Sub(cur, x)
			if next.Sign() < 0 {
				return nil, c.Abort(aggV1SubUnderflow)
			}
		}
		h, k := aggV1Item(c, agg)
		loc, ok, err := c.Tables().Borrow(h, k, vm.TU128, true)
		if err != nil {
			return nil, err
		}
		if ok {
			*loc = vm.BigInt(next)
			return nil, nil
		}
		_, err = c.Tables().Add(h, k, vm.TU128, vm.BigInt(next))
		return nil, err
	}
}

func aggV1Read(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	v, err := aggV1Value(c, a[0].Deref().AsStruct())
	if err != nil {
		return nil, err
	}
	return one(vm.BigInt(v))
}

func aggV1Destroy(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
	h, k := aggV1Item(c, a[0].AsStruct())
	if _, _, err := c.Tables().Remove(h, k, vm.TU128); err != nil {
		return nil, err
	}
	return nil, nil
}

// Storage slots: the value of a StorageSlot { addr } is the resource BR
// (StorageSlotResource<T>) published at addr.
func registerStorageSlot(n *vm.Natives) {
	borrow := func(mut bool) vm.NativeFunc {
		return func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			addr := a[0].Deref().AsStruct().Fields[0].AsAddress()
			ok, err := c.Exists(addr, t[1])
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, c.Abort(storageSlotNotFound)
			}
			loc, err := c.BorrowGlobal(addr, t[1], mut)
			if err != nil {
				return nil, err
			}
			return one(vm.RefTo(loc))
		}
	}
	n.RegisterAll(core, "storage_slot", map[string]vm.NativeFunc{
		"borrow_storage_slot_resource":     borrow(false),
		"borrow_storage_slot_resource_mut": borrow(true),
	})
}

// Randomness: draws are allowed only where they cannot be biased (unit
// tests; a private or friend #[randomness] entry function as payload), as
// Aptos's natives decide. Each draw of a transaction gets the next value
// of an 8-byte little-endian counter.
func registerRandomness(n *vm.Natives) {
	n.RegisterAll(core, "randomness", map[string]vm.NativeFunc{
		"is_unbiasable": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			return one(vm.Bool(c.Txn().Unbiasable))
		},
		"fetch_and_increment_txn_counter": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			t := c.Txn()
			if !t.Unbiasable {
				return nil, c.Abort(randomnessBiasable)
			}
			counter := binary.LittleEndian.AppendUint64(nil, t.RandomCounter)
			t.RandomCounter++
			return one(vm.Bytes(counter))
		},
	})
}
