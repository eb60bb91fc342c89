package vm

import (
	"fmt"
	"sync"
)

// Natives is a registry of native function implementations keyed by
// (address, module, function). Build one, register implementations, and pass
// it to Program.Link. A registry may be shared by many programs.
type Natives struct {
	mu sync.RWMutex
	m  map[nativeKey]NativeFunc
}

type nativeKey struct {
	addr   Address
	module string
	fn     string
}

// NewNatives returns an empty registry.
func NewNatives() *Natives { return &Natives{m: map[nativeKey]NativeFunc{}} }

// Register adds an implementation; a later registration replaces an earlier one.
func (n *Natives) Register(addr Address, module, fn string, impl NativeFunc) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.m[nativeKey{addr, module, fn}] = impl
}

// RegisterAll registers the functions of one module.
func (n *Natives) RegisterAll(addr Address, module string, fns map[string]NativeFunc) {
	for name, f := range fns {
		n.Register(addr, module, name, f)
	}
}

// Merge copies every registration of other into n.
func (n *Natives) Merge(other *Natives) {
	other.mu.RLock()
	defer other.mu.RUnlock()
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, v := range other.m {
		n.m[k] = v
	}
}

func (n *Natives) lookup(addr Address, module, fn string) NativeFunc {
	if n == nil {
		return nil
	}
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.m[nativeKey{addr, module, fn}]
}

// NativeContext is what a native function sees of the execution: the
// program's types, global storage, tables, events, the transaction context
// and the gas meter.
type NativeContext struct {
	s *Session
	// Fn is the native being called.
	Fn *Function
}

// Program returns the program being executed.
func (c *NativeContext) Program() *Program { return c.s.prog }

// Session returns the execution session.
func (c *NativeContext) Session() *Session { return c.s }

// Txn returns the transaction context.
func (c *NativeContext) Txn() *TxnContext { return &c.s.Txn }

// Charge consumes gas units; it fails with OUT_OF_GAS when the budget is exhausted.
func (c *NativeContext) Charge(units uint64) error {
	if c.s.gasLeft < units {
		c.s.gasLeft = 0
		return &ExecError{Status: OutOfGas}
	}
	c.s.gasLeft -= units
	return nil
}

// ChargeInternal consumes a cost given in Aptos internal gas units (the
// unit of Aptos's published native costs): as it is under a schedule in
// those units, scaled to instructions otherwise.
func (c *NativeContext) ChargeInternal(units uint64) error {
	if !c.s.sched.InternalUnits {
		units /= internalPerInstruction
	}
	return c.Charge(units)
}

// Abort returns an ABORTED error located at the native's module.
func (c *NativeContext) Abort(code uint64) error {
	e := AbortError(code)
	e.Location = c.Fn.Module.ID
	return e
}

// Errorf returns an internal error, reported as UNKNOWN_INVARIANT_VIOLATION_ERROR.
func (c *NativeContext) Errorf(format string, args ...any) error {
	return &ExecError{Status: UnknownInvariantViolation, Location: c.Fn.Module.ID, Msg: fmt.Sprintf(format, args...)}
}

// Exists reports whether a resource of type t is published at addr.
func (c *NativeContext) Exists(addr Address, t *Type) (bool, error) { return c.s.exists(addr, t) }

// BorrowGlobal returns the location of the resource of type t at addr
// (MISSING_DATA if absent). Writes through it are kept when mut is set.
func (c *NativeContext) BorrowGlobal(addr Address, t *Type, mut bool) (*Value, error) {
	return c.s.borrowGlobal(addr, t, mut)
}

// MoveTo publishes a resource (RESOURCE_ALREADY_EXISTS if present).
func (c *NativeContext) MoveTo(addr Address, t *Type, v Value) error { return c.s.moveTo(addr, t, v) }

// MoveFrom removes and returns a resource (MISSING_DATA if absent).
func (c *NativeContext) MoveFrom(addr Address, t *Type) (Value, error) { return c.s.moveFrom(addr, t) }

// Tables gives access to table items.
func (c *NativeContext) Tables() *Tables { return &c.s.tables }

// EmitEvent records a module event (0x1::event::emit). The native owns
// v (event::emit takes its argument by value), so it is kept as is.
func (c *NativeContext) EmitEvent(t *Type, v Value) error {
	data, err := c.s.prog.Serialize(t, v)
	if err != nil {
		return err
	}
	c.s.Events = append(c.s.Events, Event{Type: t, Data: data, Value: v})
	return nil
}

// EmitHandleEvent records a legacy event on an event handle
// (0x1::event::write_to_event_store).
func (c *NativeContext) EmitHandleEvent(guid []byte, seq uint64, t *Type, v Value) error {
	data, err := c.s.prog.Serialize(t, v)
	if err != nil {
		return err
	}
	c.s.Events = append(c.s.Events, Event{Type: t, Data: data, Value: v, GUID: guid, Seq: seq, Handle: true})
	return nil
}

// Events returns the events emitted so far in this execution.
func (c *NativeContext) Events() []Event { return c.s.Events }

// Extension returns per-session state a native package keeps under key,
// creating it with mk on first use (for example the framework's aggregator
// bookkeeping).
func (c *NativeContext) Extension(key string, mk func() any) any {
	if c.s.ext == nil {
		c.s.ext = map[string]any{}
	}
	v, ok := c.s.ext[key]
	if !ok {
		v = mk()
		c.s.ext[key] = v
	}
	return v
}

// Print writes debug output (std::debug::print) to the session's debug writer.
func (c *NativeContext) Print(s string) {
	if c.s.Debug != nil {
		fmt.Fprintln(c.s.Debug, "[debug] "+s)
	}
}

// Serialize returns the BCS encoding of v of type t.
func (c *NativeContext) Serialize(t *Type, v Value) ([]byte, error) { return c.s.prog.Serialize(t, v) }

// Deserialize decodes BCS bytes into a value of type t.
func (c *NativeContext) Deserialize(t *Type, b []byte) (Value, error) {
	return c.s.prog.deserialize(t, b, &c.s.alloc)
}

// The constructors below build values in the session's memory (see
// Session.Release); natives should prefer them to the package-level ones.

// Bytes returns a vector<u8> value holding a copy of b.
func (c *NativeContext) Bytes(b []byte) Value {
	a := &c.s.alloc
	elems := a.values(len(b))
	for i, x := range b {
		elems[i].N = uint64(x)
	}
	return Value{P: a.newVector(elems)}
}

// StructOf returns a struct value holding a copy of fields.
func (c *NativeContext) StructOf(fields ...Value) Value {
	a := &c.s.alloc
	vals := a.values(len(fields))
	copy(vals, fields)
	return Value{P: a.newStruct(0, vals)}
}

// Addr returns an address value.
func (c *NativeContext) Addr(addr Address) Value { return Value{P: c.s.alloc.newAddress(addr)} }

// Grow returns elems with room for at least n more elements (moved to new
// memory when it lacks it), for natives that append to vectors.
func (c *NativeContext) Grow(elems []Value, n int) []Value { return c.s.alloc.grow(elems, n) }

// Call runs a Move function from a native.
func (c *NativeContext) Call(f *Function, tyArgs []*Type, args []Value) ([]Value, error) {
	return c.s.call(f, tyArgs, args)
}

// Dispatch runs a Move function as Aptos's dispatching natives do
// (dispatchable_fungible_asset, account_abstraction): f's module must not
// already be on the call stack, and until f returns no call may re-enter a
// module that is (RUNTIME_DISPATCH_ERROR).
func (c *NativeContext) Dispatch(f *Function, tyArgs []*Type, args []Value) ([]Value, error) {
	s := c.s
	if f.Module != c.Fn.Module && s.moduleActive(f.Module) {
		return nil, &ExecError{Status: RuntimeDispatchError, Location: c.Fn.Module.ID, Function: c.Fn.Name,
			Msg: "Reentrancy disallowed: reentering `" + f.Module.ID.String() + "` via function `" + f.Name + "` (module lock is active)"}
	}
	s.moduleLock++
	defer func() { s.moduleLock-- }()
	return s.call(f, tyArgs, args)
}
