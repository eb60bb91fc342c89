package movevm

import (
	"crypto/sha3"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/aptos-labs/aptos-go-sdk"
	"github.com/aptos-labs/aptos-go-sdk/bcs"

	"github.com/agi-nostr/agi-nostr/localnet/framework"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"github.com/agi-nostr/agi-nostr/localnet/node"
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
	s.Txn.TimestampMicro = b.Timestamp
	p := e.fnUpdateTime.Params
	_, err := s.Call(e.fnUpdateTime, nil, []vm.Value{signerArg(p[0], vm.Address{}), vm.Addr(vmAddr(b.Proposer)), vm.U64(b.Timestamp)})
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

// Balance reads APT with coin::balance<AptosCoin>.
func (e *Executor) Balance(view state.View, addr aptos.AccountAddress) (uint64, error) {
	s := e.session(view, systemBudget)
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

// Execute runs an entry function of a transaction.
func (e *Executor) Execute(view state.View, ctx *node.TxnContext, call *aptos.EntryFunction) (*node.Outcome, error) {
	f, tyArgs, st := e.function(call, true)
	if st != nil {
		return &node.Outcome{Status: *st}, nil
	}
	senders := make([]vm.Address, len(ctx.Senders))
	for i, a := range ctx.Senders {
		senders[i] = vmAddr(a)
	}
	args, st := e.arguments(view, f, tyArgs, call.Args, senders)
	if st != nil {
		return &node.Outcome{Status: *st}, nil
	}
	s := e.session(view, ctx.Budget)
	s.Txn = vm.TxnContext{
		Sender:         senders[0],
		Secondaries:    senders[1:],
		Hash:           ctx.Hash[:],
		ChainID:        ctx.ChainID,
		MaxGasAmount:   ctx.MaxGas,
		GasUnitPrice:   ctx.GasPrice,
		EntryFunction:  f,
		EntryTyArgs:    tyArgs,
		EntryArgs:      call.Args,
		TimestampMicro: ctx.Timestamp,
	}
	if ctx.FeePayer != nil {
		fp := vmAddr(*ctx.FeePayer)
		s.Txn.FeePayer = &fp
	}
	_, err := s.Call(f, tyArgs, args)
	return e.outcome(s, err)
}

// View runs a #[view] function.
func (e *Executor) View(view state.View, call *aptos.EntryFunction, budget uint64) (*node.ViewOutcome, error) {
	f, tyArgs, st := e.function(call, false)
	if st != nil {
		return &node.ViewOutcome{Status: *st}, nil
	}
	args, st := e.arguments(view, f, tyArgs, call.Args, nil)
	if st != nil {
		return &node.ViewOutcome{Status: *st}, nil
	}
	s := e.session(view, budget)
	res, err := s.Call(f, tyArgs, args)
	out := &node.ViewOutcome{GasUsed: s.GasUsed()}
	if err != nil {
		out.Status = e.status(err)
		return out, nil
	}
	out.Status = node.ExecutedStatus()
	for i, t := range f.Results {
		t = e.prog.Subst(t, tyArgs)
		b, err := e.prog.Serialize(t, res[i])
		if err != nil {
			return nil, fmt.Errorf("serialize result %d of %s: %w", i, f.QualifiedName(), err)
		}
		l, err := e.layoutOf(t)
		if err != nil {
			return nil, err
		}
		out.Values = append(out.Values, b)
		out.Layouts = append(out.Layouts, l)
	}
	return out, nil
}

func misc(c node.StatusCode, format string, args ...any) *node.Status {
	st := node.Misc(c, fmt.Sprintf(format, args...))
	return &st
}

// function resolves the function a payload calls and its type arguments.
func (e *Executor) function(call *aptos.EntryFunction, entry bool) (*vm.Function, []*vm.Type, *node.Status) {
	m := e.prog.Module(vm.ModuleID{Addr: vmAddr(call.Module.Address), Name: call.Module.Name})
	if m == nil {
		return nil, nil, misc(node.StatusLinkerError, "module %s::%s does not exist", call.Module.Address.StringShort(), call.Module.Name)
	}
	f := m.Function(call.Function)
	if f == nil || f.TestOnly {
		return nil, nil, misc(node.StatusFunctionResolutionFailure, "function %s::%s does not exist", m.ID, call.Function)
	}
	if entry && !f.Entry {
		return nil, nil, misc(node.StatusEntryFunctionOnNonEntryFunction, "%s is not an entry function", f.QualifiedName())
	}
	if !entry && !f.View {
		return nil, nil, misc(node.StatusInvalidMainFunctionSignature, "function %s is not marked as a view function", f.QualifiedName())
	}
	if len(call.ArgTypes) != len(f.TypeParams) {
		return nil, nil, misc(node.StatusNumberOfTypeArgumentsMismatch, "%s takes %d type arguments, got %d",
			f.QualifiedName(), len(f.TypeParams), len(call.ArgTypes))
	}
	tyArgs := make([]*vm.Type, len(call.ArgTypes))
	for i := range call.ArgTypes {
		t, st := e.typeOf(&call.ArgTypes[i], 0)
		if st != nil {
			return nil, nil, st
		}
		if need := f.TypeParams[i].Constraints; t.Abilities()&need != need {
			return nil, nil, misc(node.StatusConstraintNotSatisfied, "type argument %s of %s lacks %s", t, f.QualifiedName(), need)
		}
		tyArgs[i] = t
	}
	return f, tyArgs, nil
}

// maxTypeDepth bounds the nesting of type arguments.
const maxTypeDepth = 16

// typeOf converts a type tag into the program's type.
func (e *Executor) typeOf(tag *aptos.TypeTag, depth int) (*vm.Type, *node.Status) {
	if depth > maxTypeDepth {
		return nil, misc(node.StatusTypeTagLimitExceeded, "type argument nested too deeply")
	}
	switch v := tag.Value.(type) {
	case *aptos.BoolTag:
		return vm.TBool, nil
	case *aptos.U8Tag:
		return vm.TU8, nil
	case *aptos.U16Tag:
		return vm.TU16, nil
	case *aptos.U32Tag:
		return vm.TU32, nil
	case *aptos.U64Tag:
		return vm.TU64, nil
	case *aptos.U128Tag:
		return vm.TU128, nil
	case *aptos.U256Tag:
		return vm.TU256, nil
	case *aptos.AddressTag:
		return vm.TAddress, nil
	case *aptos.SignerTag:
		return vm.TSigner, nil
	case *aptos.VectorTag:
		elem, st := e.typeOf(&v.TypeParam, depth+1)
		if st != nil {
			return nil, st
		}
		return e.prog.Vector(elem), nil
	case *aptos.StructTag:
		mid := vm.ModuleID{Addr: vmAddr(v.Address), Name: v.Module}
		if e.prog.Module(mid) == nil {
			return nil, misc(node.StatusLinkerError, "module %s does not exist", mid)
		}
		def := e.prog.LookupStruct(mid.Addr, mid.Name, v.Name)
		if def == nil {
			return nil, misc(node.StatusTypeResolutionFailure, "type %s::%s does not exist", mid, v.Name)
		}
		if len(v.TypeParams) != len(def.TypeParams) {
			return nil, misc(node.StatusNumberOfTypeArgumentsMismatch, "type %s takes %d type arguments, got %d",
				def.FullName(), len(def.TypeParams), len(v.TypeParams))
		}
		args := make([]*vm.Type, len(v.TypeParams))
		for i := range v.TypeParams {
			a, st := e.typeOf(&v.TypeParams[i], depth+1)
			if st != nil {
				return nil, st
			}
			if need := def.TypeParams[i].Constraints; a.Abilities()&need != need {
				return nil, misc(node.StatusConstraintNotSatisfied, "type argument %s of %s lacks %s", a, def.FullName(), need)
			}
			args[i] = a
		}
		return e.prog.Struct(def, args), nil
	}
	return nil, misc(node.StatusTypeResolutionFailure, "type %s is not supported", tag.String())
}

func isSigner(t *vm.Type) bool {
	return t.Kind == vm.KSigner || (t.Kind == vm.KRef || t.Kind == vm.KMutRef) && t.Elem.Kind == vm.KSigner
}

// Struct types an entry or view function may take, constructed from their
// BCS and checked as Aptos's constructors check them.
const (
	tagString  = "0x1::string::String"
	tagObject  = "0x1::object::Object"
	tagOption  = "0x1::option::Option"
	tagFixed32 = "0x1::fixed_point32::FixedPoint32"
	tagFixed64 = "0x1::fixed_point64::FixedPoint64"
)

func allowedArg(t *vm.Type) bool {
	switch t.Kind {
	case vm.KBool, vm.KU8, vm.KU16, vm.KU32, vm.KU64, vm.KU128, vm.KU256, vm.KAddress:
		return true
	case vm.KVector:
		return allowedArg(t.Elem)
	case vm.KStruct:
		switch t.Struct.FullName() {
		case tagString, tagObject, tagFixed32, tagFixed64:
			return true
		case tagOption:
			return allowedArg(t.Args[0])
		}
	}
	return false
}

// arguments validates and decodes the arguments of a call as Aptos does:
// signers first (as many as the transaction has senders), then only
// argument types that can be constructed from bytes, each decoding exactly.
func (e *Executor) arguments(view state.View, f *vm.Function, tyArgs []*vm.Type, raw [][]byte, senders []vm.Address) ([]vm.Value, *node.Status) {
	params := e.prog.SubstAll(f.Params, tyArgs)
	nSigners := 0
	for nSigners < len(params) && isSigner(params[nSigners]) {
		nSigners++
	}
	for _, p := range params[nSigners:] {
		if !allowedArg(p) {
			return nil, misc(node.StatusInvalidMainFunctionSignature, "%s takes a parameter of type %s, which a transaction cannot pass", f.QualifiedName(), p)
		}
	}
	if nSigners+len(raw) != len(params) {
		return nil, misc(node.StatusNumberOfArgumentsMismatch, "%s takes %d arguments, got %d", f.QualifiedName(), len(params)-nSigners, len(raw))
	}
	if nSigners > 0 && nSigners != len(senders) {
		return nil, misc(node.StatusNumberOfSignerArgumentsMismatch, "%s takes %d signers, the transaction has %d", f.QualifiedName(), nSigners, len(senders))
	}
	args := make([]vm.Value, 0, len(params))
	for i := 0; i < nSigners; i++ {
		args = append(args, signerArg(params[i], senders[i]))
	}
	for i, b := range raw {
		t := params[nSigners+i]
		v, err := e.prog.Deserialize(t, b)
		if err == nil {
			err = e.validArg(view, t, v, 0)
		}
		if err != nil {
			return nil, misc(node.StatusFailedToDeserializeArgument, "argument %d of %s: %v", i, f.QualifiedName(), err)
		}
		args = append(args, v)
	}
	return args, nil
}

// validArg applies the checks of Aptos's argument constructors: a String
// holds UTF-8, an Option at most one value, an Object an existing object
// holding the resource it names.
func (e *Executor) validArg(view state.View, t *vm.Type, v vm.Value, depth int) error {
	if depth > maxTypeDepth {
		return errors.New("argument nested too deeply")
	}
	switch t.Kind {
	case vm.KVector:
		if !needsCheck(t.Elem) {
			return nil
		}
		for _, el := range v.P.(*vm.Vector).Elems {
			if err := e.validArg(view, t.Elem, el, depth+1); err != nil {
				return err
			}
		}
	case vm.KStruct:
		st := v.P.(*vm.Struct)
		switch t.Struct.FullName() {
		case tagString:
			var b []byte
			for _, c := range st.Fields[0].P.(*vm.Vector).Elems {
				b = append(b, byte(c.N))
			}
			if !utf8.Valid(b) {
				return errors.New("string is not valid UTF-8")
			}
		case tagOption:
			if t.Struct.IsEnum {
				if st.Variant == 1 {
					return e.validArg(view, t.Args[0], st.Fields[0], depth+1)
				}
				return nil
			}
			elems := st.Fields[0].P.(*vm.Vector).Elems
			if len(elems) > 1 {
				return errors.New("option holds more than one value")
			}
			for _, el := range elems {
				if err := e.validArg(view, t.Args[0], el, depth+1); err != nil {
					return err
				}
			}
		case tagObject:
			addr := *st.Fields[0].P.(*vm.Address)
			if _, ok := view.Get(state.ResourceKey(addr, "0x1::object::ObjectCore")); !ok {
				return fmt.Errorf("no object at %s", addr)
			}
			if inner := t.Args[0]; inner.Kind == vm.KStruct {
				if _, ok := view.Get(state.ResourceKey(addr, inner.String())); !ok {
					return fmt.Errorf("object %s holds no %s", addr, inner)
				}
			}
		}
	}
	return nil
}

func needsCheck(t *vm.Type) bool {
	switch t.Kind {
	case vm.KVector:
		return needsCheck(t.Elem)
	case vm.KStruct:
		return true
	}
	return false
}

// status converts an execution error into the node's status.
func (e *Executor) status(err error) node.Status {
	var ee *vm.ExecError
	if !errors.As(err, &ee) {
		return node.Misc(node.StatusUnknownInvariantViolation, err.Error())
	}
	code := aptosCode(ee.Status)
	loc := &aptos.ModuleId{Address: aptos.AccountAddress(ee.Location.Addr), Name: ee.Location.Name}
	if ee.Script || ee.Location.Name == "" {
		loc = nil
	}
	switch {
	case ee.Status == vm.Aborted:
		st := node.Status{Kind: node.MoveAbort, Code: node.StatusAborted, Location: loc, AbortCode: ee.Sub}
		if loc != nil {
			if info, ok := e.abortInfo(ee.Location, ee.Sub); ok {
				st.Reason, st.Description = info.name, info.doc
			}
		}
		return st
	case ee.Status == vm.OutOfGas:
		return node.Status{Kind: node.OutOfGas, Code: node.StatusOutOfGas}
	case code >= 4000 && code < 5000 && loc != nil:
		return node.Status{Kind: node.ExecutionFailure, Code: code, Location: loc,
			Function: ee.Function, CodeOffset: uint64(max(ee.Offset, 0)), Message: ee.Msg}
	}
	st := node.Misc(code, ee.Msg)
	if code.Name() != ee.Status.String() {
		st.CodeName = ee.Status.String()
	}
	return st
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
		if n := c.Name(); n != fmt.Sprintf("STATUS_CODE_%d", uint64(c)) {
			m[n] = c
		}
	}
	return m
}()
