package movevm

import (
	"crypto/sha3"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/exec"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"github.com/agi-nostr/agi-nostr/localnet/node"
	"github.com/agi-nostr/agi-nostr/localnet/node/movevalue"
	"github.com/agi-nostr/agi-nostr/localnet/node/state"
)

// systemBudget bounds the Move the node runs on its own behalf (genesis,
// block prologue, balance reads, epilogue): generous, but a framework bug
// still ends instead of spinning.
const systemBudget = 1 << 40

func (e *Executor) session(view state.View, budget uint64) *vm.Session {
	s := e.prog.NewSession(storage{view}, budget, e.sched)
	s.Txn.ChainID = 4
	s.Txn.Hash = make([]byte, 32)
	return s
}

func signerArg(param *vm.Type, addr vm.Address) vm.Value {
	sv := vm.SignerValue(addr)
	if param.Kind == vm.KRef || param.Kind == vm.KMutRef {
		return vm.RefTo(&sv)
	}
	return sv
}

func vmAddr(a aptos.AccountAddress) vm.Address { return vm.Address(a) }

// outcome finishes a session into an Outcome.
func (e *Executor) outcome(s *vm.Session, err error) (*node.Outcome, error) {
	out := &node.Outcome{GasUsed: s.GasUsed()}
	if err != nil {
		out.Status = e.status(err)
		return out, nil
	}
	cs, ferr := s.Finish()
	if ferr != nil {
		out.Status = e.status(ferr)
		return out, nil
	}
	out.Status = node.ExecutedStatus()
	out.Writes = writes(cs)
	out.Events = events(s.Events)
	return out, nil
}

// Genesis initialises the framework (genesis::initialize_localnet), gives
// the faucet account its key, and runs init_module of every module of the
// package with the publisher's signer.
func (e *Executor) Genesis(spec *node.GenesisSpec) (*node.Outcome, error) {
	ov := state.NewOverlay(emptyView{})
	s := e.session(ov, systemBudget)
	defer s.Release()
	s.Txn.ChainID = spec.ChainID
	h := sha3.Sum256([]byte("AGI-NOSTR-LOCALNET::Genesis"))
	s.Txn.Hash = h[:]
	s.Txn.TimestampMicro = spec.Timestamp
	fx, core := vm.AddressFromU64(1), vmAddr(spec.Faucet)
	flags := framework.DefaultFeatureFlags()
	flagVals := make([]vm.Value, len(flags))
	for i, f := range flags {
		flagVals[i] = vm.U64(f)
	}
	p := e.fnInitialize.Params
	if len(p) != 4 {
		return nil, fmt.Errorf("genesis::initialize_localnet takes %d parameters, want 4", len(p))
	}
	if _, err := s.Call(e.fnInitialize, nil, []vm.Value{signerArg(p[0], fx), signerArg(p[1], core),
		vm.U64(uint64(spec.ChainID)), vm.VectorOf(flagVals)}); err != nil {
		return nil, fmt.Errorf("genesis::initialize_localnet: %w", err)
	}
	s.Txn.Sender = core
	if _, err := s.Call(e.fnRotate, nil, []vm.Value{signerArg(e.fnRotate.Params[0], core), vm.Bytes(spec.FaucetKey[:])}); err != nil {
		return nil, fmt.Errorf("set the faucet account's key: %w", err)
	}
	pub := vmAddr(e.publisher)
	s.Txn.Sender = pub
	for _, m := range e.initOrder {
		f := m.Function("init_module")
		if f == nil {
			continue
		}
		if len(f.Params) != 1 || len(f.TypeParams) != 0 || len(f.Results) != 0 {
			return nil, fmt.Errorf("%s::init_module must take one &signer and return nothing", m.ID)
		}
		if _, err := s.Call(f, nil, []vm.Value{signerArg(f.Params[0], pub)}); err != nil {
			return nil, fmt.Errorf("%s::init_module: %s", m.ID, e.status(err).VMStatus())
		}
	}
	cs, err := s.Finish()
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return &node.Outcome{Status: node.ExecutedStatus(), Writes: writes(cs), Events: events(s.Events)}, nil
}

type emptyView struct{}

func (emptyView) Get(state.Key) ([]byte, bool) { return nil, false }

// BlockPrologue sets on-chain time: timestamp::update_global_time, called
// with the VM's signer as Aptos's block prologue does.
func (e *Executor) BlockPrologue(view state.View, b *node.BlockInfo) (*node.Outcome, error) {
	s := e.session(view, systemBudget)
	defer s.Release()
	s.Txn.TimestampMicro = b.Timestamp
	p := e.fnUpdateTime.Params
	_, err := s.Call(e.fnUpdateTime, nil, []vm.Value{signerArg(p[0], vm.Address{}), vm.Addr(vmAddr(b.Proposer)), vm.U64(b.Timestamp)})
	if err == nil {
		// As Aptos's block prologue, the block's randomness seed next.
		seed := blockSeed(b.Hash)
		some := vm.StructOf(vm.VectorOf([]vm.Value{vm.Bytes(seed[:])}))
		p := e.fnRandomness.Params
		_, err = s.Call(e.fnRandomness, nil, []vm.Value{signerArg(p[0], vm.Address{}), vm.U64(b.Epoch), vm.U64(b.Round), some})
	}
	out, _ := e.outcome(s, err)
	if !out.Status.Success() {
		return nil, fmt.Errorf("block prologue: %s", out.Status.VMStatus())
	}
	out.GasUsed = 0
	return out, nil
}

// Account reads the account resource: its first two fields are the
// authentication key and the sequence number, in every Aptos version.
func (e *Executor) Account(view state.View, addr aptos.AccountAddress) (node.AccountInfo, error) {
	b, ok := view.Get(state.ResourceKey(addr, e.accountTag))
	if !ok {
		return node.AccountInfo{AuthenticationKey: addr}, nil
	}
	des := bcs.NewDeserializer(b)
	key := des.ReadFixedBytes(int(des.Uleb128()))
	seq := des.U64()
	if err := des.Error(); err != nil || len(key) != 32 {
		return node.AccountInfo{}, fmt.Errorf("account resource of %s: malformed", addr.StringShort())
	}
	return node.AccountInfo{SequenceNumber: seq, AuthenticationKey: [32]byte(key), Exists: true}, nil
}

// Resources the balance fast path reads.
const (
	tagCoinStoreAPT       = "0x1::coin::CoinStore<0x1::aptos_coin::AptosCoin>"
	tagFungibleStore      = "0x1::fungible_asset::FungibleStore"
	tagConcurrentBalance  = "0x1::fungible_asset::ConcurrentFungibleBalance"
	fungibleStoreBCSBytes = 32 + 8 + 1 // metadata object, balance, frozen
)

// aptMetadata is APT's fungible-asset metadata object, 0xa.
var aptMetadata = aptos.AccountAddress{31: 0xa}

// Balance reads an account's APT, what coin::balance<AptosCoin> returns.
// The prologue asks twice per transaction, so the usual case, APT in the
// primary fungible store only, is read straight from that store's
// FungibleStore resource; an account with a legacy CoinStore or a
// concurrent balance goes through coin::balance in Move.
func (e *Executor) Balance(view state.View, addr aptos.AccountAddress) (uint64, error) {
	if _, legacy := view.Get(state.ResourceKey(addr, tagCoinStoreAPT)); !legacy {
		store := addr.ObjectAddressFromObject(&aptMetadata)
		if _, concurrent := view.Get(state.ResourceKey(store, tagConcurrentBalance)); !concurrent {
			b, ok := view.Get(state.ResourceKey(store, tagFungibleStore))
			if !ok {
				return 0, nil
			}
			if len(b) == fungibleStoreBCSBytes && aptos.AccountAddress(b[:32]) == aptMetadata {
				return binary.LittleEndian.Uint64(b[32:40]), nil
			}
		}
	}
	return e.moveBalance(view, addr)
}

func (e *Executor) moveBalance(view state.View, addr aptos.AccountAddress) (uint64, error) {
	s := e.session(view, systemBudget)
	defer s.Release()
	res, err := s.Call(e.fnBalance, []*vm.Type{e.tAptosCoin}, []vm.Value{vm.Addr(vmAddr(addr))})
	if err != nil {
		return 0, fmt.Errorf("balance of %s: %s", addr.StringShort(), e.status(err).VMStatus())
	}
	if len(res) != 1 {
		return 0, errors.New("coin::balance returned no value")
	}
	return res[0].N, nil
}

// Epilogue burns the fee from the payer's APT, as Aptos's epilogue does,
// and advances the sender's sequence number.
func (e *Executor) Epilogue(view state.View, sender, payer aptos.AccountAddress, fee uint64) (*node.Outcome, error) {
	s := e.session(view, systemBudget)
	defer s.Release()
	s.Txn.Sender = vmAddr(sender)
	var err error
	if fee > 0 {
		cap := vm.StructOf() // BurnCapability<AptosCoin> has no fields
		_, err = s.Call(e.fnBurnFrom, []*vm.Type{e.tAptosCoin}, []vm.Value{vm.Addr(vmAddr(payer)), vm.U64(fee), vm.RefTo(&cap)})
	}
	if err == nil {
		_, err = s.Call(e.fnIncrement, nil, []vm.Value{vm.Addr(vmAddr(sender))})
	}
	out, _ := e.outcome(s, err)
	out.GasUsed = 0
	return out, nil
}

// call converts a payload into the embedding API's call.
func call(c *aptos.EntryFunction) *exec.Call {
	out := &exec.Call{
		Module:   vm.ModuleID{Addr: vmAddr(c.Module.Address), Name: c.Module.Name},
		Function: c.Function,
		TyArgs:   make([]string, len(c.ArgTypes)),
		Args:     c.Args,
	}
	for i := range c.ArgTypes {
		out.TyArgs[i] = movevalue.TypeString(&c.ArgTypes[i])
	}
	return out
}

// Execute runs an entry function of a transaction through the VM's
// embedding API, which validates the arguments as Aptos does.
func (e *Executor) Execute(view state.View, ctx *node.TxnContext, c *aptos.EntryFunction) (*node.Outcome, error) {
	txn := &exec.Txn{
		Senders:      make([]vm.Address, len(ctx.Senders)),
		Hash:         ctx.Hash[:],
		ChainID:      ctx.ChainID,
		Budget:       ctx.Budget,
		MaxGasAmount: ctx.MaxGas,
		GasUnitPrice: ctx.GasPrice,
		Timestamp:    ctx.Timestamp,
		Index:        ctx.Index,
		Simulation:   ctx.Simulated,
	}
	for i, a := range ctx.Senders {
		txn.Senders[i] = vmAddr(a)
	}
	if ctx.FeePayer != nil {
		fp := vmAddr(*ctx.FeePayer)
		txn.FeePayer = &fp
	}
	res := e.ep.Execute(storage{view}, txn, call(c))
	out := &node.Outcome{Status: e.convert(res.Status), GasUsed: res.GasUsed}
	if res.Status.Kind == exec.Executed {
		out.Writes = writes(res.Changes)
		evs := make([]vm.Event, len(res.Events))
		for i, ev := range res.Events {
			evs[i] = vm.Event{Type: ev.Type, Data: ev.Data, Handle: ev.Handle, GUID: ev.GUID, Seq: ev.Seq}
		}
		out.Events = events(evs)
	}
	return out, nil
}

// View runs a #[view] function.
func (e *Executor) View(view state.View, c *aptos.EntryFunction, budget uint64) (*node.ViewOutcome, error) {
	res := e.ep.View(storage{view}, call(c), budget)
	out := &node.ViewOutcome{Status: e.convert(res.Status), GasUsed: res.GasUsed}
	if res.Status.Kind != exec.Executed {
		return out, nil
	}
	for _, v := range res.Values {
		l, err := e.layoutOf(v.Type)
		if err != nil {
			return nil, err
		}
		out.Values = append(out.Values, v.Data)
		out.Layouts = append(out.Layouts, l)
	}
	return out, nil
}

// convert turns the VM's outcome into the node's status, in Aptos's codes,
// naming aborts from the module's error map.
func (e *Executor) convert(st exec.Status) node.Status {
	var loc *aptos.ModuleId
	if st.Location.Name != "" {
		loc = &aptos.ModuleId{Address: aptos.AccountAddress(st.Location.Addr), Name: st.Location.Name}
	}
	switch st.Kind {
	case exec.Executed:
		return node.ExecutedStatus()
	case exec.MoveAbort:
		out := node.Status{Kind: node.MoveAbort, Code: node.StatusAborted, Location: loc, AbortCode: st.Code}
		if loc != nil {
			if info, ok := e.abortInfo(st.Location, st.Code); ok {
				out.Reason, out.Description = info.name, info.doc
			}
		}
		return out
	case exec.OutOfGas:
		return node.Status{Kind: node.OutOfGas, Code: node.StatusOutOfGas}
	case exec.ExecutionFailure:
		code := aptosCode(vm.StatusCode(st.Code))
		if loc == nil {
			return node.Misc(code, st.Message)
		}
		return node.Status{Kind: node.ExecutionFailure, Code: code, Location: loc,
			Function: st.Function, CodeOffset: uint64(max(st.Offset, 0)), Message: st.Message}
	}
	out := node.Misc(aptosCode(vm.StatusCode(st.Code)), st.Message)
	if !out.Code.Known() {
		out.CodeName = vm.StatusCode(st.Code).String()
	}
	return out
}

// status converts an error of the node's own calls into the Move VM
// (genesis, prologue, epilogue) into a status.
func (e *Executor) status(err error) node.Status {
	var ee *vm.ExecError
	if !errors.As(err, &ee) {
		return node.Misc(node.StatusUnknownInvariantViolation, err.Error())
	}
	st := exec.Status{Code: uint64(ee.Status), Location: ee.Location, Function: ee.Function, Offset: ee.Offset, Message: ee.Msg}
	switch {
	case ee.Status == vm.Aborted:
		st.Kind, st.Code = exec.MoveAbort, ee.Sub
	case ee.Status == vm.OutOfGas:
		st.Kind = exec.OutOfGas
	case ee.Script:
		st.Kind = exec.MiscError
	default:
		st.Kind = exec.ExecutionFailure
	}
	if ee.Script {
		st.Location = vm.ModuleID{}
	}
	return e.convert(st)
}

// aptosCode maps the interpreter's status to Aptos's number by name, so
// clients see the codes a real node reports.
func aptosCode(s vm.StatusCode) node.StatusCode {
	if c, ok := codeByName[s.String()]; ok {
		return c
	}
	return node.StatusCode(s)
}

var codeByName = func() map[string]node.StatusCode {
	m := map[string]node.StatusCode{}
	for c := node.StatusCode(0); c < 5000; c++ {
		if c.Known() {
			m[c.Name()] = c
		}
	}
	return m
}()

// blockSeed is the randomness seed of a block: derived from its hash, so
// draws are uniform and reproducible, though not secret (a real network's
// seed comes from its validators' distributed key, unknown in advance).
func blockSeed(blockHash [32]byte) [32]byte {
	return sha3.Sum256(append([]byte("APTOS_LOCALNET_RANDOMNESS_SEED"), blockHash[:]...))
}
