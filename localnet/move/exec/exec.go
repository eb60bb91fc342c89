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
	defer s.Release()
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
	s.Txn.Unbiasable = f.Randomness && f.Visibility != vm.Public
	// Aptos's order: the signature (results, parameter types) first, then
	// the argument count, then the signer count, then each argument.
	if len(f.Results) > 0 {
		return misc(vm.InvalidMainFunctionSignature, "entry function %s returns values", f.QualifiedName())
	}
	nsigners := 0
	for _, pt := range f.Params {
		if isSigner(pt) {
			nsigners++
		}
	}
	params, err := p.argTypes(f, f.Params[nsigners:], tys)
	if err != nil {
		return err
	}
	if nsigners+len(c.Args) != len(f.Params) {
		return misc(vm.NumberOfArgumentsMismatch, "%s takes %d arguments, got %d", f.QualifiedName(), len(f.Params)-nsigners, len(c.Args))
	}
	if nsigners > 0 && nsigners != len(txn.Senders) {
		return misc(vm.NumberOfSignerArgumentsMismatch, "%s takes %d signers, the transaction has %d", f.QualifiedName(), nsigners, len(txn.Senders))
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
		v, err := p.argument(s, params[i], b)
		if err != nil {
			return err
		}
		args[nsigners+i] = v
	}
	_, err = s.Call(f, tys, args)
	return err
}

// argTypes instantiates the parameter types that take transaction
// arguments and checks each can be one (INVALID_MAIN_FUNCTION_SIGNATURE
// before any argument is read, as Aptos checks them). A signer after the
// leading ones is rejected here too.
func (p *Program) argTypes(f *vm.Function, params, tys []*vm.Type) ([]*vm.Type, error) {
	out := make([]*vm.Type, len(params))
	for i, pt := range params {
		out[i] = p.VM.Subst(pt, tys)
		if !validArgType(out[i]) {
			return nil, misc(vm.InvalidMainFunctionSignature, "%s: a parameter of type %s cannot take a transaction argument",
				f.QualifiedName(), out[i])
		}
	}
	return out, nil
}

func isSigner(t *vm.Type) bool {
	return t.Kind == vm.KSigner || (t.Kind == vm.KRef && t.Elem.Kind == vm.KSigner)
}

var core = vm.AddressFromU64(1)

// argStructs are the framework structs a transaction argument may hold,
// with the constructors that build them (Aptos's allowed structs).
var argStructs = map[string][2]string{
	"string::String":              {"string", "utf8"},
	"object::Object":              {"object", "address_to_object"},
	"option::Option":              {"option", "from_vec"},
	"fixed_point32::FixedPoint32": {"fixed_point32", "create_from_raw_value"},
	"fixed_point64::FixedPoint64": {"fixed_point64", "create_from_raw_value"},
}

func allowedStruct(def *vm.StructDef) bool {
	if def.Module.Addr != core {
		return false
	}
	_, ok := argStructs[def.Module.Name+"::"+def.Name]
	return ok
}

// validArgType is Aptos's check of a parameter type: integers, bool,
// address, vectors of valid types, the allowed framework structs (whatever
// their type arguments), and other structs and enums without key (Move
// 2.4 public copy structs; whether one can be built is decided when it is
// built).
func validArgType(t *vm.Type) bool {
	switch {
	case t.Kind == vm.KBool || t.Kind == vm.KAddress || t.Kind.IsInteger():
		return true
	case t.Kind == vm.KVector:
		return validArgType(t.Elem)
	case t.Kind == vm.KStruct:
		return allowedStruct(t.Struct) || t.Abilities()&vm.Key == 0
	}
	return false
}

// maxConstructions bounds the structs built for one argument (strings
// excepted), as Aptos bounds constructor invocations when public struct
// arguments are enabled.
const maxConstructions = 32

// argument decodes one transaction argument of type t.
func (p *Program) argument(s *vm.Session, t *vm.Type, b []byte) (vm.Value, error) {
	d := &argDecoder{p: p, s: s, b: b, left: maxConstructions}
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
	p    *Program
	s    *vm.Session
	b    []byte
	off  int
	left int // struct constructions still allowed
}

func (d *argDecoder) fail(t *vm.Type, err error) error {
	return misc(vm.FailedToDeserializeArgument, "argument of type %s: %v", t, err)
}

func invalidArg(t *vm.Type, why string) error {
	return misc(vm.InvalidMainFunctionSignature, "type %s cannot be a transaction argument: %s", t, why)
}

// plain decodes a BCS value of a plain type from the remaining bytes.
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
	switch {
	case t.Kind == vm.KBool || t.Kind == vm.KAddress || t.Kind.IsInteger():
		return d.plain(t)
	case t.Kind == vm.KVector:
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
	case t.Kind == vm.KStruct:
		if d.left == 0 {
			return vm.Value{}, d.fail(t, errors.New("too many struct constructions in one argument"))
		}
		if allowedStruct(t.Struct) {
			return d.framework(t, depth)
		}
		return d.publicStruct(t, depth)
	}
	return vm.Value{}, invalidArg(t, "not a value type")
}

// framework builds an allowed framework struct with its constructor, so
// invalid arguments abort where they abort on Aptos (an invalid UTF-8
// string with 1 in 0x1::string, an Option of two with 0x40002 in
// 0x1::option, a missing object in 0x1::object).
func (d *argDecoder) framework(t *vm.Type, depth int) (vm.Value, error) {
	def := t.Struct
	name := def.Module.Name + "::" + def.Name
	if name != "string::String" {
		d.left--
	}
	var arg vm.Value
	var tys []*vm.Type
	var err error
	switch name {
	case "string::String":
		arg, err = d.value(d.p.VM.Vector(vm.TU8), depth+1)
	case "option::Option":
		tys = []*vm.Type{t.Args[0]}
		arg, err = d.value(d.p.VM.Vector(t.Args[0]), depth+1)
	case "object::Object":
		tys = []*vm.Type{t.Args[0]}
		arg, err = d.plain(vm.TAddress)
	default: // fixed point numbers: one integer field
		return d.plain(t)
	}
	if err != nil {
		return vm.Value{}, err
	}
	ctor := argStructs[name]
	return d.construct(core, ctor[0], ctor[1], tys, arg)
}

// publicStruct builds a struct or enum value field by field, as Aptos does
// through its generated pack function: only `public` structs whose
// declaration has copy and not key qualify; an enum's bytes start with the
// variant index.
func (d *argDecoder) publicStruct(t *vm.Type, depth int) (vm.Value, error) {
	d.left--
	def := t.Struct
	if def.Abilities&vm.Copy == 0 || def.Abilities&vm.Key != 0 {
		return vm.Value{}, invalidArg(t, "a struct argument needs copy and not key")
	}
	variant := -1
	fields := def.Fields
	if def.IsEnum {
		idx, err := d.uleb(t)
		if err != nil {
			return vm.Value{}, err
		}
		if idx >= uint64(len(def.Variants)) {
			return vm.Value{}, d.fail(t, fmt.Errorf("variant %d of an enum with %d variants", idx, len(def.Variants)))
		}
		variant = int(idx)
		fields = def.Variants[idx].Fields
	}
	if def.Visibility != vm.Public {
		return vm.Value{}, invalidArg(t, "only public structs are built from arguments")
	}
	if !def.IsEnum && len(fields) == 0 {
		// A struct without fields is laid out as its compiler-given
		// dummy_field: bool.
		_, err := d.plain(vm.TBool)
		return vm.StructOf(), err
	}
	vals := make([]vm.Value, len(fields))
	for i, fd := range fields {
		v, err := d.value(d.p.VM.Subst(fd.Type, t.Args), depth+1)
		if err != nil {
			return vm.Value{}, err
		}
		vals[i] = v
	}
	if variant >= 0 {
		return vm.VariantOf(variant, vals...), nil
	}
	return vm.StructOf(vals...), nil
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
	case vm.KBool, vm.KU8, vm.KI8:
		n = 1
	case vm.KU16, vm.KI16:
		n = 2
	case vm.KU32, vm.KI32:
		n = 4
	case vm.KU64, vm.KI64:
		n = 8
	case vm.KU128, vm.KI128:
		n = 16
	case vm.KU256, vm.KI256, vm.KAddress:
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
	defer s.Release()
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
	// Aptos: the #[view] attribute, results, then the arguments (a wrong
	// count is INVALID_MAIN_FUNCTION_SIGNATURE for a view).
	if !f.View {
		return nil, misc(vm.InvalidMainFunctionSignature, "%s is not a view function", f.QualifiedName())
	}
	if len(f.Results) == 0 {
		return nil, misc(vm.InvalidMainFunctionSignature, "view function %s returns nothing", f.QualifiedName())
	}
	if len(c.Args) != len(f.Params) {
		return nil, misc(vm.InvalidMainFunctionSignature, "%s takes %d arguments, got %d", f.QualifiedName(), len(f.Params), len(c.Args))
	}
	params, err := p.argTypes(f, f.Params, tys)
	if err != nil {
		return nil, err
	}
	args := make([]vm.Value, len(f.Params))
	for i, b := range c.Args {
		v, err := p.argument(s, params[i], b)
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
	defer s.Release()
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
