package vm

import (
	"fmt"
	"math/bits"
)

// MaxCallDepth is the deepest call stack allowed (as on Aptos).
const MaxCallDepth = 1024

// GasSchedule gives the cost, in gas units, of each instruction class plus
// the cost of a native call. Costs are charged as instructions execute.
type GasSchedule struct {
	Instr [numOps]uint64
	// NativeCall is charged per native call, on top of what the native charges itself.
	NativeCall uint64
	// GlobalAccess is charged on top of the instruction for exists,
	// borrow_global, move_from and move_to.
	GlobalAccess uint64
	// InternalUnits says the costs are Aptos internal gas units, in which
	// natives state their own costs (NativeContext.ChargeInternal);
	// otherwise those costs are scaled to instructions.
	InternalUnits bool
}

// internalPerInstruction converts Aptos internal gas units to the
// instruction units of a schedule that is not in internal units: the cost
// of an arithmetic instruction on Aptos.
const internalPerInstruction = 588

// DefaultSchedule charges one unit per instruction, the model of
// `aptos move test`'s instruction budget.
var DefaultSchedule = func() *GasSchedule {
	s := &GasSchedule{}
	for i := range s.Instr {
		s.Instr[i] = 1
	}
	return s
}()

type frame struct {
	fn     *Function
	code   []Instr
	pc     int
	locals []Value
	tyArgs []*Type
	mark   arenaMark
}

type arenaMark struct{ cur, off int }

// localArena hands out frames' locals from chunks that never move, so that
// references to locals (*Value) stay valid while the frame lives.
type localArena struct {
	chunks [][]Value
	cur    int
	off    int
}

// Chunks start small and double up to arenaChunk: most sessions (a
// balance read, a transaction's epilogue) need a few dozen locals, and a
// full first chunk would cost them ~100 KB of zeroed memory each.
const (
	arenaFirstChunk = 64
	arenaChunk      = 4096
)

func (a *localArena) alloc(n int) ([]Value, arenaMark) {
	m := arenaMark{a.cur, a.off}
	if a.chunks == nil {
		a.chunks = [][]Value{make([]Value, max(arenaFirstChunk, n))}
	}
	if a.off+n > len(a.chunks[a.cur]) {
		size := min(2*len(a.chunks[a.cur]), arenaChunk)
		a.cur++
		a.off = 0
		if a.cur == len(a.chunks) {
			a.chunks = append(a.chunks, make([]Value, max(size, n)))
		} else if len(a.chunks[a.cur]) < n {
			a.chunks[a.cur] = make([]Value, n)
		}
	}
	s := a.chunks[a.cur][a.off : a.off+n : a.off+n]
	clear(s)
	a.off += n
	return s, m
}

func (a *localArena) release(m arenaMark) { a.cur, a.off = m.cur, m.off }

var maxN = [...]uint64{KU8: 0xff, KU16: 0xffff, KU32: 0xffffffff, KU64: ^uint64(0)}

// Call runs a function with arguments and returns its results. Arguments
// are not validated against the signature (see ExecuteEntry for that).
//
// A fault inside the interpreter or a native (a bug, not a Move error) is
// returned as UNKNOWN_INVARIANT_VIOLATION_ERROR instead of crashing the
// process that embeds the VM.
func (s *Session) Call(f *Function, tyArgs []*Type, args []Value) (res []Value, err error) {
	depth, sp := len(s.frames), len(s.stack)
	defer func() {
		if r := recover(); r != nil {
			s.frames, s.stack = s.frames[:depth], s.stack[:sp]
			res, err = nil, &ExecError{Status: UnknownInvariantViolation, Location: f.Module.ID, Function: f.Name,
				Msg: fmt.Sprintf("internal error: %v", r)}
		}
	}()
	return s.call(f, tyArgs, args)
}

func (s *Session) call(f *Function, tyArgs []*Type, args []Value) ([]Value, error) {
	// A frame's type arguments are a stable list (interned, or held by a
	// compiled function), so substitutions in it are cached by identity.
	tyArgs = s.prog.tt.list(tyArgs)
	if f.Native {
		return s.callNative(f, tyArgs, args, nil)
	}
	base := len(s.frames)
	sp0 := len(s.stack)
	if base >= MaxCallDepth {
		return nil, &ExecError{Status: CallStackOverflow, Location: f.Module.ID}
	}
	locals, mark := s.arena.alloc(f.NumLocals)
	copy(locals, args)
	s.frames = append(s.frames, frame{fn: f, code: f.Code, locals: locals, tyArgs: tyArgs, mark: mark})
	err := s.run(base)
	if err != nil {
		// unwind
		for len(s.frames) > base {
			s.arena.release(s.frames[len(s.frames)-1].mark)
			s.frames = s.frames[:len(s.frames)-1]
		}
		s.stack = s.stack[:sp0]
		return nil, err
	}
	n := len(s.stack) - sp0
	out := make([]Value, n)
	copy(out, s.stack[sp0:])
	clear(s.stack[sp0:])
	s.stack = s.stack[:sp0]
	return out, nil
}

func (s *Session) callNative(f *Function, tyArgs []*Type, args []Value, caller *frame) ([]Value, error) {
	if f.Impl == nil {
		return nil, &ExecError{Status: MissingDependency, Location: f.Module.ID, Function: f.Name,
			Msg: "native function " + f.QualifiedName() + " is not available"}
	}
	if c := s.sched.NativeCall; c > 0 {
		if s.gasLeft < c {
			s.gasLeft = 0
			return nil, &ExecError{Status: OutOfGas}
		}
		s.gasLeft -= c
	}
	ctx := s.nativeContext(f)
	res, err := f.Impl(ctx, tyArgs, args)
	s.natives = append(s.natives, ctx)
	if err != nil {
		ee, ok := err.(*ExecError)
		if !ok {
			ee = &ExecError{Status: UnknownInvariantViolation, Msg: err.Error()}
		}
		if ee.Location == (ModuleID{}) && !ee.Script {
			ee.Location = f.Module.ID
			if ee.Status == OutOfGas && caller != nil {
				ee.Location = caller.fn.Module.ID
			}
		}
		if ee.Function == "" {
			ee.Function = f.Name
		}
		return nil, ee
	}
	return res, nil
}

// nativeContext returns a context for a call of native f, reusing one
// that is not in use; callNative gives it back when the native returns.
func (s *Session) nativeContext(f *Function) *NativeContext {
	var c *NativeContext
	if n := len(s.natives); n > 0 {
		c = s.natives[n-1]
		s.natives = s.natives[:n-1]
	} else {
		c = &NativeContext{}
	}
	c.s, c.Fn = s, f
	return c
}

// fail builds an error located at the current instruction of fr.
func (s *Session) fail(fr *frame, st StatusCode, sub uint64, hasSub bool) *ExecError {
	e := &ExecError{Status: st, Sub: sub, HasSub: hasSub, Location: fr.fn.Module.ID, Function: fr.fn.Name, Offset: fr.pc - 1}
	s.locate(e, fr)
	return e
}

// moduleActive reports whether m has a frame on the call stack.
func (s *Session) moduleActive(m *Module) bool {
	for i := range s.frames {
		if s.frames[i].fn.Module == m {
			return true
		}
	}
	return false
}

// reentered is the error of a call from fr into callee's module while a
// dispatch holds the module lock; Aptos reports it at the re-entered
// module.
func (s *Session) reentered(fr *frame, callee *Function) *ExecError {
	e := s.failMsg(fr, RuntimeDispatchError, "Reentrancy disallowed: reentering `"+callee.Module.ID.String()+"` via function `"+callee.Name+"` (module lock is active)")
	e.Location, e.Function, e.Offset = callee.Module.ID, callee.Name, 0
	return e
}

func (s *Session) failMsg(fr *frame, st StatusCode, msg string) *ExecError {
	e := s.fail(fr, st, 0, false)
	e.Msg = msg
	return e
}

var arithMsgs = map[Op]string{
	OpAdd: "Addition overflow", OpSub: "Subtraction overflow", OpMul: "Multiplication overflow",
	OpDiv: "Division by zero", OpMod: "Integer remainder by zero", OpShl: "Shift Left overflow", OpShr: "Shift Right overflow",
}

func cmpInt64(x, y int64) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func castMsg(from, to Kind, v Value) string {
	var n string
	switch {
	case from.IsSigned():
		n = SignedBig(v, from).String()
	case from <= KU64:
		n = itoaU(v.N)
	default:
		n = v.P.(*U256).Big().String()
	}
	return "Cannot cast " + Prim(from).String() + "(" + n + ") to " + Prim(to).String()
}

func itoaU(x uint64) string {
	if x == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	for x > 0 {
		i--
		buf[i] = byte('0' + x%10)
		x /= 10
	}
	return string(buf[i:])
}

func (s *Session) locate(e *ExecError, fr *frame) {
	if fr.pc-1 >= 0 && fr.pc-1 < len(fr.fn.Pos) {
		p := fr.fn.Pos[fr.pc-1]
		e.File, e.Line, e.Col = fr.fn.File, p.Line, p.Col
	}
	e.Trace = e.Trace[:0]
	for i := range s.frames {
		f := &s.frames[i]
		tf := TraceFrame{Module: f.fn.Module.ID, Function: f.fn.Name, File: f.fn.File, NameLine: f.fn.NameLine, NameCol: f.fn.NameCol}
		if f.pc-1 >= 0 && f.pc-1 < len(f.fn.Pos) {
			tf.Line, tf.Col = f.fn.Pos[f.pc-1].Line, f.fn.Pos[f.pc-1].Col
		}
		e.Trace = append(e.Trace, tf)
	}
}

func (s *Session) pop() Value {
	n := len(s.stack) - 1
	v := s.stack[n]
	s.stack[n] = Value{}
	s.stack = s.stack[:n]
	return v
}

func (s *Session) instType(fr *frame, t *Type) *Type {
	if t.open {
		return s.prog.substStable(t, fr.tyArgs)
	}
	return t
}

func bigOf(v Value, k Kind) *U256 {
	if k <= KU64 {
		return &U256{v.N}
	}
	return v.P.(*U256)
}

// run executes until the frame stack shrinks back to base.
func (s *Session) run(base int) error {
	fr := &s.frames[len(s.frames)-1]
	code := fr.code
	locals := fr.locals
	gas := s.gasLeft
	costs := &s.sched.Instr
	defer func() { s.gasLeft = gas }()
	for {
		in := &code[fr.pc]
		fr.pc++
		c := costs[in.Op]
		if gas < c {
			gas = 0
			return s.fail(fr, OutOfGas, 0, false)
		}
		gas -= c
		switch in.Op {
		case OpNop:
		case OpLdInt:
			s.stack = append(s.stack, Value{N: uint64(uint32(in.A)) | uint64(uint32(in.B))<<32})
		case OpLdConst:
			s.stack = append(s.stack, s.alloc.copy(fr.fn.Consts[in.A]))
		case OpLdU256:
			s.stack = append(s.stack, fr.fn.Consts[in.A])
		case OpLdTrue:
			s.stack = append(s.stack, Value{N: 1})
		case OpLdFalse:
			s.stack = append(s.stack, Value{})
		case OpCopyLoc:
			v := locals[in.A]
			if v.P != nil {
				v = s.alloc.copy(v)
			}
			s.stack = append(s.stack, v)
		case OpMoveLoc:
			s.stack = append(s.stack, locals[in.A])
			locals[in.A] = Value{}
		case OpStLoc:
			locals[in.A] = s.pop()
		case OpBorrowLoc:
			s.stack = append(s.stack, Value{P: &locals[in.A]})
		case OpBorrowField:
			top := &s.stack[len(s.stack)-1]
			st := top.P.(*Value).P.(*Struct)
			top.P = &st.Fields[in.A]
		case OpBorrowVField:
			top := &s.stack[len(s.stack)-1]
			st := top.P.(*Value).P.(*Struct)
			offs := fr.fn.VFields[in.A]
			if st.Variant >= len(offs) || offs[st.Variant] < 0 {
				def := fr.fn.VEnums[in.A]
				want := ""
				for i, o := range offs {
					if o >= 0 {
						want = def.Variants[i].Name
						break
					}
				}
				return s.failMsg(fr, StructVariantMismatch, "expected enum variant "+want+", found `"+def.Variants[st.Variant].Name+"`")
			}
			top.P = &st.Fields[offs[st.Variant]]
		case OpReadRef:
			top := &s.stack[len(s.stack)-1]
			v := *top.P.(*Value)
			if v.P != nil {
				v = s.alloc.copy(v)
			}
			*top = v
		case OpWriteRef:
			r := s.pop()
			v := s.pop()
			*r.P.(*Value) = v
		case OpPack:
			n := int(in.A)
			fields := s.alloc.values(n)
			sp := len(s.stack) - n
			copy(fields, s.stack[sp:])
			clear(s.stack[sp:])
			s.stack = s.stack[:sp]
			s.stack = append(s.stack, Value{P: s.alloc.newStruct(int(in.B), fields)})
		case OpUnpack:
			v := s.pop()
			st := v.P.(*Struct)
			if in.B >= 0 && st.Variant != int(in.B) {
				return s.fail(fr, StructVariantMismatch, 0, false)
			}
			s.stack = append(s.stack, st.Fields...)
		case OpTestVariant:
			top := &s.stack[len(s.stack)-1]
			st := top.P.(*Value).P.(*Struct)
			*top = Bool(st.Variant == int(in.A))
		case OpTestVariants:
			top := &s.stack[len(s.stack)-1]
			st := top.P.(*Value).P.(*Struct)
			set := fr.fn.VSets[in.A]
			*top = Bool(st.Variant < len(set) && set[st.Variant])
		case OpCall:
			callee := fr.fn.Callees[in.A]
			var tyArgs []*Type
			if in.B >= 0 {
				tyArgs = fr.fn.TyInsts[in.B]
				if fr.tyArgs != nil {
					tyArgs = s.prog.substAllStable(tyArgs, fr.tyArgs)
				}
			}
			n := len(callee.Params)
			if callee.Native {
				// The arguments stay on the stack while the native runs
				// (a call it makes back into Move pushes above them); the
				// native sees them without a copy.
				sp := len(s.stack) - n
				s.gasLeft = gas
				res, err := s.callNative(callee, tyArgs, s.stack[sp:sp+n:sp+n], fr)
				gas = s.gasLeft
				fr = &s.frames[len(s.frames)-1]
				if err != nil {
					ee := err.(*ExecError)
					if ee.File == "" {
						s.locate(ee, fr)
					}
					return ee
				}
				// Results may alias the argument slots: move them down
				// first, then clear what is left of the arguments.
				top := len(s.stack)
				s.stack = append(s.stack[:sp], res...)
				if top > len(s.stack) {
					clear(s.stack[len(s.stack):top])
				}
				continue
			}
			if len(s.frames) >= MaxCallDepth {
				return s.fail(fr, CallStackOverflow, 0, false)
			}
			if s.moduleLock > 0 && callee.Module != fr.fn.Module && s.moduleActive(callee.Module) {
				return s.reentered(fr, callee)
			}
			nl, mark := s.arena.alloc(callee.NumLocals)
			sp := len(s.stack) - n
			copy(nl, s.stack[sp:])
			clear(s.stack[sp:])
			s.stack = s.stack[:sp]
			s.frames = append(s.frames, frame{fn: callee, code: callee.Code, locals: nl, tyArgs: tyArgs, mark: mark})
			fr = &s.frames[len(s.frames)-1]
			code, locals = fr.code, fr.locals
		case OpRet:
			s.arena.release(fr.mark)
			s.frames[len(s.frames)-1] = frame{}
			s.frames = s.frames[:len(s.frames)-1]
			if len(s.frames) == base {
				return nil
			}
			fr = &s.frames[len(s.frames)-1]
			code, locals = fr.code, fr.locals
		case OpBr:
			fr.pc = int(in.A)
		case OpBrTrue:
			if s.pop().N != 0 {
				fr.pc = int(in.A)
			}
		case OpBrFalse:
			if s.pop().N == 0 {
				fr.pc = int(in.A)
			}
		case OpPop:
			s.pop()
		case OpAbort:
			code := s.pop().N
			return s.fail(fr, Aborted, code, true)
		case OpAdd, OpSub, OpMul, OpDiv, OpMod, OpBitOr, OpBitAnd, OpXor, OpShl, OpShr:
			n := len(s.stack)
			a, b := &s.stack[n-2], s.stack[n-1]
			s.stack[n-1] = Value{}
			s.stack = s.stack[:n-1]
			if in.K.IsSigned() {
				r, msg := signedArith(in.Op, in.K, *a, b)
				if msg != "" {
					return s.failMsg(fr, ArithmeticError, msg)
				}
				*a = r
				continue
			}
			if in.K <= KU64 {
				x, y := a.N, b.N
				var r uint64
				switch in.Op {
				case OpAdd:
					var carry uint64
					r, carry = bits.Add64(x, y, 0)
					if carry != 0 || r > maxN[in.K] {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
				case OpSub:
					if y > x {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
					r = x - y
				case OpMul:
					hi, lo := bits.Mul64(x, y)
					if hi != 0 || lo > maxN[in.K] {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
					r = lo
				case OpDiv:
					if y == 0 {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
					r = x / y
				case OpMod:
					if y == 0 {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
					r = x % y
				case OpBitOr:
					r = x | y
				case OpBitAnd:
					r = x & y
				case OpXor:
					r = x ^ y
				case OpShl:
					if y >= uint64(in.K.Bits()) {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
					r = (x << y) & maxN[in.K]
				case OpShr:
					if y >= uint64(in.K.Bits()) {
						return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
					}
					r = x >> y
				}
				a.N = r
				continue
			}
			r, ok := arith256(in.Op, in.K, a.P.(*U256), b)
			if !ok {
				return s.failMsg(fr, ArithmeticError, arithMsgs[in.Op])
			}
			a.P = r
		case OpLt, OpGt, OpLe, OpGe:
			n := len(s.stack)
			a, b := s.stack[n-2], s.stack[n-1]
			s.stack[n-1] = Value{}
			s.stack = s.stack[:n-1]
			var c int
			switch {
			case in.K.IsSigned():
				if in.K.Bits() <= 64 {
					x, y := int64(a.N), int64(b.N)
					c = cmpInt64(x, y)
				} else {
					c = SignedBig(a, in.K).Cmp(SignedBig(b, in.K))
				}
			case a.P == nil && b.P == nil:
				switch {
				case a.N < b.N:
					c = -1
				case a.N > b.N:
					c = 1
				}
			case in.K == KStruct && in.A > 0:
				c = s.prog.CompareTyped(s.instType(fr, fr.fn.Types[in.A-1]), a, b)
			default:
				c = Compare(a, b)
			}
			var r bool
			switch in.Op {
			case OpLt:
				r = c < 0
			case OpGt:
				r = c > 0
			case OpLe:
				r = c <= 0
			default:
				r = c >= 0
			}
			s.stack[n-2] = Bool(r)
		case OpEq, OpNeq:
			n := len(s.stack)
			a, b := s.stack[n-2], s.stack[n-1]
			s.stack[n-1] = Value{}
			s.stack = s.stack[:n-1]
			var eq bool
			if a.P == nil && b.P == nil {
				eq = a.N == b.N
			} else {
				eq = Equal(a, b)
			}
			s.stack[n-2] = Bool(eq == (in.Op == OpEq))
		case OpNot:
			top := &s.stack[len(s.stack)-1]
			top.N ^= 1
		case OpNeg:
			top := &s.stack[len(s.stack)-1]
			r, ok := signedNeg(in.K, *top)
			if !ok {
				return s.failMsg(fr, ArithmeticError, "Subtraction overflow")
			}
			*top = r
		case OpCast:
			top := &s.stack[len(s.stack)-1]
			from := Kind(in.B)
			if from.IsSigned() || in.K.IsSigned() {
				r, ok := castInt(*top, from, in.K)
				if !ok {
					return s.failMsg(fr, ArithmeticError, castMsg(from, in.K, *top))
				}
				*top = r
				continue
			}
			if from <= KU64 && in.K <= KU64 {
				if top.N > maxN[in.K] {
					return s.failMsg(fr, ArithmeticError, castMsg(from, in.K, *top))
				}
				continue
			}
			u := bigOf(*top, from)
			if !u.fits(in.K.Bits()) {
				return s.failMsg(fr, ArithmeticError, castMsg(from, in.K, *top))
			}
			if in.K <= KU64 {
				*top = Value{N: u[0]}
			} else {
				cp := *u
				*top = Value{P: &cp}
			}
		case OpVecPack:
			n := int(in.A)
			elems := s.alloc.values(n)
			sp := len(s.stack) - n
			copy(elems, s.stack[sp:])
			clear(s.stack[sp:])
			s.stack = s.stack[:sp]
			s.stack = append(s.stack, Value{P: s.alloc.newVector(elems)})
		case OpVecLen:
			top := &s.stack[len(s.stack)-1]
			*top = Value{N: uint64(len(top.P.(*Value).P.(*Vector).Elems))}
		case OpVecBorrow:
			i := s.pop().N
			top := &s.stack[len(s.stack)-1]
			vec := top.P.(*Value).P.(*Vector)
			if i >= uint64(len(vec.Elems)) {
				return s.fail(fr, VectorOperationError, VecIndexOutOfBounds, true)
			}
			top.P = &vec.Elems[i]
		case OpVecPush:
			e := s.pop()
			r := s.pop()
			vec := r.P.(*Value).P.(*Vector)
			if len(vec.Elems) == cap(vec.Elems) {
				vec.Elems = s.alloc.grow(vec.Elems, 1)
			}
			vec.Elems = append(vec.Elems, e)
		case OpVecPop:
			top := &s.stack[len(s.stack)-1]
			vec := top.P.(*Value).P.(*Vector)
			n := len(vec.Elems)
			if n == 0 {
				return s.fail(fr, VectorOperationError, VecPopEmpty, true)
			}
			*top = vec.Elems[n-1]
			vec.Elems[n-1] = Value{}
			vec.Elems = vec.Elems[:n-1]
		case OpVecUnpack:
			v := s.pop()
			vec := v.P.(*Vector)
			if len(vec.Elems) != int(in.A) {
				return s.fail(fr, VectorOperationError, VecUnpackMismatch, true)
			}
			s.stack = append(s.stack, vec.Elems...)
		case OpVecSwap:
			j := s.pop().N
			i := s.pop().N
			r := s.pop()
			vec := r.P.(*Value).P.(*Vector)
			n := uint64(len(vec.Elems))
			if i >= n || j >= n {
				return s.fail(fr, VectorOperationError, VecIndexOutOfBounds, true)
			}
			vec.Elems[i], vec.Elems[j] = vec.Elems[j], vec.Elems[i]
		case OpExists, OpBorrowGlob, OpMoveFrom:
			if g := s.sched.GlobalAccess; g > 0 {
				if gas < g {
					gas = 0
					return s.fail(fr, OutOfGas, 0, false)
				}
				gas -= g
			}
			t := s.instType(fr, fr.fn.Types[in.A])
			top := &s.stack[len(s.stack)-1]
			addr := *top.P.(*Address)
			switch in.Op {
			case OpExists:
				ok, err := s.exists(addr, t)
				if err != nil {
					return s.wrap(fr, err)
				}
				*top = Bool(ok)
			case OpBorrowGlob:
				loc, err := s.borrowGlobal(addr, t, in.B != 0)
				if err != nil {
					return s.wrap(fr, err)
				}
				*top = Value{P: loc}
			default:
				v, err := s.moveFrom(addr, t)
				if err != nil {
					return s.wrap(fr, err)
				}
				*top = v
			}
		case OpMoveTo:
			if g := s.sched.GlobalAccess; g > 0 {
				if gas < g {
					gas = 0
					return s.fail(fr, OutOfGas, 0, false)
				}
				gas -= g
			}
			t := s.instType(fr, fr.fn.Types[in.A])
			v := s.pop()
			sg := s.pop().P.(*Value).P.(*Signer)
			if err := s.moveTo(sg.Addr, t, v); err != nil {
				return s.wrap(fr, err)
			}
		case OpPackClosure:
			spec := &fr.fn.Closures[in.A]
			var tyArgs []*Type
			if spec.TyInst >= 0 {
				tyArgs = fr.fn.TyInsts[spec.TyInst]
				if fr.tyArgs != nil {
					tyArgs = s.prog.substAllStable(tyArgs, fr.tyArgs)
				}
			}
			n := spec.Captured
			captured := make([]Value, n)
			sp := len(s.stack) - n
			copy(captured, s.stack[sp:])
			clear(s.stack[sp:])
			s.stack = s.stack[:sp]
			s.stack = append(s.stack, Value{P: &Closure{Fn: spec.Fn, TyArgs: tyArgs, Captured: captured, Mask: spec.Mask}})
		case OpCallClosure:
			cl := s.pop().P.(*Closure)
			n := int(in.A)
			total := len(cl.Captured) + n
			args := make([]Value, total)
			sp := len(s.stack) - n
			ci, pi := 0, sp
			for i := 0; i < total; i++ {
				if i < 64 && cl.Mask&(1<<i) != 0 && ci < len(cl.Captured) {
					args[i] = cl.Captured[ci]
					ci++
				} else {
					args[i] = s.stack[pi]
					pi++
				}
			}
			clear(s.stack[sp:])
			s.stack = s.stack[:sp]
			if len(s.frames) >= MaxCallDepth {
				return s.fail(fr, CallStackOverflow, 0, false)
			}
			if s.moduleLock > 0 && cl.Fn.Module != fr.fn.Module && s.moduleActive(cl.Fn.Module) {
				return s.reentered(fr, cl.Fn)
			}
			s.gasLeft = gas
			res, err := s.call(cl.Fn, cl.TyArgs, args)
			gas = s.gasLeft
			fr = &s.frames[len(s.frames)-1]
			code, locals = fr.code, fr.locals
			if err != nil {
				return err
			}
			s.stack = append(s.stack, res...)
		default:
			return s.fail(fr, UnknownInvariantViolation, 0, false)
		}
	}
}

func (s *Session) wrap(fr *frame, err error) error {
	ee, ok := err.(*ExecError)
	if !ok {
		ee = &ExecError{Status: UnknownInvariantViolation, Msg: err.Error()}
	}
	ee.Location, ee.Function, ee.Offset = fr.fn.Module.ID, fr.fn.Name, fr.pc-1
	s.locate(ee, fr)
	return ee
}

func arith256(op Op, k Kind, a *U256, bv Value) (*U256, bool) {
	bitsN := k.Bits()
	var r U256
	ok := true
	switch op {
	case OpShl, OpShr:
		sh := bv.N
		if sh >= uint64(bitsN) {
			return nil, false
		}
		if op == OpShl {
			r = shl256(a, uint(sh))
			if bitsN == 128 {
				r[2], r[3] = 0, 0
			}
		} else {
			r = shr256(a, uint(sh))
		}
		return &r, true
	}
	b := bv.P.(*U256)
	switch op {
	case OpAdd:
		r, ok = add256(a, b)
	case OpSub:
		r, ok = sub256(a, b)
	case OpMul:
		r, ok = mul256(a, b)
	case OpDiv:
		r, _, ok = divmod256(a, b)
	case OpMod:
		_, r, ok = divmod256(a, b)
	case OpBitOr:
		r = U256{a[0] | b[0], a[1] | b[1], a[2] | b[2], a[3] | b[3]}
	case OpBitAnd:
		r = U256{a[0] & b[0], a[1] & b[1], a[2] & b[2], a[3] & b[3]}
	case OpXor:
		r = U256{a[0] ^ b[0], a[1] ^ b[1], a[2] ^ b[2], a[3] ^ b[3]}
	}
	if !ok || !r.fits(bitsN) {
		return nil, false
	}
	return &r, true
}
