package check

import (
	"fmt"
	"math/big"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

type substFrame struct {
	owner any
	args  []*cty
}

type lambdaBind struct {
	l     *syntax.LambdaExpr
	body  *bodyInfo
	subst []substFrame
	file  string
}

type trailEntry struct {
	lv     *localVar
	slot   int
	had    bool
	lambda *lambdaBind
	hadL   bool
}

type genLoop struct {
	label     string
	breaks    []int
	conts     []int
	contTo    int // -1: patch later
	stackSafe bool
}

type inlineCtx struct {
	results []int
	ends    []int
}

type gen struct {
	c       *compiler
	fn      *funInfo
	vf      *vm.Function
	body    *bodyInfo
	code    []vm.Instr
	pos     []vm.PosInfo
	cur     syntax.Pos
	file    string // file of the code being generated
	callPos syntax.Pos
	nlocals int
	slots   map[*localVar]int
	lambdas map[*localVar]*lambdaBind
	trail   []trailEntry
	subst   []substFrame
	callees map[*vm.Function]int
	tyInsts map[string]int
	types   map[*vm.Type]int
	loops   []genLoop
	inl     *inlineCtx
	depth   int
	// meta describes each local slot for the flow check.
	meta []slotMeta
	// params are the slots holding the function's parameters on entry.
	params []int
}

// slotMeta describes a local slot: user variables are checked for moves
// and drops, codegen temporaries are not.
type slotMeta struct {
	user bool
	name string
	drop bool
	pos  syntax.Pos
}

func (c *compiler) genFun(fn *funInfo) {
	g := &gen{c: c, fn: fn, vf: fn.vfn, body: fn.body, file: fn.mod.file, slots: map[*localVar]int{},
		lambdas: map[*localVar]*lambdaBind{}, callees: map[*vm.Function]int{}, tyInsts: map[string]int{}, types: map[*vm.Type]int{}}
	for _, p := range fn.body.params {
		g.params = append(g.params, g.bind(p))
	}
	g.cur = fn.decl.Body.Pos
	t := g.expr(fn.decl.Body)
	_ = t
	g.cur = fn.decl.Body.End
	g.emit(vm.OpRet, 0, 0, 0)
	g.vf.Code, g.vf.Pos, g.vf.NumLocals = g.code, g.pos, g.nlocals
	g.analyze(fn.decl.Name.Pos)
}

// maxFlowCells bounds locals × instructions of one function: the flow
// analysis keeps a state per local per instruction.
const maxFlowCells = 1 << 26

// analyze runs liveness, the flow check and copy elision over the
// function's bytecode, or rejects a function too large for them.
func (g *gen) analyze(pos syntax.Pos) {
	if cells := uint64(g.nlocals) * uint64(len(g.code)); cells > maxFlowCells {
		g.c.errorf(g.fn.mod.file, pos, "function too large to check: %d local variables and %d instructions", g.nlocals, len(g.code))
		return
	}
	live := g.liveness()
	g.flowCheck(live)
	g.elideCopies(live)
}

func (g *gen) emit(op vm.Op, k vm.Kind, a, b int32) int {
	g.code = append(g.code, vm.Instr{Op: op, K: k, A: a, B: b})
	p := g.cur
	if g.file != g.fn.mod.file {
		p = g.callPos
	}
	g.pos = append(g.pos, vm.PosInfo{Line: p.Line, Col: p.Col})
	return len(g.code) - 1
}

func (g *gen) here() int { return len(g.code) }

func (g *gen) patch(at int) { g.code[at].A = int32(len(g.code)) }

func (g *gen) temp() int {
	g.nlocals++
	g.meta = append(g.meta, slotMeta{})
	return g.nlocals - 1
}

func (g *gen) bind(lv *localVar) int {
	old, had := g.slots[lv]
	g.trail = append(g.trail, trailEntry{lv: lv, slot: old, had: had})
	s := g.temp()
	g.slots[lv] = s
	if lv.name != "" && lv.name != "_" {
		g.meta[s] = slotMeta{user: true, name: lv.name, drop: abilities(g.resolve(lv.ty))&vm.Drop != 0, pos: lv.pos}
	}
	return s
}

func (g *gen) bindLambda(lv *localVar, lb *lambdaBind) {
	old, had := g.lambdas[lv]
	g.trail = append(g.trail, trailEntry{lv: lv, lambda: old, hadL: had, slot: -2})
	g.lambdas[lv] = lb
}

func (g *gen) undo(mark int) {
	for len(g.trail) > mark {
		t := g.trail[len(g.trail)-1]
		g.trail = g.trail[:len(g.trail)-1]
		if t.slot == -2 {
			if t.hadL {
				g.lambdas[t.lv] = t.lambda
			} else {
				delete(g.lambdas, t.lv)
			}
			continue
		}
		if t.had {
			g.slots[t.lv] = t.slot
		} else {
			delete(g.slots, t.lv)
		}
	}
}

func (g *gen) slot(lv *localVar) int {
	s, ok := g.slots[lv]
	if !ok {
		return g.bind(lv)
	}
	return s
}

// resolve applies the inline substitutions to a checker type.
func (g *gen) resolve(t *cty) *cty {
	for i := len(g.subst) - 1; i >= 0; i-- {
		t = subst(t, g.subst[i].owner, g.subst[i].args)
	}
	return t
}

func (g *gen) vmType(t *cty) *vm.Type { return g.c.toVM(g.resolve(t), g.fn) }

func (g *gen) kind(t *cty) vm.Kind {
	r := prune(g.resolve(t))
	switch r.k {
	case tPrim:
		return r.prim
	case tStruct, tVec, tRef:
		return vm.KStruct
	}
	return vm.KU64
}

func (g *gen) info(e syntax.Expr) *einfo {
	in := g.body.info[e]
	if in == nil {
		panic("check: no type information for expression")
	}
	return in
}

func (g *gen) calleeIdx(f *vm.Function) int32 {
	if i, ok := g.callees[f]; ok {
		return int32(i)
	}
	g.vf.Callees = append(g.vf.Callees, f)
	g.callees[f] = len(g.vf.Callees) - 1
	return int32(len(g.vf.Callees) - 1)
}

func (g *gen) tyInstIdx(args []*cty) int32 {
	if len(args) == 0 {
		return -1
	}
	ts := make([]*vm.Type, len(args))
	key := ""
	for i, a := range args {
		ts[i] = g.vmType(a)
		key += ts[i].String() + "|" + itoaKey(ts[i]) + ";"
	}
	if i, ok := g.tyInsts[key]; ok {
		return int32(i)
	}
	g.vf.TyInsts = append(g.vf.TyInsts, ts)
	g.tyInsts[key] = len(g.vf.TyInsts) - 1
	return int32(len(g.vf.TyInsts) - 1)
}

func itoaKey(t *vm.Type) string {
	if t.Open() {
		return "open"
	}
	return ""
}

func (g *gen) typeIdx(t *cty) int32 {
	vt := g.vmType(t)
	if i, ok := g.types[vt]; ok {
		return int32(i)
	}
	g.vf.Types = append(g.vf.Types, vt)
	g.types[vt] = len(g.vf.Types) - 1
	return int32(len(g.vf.Types) - 1)
}

func (g *gen) constIdx(v vm.Value) int32 {
	g.vf.Consts = append(g.vf.Consts, v)
	return int32(len(g.vf.Consts) - 1)
}

func (g *gen) ldInt(x *big.Int, k vm.Kind) {
	if k.IsSigned() {
		v := vm.SignedValue(x, k)
		if v.P == nil {
			g.emit(vm.OpLdInt, k, int32(uint32(v.N)), int32(uint32(v.N>>32)))
		} else {
			g.emit(vm.OpLdU256, k, g.constIdx(v), 0)
		}
		return
	}
	if k <= vm.KU64 && x.IsUint64() {
		u := x.Uint64()
		g.emit(vm.OpLdInt, k, int32(uint32(u)), int32(uint32(u>>32)))
		return
	}
	g.emit(vm.OpLdU256, k, g.constIdx(vm.BigInt(x)), 0)
}

func (g *gen) ldU64(u uint64) {
	g.emit(vm.OpLdInt, vm.KU64, int32(uint32(u)), int32(uint32(u>>32)))
}

func isUnitType(t *cty) bool {
	p := prune(t)
	return p.k == tTuple && len(p.args) == 0
}

func isNever(t *cty) bool { return prune(t).k == tNever }

// width is how many stack values a value of type t occupies.
func width(t *cty) int {
	p := prune(t)
	switch p.k {
	case tTuple:
		return len(p.args)
	case tNever:
		return 0
	}
	return 1
}

// expr emits code that pushes the value of e.
func (g *gen) expr(e syntax.Expr) *cty {
	in := g.info(e)
	save := g.cur
	g.cur = e.ExprPos()
	defer func() { g.cur = save }()
	switch in.k {
	case ekLit:
		g.lit(in)
	case ekLocal:
		lv := in.local
		if lb, isLambda := g.lambdas[lv]; isLambda {
			// a substituted lambda used as a value: build its closure where it was written
			li := lb.body.info[lb.l]
			if li == nil || li.k != ekClosure {
				g.c.errorf(g.file, e.ExprPos(), "a lambda parameter can only be called")
				return in.ty
			}
			saveBody, saveSubst, saveFile := g.body, g.subst, g.file
			g.body, g.subst, g.file = lb.body, lb.subst, lb.file
			g.closure(lb.l, li)
			g.body, g.subst, g.file = saveBody, saveSubst, saveFile
			return in.ty
		}
		s := g.slot(lv)
		if abilities(g.resolve(lv.ty))&vm.Copy != 0 {
			g.emit(vm.OpCopyLoc, 0, int32(s), 0)
		} else {
			g.emit(vm.OpMoveLoc, 0, int32(s), 0)
		}
	case ekMoveCopy:
		s := g.slot(in.local)
		if in.explicitMove {
			g.emit(vm.OpMoveLoc, 0, int32(s), 0)
		} else {
			g.emit(vm.OpCopyLoc, 0, int32(s), explicitCopy) // `copy x` keeps x alive
		}
	case ekConst:
		k := in.konst
		if k.val.P == nil {
			g.emit(vm.OpLdInt, prune(k.ty).prim, int32(uint32(k.val.N)), int32(uint32(k.val.N>>32)))
		} else if _, big := k.val.P.(*vm.U256); big {
			g.emit(vm.OpLdU256, 0, g.constIdx(k.val), 0)
		} else {
			g.emit(vm.OpLdConst, 0, g.constIdx(k.val), 0)
		}
	case ekCall, ekVecOp:
		g.call(e, in, callArgs(e), false)
	case ekMethod:
		g.call(e, in, callArgs(e), true)
	case ekBuiltin:
		g.builtin(e.(*syntax.CallExpr), in)
	case ekAssert:
		ce := e.(*syntax.CallExpr)
		g.expr(ce.Args[0])
		j := g.emit(vm.OpBrTrue, 0, 0, 0)
		if len(ce.Args) == 2 {
			g.expr(ce.Args[1])
		} else {
			g.ldU64(0xCA26CBD9BE0B0000)
		}
		g.cur = ce.Path.Pos
		g.emit(vm.OpAbort, 0, 0, 0)
		g.patch(j)
	case ekPack:
		g.pack(e, in)
	case ekLambdaCall:
		g.lambdaCall(e.(*syntax.CallExpr), in)
	case ekCallValue:
		// arguments, then the closure, then the call (the callee is
		// evaluated after the arguments)
		ce := e.(*syntax.CallValueExpr)
		for _, a := range ce.Args {
			g.expr(a)
		}
		g.expr(ce.Fn)
		if in.wrap != nil {
			g.emit(vm.OpUnpack, 0, 1, -1)
		}
		g.cur = ce.Pos
		g.emit(vm.OpCallClosure, 0, int32(len(ce.Args)), 0)
	case ekVector:
		ve := e.(*syntax.VectorExpr)
		for _, x := range ve.Elems {
			g.expr(x)
		}
		g.emit(vm.OpVecPack, 0, int32(len(ve.Elems)), 0)
	case ekUnary:
		g.expr(e.(*syntax.UnaryExpr).X)
		if in.op == vm.OpNeg {
			g.emit(vm.OpNeg, g.kind(in.opnd), 0, 0)
		} else {
			g.emit(vm.OpNot, 0, 0, 0)
		}
	case ekBinary:
		be := e.(*syntax.BinaryExpr)
		g.expr(be.X)
		g.expr(be.Y)
		g.cur = be.X.ExprPos()
		k := g.kind(in.opnd)
		if k == vm.KStruct && (in.op == vm.OpLt || in.op == vm.OpGt || in.op == vm.OpLe || in.op == vm.OpGe) {
			// structural order (Move 2.2); the type tells signed fields apart
			g.emit(in.op, k, g.typeIdx(in.opnd)+1, 0)
		} else {
			g.emit(in.op, k, 0, 0)
		}
	case ekAnd, ekOr:
		be := e.(*syntax.BinaryExpr)
		g.expr(be.X)
		br := vm.OpBrFalse
		if in.k == ekOr {
			br = vm.OpBrTrue
		}
		j := g.emit(br, 0, 0, 0)
		g.expr(be.Y)
		end := g.emit(vm.OpBr, 0, 0, 0)
		g.patch(j)
		if in.k == ekOr {
			g.emit(vm.OpLdTrue, 0, 0, 0)
		} else {
			g.emit(vm.OpLdFalse, 0, 0, 0)
		}
		g.patch(end)
	case ekDot:
		g.fieldRef(e.(*syntax.DotExpr), in, false)
		g.emit(vm.OpReadRef, 0, 0, 0)
	case ekIndexVec, ekIndexGlobal:
		g.indexRef(e.(*syntax.IndexExpr), in, false)
		g.emit(vm.OpReadRef, 0, 0, 0)
	case ekCast:
		ce := e.(*syntax.CastExpr)
		g.expr(ce.X)
		g.cur = ce.Pos
		g.emit(vm.OpCast, in.castTo, 0, int32(g.kind(in.opnd)))
	case ekTuple:
		for _, x := range e.(*syntax.TupleExpr).Elems {
			g.expr(x)
		}
	case ekBlock:
		g.block(e.(*syntax.Block))
	case ekIf:
		ie := e.(*syntax.IfExpr)
		g.expr(ie.Cond)
		j := g.emit(vm.OpBrFalse, 0, 0, 0)
		g.expr(ie.Then)
		if ie.Else != nil {
			end := g.emit(vm.OpBr, 0, 0, 0)
			g.patch(j)
			g.expr(ie.Else)
			g.patch(end)
		} else {
			g.patch(j)
		}
	case ekWhile:
		we := e.(*syntax.WhileExpr)
		start := g.here()
		g.expr(we.Cond)
		j := g.emit(vm.OpBrFalse, 0, 0, 0)
		g.loops = append(g.loops, genLoop{label: we.Label, contTo: start})
		g.discard(we.Body)
		g.emit(vm.OpBr, 0, int32(start), 0)
		g.patch(j)
		g.endLoop()
	case ekLoop:
		le := e.(*syntax.LoopExpr)
		start := g.here()
		g.loops = append(g.loops, genLoop{label: le.Label, contTo: start})
		g.discard(le.Body)
		g.emit(vm.OpBr, 0, int32(start), 0)
		g.endLoop()
	case ekFor:
		g.forLoop(e.(*syntax.ForExpr), in)
	case ekBreak:
		l := g.findLoop(e.(*syntax.BreakExpr).Label)
		l.breaks = append(l.breaks, g.emit(vm.OpBr, 0, 0, 0))
	case ekContinue:
		l := g.findLoop(e.(*syntax.ContinueExpr).Label)
		if l.contTo >= 0 {
			g.emit(vm.OpBr, 0, int32(l.contTo), 0)
		} else {
			l.conts = append(l.conts, g.emit(vm.OpBr, 0, 0, 0))
		}
	case ekReturn:
		re := e.(*syntax.ReturnExpr)
		if re.X != nil {
			g.expr(re.X)
		}
		if g.inl != nil {
			for i := len(g.inl.results) - 1; i >= 0; i-- {
				g.emit(vm.OpStLoc, 0, int32(g.inl.results[i]), 0)
			}
			g.inl.ends = append(g.inl.ends, g.emit(vm.OpBr, 0, 0, 0))
		} else {
			g.emit(vm.OpRet, 0, 0, 0)
		}
	case ekAbort:
		ae := e.(*syntax.AbortExpr)
		g.expr(ae.X)
		g.cur = ae.Pos
		g.emit(vm.OpAbort, 0, 0, 0)
	case ekAssign:
		g.assign(e.(*syntax.AssignExpr), in)
	case ekMatch:
		g.match(e.(*syntax.MatchExpr), in)
	case ekIs:
		ie := e.(*syntax.IsExpr)
		g.refTo(ie.X)
		n := 0
		last := 0
		for i, ok := range in.vset {
			if ok {
				n++
				last = i
			}
		}
		if n == 1 {
			g.emit(vm.OpTestVariant, 0, int32(last), 0)
		} else {
			g.vf.VSets = append(g.vf.VSets, in.vset)
			g.emit(vm.OpTestVariants, 0, int32(len(g.vf.VSets)-1), 0)
		}
	case ekAnnot:
		g.expr(e.(*syntax.AnnotExpr).X)
	case ekClosure:
		g.closure(e.(*syntax.LambdaExpr), in)
	case ekFunRef:
		g.emit(vm.OpPackClosure, 0, g.closureSpec(vm.ClosureSpec{Fn: in.fn.vfn, TyInst: g.tyInstIdx(in.tyArgs)}), 0)
	case ekBorrow:
		ue := e.(*syntax.UnaryExpr)
		g.borrow(ue.X, in.mut)
	case ekDeref:
		g.expr(e.(*syntax.UnaryExpr).X)
		g.emit(vm.OpReadRef, 0, 0, 0)
	default:
		g.c.errorf(g.file, e.ExprPos(), "internal: cannot compile this expression")
	}
	return in.ty
}

func callArgs(e syntax.Expr) []syntax.Expr {
	switch e := e.(type) {
	case *syntax.CallExpr:
		return e.Args
	case *syntax.MethodCallExpr:
		return append([]syntax.Expr{e.X}, e.Args...)
	}
	return nil
}

// discard emits e and drops its value.
func (g *gen) discard(e syntax.Expr) {
	t := g.expr(e)
	for i := 0; i < width(g.info(e).ty); i++ {
		g.emit(vm.OpPop, 0, 0, 0)
	}
	_ = t
}

func (g *gen) endLoop() {
	l := g.loops[len(g.loops)-1]
	g.loops = g.loops[:len(g.loops)-1]
	for _, b := range l.breaks {
		g.patch(b)
	}
}

func (g *gen) findLoop(label string) *genLoop {
	for i := len(g.loops) - 1; i >= 0; i-- {
		if label == "" || g.loops[i].label == label {
			return &g.loops[i]
		}
	}
	panic("check: loop not found")
}

func (g *gen) lit(in *einfo) {
	switch {
	case in.litBig != nil:
		g.ldInt(in.litBig, g.kind(in.ty))
	case in.lit.P == nil:
		if in.lit.N != 0 {
			g.emit(vm.OpLdTrue, 0, 0, 0)
		} else {
			g.emit(vm.OpLdFalse, 0, 0, 0)
		}
	default:
		g.emit(vm.OpLdConst, 0, g.constIdx(in.lit), 0)
	}
}

func (g *gen) block(b *syntax.Block) {
	for _, st := range b.Stmts {
		switch st := st.(type) {
		case *syntax.LetStmt:
			if st.Init != nil {
				g.expr(st.Init)
				if isNever(g.info(st.Init).ty) {
					continue
				}
				g.bindPat(st.Pat)
			} else {
				g.declarePat(st.Pat)
			}
		case *syntax.ExprStmt:
			g.discard(st.X)
		}
	}
	if b.Result != nil {
		g.expr(b.Result)
	}
}

// declarePat allocates slots for `let x;`.
func (g *gen) declarePat(p syntax.Pattern) {
	switch p := p.(type) {
	case *syntax.VarPat:
		if pi := g.body.pats[p]; pi != nil && pi.local != nil {
			g.bind(pi.local)
		}
	case *syntax.TuplePat:
		for _, e := range p.Elems {
			g.declarePat(e)
		}
	}
}

// bindPat pops the value(s) on the stack into a pattern's variables.
func (g *gen) bindPat(p syntax.Pattern) {
	pi := g.body.pats[p]
	switch p := p.(type) {
	case *syntax.LitPat, *syntax.RangePat:
		g.emit(vm.OpPop, 0, 0, 0) // tested already; binds nothing
	case *syntax.VarPat:
		if pi == nil || pi.local == nil {
			g.emit(vm.OpPop, 0, 0, 0)
			return
		}
		g.emit(vm.OpStLoc, 0, int32(g.bind(pi.local)), 0)
	case *syntax.TuplePat:
		for i := len(p.Elems) - 1; i >= 0; i-- {
			g.bindPat(p.Elems[i])
		}
	case *syntax.StructPat:
		if pi.byRef {
			t := g.temp()
			g.emit(vm.OpStLoc, 0, int32(t), 0)
			for i, fp := range p.Fields {
				g.emit(vm.OpCopyLoc, 0, int32(t), 0)
				g.emit(vm.OpBorrowField, 0, int32(pi.fields[i]), 0)
				g.bindPat(fp.Pat)
			}
			return
		}
		variant := int32(-1)
		if pi.isEnum {
			variant = int32(pi.variant)
		}
		g.emit(vm.OpUnpack, 0, int32(pi.nfields), variant)
		for idx := pi.nfields - 1; idx >= 0; idx-- {
			found := false
			for i, fi := range pi.fields {
				if fi == idx {
					g.bindPat(p.Fields[i].Pat)
					found = true
					break
				}
			}
			if !found {
				g.emit(vm.OpPop, 0, 0, 0)
			}
		}
	}
}

// borrow pushes a reference to the place e (or to a temporary holding e).
func (g *gen) borrow(e syntax.Expr, mut bool) {
	in := g.info(e)
	switch in.k {
	case ekLocal:
		if p := prune(in.local.ty); p.k == tRef {
			g.expr(e)
			return
		}
		g.emit(vm.OpBorrowLoc, 0, int32(g.slot(in.local)), 0)
	case ekDot:
		g.fieldRef(e.(*syntax.DotExpr), in, mut)
	case ekIndexVec, ekIndexGlobal:
		g.indexRef(e.(*syntax.IndexExpr), in, mut)
	case ekDeref:
		g.expr(e.(*syntax.UnaryExpr).X)
	default:
		g.expr(e)
		if prune(g.resolve(in.ty)).k == tRef {
			return
		}
		t := g.temp()
		g.emit(vm.OpStLoc, 0, int32(t), 0)
		g.emit(vm.OpBorrowLoc, 0, int32(t), 0)
	}
}

// refTo pushes a reference to e's value: e itself when it is a reference.
func (g *gen) refTo(e syntax.Expr) {
	in := g.info(e)
	if prune(g.resolve(in.ty)).k == tRef {
		g.expr(e)
		return
	}
	g.borrow(e, false)
}

func (g *gen) base(x syntax.Expr, mode baseMode, mut bool) {
	switch mode {
	case baseRef:
		g.expr(x)
	case basePlace:
		g.borrow(x, mut)
	default:
		g.expr(x)
		t := g.temp()
		g.emit(vm.OpStLoc, 0, int32(t), 0)
		g.emit(vm.OpBorrowLoc, 0, int32(t), 0)
	}
}

func (g *gen) fieldRef(e *syntax.DotExpr, in *einfo, mut bool) {
	g.base(e.X, in.mode, mut || in.mut)
	g.cur = e.Pos
	if in.vfield != nil {
		g.vf.VFields = append(g.vf.VFields, in.vfield)
		g.vf.VEnums = append(g.vf.VEnums, prune(g.resolve(in.sty)).sdef.def)
		g.emit(vm.OpBorrowVField, 0, int32(len(g.vf.VFields)-1), 0)
		return
	}
	g.emit(vm.OpBorrowField, 0, int32(in.fieldIdx[0]), 0)
}

func (g *gen) indexRef(e *syntax.IndexExpr, in *einfo, mut bool) {
	if in.k == ekIndexGlobal {
		g.expr(e.Index)
		g.cur = e.Pos
		m := int32(0)
		if mut || in.mut {
			m = 1
		}
		g.emit(vm.OpBorrowGlob, 0, g.typeIdx(in.sty), m)
		return
	}
	g.base(e.X, in.mode, mut || in.mut)
	g.expr(e.Index)
	g.cur = e.X.ExprPos()
	g.emit(vm.OpVecBorrow, 0, 0, 0)
}

func (g *gen) builtin(e *syntax.CallExpr, in *einfo) {
	for _, a := range e.Args {
		g.expr(a)
	}
	g.cur = e.Path.Pos
	switch in.bi {
	case biMoveTo:
		g.emit(vm.OpMoveTo, 0, g.typeIdx(in.sty), 0)
	case biMoveFrom:
		g.emit(vm.OpMoveFrom, 0, g.typeIdx(in.sty), 0)
	case biBorrowGlobal:
		g.emit(vm.OpBorrowGlob, 0, g.typeIdx(in.sty), 0)
	case biBorrowGlobalMut:
		g.emit(vm.OpBorrowGlob, 0, g.typeIdx(in.sty), 1)
	case biExists:
		g.emit(vm.OpExists, 0, g.typeIdx(in.sty), 0)
	case biFreeze:
	}
}

// receiver emits the receiver of a method call as the function expects it.
func (g *gen) receiver(x syntax.Expr, mode recvMode) {
	switch mode {
	case recvAsIs:
		g.expr(x)
	case recvBorrow:
		g.borrow(x, false)
	case recvBorrowMut:
		g.borrow(x, true)
	case recvDeref:
		g.expr(x)
		g.emit(vm.OpReadRef, 0, 0, 0)
	}
}

func (g *gen) call(e syntax.Expr, in *einfo, args []syntax.Expr, method bool) {
	fn := in.fn
	if fn.inline {
		g.inline(e, in, args, method)
		return
	}
	for i, a := range args {
		if i == 0 && method {
			g.receiver(a, in.recv)
			continue
		}
		g.expr(a)
	}
	switch e := e.(type) {
	case *syntax.CallExpr:
		g.cur = e.Path.Pos
	case *syntax.MethodCallExpr:
		g.cur = e.X.ExprPos()
	}
	if in.op != 0 {
		switch in.op {
		case vm.OpVecPack:
			g.emit(vm.OpVecPack, 0, 0, 0)
		case vm.OpVecUnpack:
			g.emit(vm.OpVecUnpack, 0, 0, 0)
		default:
			g.emit(in.op, 0, 0, 0)
		}
		return
	}
	g.emit(vm.OpCall, 0, g.calleeIdx(fn.vfn), g.tyInstIdx(in.tyArgs))
}

// inline expands a call of an inline function at the call site.
func (g *gen) inline(e syntax.Expr, in *einfo, args []syntax.Expr, method bool) {
	fn := in.fn
	if fn.body == nil {
		g.c.checkFun(fn)
	}
	g.depth++
	defer func() { g.depth-- }()
	if g.depth > 64 {
		g.c.errorf(g.file, e.ExprPos(), "inline expansion too deep (recursive inline functions?)")
		return
	}
	// evaluate arguments left to right; lambdas are bound, not evaluated
	var lambdaArgs []*lambdaBind
	pushed := []int{}
	for i, a := range args {
		if l, ok := a.(*syntax.LambdaExpr); ok {
			// lambdas are substituted, even where a function value is expected:
			// each use of the parameter re-creates or expands the lambda
			lambdaArgs = append(lambdaArgs, &lambdaBind{l: l, body: g.body, subst: append([]substFrame(nil), g.subst...), file: g.file})
			continue
		}
		lambdaArgs = append(lambdaArgs, nil)
		if i == 0 && method {
			g.receiver(a, in.recv)
		} else {
			g.expr(a)
		}
		pushed = append(pushed, i)
	}
	// resolve type arguments in the caller's context before switching
	tyArgs := make([]*cty, len(in.tyArgs))
	for i, t := range in.tyArgs {
		tyArgs[i] = g.resolve(t)
	}
	mark := len(g.trail)
	saveBody, saveSubst, saveFile, saveInl, saveLoops := g.body, g.subst, g.file, g.inl, g.loops
	saveCallPos := g.callPos
	if g.file == g.fn.mod.file {
		g.callPos = e.ExprPos()
	}
	g.body = fn.body
	g.subst = append(append([]substFrame(nil), g.subst...), substFrame{owner: fn, args: tyArgs})
	g.file = fn.mod.file
	// parameters take the pushed values (in reverse order)
	for j := len(pushed) - 1; j >= 0; j-- {
		i := pushed[j]
		g.emit(vm.OpStLoc, 0, int32(g.bind(fn.body.params[i])), 0)
	}
	for i, lb := range lambdaArgs {
		if lb != nil {
			g.bindLambda(fn.body.params[i], lb)
		}
	}
	g.loops = nil
	var ctx *inlineCtx
	if hasReturn(fn.decl.Body) {
		ctx = &inlineCtx{}
		for range fn.results {
			if isUnitType(fn.result) {
				break
			}
			ctx.results = append(ctx.results, g.temp())
		}
	}
	g.inl = ctx
	g.expr(fn.decl.Body)
	if ctx != nil {
		if !isNever(fn.body.info[fn.decl.Body].ty) {
			for i := len(ctx.results) - 1; i >= 0; i-- {
				g.emit(vm.OpStLoc, 0, int32(ctx.results[i]), 0)
			}
		}
		for _, j := range ctx.ends {
			g.patch(j)
		}
		for _, r := range ctx.results {
			g.emit(vm.OpMoveLoc, 0, int32(r), 0)
		}
	}
	g.body, g.subst, g.file, g.inl, g.loops = saveBody, saveSubst, saveFile, saveInl, saveLoops
	g.callPos = saveCallPos
	g.undo(mark)
}

func hasReturn(b *syntax.Block) bool {
	found := false
	var walk func(e syntax.Expr)
	walkStmts := func(b *syntax.Block) {
		for _, s := range b.Stmts {
			switch s := s.(type) {
			case *syntax.LetStmt:
				if s.Init != nil {
					walk(s.Init)
				}
			case *syntax.ExprStmt:
				walk(s.X)
			}
		}
		if b.Result != nil {
			walk(b.Result)
		}
	}
	walk = func(e syntax.Expr) {
		if found || e == nil {
			return
		}
		switch e := e.(type) {
		case *syntax.ReturnExpr:
			found = true
		case *syntax.Block:
			walkStmts(e)
		case *syntax.IfExpr:
			walk(e.Cond)
			walk(e.Then)
			walk(e.Else)
		case *syntax.WhileExpr:
			walk(e.Cond)
			walk(e.Body)
		case *syntax.LoopExpr:
			walk(e.Body)
		case *syntax.ForExpr:
			walk(e.Body)
		case *syntax.MatchExpr:
			for _, a := range e.Arms {
				walk(a.Body)
			}
		case *syntax.BinaryExpr:
			walk(e.X)
			walk(e.Y)
		case *syntax.AssignExpr:
			walk(e.RHS)
		case *syntax.CallExpr:
			for _, a := range e.Args {
				if _, ok := a.(*syntax.LambdaExpr); !ok {
					walk(a)
				}
			}
		case *syntax.MethodCallExpr:
			walk(e.X)
			for _, a := range e.Args {
				if _, ok := a.(*syntax.LambdaExpr); !ok {
					walk(a)
				}
			}
		}
	}
	walkStmts(b)
	return found
}

// lambdaCall expands the lambda bound to a function-typed parameter.
func (g *gen) lambdaCall(e *syntax.CallExpr, in *einfo) {
	lb := g.lambdas[in.local]
	if lb == nil {
		// a function value: arguments, then the closure, then the call
		for _, a := range e.Args {
			g.expr(a)
		}
		s := g.slot(in.local)
		if abilities(g.resolve(in.local.ty))&vm.Copy != 0 {
			g.emit(vm.OpCopyLoc, 0, int32(s), 0)
		} else {
			g.emit(vm.OpMoveLoc, 0, int32(s), 0)
		}
		if in.wrap != nil {
			g.emit(vm.OpUnpack, 0, 1, -1)
		}
		g.cur = e.Path.Pos
		g.emit(vm.OpCallClosure, 0, int32(len(e.Args)), 0)
		return
	}
	for _, a := range e.Args {
		g.expr(a)
	}
	mark := len(g.trail)
	saveBody, saveSubst, saveFile, saveInl, saveLoops := g.body, g.subst, g.file, g.inl, g.loops
	g.body, g.subst, g.file, g.inl, g.loops = lb.body, lb.subst, lb.file, nil, nil
	for i := len(lb.l.Params) - 1; i >= 0; i-- {
		g.bindPat(lb.l.Params[i].Pat)
	}
	g.expr(lb.l.Body)
	g.body, g.subst, g.file, g.inl, g.loops = saveBody, saveSubst, saveFile, saveInl, saveLoops
	g.undo(mark)
}

func (g *gen) pack(e syntax.Expr, in *einfo) {
	var exprs []syntax.Expr
	switch e := e.(type) {
	case *syntax.PackExpr:
		for _, f := range e.Fields {
			exprs = append(exprs, f.Value)
		}
	case *syntax.CallExpr:
		exprs = e.Args
	}
	n := len(exprs)
	inOrder := true
	for i, idx := range in.fieldIdx {
		if idx != i {
			inOrder = false
		}
	}
	if inOrder {
		for _, x := range exprs {
			g.expr(x)
		}
	} else {
		slots := make([]int, n)
		for i, x := range exprs {
			g.expr(x)
			slots[in.fieldIdx[i]] = g.temp()
			g.emit(vm.OpStLoc, 0, int32(slots[in.fieldIdx[i]]), 0)
		}
		for _, s := range slots {
			g.emit(vm.OpMoveLoc, 0, int32(s), 0)
		}
	}
	variant := in.variant
	if variant < 0 {
		variant = 0
	}
	g.emit(vm.OpPack, 0, int32(n), int32(variant))
}

func (g *gen) forLoop(e *syntax.ForExpr, in *einfo) {
	k := g.kind(in.opnd)
	g.expr(e.Lo)
	i := g.bind(in.local)
	g.emit(vm.OpStLoc, 0, int32(i), 0)
	g.expr(e.Hi)
	ub := g.temp()
	g.emit(vm.OpStLoc, 0, int32(ub), 0)
	cond := g.here()
	g.emit(vm.OpCopyLoc, 0, int32(i), 0)
	g.emit(vm.OpCopyLoc, 0, int32(ub), 0)
	g.emit(vm.OpLt, k, 0, 0)
	j := g.emit(vm.OpBrFalse, 0, 0, 0)
	g.loops = append(g.loops, genLoop{label: e.Label, contTo: -1})
	g.discard(e.Body)
	l := &g.loops[len(g.loops)-1]
	for _, c := range l.conts {
		g.patch(c)
	}
	g.emit(vm.OpCopyLoc, 0, int32(i), 0)
	g.ldInt(big.NewInt(1), k)
	g.emit(vm.OpAdd, k, 0, 0)
	g.emit(vm.OpStLoc, 0, int32(i), 0)
	g.emit(vm.OpBr, 0, int32(cond), 0)
	g.patch(j)
	g.endLoop()
}

func isSimple(e syntax.Expr, in *einfo) bool {
	switch in.k {
	case ekLit, ekConst:
		return true
	case ekLocal:
		return true
	}
	return false
}

func (g *gen) assign(e *syntax.AssignExpr, in *einfo) {
	if in.op != 0 {
		k := g.kind(in.opnd)
		if in.lhs == lhsLocal {
			s := g.slot(g.info(e.LHS).local)
			if isSimple(e.RHS, g.info(e.RHS)) {
				g.emit(vm.OpCopyLoc, 0, int32(s), 0)
				g.expr(e.RHS)
			} else {
				g.expr(e.RHS)
				t := g.temp()
				g.emit(vm.OpStLoc, 0, int32(t), 0)
				g.emit(vm.OpCopyLoc, 0, int32(s), 0)
				g.emit(vm.OpMoveLoc, 0, int32(t), 0)
			}
			g.cur = e.LHS.ExprPos()
			g.emit(in.op, k, 0, 0)
			g.emit(vm.OpStLoc, 0, int32(s), 0)
			return
		}
		g.expr(e.RHS)
		t := g.temp()
		g.emit(vm.OpStLoc, 0, int32(t), 0)
		g.borrow(e.LHS, true)
		r := g.temp()
		g.emit(vm.OpStLoc, 0, int32(r), 0)
		g.emit(vm.OpCopyLoc, 0, int32(r), 0)
		g.emit(vm.OpReadRef, 0, 0, 0)
		g.emit(vm.OpMoveLoc, 0, int32(t), 0)
		g.cur = e.Pos
		g.emit(in.op, k, 0, 0)
		g.emit(vm.OpMoveLoc, 0, int32(r), 0)
		g.emit(vm.OpWriteRef, 0, 0, 0)
		return
	}
	g.expr(e.RHS)
	if isNever(g.info(e.RHS).ty) {
		return
	}
	g.assignTarget(e.LHS)
}

// assignTarget pops the value(s) on the stack into an assignment target.
func (g *gen) assignTarget(x syntax.Expr) {
	in := g.info(x)
	switch x := x.(type) {
	case *syntax.NameExpr:
		if in.local == nil {
			g.emit(vm.OpPop, 0, 0, 0)
			return
		}
		g.emit(vm.OpStLoc, 0, int32(g.slot(in.local)), 0)
	case *syntax.TupleExpr:
		for i := len(x.Elems) - 1; i >= 0; i-- {
			g.assignTarget(x.Elems[i])
		}
	case *syntax.PackExpr:
		n := in.temps
		variant := int32(-1)
		if in.sty != nil && prune(in.sty).sdef.isEnum {
			variant = int32(in.variant)
		}
		g.emit(vm.OpUnpack, 0, int32(n), variant)
		for idx := n - 1; idx >= 0; idx-- {
			found := false
			for i, fi := range in.fieldIdx {
				if fi == idx {
					g.assignTarget(x.Fields[i].Value)
					found = true
					break
				}
			}
			if !found {
				g.emit(vm.OpPop, 0, 0, 0)
			}
		}
	default:
		g.borrow(x, true)
		g.emit(vm.OpWriteRef, 0, 0, 0)
	}
}

func (g *gen) match(e *syntax.MatchExpr, in *einfo) {
	g.expr(e.X)
	subj := g.temp()
	g.emit(vm.OpStLoc, 0, int32(subj), 0)
	isRef := prune(g.resolve(g.info(e.X).ty)).k == tRef
	var ends []int
	for i, arm := range e.Arms {
		ai := in.arms[i]
		mark := len(g.trail)
		next := -1
		var armFails []int
		if ai.variants != nil {
			if isRef {
				g.emit(vm.OpCopyLoc, 0, int32(subj), 0)
			} else {
				g.emit(vm.OpBorrowLoc, 0, int32(subj), 0)
			}
			for v, ok := range ai.variants {
				if ok {
					g.emit(vm.OpTestVariant, 0, int32(v), 0)
				}
			}
			next = g.emit(vm.OpBrFalse, 0, 0, 0)
		}
		if sp, ok := arm.Pat.(*syntax.StructPat); ok {
			// refutable patterns nested in the arm's pattern
			armFails = g.nestedTests(sp, func() {
				if isRef {
					g.emit(vm.OpCopyLoc, 0, int32(subj), 0)
				} else {
					g.emit(vm.OpBorrowLoc, 0, int32(subj), 0)
				}
			})
		}
		if ai.lit != nil || ai.lo != nil || ai.hi != nil {
			k := g.kind(g.info(e.X).ty)
			if isRef {
				k = g.kind(prune(g.resolve(g.info(e.X).ty)).elem)
			}
			subject := func() {
				g.emit(vm.OpCopyLoc, 0, int32(subj), 0)
				if isRef {
					g.emit(vm.OpReadRef, 0, 0, 0)
				}
			}
			var fails []int
			test := func(l *syntax.Lit, op vm.Op) {
				subject()
				g.expr(l)
				g.emit(op, k, 0, 0)
				fails = append(fails, g.emit(vm.OpBrFalse, 0, 0, 0))
			}
			if ai.lit != nil {
				test(ai.lit, vm.OpEq)
			}
			if ai.lo != nil {
				test(ai.lo, vm.OpGe)
			}
			if ai.hi != nil {
				if ai.inclusive {
					test(ai.hi, vm.OpLe)
				} else {
					test(ai.hi, vm.OpLt)
				}
			}
			armFails = append(armFails, fails...)
		}
		if arm.Guard != nil {
			// bind from a copy so the subject survives a failing guard
			g.emit(vm.OpCopyLoc, 0, int32(subj), 0)
		} else {
			g.emit(vm.OpMoveLoc, 0, int32(subj), 0)
		}
		g.bindPat(arm.Pat)
		if arm.Guard != nil {
			g.expr(arm.Guard)
			j := g.emit(vm.OpBrFalse, 0, 0, 0)
			g.expr(arm.Body)
			ends = append(ends, g.emit(vm.OpBr, 0, 0, 0))
			g.patch(j)
		} else {
			g.expr(arm.Body)
			ends = append(ends, g.emit(vm.OpBr, 0, 0, 0))
		}
		if next >= 0 {
			g.patch(next)
		}
		for _, j := range armFails {
			g.patch(j)
		}
		g.undo(mark)
	}
	g.ldU64(0xCA26CBD9BE0B0002)
	g.emit(vm.OpAbort, 0, 0, 0)
	for _, j := range ends {
		g.patch(j)
	}
}

func (g *gen) closureSpec(spec vm.ClosureSpec) int32 {
	g.vf.Closures = append(g.vf.Closures, spec)
	return int32(len(g.vf.Closures) - 1)
}

func (g *gen) pushCaptured(c *localVar) {
	s := g.slot(c)
	if abilities(g.resolve(c.ty))&vm.Copy != 0 {
		g.emit(vm.OpCopyLoc, 0, int32(s), 0)
	} else {
		g.emit(vm.OpMoveLoc, 0, int32(s), 0)
	}
}

// closure packs a lambda used as a value. A lambda that only calls a
// function with its parameters, in order, and captured variables (`|b|
// f(x, b)`) becomes a closure over that function, as the Move compiler
// makes it, so equal lambdas compare equal; any other lambda is lifted into
// a function whose first parameters are the captured variables.
func (g *gen) closure(l *syntax.LambdaExpr, in *einfo) {
	// A captured lambda parameter of an inline function stands for the
	// caller's lambda: capture what that lambda uses instead, and expand it
	// inside the closure's body.
	captures, inlined := g.closureCaptures(in.captures, map[*localVar]bool{})
	if len(inlined) > 0 {
		cp := *in
		cp.captures = captures
		in = &cp
	}
	g.cur = l.Pos
	if fn, tyArgs, captured, mask, ok := g.etaReduce(l, in); ok && len(inlined) == 0 {
		for _, c := range captured {
			g.pushCaptured(c)
		}
		g.emit(vm.OpPackClosure, 0, g.closureSpec(vm.ClosureSpec{Fn: fn.vfn, TyInst: g.tyInstIdx(tyArgs), Captured: len(captured), Mask: mask}), 0)
	} else {
		for _, c := range in.captures {
			g.pushCaptured(c)
		}
		lifted := g.lift(l, in, inlined)
		tyIdx := int32(-1)
		if n := len(g.vf.TypeParams); n > 0 {
			ident := make([]*vm.Type, n)
			for i := range ident {
				ident[i] = g.c.prog.Param(i)
			}
			g.vf.TyInsts = append(g.vf.TyInsts, ident)
			tyIdx = int32(len(g.vf.TyInsts) - 1)
		}
		g.emit(vm.OpPackClosure, 0, g.closureSpec(vm.ClosureSpec{Fn: lifted, TyInst: tyIdx, Captured: len(in.captures), Mask: 1<<len(in.captures) - 1}), 0)
	}
	if in.wrap != nil {
		g.emit(vm.OpPack, 0, 1, 0)
	}
}

// etaReduce recognizes `|p1, .., pn| f(a1, .., am)` where the parameters
// appear in order, once each, and every other argument is a captured variable.
func (g *gen) etaReduce(l *syntax.LambdaExpr, in *einfo) (*funInfo, []*cty, []*localVar, uint64, bool) {
	call, ok := l.Body.(*syntax.CallExpr)
	if !ok || len(call.Args) > 64 {
		return nil, nil, nil, 0, false
	}
	ci := g.body.info[call]
	if ci == nil || ci.k != ekCall || ci.fn == nil || ci.fn.inline {
		return nil, nil, nil, 0, false
	}
	var params []*localVar
	for _, p := range l.Params {
		vp, ok := p.Pat.(*syntax.VarPat)
		if !ok || g.body.pats[vp] == nil || g.body.pats[vp].local == nil {
			return nil, nil, nil, 0, false
		}
		params = append(params, g.body.pats[vp].local)
	}
	isCaptured := func(lv *localVar) bool {
		for _, c := range in.captures {
			if c == lv {
				return true
			}
		}
		return false
	}
	var captured []*localVar
	var mask uint64
	next := 0
	for i, a := range call.Args {
		ai := g.body.info[a]
		if ai == nil || ai.k != ekLocal || ai.local == nil {
			return nil, nil, nil, 0, false
		}
		switch {
		case next < len(params) && ai.local == params[next]:
			next++
		case isCaptured(ai.local):
			captured = append(captured, ai.local)
			mask |= 1 << i
		default:
			return nil, nil, nil, 0, false
		}
	}
	if next != len(params) {
		return nil, nil, nil, 0, false
	}
	return ci.fn, ci.tyArgs, captured, mask, true
}

// lift compiles a lambda's body into a function whose parameters are the
// captured variables followed by the lambda's parameters.
// closureCaptures replaces captured lambda-bound variables by the
// variables their lambdas use, recursively; it returns the bindings to
// carry into the closure's body.
func (g *gen) closureCaptures(caps []*localVar, seen map[*localVar]bool) ([]*localVar, map[*localVar]*lambdaBind) {
	var out []*localVar
	inlined := map[*localVar]*lambdaBind{}
	for _, c := range caps {
		if seen[c] {
			continue
		}
		seen[c] = true
		lb, bound := g.lambdas[c]
		if !bound {
			out = append(out, c)
			continue
		}
		inlined[c] = lb
		inner, more := g.closureCaptures(freeVars(lb.l, lb.body), seen)
		out = append(out, inner...)
		for k, v := range more {
			inlined[k] = v
		}
	}
	return out, inlined
}

func (g *gen) lift(l *syntax.LambdaExpr, in *einfo, inlined map[*localVar]*lambdaBind) *vm.Function {
	g.c.lifted++
	ft := prune(g.resolve(in.ty))
	if w := funWrapper(ft); w != nil {
		ft = w
	}
	vf := &vm.Function{Module: g.vf.Module, Name: fmt.Sprintf("%s$lambda%d", g.vf.Name, g.c.lifted),
		TypeParams: g.vf.TypeParams, File: g.vf.File, Line: l.Pos.Line, NameLine: l.Pos.Line, NameCol: l.Pos.Col}
	for _, c := range in.captures {
		vf.Params = append(vf.Params, g.vmType(c.ty))
	}
	for _, a := range ft.args {
		vf.Params = append(vf.Params, g.vmType(a))
	}
	if r := prune(ft.res); r.k == tTuple {
		for _, a := range r.args {
			vf.Results = append(vf.Results, g.vmType(a))
		}
	} else {
		vf.Results = []*vm.Type{g.vmType(r)}
	}
	lg := &gen{c: g.c, fn: g.fn, vf: vf, body: g.body, file: g.file, callPos: g.callPos, slots: map[*localVar]int{},
		lambdas: map[*localVar]*lambdaBind{}, callees: map[*vm.Function]int{}, tyInsts: map[string]int{}, types: map[*vm.Type]int{},
		subst: append([]substFrame(nil), g.subst...)}
	for _, c := range in.captures {
		lg.params = append(lg.params, lg.bind(c))
	}
	for c, lb := range inlined {
		lg.bindLambda(c, lb)
	}
	first := lg.nlocals
	for range l.Params {
		lg.params = append(lg.params, lg.temp())
	}
	lg.cur = l.Pos
	for i, p := range l.Params {
		lg.emit(vm.OpMoveLoc, 0, int32(first+i), 0)
		lg.bindPat(p.Pat)
	}
	lg.expr(l.Body)
	lg.cur = l.Body.ExprPos()
	lg.emit(vm.OpRet, 0, 0, 0)
	vf.Code, vf.Pos, vf.NumLocals = lg.code, lg.pos, lg.nlocals
	lg.analyze(l.Pos)
	return vf
}

// refutable reports whether a pattern can fail to match.
func (g *gen) refutable(p syntax.Pattern) bool {
	switch p := p.(type) {
	case *syntax.LitPat, *syntax.RangePat:
		return true
	case *syntax.StructPat:
		if pi := g.body.pats[p]; pi != nil && pi.isEnum && len(prune(pi.sty).sdef.variants) > 1 {
			return true
		}
		for _, fp := range p.Fields {
			if g.refutable(fp.Pat) {
				return true
			}
		}
	}
	return false
}

// nestedTests emits the tests of the refutable patterns inside a struct or
// variant pattern whose value push() borrows; it returns the jumps taken
// when a test fails.
func (g *gen) nestedTests(p *syntax.StructPat, push func()) []int {
	pi := g.body.pats[p]
	if pi == nil {
		return nil
	}
	st := prune(g.resolve(pi.sty))
	var fieldTys []*cty
	if st.k == tStruct {
		fs := st.sdef.fields
		if st.sdef.isEnum {
			fs = st.sdef.variants[pi.variant].fields
		}
		for _, fd := range fs {
			fieldTys = append(fieldTys, subst(fd.ty, st.sdef, st.args))
		}
	}
	var fails []int
	for i, fp := range p.Fields {
		if !g.refutable(fp.Pat) || i >= len(pi.fields) || pi.fields[i] < 0 {
			continue
		}
		idx := pi.fields[i]
		sub := func() {
			push()
			g.emit(vm.OpBorrowField, 0, int32(idx), 0)
		}
		switch q := fp.Pat.(type) {
		case *syntax.StructPat:
			if qi := g.body.pats[q]; qi != nil && qi.isEnum {
				sub()
				g.emit(vm.OpTestVariant, 0, int32(qi.variant), 0)
				fails = append(fails, g.emit(vm.OpBrFalse, 0, 0, 0))
			}
			fails = append(fails, g.nestedTests(q, sub)...)
		case *syntax.LitPat, *syntax.RangePat:
			k := vm.KU64
			if idx < len(fieldTys) {
				k = g.kind(fieldTys[idx])
			}
			test := func(l *syntax.Lit, op vm.Op) {
				sub()
				g.emit(vm.OpReadRef, 0, 0, 0)
				g.expr(l)
				g.emit(op, k, 0, 0)
				fails = append(fails, g.emit(vm.OpBrFalse, 0, 0, 0))
			}
			if lp, ok := q.(*syntax.LitPat); ok {
				test(lp.Lit, vm.OpEq)
			} else {
				rp := q.(*syntax.RangePat)
				if rp.Lo != nil {
					test(rp.Lo, vm.OpGe)
				}
				if rp.Hi != nil {
					if rp.Inclusive {
						test(rp.Hi, vm.OpLe)
					} else {
						test(rp.Hi, vm.OpLt)
					}
				}
			}
		}
	}
	return fails
}
