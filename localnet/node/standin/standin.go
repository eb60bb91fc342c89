// Package standin is a TEMPORARY executor used only by tests while the Move
// VM executor is being integrated: it hard-codes a handful of entry and view
// functions (APT transfer and mint, a balance view, a function that aborts)
// so the node, REST API and faucet can be exercised end to end through the
// SDK. It is not Move and is removed once the real executor runs the
// framework.
package standin

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/ledger"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// Resource types the stand-in keeps.
const (
	AccountTag = "0x1::account::Account"
	StoreTag   = "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>"
	TimeTag    = "0x1::timestamp::CurrentTimeMicroseconds"
	DepositTag = "0x1::coin::CoinDeposit"
	MintCapTag = "0x1::aptos_coin::MintCapStore"
)

// TestModule is a module address whose "boom" function aborts with its u64
// argument, for failure-path tests.
var TestModule = aptos.AccountAddress{30: 0xca, 31: 0xfe}

// Executor is the stand-in.
type Executor struct{}

// New returns a stand-in executor.
func New() *Executor { return &Executor{} }

var _ node.Executor = (*Executor)(nil)

func u64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

func accountBytes(authKey [32]byte, seq uint64) []byte {
	ser := &bcs.Serializer{}
	ser.WriteBytes(authKey[:])
	ser.U64(seq)
	return ser.ToBytes()
}

func storeBytes(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

// Genesis creates the faucet account with its funds.
func (e *Executor) Genesis(spec *node.GenesisSpec) (*node.Outcome, error) {
	return &node.Outcome{Status: node.ExecutedStatus(), Writes: []state.Write{
		{Key: state.ResourceKey(spec.Faucet, AccountTag), Value: accountBytes(spec.FaucetKey, 0)},
		{Key: state.ResourceKey(spec.Faucet, StoreTag), Value: storeBytes(spec.FaucetFunds)},
		{Key: state.ResourceKey(spec.Faucet, MintCapTag), Value: []byte{0}},
		{Key: state.ResourceKey(aptos.AccountOne, TimeTag), Value: storeBytes(spec.Timestamp)},
	}}, nil
}

// BlockPrologue records the block time.
func (e *Executor) BlockPrologue(_ state.View, b *node.BlockInfo) (*node.Outcome, error) {
	return &node.Outcome{Status: node.ExecutedStatus(), Writes: []state.Write{
		{Key: state.ResourceKey(aptos.AccountOne, TimeTag), Value: storeBytes(b.Timestamp)},
	}}, nil
}

// Account reads the account resource.
func (e *Executor) Account(v state.View, addr aptos.AccountAddress) (node.AccountInfo, error) {
	b, ok := v.Get(state.ResourceKey(addr, AccountTag))
	if !ok {
		return node.AccountInfo{AuthenticationKey: addr}, nil
	}
	des := bcs.NewDeserializer(b)
	key := des.ReadBytes()
	seq := des.U64()
	if des.Error() != nil || len(key) != 32 {
		return node.AccountInfo{}, errors.New("malformed account resource")
	}
	return node.AccountInfo{SequenceNumber: seq, AuthenticationKey: [32]byte(key), Exists: true}, nil
}

// Balance reads the APT store.
func (e *Executor) Balance(v state.View, addr aptos.AccountAddress) (uint64, error) {
	b, ok := v.Get(state.ResourceKey(addr, StoreTag))
	if !ok {
		return 0, nil
	}
	return u64(b), nil
}

func abort(mod aptos.AccountAddress, name string, code uint64) *node.Outcome {
	return &node.Outcome{Status: node.Status{Kind: node.MoveAbort, Code: node.StatusAborted,
		Location: &aptos.ModuleId{Address: mod, Name: name}, AbortCode: code}, GasUsed: 1000}
}

// Execute runs the few entry functions the stand-in knows.
func (e *Executor) Execute(v state.View, ctx *node.TxnContext, call *aptos.EntryFunction) (*node.Outcome, error) {
	sender := ctx.Senders[0]
	fn := call.Module.Address.StringShort() + "::" + call.Module.Name + "::" + call.Function
	switch fn {
	case "0x1::aptos_account::transfer", "0x1::aptos_coin::mint":
		if len(call.Args) != 2 || len(call.Args[0]) != 32 || len(call.Args[1]) != 8 {
			return &node.Outcome{Status: node.Misc(node.StatusNumberOfArgumentsMismatch, "")}, nil
		}
		to := aptos.AccountAddress(call.Args[0])
		amount := u64(call.Args[1])
		var writes []state.Write
		if fn == "0x1::aptos_coin::mint" {
			if _, ok := v.Get(state.ResourceKey(sender, MintCapTag)); !ok {
				return abort(aptos.AccountOne, "aptos_coin", 0x60001), nil
			}
		} else {
			bal, _ := e.Balance(v, sender)
			if bal < amount {
				return abort(aptos.AccountOne, "fungible_asset", 0x10004), nil
			}
			writes = append(writes, state.Write{Key: state.ResourceKey(sender, StoreTag), Value: storeBytes(bal - amount)})
			v = overlay(v, writes)
		}
		bal, _ := e.Balance(v, to)
		writes = append(writes, state.Write{Key: state.ResourceKey(to, StoreTag), Value: storeBytes(bal + amount)})
		ev := binary.LittleEndian.AppendUint64(append([]byte(nil), to[:]...), amount)
		return &node.Outcome{Status: node.ExecutedStatus(), Writes: writes, GasUsed: 5000,
			Events: []ledger.Event{{Type: DepositTag, Data: ev}}}, nil
	case movevalue.ShortAddress(TestModule) + "::test::boom":
		if len(call.Args) != 1 || len(call.Args[0]) != 8 {
			return &node.Outcome{Status: node.Misc(node.StatusNumberOfArgumentsMismatch, "")}, nil
		}
		return abort(TestModule, "test", u64(call.Args[0])), nil
	}
	if call.Module.Address == aptos.AccountOne && (call.Module.Name == "aptos_account" || call.Module.Name == "aptos_coin") {
		return &node.Outcome{Status: node.Misc(node.StatusFunctionResolutionFailure, "")}, nil
	}
	return &node.Outcome{Status: node.Misc(node.StatusLinkerError, "")}, nil
}

type overlayView struct {
	base state.View
	w    map[state.Key][]byte
}

func overlay(base state.View, ws []state.Write) state.View {
	o := overlayView{base: base, w: map[state.Key][]byte{}}
	for _, w := range ws {
		o.w[w.Key] = w.Value
	}
	return o
}

func (o overlayView) Get(k state.Key) ([]byte, bool) {
	if v, ok := o.w[k]; ok {
		return v, true
	}
	return o.base.Get(k)
}

// Epilogue charges the fee and bumps the sequence number.
func (e *Executor) Epilogue(v state.View, sender, payer aptos.AccountAddress, fee uint64) (*node.Outcome, error) {
	bal, _ := e.Balance(v, payer)
	if bal < fee {
		return abort(aptos.AccountOne, "transaction_validation", 0x10005), nil
	}
	acct, err := e.Account(v, sender)
	if err != nil {
		return nil, err
	}
	return &node.Outcome{Status: node.ExecutedStatus(), Writes: []state.Write{
		{Key: state.ResourceKey(payer, StoreTag), Value: storeBytes(bal - fee)},
		{Key: state.ResourceKey(sender, AccountTag), Value: accountBytes(acct.AuthenticationKey, acct.SequenceNumber+1)},
	}}, nil
}

// View serves 0x1::coin::balance<AptosCoin>.
func (e *Executor) View(v state.View, call *aptos.EntryFunction, _ uint64) (*node.ViewOutcome, error) {
	fn := call.Module.Address.StringShort() + "::" + call.Module.Name + "::" + call.Function
	if fn != "0x1::coin::balance" {
		return &node.ViewOutcome{Status: node.Misc(node.StatusFunctionResolutionFailure, "")}, nil
	}
	if len(call.Args) != 1 || len(call.Args[0]) != 32 {
		return nil, fmt.Errorf("balance takes one address")
	}
	bal, _ := e.Balance(v, aptos.AccountAddress(call.Args[0]))
	return &node.ViewOutcome{Status: node.ExecutedStatus(), Values: [][]byte{storeBytes(bal)},
		Layouts: []*movevalue.Layout{movevalue.LU64}, GasUsed: 1000}, nil
}

var layouts = map[string]*movevalue.Layout{
	AccountTag: {Kind: movevalue.Struct, Tag: AccountTag, Fields: []movevalue.Field{
		{Name: "authentication_key", Layout: movevalue.VectorOf(movevalue.LU8)},
		{Name: "sequence_number", Layout: movevalue.LU64}}},
	StoreTag:   {Kind: movevalue.Struct, Tag: StoreTag, Fields: []movevalue.Field{{Name: "value", Layout: movevalue.LU64}}},
	MintCapTag: {Kind: movevalue.Struct, Tag: MintCapTag, Fields: []movevalue.Field{{Name: "mint_cap", Layout: movevalue.LBool}}},
	TimeTag:    {Kind: movevalue.Struct, Tag: TimeTag, Fields: []movevalue.Field{{Name: "microseconds", Layout: movevalue.LU64}}},
	DepositTag: {Kind: movevalue.Struct, Tag: DepositTag, Fields: []movevalue.Field{
		{Name: "account", Layout: movevalue.LAddress}, {Name: "amount", Layout: movevalue.LU64}}},
}

// Layout returns the layouts of the stand-in's types.
func (e *Executor) Layout(tag aptos.TypeTag) (*movevalue.Layout, error) {
	if l, ok := layouts[movevalue.TypeString(&tag)]; ok {
		return l, nil
	}
	return nil, fmt.Errorf("unknown type %s", movevalue.TypeString(&tag))
}

// ArgLayouts returns argument layouts of the known functions.
func (e *Executor) ArgLayouts(call *aptos.EntryFunction) ([]*movevalue.Layout, error) {
	switch call.Module.Name + "::" + call.Function {
	case "aptos_account::transfer", "aptos_coin::mint":
		return []*movevalue.Layout{movevalue.LAddress, movevalue.LU64}, nil
	case "coin::balance":
		return []*movevalue.Layout{movevalue.LAddress}, nil
	case "test::boom":
		return []*movevalue.Layout{movevalue.LU64}, nil
	}
	return nil, errors.New("unknown function")
}

var modules = []*node.ModuleInfo{
	{Address: aptos.AccountOne, Name: "aptos_account", ABI: node.ModuleABI{Functions: []node.FunctionABI{
		{Name: "transfer", Visibility: "public", IsEntry: true, Params: []string{"&signer", "address", "u64"}},
	}}},
	{Address: aptos.AccountOne, Name: "coin", ABI: node.ModuleABI{Functions: []node.FunctionABI{
		{Name: "balance", Visibility: "public", IsView: true, GenericTypeParams: [][]string{{}},
			Params: []string{"address"}, Return: []string{"u64"}},
	}}},
}

// Modules lists the stand-in's modules.
func (e *Executor) Modules(addr aptos.AccountAddress) []*node.ModuleInfo {
	var out []*node.ModuleInfo
	for _, m := range modules {
		if m.Address == addr {
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Module returns one module.
func (e *Executor) Module(addr aptos.AccountAddress, name string) (*node.ModuleInfo, bool) {
	for _, m := range modules {
		if m.Address == addr && m.Name == name {
			return m, true
		}
	}
	return nil, false
}
