// Package exec is the embedding API of the Move VM for the localnet node:
// a Program is compiled once from source (the framework plus the packages
// the chain publishes) and shared by every execution; each entry-function
// or view call runs in its own session over a read-only Storage and
// returns a status, the events it emitted, the change set and the gas it
// used. A Program is safe for concurrent use; executions are independent.
package exec

import (
	"errors"
	"fmt"

	"github.com/agi-nostr/agi-nostr/localnet/move/build"
	"github.com/agi-nostr/agi-nostr/localnet/move/check"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Program is a compiled, immutable set of modules.
type Program struct {
	VM *vm.Program
	// Schedule prices instructions; nil charges one unit per instruction.
	Schedule *vm.GasSchedule
}

// Load compiles the framework plus the packages in dirs (each a directory
// holding Move.toml) into one program. named assigns named addresses.
func Load(dirs []string, named map[string]vm.Address) (*Program, error) {
	res, err := build.BuildPackages(dirs, build.Options{NamedAddresses: named})
	if err != nil {
		return nil, err
	}
	return &Program{VM: res.Program}, nil
}

// FromResult wraps an already compiled program.
func FromResult(res *check.Result) *Program { return &Program{VM: res.Program} }

// StatusKind classifies the outcome of an execution.
type StatusKind uint8

// Outcomes, as Aptos reports them in transaction info.
const (
	// Executed: success; the change set applies.
	Executed StatusKind = iota
	// MoveAbort: `abort` or a failed assert; Location and Code are set.
	MoveAbort
	// ExecutionFailure: a runtime error (arithmetic, vector, missing data...);
	// Location, Function, Offset and Code (the VM status) are set.
	ExecutionFailure
	// OutOfGas: the budget ran out.
	OutOfGas
	// MiscError: the call was rejected before running (unknown function,
	// wrong arguments); Code holds the VM status.
	MiscError
)

// Status is the outcome of an execution.
type Status struct {
	Kind StatusKind
	// Code is the abort code (MoveAbort) or the VM status code.
	Code uint64
	// SubStatus is set for vector errors.
	SubStatus *uint64
	// Location is the module that aborted or failed.
	Location vm.ModuleID
	Function string
	Offset   int
	// Message describes the failure.
	Message string
}

// VMStatus is the major VM status code of the outcome (4001 on success).
func (s Status) VMStatus() vm.StatusCode {
	switch s.Kind {
	case Executed:
		return vm.Executed
	case MoveAbort:
		return vm.Aborted
	case OutOfGas:
		return vm.OutOfGas
	}
	return vm.StatusCode(s.Code)
}

func (s Status) String() string {
	switch s.Kind {
	case Executed:
		return "Executed successfully"
	case MoveAbort:
		return fmt.Sprintf("Move abort in %s: code %d", s.Location, s.Code)
	case ExecutionFailure:
		return fmt.Sprintf("Execution failed in %s::%s at code offset %d: %s", s.Location, s.Function, s.Offset, vm.StatusCode(s.Code))
	case OutOfGas:
		return "Out of gas"
	}
	return fmt.Sprintf("%s: %s", vm.StatusCode(s.Code), s.Message)
}

// StatusOf classifies an error returned by vm.Session.Call (nil is
// Executed), for embedders that drive sessions themselves.
func StatusOf(err error) Status { return statusOf(err) }

func statusOf(err error) Status {
	if err == nil {
		return Status{Kind: Executed}
	}
	var ee *vm.ExecError
	if !errors.As(err, &ee) {
		return Status{Kind: MiscError, Code: uint64(vm.UnknownInvariantViolation), Message: err.Error()}
	}
	st := Status{Code: uint64(ee.Status), Location: ee.Location, Function: ee.Function, Offset: ee.Offset, Message: ee.Msg}
	switch {
	case ee.Status == vm.Aborted:
		st.Kind, st.Code = MoveAbort, ee.Sub
	case ee.Status == vm.OutOfGas:
		st.Kind = OutOfGas
	case ee.Script:
		st.Kind = MiscError
	default:
		st.Kind = ExecutionFailure
		if ee.HasSub {
			sub := ee.Sub
			st.SubStatus = &sub
		}
	}
	return st
}

// Txn is the transaction an entry function runs in.
type Txn struct {
	// Senders are the signers: the sender first, then secondary signers.
	Senders  []vm.Address
	FeePayer *vm.Address
	Hash     []byte // 32 bytes; unique addresses and table handles derive from it
	ChainID  uint8
	// Budget is the gas budget in schedule units.
	Budget       uint64
	MaxGasAmount uint64
	GasUnitPrice uint64
	Timestamp    uint64
	// Index is the transaction's position in its block (block metadata is 0).
	Index uint32
	// Simulation marks a simulated transaction (not part of a block).
	Simulation bool
}

// Event is an emitted event.
type Event struct {
	Type *vm.Type
	// Data is the BCS encoding of the event value.
	Data []byte
	// Handle events (legacy EventHandle) carry the handle's GUID (BCS of
	// guid::GUID: creation_num u64 then address) and sequence number.
	Handle bool
	GUID   []byte
	Seq    uint64
}

// Result is the outcome of an entry-function execution.
type Result struct {
	Status Status
	Events []Event
	// Changes is nil unless Status.Kind is Executed.
	Changes *vm.ChangeSet
	GasUsed uint64
}

// Call names a function and its arguments as a transaction carries them.
type Call struct {
	Module   vm.ModuleID
	Function string
	// TyArgs are type tags ("0x1::aptos_coin::AptosCoin").
	TyArgs []string
	// Args are the BCS-encoded non-signer arguments.
	Args [][]byte
}

func misc(code vm.StatusCode, format string, args ...any) error {
	return &vm.ExecError{Status: code, Script: true, Msg: fmt.Sprintf(format, args...)}
}

// resolve finds the function and instantiates its type arguments.
func (p *Program) resolve(c *Call) (*vm.Function, []*vm.Type, error) {
	m := p.VM.Module(c.Module)
	if m == nil {
		return nil, nil, misc(vm.LinkerError, "module %s does not exist", c.Module)
	}
	f := m.Function(c.Function)
	if f == nil {
		return nil, nil, misc(vm.FunctionResolutionFailure, "function %s::%s does not exist", c.Module, c.Function)
	}
	if len(c.TyArgs) != len(f.TypeParams) {
		return nil, nil, misc(vm.NumberOfTypeArgumentsMismatch, "%s takes %d type arguments, got %d", f.QualifiedName(), len(f.TypeParams), len(c.TyArgs))
	}
	tys := make([]*vm.Type, len(c.TyArgs))
	for i, s := range c.TyArgs {
		t, err := p.VM.ParseType(s)
		if err != nil {
			return nil, nil, misc(vm.TypeResolutionFailure, "%v", err)
		}
		if need := f.TypeParams[i].Constraints; need&^t.Abilities() != 0 {
			return nil, nil, misc(vm.ConstraintNotSatisfied, "type argument %s lacks %s", t, need&^t.Abilities())
		}
		tys[i] = t
	}
	return f, tys, nil
}

func (p *Program) session(store vm.Storage, budget uint64) *vm.Session {
	return p.VM.NewSession(store, budget, p.Schedule)
}

// Execute runs an entry function as a transaction: the signers are the
// leading signer / &signer parameters, the other arguments are decoded from
// BCS and validated as Aptos does (String, Option, Object and fixed-point
// arguments go through their constructors).
func (p *Program) Execute(store vm.Storage, txn *Txn, c *Call) *Result {
	s := p.session(store, txn.Budget)
	s.Txn = vm.TxnContext{UserTransaction: true, Hash: txn.Hash, ChainID: txn.ChainID, MaxGasAmount: txn.MaxGasAmount,
		GasUnitPrice: txn.GasUnitPrice, FeePayer: txn.FeePayer, TimestampMicro: txn.Timestamp, Index: txn.Index, Simulation: txn.Simulation}
	if len(txn.Senders) > 0 {
		s.Txn.Sender = txn.Senders[0]
		s.Txn.Secondaries = txn.Senders[1:]
	}
	res := &Result{}
	err := p.runEntry(s, txn, c)
	res.GasUsed = s.GasUsed()
	res.Status = statusOf(err)
	if err != nil {
		return res
	}
	cs, ferr := s.Finish()
	if ferr != nil {
		res.Status = statusOf(ferr)
		return res
	}
	res.Changes = cs
	for _, e := range s.Events {
		res.Events = append(res.Events, Event{Type: e.Type, Data: e.Data, Handle: e.Handle, GUID: e.GUID, Seq: e.Seq})
	}
	return res
}

func (p *Program) runEntry(s *vm.Session, txn *Txn, c *Call) error {
	f, tys, err := p.resolve(c)
	if err != nil {
		return err
	}
	if !f.Entry {
		return misc(vm.ExecuteEntryFunctionCalledOnNonEntryFunction, "%s is not an entry function", f.QualifiedName())
	}
	s.Txn.EntryFunction, s.Txn.EntryTyArgs, s.Txn.EntryArgs = f, tys, c.Args
	nsigners := 0
	for _, pt := range f.Params {
		if isSigner(pt) {
			nsigners++
			continue
		}
		break
	}
	if nsigners != len(txn.Senders) && nsigners > 0 {
		return misc(vm.NumberOfSignerArgumentsMismatch, "%s takes %d signers, the transaction has %d", f.QualifiedName(), nsigners, len(txn.Senders))
	}
	if len(c.Args) != len(f.Params)-nsigners {
		return misc(vm.NumberOfArgumentsMismatch, "%s takes %d arguments, got %d", f.QualifiedName(), len(f.Params)-nsigners, len(c.Args))
	}
	args := make([]vm.Value, len(f.Params))
	for i := 0; i < nsigners; i++ {
		sv := vm.SignerValue(txn.Senders[i])
		if f.Params[i].Kind == vm.KRef {
			args[i] = vm.RefTo(&sv)
		} else {
			args[i] = sv
		}
	}
	for i, b := range c.Args {
		pt := p.VM.Subst(f.Params[nsigners+i], tys)
		v, err := p.argument(s, pt, b)
		if err != nil {
			return err
		}
		args[nsigners+i] = v
	}
	_, err = s.Call(f, tys, args)
	return err
}

func isSigner(t *vm.Type) bool {
	return t.Kind == vm.KSigner || (t.Kind == vm.KRef && t.Elem.Kind == vm.KSigner)
}

// argument decodes one transaction argument of type t.
func (p *Program) argument(s *vm.Session, t *vm.Type, b []byte) (vm.Value, error) {
	d := &argDecoder{p: p, s: s, b: b}
	v, err := d.value(t, 0)
	if err != nil {
		return vm.Value{}, err
	}
	if d.off != len(b) {
		return vm.Value{}, misc(vm.FailedToDeserializeArgument, "argument of type %s has %d trailing bytes", t, len(b)-d.off)
	}
	return v, nil
}

type argDecoder struct {
	p   *Program
	s   *vm.Session
	b   []byte
	off int
}

func (d *argDecoder) fail(t *vm.Type, err error) error {
	return misc(vm.FailedToDeserializeArgument, "argument of type %s: %v", t, err)
}

// take decodes a BCS value of a plain type from the remaining bytes.
func (d *argDecoder) plain(t *vm.Type) (vm.Value, error) {
	n, err := bcsLen(t, d.b[d.off:])
	if err != nil {
		return vm.Value{}, d.fail(t, err)
	}
	v, err := d.p.VM.Deserialize(t, d.b[d.off:d.off+n])
	if err != nil {
		return vm.Value{}, d.fail(t, err)
	}
	d.off += n
	return v, nil
}

func (d *argDecoder) uleb(t *vm.Type) (uint64, error) {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if d.off >= len(d.b) {
			return 0, d.fail(t, errors.New("unexpected end of input"))
		}
		c := d.b[d.off]
		d.off++
		x |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return x, nil
		}
	}
	return 0, d.fail(t, errors.New("bad length"))
}

func (d *argDecoder) value(t *vm.Type, depth int) (vm.Value, error) {
	if depth > 64 {
		return vm.Value{}, d.fail(t, errors.New("nested too deeply"))
	}
	switch t.Kind {
	case vm.KBool, vm.KU8, vm.KU16, vm.KU32, vm.KU64, vm.KU128, vm.KU256, vm.KAddress:
		return d.plain(t)
	case vm.KVector:
		n, err := d.uleb(t)
		if err != nil {
			return vm.Value{}, err
		}
		if n > uint64(len(d.b)-d.off) {
			return vm.Value{}, d.fail(t, errors.New("length exceeds input"))
		}
		elems := make([]vm.Value, n)
		for i := range elems {
			if elems[i], err = d.value(t.Elem, depth+1); err != nil {
				return vm.Value{}, err
			}
		}
		return vm.VectorOf(elems), nil
	case vm.KStruct:
		one := vm.AddressFromU64(1)
		def := t.Struct
		if def.Module.Addr != one {
			break
		}
		switch def.Module.Name + "::" + def.Name {
		case "string::String":
			bytes, err := d.value(d.p.VM.Vector(vm.TU8), depth+1)
			if err != nil {
				return vm.Value{}, err
			}
			return d.construct(one, "string", "utf8", nil, bytes)
		case "option::Option":
			inner, err := d.value(d.p.VM.Vector(t.Args[0]), depth+1)
			if err != nil {
				return vm.Value{}, err
			}
			return d.construct(one, "option", "from_vec", []*vm.Type{t.Args[0]}, inner)
		case "object::Object":
			addr, err := d.plain(vm.TAddress)
			if err != nil {
				return vm.Value{}, err
			}
			return d.construct(one, "object", "address_to_object", []*vm.Type{t.Args[0]}, addr)
		case "fixed_point32::FixedPoint32", "fixed_point64::FixedPoint64":
			return d.plain(t)
		}
	}
	return vm.Value{}, misc(vm.InvalidParamTypeForDeserialization, "type %s cannot be a transaction argument", t)
}

// construct calls a framework constructor, so invalid arguments abort as on Aptos.
func (d *argDecoder) construct(addr vm.Address, module, fn string, tys []*vm.Type, arg vm.Value) (vm.Value, error) {
	f := d.p.VM.Lookup(addr, module, fn)
	if f == nil {
		return vm.Value{}, misc(vm.FunctionResolutionFailure, "constructor %s::%s::%s is not available", addr, module, fn)
	}
	out, err := d.s.Call(f, tys, []vm.Value{arg})
	if err != nil {
		return vm.Value{}, err
	}
	return out[0], nil
}

// bcsLen returns the length of the BCS encoding of a plain value at the start of b.
func bcsLen(t *vm.Type, b []byte) (int, error) {
	var n int
	switch t.Kind {
	case vm.KBool, vm.KU8:
		n = 1
	case vm.KU16:
		n = 2
	case vm.KU32:
		n = 4
	case vm.KU64:
		n = 8
	case vm.KU128:
		n = 16
	case vm.KU256, vm.KAddress:
		n = 32
	case vm.KStruct:
		// fixed point: one integer field
		if len(t.Struct.Fields) == 1 {
			return bcsLen(t.Struct.Fields[0].Type, b)
		}
		return 0, errors.New("unsupported argument struct")
	default:
		return 0, errors.New("unsupported argument type")
	}
	if len(b) < n {
		return 0, errors.New("unexpected end of input")
	}
	return n, nil
}

// ViewValue is one returned value: its type (to lay it out as JSON) and BCS.
type ViewValue struct {
	Type *vm.Type
	Data []byte
}

// ViewResult is the outcome of a view call.
type ViewResult struct {
	Status  Status
	Values  []ViewValue
	GasUsed uint64
}

// View runs a #[view] function read-only and returns its results as BCS.
func (p *Program) View(store vm.Storage, c *Call, budget uint64) *ViewResult {
	s := p.session(store, budget)
	s.Txn.ChainID = 4
	out := &ViewResult{}
	vals, err := p.runView(s, c, out)
	out.GasUsed = s.GasUsed()
	out.Status = statusOf(err)
	_ = vals
	return out
}

func (p *Program) runView(s *vm.Session, c *Call, out *ViewResult) ([]vm.Value, error) {
	f, tys, err := p.resolve(c)
	if err != nil {
		return nil, err
	}
	if !f.View {
		return nil, misc(vm.InvalidMainFunctionSignature, "%s is not a view function", f.QualifiedName())
	}
	if len(c.Args) != len(f.Params) {
		return nil, misc(vm.NumberOfArgumentsMismatch, "%s takes %d arguments, got %d", f.QualifiedName(), len(f.Params), len(c.Args))
	}
	args := make([]vm.Value, len(f.Params))
	for i, b := range c.Args {
		v, err := p.argument(s, p.VM.Subst(f.Params[i], tys), b)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	vals, err := s.Call(f, tys, args)
	if err != nil {
		return nil, err
	}
	for i, v := range vals {
		t := p.VM.Subst(f.Results[i], tys)
		data, err := p.VM.Serialize(t, v)
		if err != nil {
			return nil, err
		}
		out.Values = append(out.Values, ViewValue{Type: t, Data: data})
	}
	return vals, nil
}

// Run calls any function with Move values, bypassing visibility, as genesis
// and module initialization do (for example init_module with the
// publisher's signer, or 0x1::genesis::initialize_localnet).
func (p *Program) Run(store vm.Storage, txn *Txn, f *vm.Function, tyArgs []*vm.Type, args []vm.Value) *Result {
	s := p.session(store, txn.Budget)
	s.Txn = vm.TxnContext{Hash: txn.Hash, ChainID: txn.ChainID, TimestampMicro: txn.Timestamp}
	if len(txn.Senders) > 0 {
		s.Txn.Sender = txn.Senders[0]
		s.Txn.Secondaries = txn.Senders[1:]
	}
	res := &Result{}
	_, err := s.Call(f, tyArgs, args)
	res.GasUsed = s.GasUsed()
	res.Status = statusOf(err)
	if err != nil {
		return res
	}
	cs, ferr := s.Finish()
	if ferr != nil {
		res.Status = statusOf(ferr)
		return res
	}
	res.Changes = cs
	for _, e := range s.Events {
		res.Events = append(res.Events, Event{Type: e.Type, Data: e.Data, Handle: e.Handle, GUID: e.GUID, Seq: e.Seq})
	}
	return res
}

// InitModules lists the init_module functions of a package's modules, in
// the order the package declares them; the publisher calls each with its
// signer when the package is first published.
func (p *Program) InitModules(pkg string) []*vm.Function {
	var out []*vm.Function
	for _, m := range p.VM.Modules {
		if m.Package != pkg {
			continue
		}
		if f := m.Function("init_module"); f != nil {
			out = append(out, f)
		}
	}
	return out
}
