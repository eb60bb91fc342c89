package check

import (
	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
	"math/big"
	"sort"
)

// isPlace reports whether e denotes a location (local, field, element,
// global, dereference) rather than a temporary value.
func (f *fchecker) isPlace(e syntax.Expr) bool {
	switch e := e.(type) {
	case *syntax.NameExpr:
		return len(e.Path.Names) == 0 && !e.Path.Root.IsAddr && f.lookupVar(e.Path.Root.Name) != nil
	case *syntax.DotExpr, *syntax.IndexExpr:
		return true
	case *syntax.UnaryExpr:
		return e.Op == syntax.OpDeref
	}
	return false
}

// place checks e as a location to borrow; for non-places it checks the
// value (codegen then borrows a temporary).
func (f *fchecker) place(e syntax.Expr, mut bool) (*cty, bool) {
	var t *cty
	if f.isPlace(e) {
		switch x := e.(type) {
		case *syntax.NameExpr:
			t = f.expr(x)
		case *syntax.DotExpr:
			t = f.dotCommon(x)
		case *syntax.IndexExpr:
			t = f.index(x, true)
		case *syntax.UnaryExpr:
			in := f.set(x, &einfo{k: ekDeref})
			rt := f.expr(x.X)
			pt := prune(rt)
			if pt.k != tRef {
				if pt.k != tErr {
					f.errorf(x.Pos, "cannot dereference a value of type %s", pt)
				}
				return tyErr, false
			}
			in.ty = pt.elem
			t = pt.elem
		}
		if mut {
			f.markMut(e)
		}
	} else {
		t = f.expr(e)
	}
	if prune(t).k == tErr {
		return t, false
	}
	return t, true
}

// markMut records that a place is borrowed mutably and checks that it can be.
func (f *fchecker) markMut(e syntax.Expr) {
	in := f.b.info[e]
	if in == nil {
		return
	}
	switch in.k {
	case ekLocal:
		if pt := prune(in.local.ty); pt.k == tRef && !pt.mut && f.isPlaceUse(e) {
			// the local is a reference used as a base: it must be mutable
		}
	case ekDot, ekIndexVec:
		in.mut = true
		x := baseOf(e)
		switch in.mode {
		case basePlace:
			f.markMut(x)
		case baseRef:
			if bt := prune(f.b.info[x].ty); bt.k == tRef && !bt.mut {
				f.errorf(e.ExprPos(), "cannot mutate through an immutable reference")
			}
		}
	case ekIndexGlobal:
		in.mut = true
	case ekDeref:
		x := e.(*syntax.UnaryExpr).X
		if bt := prune(f.b.info[x].ty); bt.k == tRef && !bt.mut {
			f.errorf(e.ExprPos(), "cannot mutate through an immutable reference")
		}
	}
}

func (f *fchecker) isPlaceUse(syntax.Expr) bool { return true }

func baseOf(e syntax.Expr) syntax.Expr {
	switch e := e.(type) {
	case *syntax.DotExpr:
		return e.X
	case *syntax.IndexExpr:
		return e.X
	}
	return nil
}

// base checks the base of a field access or vector index and returns the
// type it denotes (references stripped) and how to obtain a reference to it.
func (f *fchecker) base(x syntax.Expr) (*cty, baseMode, bool) {
	if f.isPlace(x) {
		t, ok := f.place(x, false)
		if !ok {
			return tyErr, basePlace, false
		}
		pt := prune(t)
		if pt.k == tRef {
			return pt.elem, baseRef, true
		}
		return t, basePlace, true
	}
	t := f.expr(x)
	pt := prune(t)
	if pt.k == tErr {
		return tyErr, baseTemp, false
	}
	if pt.k == tRef {
		return pt.elem, baseRef, true
	}
	f.needAbility(t, vm.Drop, x.ExprPos(), "temporary value without 'drop'")
	return t, baseTemp, true
}

// dotCommon checks `x.f` and returns the field type.
func (f *fchecker) dotCommon(e *syntax.DotExpr) *cty {
	in := f.set(e, &einfo{k: ekDot})
	bt, mode, ok := f.base(e.X)
	in.mode = mode
	if !ok {
		return tyErr
	}
	st := prune(bt)
	if st.k != tStruct {
		if st.k == tVar {
			f.errorf(e.Pos, "cannot infer the type of the expression before '.%s'; add an annotation", e.Field.Name)
		} else {
			f.errorf(e.Pos, "cannot access field '%s' of a value of type %s", e.Field.Name, st)
		}
		return tyErr
	}
	s := st.sdef
	if !f.structAccessible(s) {
		f.errorf(e.Pos, "invalid access of field '%s': struct %s is declared in module %s", e.Field.Name, s.name, s.mod.id)
		return tyErr
	}
	in.sty = st
	if !s.isEnum {
		idx := s.fieldIndex(e.Field.Name)
		if idx < 0 {
			f.errorf(e.Field.Pos, "struct %s has no field '%s'", s.name, e.Field.Name)
			return tyErr
		}
		in.fieldIdx = []int{idx}
		in.ty = subst(s.fields[idx].ty, s, st.args)
		return in.ty
	}
	// enum: the field must exist, with one type, in at least one variant
	var ft *cty
	in.vfield = make([]int16, len(s.variants))
	for vi, v := range s.variants {
		in.vfield[vi] = -1
		for fi, fd := range v.fields {
			if fd.name == e.Field.Name {
				in.vfield[vi] = int16(fi)
				t := subst(fd.ty, s, st.args)
				if ft == nil {
					ft = t
				} else if !unify(ft, t) {
					f.errorf(e.Field.Pos, "field '%s' has different types in the variants of %s", e.Field.Name, s.name)
				}
			}
		}
	}
	if ft == nil {
		f.errorf(e.Field.Pos, "enum %s has no field '%s'", s.name, e.Field.Name)
		return tyErr
	}
	in.ty = ft
	return ft
}

// dot checks a field read `x.f` (a copy of the field).
func (f *fchecker) dot(e *syntax.DotExpr) *cty {
	t := f.dotCommon(e)
	if prune(t).k != tErr {
		f.needAbility(t, vm.Copy, e.Pos, "reading field '"+e.Field.Name+"' copies a value without 'copy'")
	}
	return t
}

// resourceIndexType resolves `R[addr]`'s R when it names a struct type.
func (f *fchecker) resourceIndexType(x syntax.Expr) *cty {
	ne, ok := x.(*syntax.NameExpr)
	if !ok {
		return nil
	}
	if len(ne.Path.Names) == 0 && !ne.Path.Root.IsAddr && f.lookupVar(ne.Path.Root.Name) != nil {
		return nil
	}
	s := f.tryStruct(ne.Path)
	if s == nil {
		return nil
	}
	args := f.typeArgs(ne.TyArgs, len(s.tparams), ne.Path.Pos, s.name)
	return &cty{k: tStruct, sdef: s, args: args}
}

// index checks `x[i]`; asPlace leaves the copy requirement to the caller.
func (f *fchecker) index(e *syntax.IndexExpr, asPlace bool) *cty {
	if rt := f.resourceIndexType(e.X); rt != nil {
		in := f.set(e, &einfo{k: ekIndexGlobal, sty: rt})
		f.exprExpect(e.Index, tyAddress, "resource index")
		if rt.sdef.mod != f.m {
			f.errorf(e.Pos, "invalid global access: type %s is not declared in the current module", rt)
		}
		if rt.sdef.abilities&vm.Key == 0 {
			f.errorf(e.Pos, "type %s does not have the 'key' ability", rt)
		}
		in.ty = rt
		if !asPlace {
			f.needAbility(rt, vm.Copy, e.Pos, "reading a resource copies a value without 'copy'")
		}
		return rt
	}
	in := f.set(e, &einfo{k: ekIndexVec})
	bt, mode, ok := f.base(e.X)
	in.mode = mode
	f.exprExpect(e.Index, tyU64, "vector index")
	if !ok {
		return tyErr
	}
	vt := prune(bt)
	if vt.k == tVar {
		unify(vt, vecOf(f.newVar()))
		vt = prune(bt)
	}
	if vt.k != tVec {
		f.errorf(e.Pos, "cannot index a value of type %s", vt)
		return tyErr
	}
	in.sty = vt.elem
	in.ty = vt.elem
	if !asPlace {
		f.needAbility(vt.elem, vm.Copy, e.Pos, "reading a vector element copies a value without 'copy'")
	}
	return vt.elem
}

// method checks a receiver call `x.f(args)`.
func (f *fchecker) method(e *syntax.MethodCallExpr) *cty {
	in := f.set(e, &einfo{k: ekMethod})
	var rt *cty
	place := f.isPlace(e.X)
	if place {
		t, ok := f.place(e.X, false)
		if !ok {
			for _, a := range e.Args {
				f.expr(a)
			}
			return tyErr
		}
		rt = t
	} else {
		rt = f.expr(e.X)
	}
	st := prune(rt)
	if st.k == tRef {
		st = prune(st.elem)
	}
	var mod *modInfo
	switch {
	case st.k == tStruct:
		mod = st.sdef.mod
	case st.k == tVec:
		mod = f.c.mods[f.c.vecMod]
	case st.k == tPrim && st.prim == vm.KSigner:
		mod = f.c.mods[vm.ModuleID{Addr: vm.AddressFromU64(1), Name: "signer"}]
	case st.k == tVar:
		f.errorf(e.Name.Pos, "cannot infer the receiver type of '.%s(...)'; add an annotation", e.Name.Name)
		return tyErr
	}
	var fn *funInfo
	if mod != nil {
		fn = mod.funs[e.Name.Name]
	}
	if fn == nil || len(fn.pnames) == 0 || fn.pnames[0] != "self" {
		f.errorf(e.Name.Pos, "no receiver function '%s' for type %s", e.Name.Name, st)
		for _, a := range e.Args {
			f.expr(a)
		}
		return tyErr
	}
	args := append([]syntax.Expr{e.X}, e.Args...)
	// decide how the receiver is passed
	tyArgs := f.typeArgs(e.TyArgs, len(fn.tparams), e.Name.Pos, fn.name)
	p0 := prune(subst(fn.params[0], fn, tyArgs))
	r := prune(rt)
	switch {
	case p0.k == tRef && r.k == tRef:
		if p0.mut && !r.mut {
			f.errorf(e.X.ExprPos(), "'%s' needs a mutable reference, found %s", fn.name, r)
		}
		in.recv = recvAsIs
		unify(p0.elem, r.elem)
	case p0.k == tRef:
		if p0.mut {
			in.recv = recvBorrowMut
			if place {
				f.markMut(e.X)
			}
		} else {
			in.recv = recvBorrow
		}
		unify(p0.elem, r)
	case r.k == tRef:
		in.recv = recvDeref
		f.needAbility(r.elem, vm.Copy, e.X.ExprPos(), "receiver passed by value needs 'copy'")
		unify(p0, r.elem)
	default:
		in.recv = recvAsIs
		unify(p0, r)
	}
	// callFun re-instantiates; reuse our type arguments through explicit binding.
	t := f.callFunWith(e, fn, tyArgs, args, in)
	return t
}

// callFunWith is callFun with already instantiated type arguments.
func (f *fchecker) callFunWith(e syntax.Expr, fn *funInfo, tyArgs []*cty, args []syntax.Expr, in *einfo) *cty {
	f.checkVisibility(fn, e.ExprPos())
	in.fn, in.tyArgs = fn, tyArgs
	for i, tp := range fn.tparams {
		f.b.constraints = append(f.b.constraints, constraint{t: tyArgs[i], need: tp.Constraints, pos: e.ExprPos(), what: "type argument '" + tp.Name + "' of " + fn.name, typeArg: true})
	}
	if fn.mod.id == f.c.vecMod && fn.native {
		if op, ok := vecOps[fn.name]; ok {
			in.op = op
			in.mut = fn.name == "borrow_mut"
		}
	}
	if len(args) != len(fn.params) {
		f.errorf(e.ExprPos(), "function '%s' takes %d arguments, got %d", fn.name, len(fn.params), len(args))
	}
	var lambdas []int
	for i := 1; i < len(args); i++ {
		if i >= len(fn.params) {
			f.expr(args[i])
			continue
		}
		if _, ok := args[i].(*syntax.LambdaExpr); ok {
			lambdas = append(lambdas, i)
			continue
		}
		t := f.expr(args[i])
		f.coerce(t, subst(fn.params[i], fn, tyArgs), args[i].ExprPos(), "argument "+itoa(i+1)+" of "+fn.name)
	}
	for _, i := range lambdas {
		l := args[i].(*syntax.LambdaExpr)
		pt := prune(subst(fn.params[i], fn, tyArgs))
		if !fn.inline || prune(pt).k != tFun {
			f.coerce(f.closureExpr(l, pt), pt, l.Pos, "argument "+itoa(i+1)+" of "+fn.name)
			continue
		}
		f.lambdaExpr(l, pt)
	}
	in.ty = subst(fn.result, fn, tyArgs)
	return in.ty
}

// assign checks `lhs = rhs` and compound assignments.
func (f *fchecker) assign(e *syntax.AssignExpr) *cty {
	in := f.set(e, &einfo{k: ekAssign, ty: tyUnit})
	rt := f.expr(e.RHS)
	if e.Op != syntax.EQ {
		in.op = map[syntax.Tok]vm.Op{syntax.PLUS: vm.OpAdd, syntax.MINUS: vm.OpSub, syntax.STAR: vm.OpMul,
			syntax.SLASH: vm.OpDiv, syntax.PERCENT: vm.OpMod, syntax.PIPE: vm.OpBitOr, syntax.AMP: vm.OpBitAnd,
			syntax.CARET: vm.OpXor, syntax.SHL: vm.OpShl, syntax.SHR: vm.OpShr}[e.Op]
		var lt *cty
		if ne, ok := e.LHS.(*syntax.NameExpr); ok && f.isPlace(ne) {
			lt = f.expr(ne)
			in.lhs = lhsLocal
		} else if f.isPlace(e.LHS) {
			t, ok := f.place(e.LHS, true)
			if !ok {
				return tyUnit
			}
			lt = t
			in.lhs = lhsPlace
		} else {
			f.errorf(e.Pos, "invalid left side of a compound assignment")
			return tyUnit
		}
		if in.op == vm.OpShl || in.op == vm.OpShr {
			f.coerce(rt, tyU8, e.RHS.ExprPos(), "shift amount")
		} else {
			f.coerce(rt, lt, e.RHS.ExprPos(), "compound assignment")
		}
		if !lt.isInt() {
			if prune(lt).k == tVar {
				unify(lt, f.newIntVar())
			} else {
				f.errorf(e.Pos, "compound assignment needs an integer, found %s", prune(lt))
			}
		}
		in.opnd = lt
		return tyUnit
	}
	f.assignTarget(e.LHS, rt, in)
	return tyUnit
}

// assignTarget checks an assignment target against the assigned type.
func (f *fchecker) assignTarget(x syntax.Expr, t *cty, top *einfo) {
	switch x := x.(type) {
	case *syntax.NameExpr:
		if len(x.Path.Names) == 0 && x.Path.Root.Name == "_" {
			f.set(x, &einfo{k: ekLocal, ty: t})
			if top != nil {
				top.lhs = lhsWild
			}
			f.needAbility(t, vm.Drop, x.Path.Pos, "value discarded by '_' without 'drop'")
			return
		}
		if !f.isPlace(x) {
			f.errorf(x.Path.Pos, "unbound local variable '%s'", x.Path)
			return
		}
		lt := f.expr(x)
		f.coerce(t, lt, x.Path.Pos, "assignment")
		if top != nil {
			top.lhs = lhsLocal
		}
	case *syntax.TupleExpr:
		in := f.set(x, &einfo{k: ekTuple})
		pt := prune(t)
		if pt.k == tVar {
			elems := make([]*cty, len(x.Elems))
			for i := range elems {
				elems[i] = f.newVar()
			}
			unify(pt, &cty{k: tTuple, args: elems})
			pt = prune(t)
		}
		if pt.k != tTuple || len(pt.args) != len(x.Elems) {
			if pt.k != tNever && pt.k != tErr {
				f.errorf(x.Pos, "cannot assign a value of type %s to %d targets", pt, len(x.Elems))
			}
			return
		}
		in.ty = pt
		for i, el := range x.Elems {
			f.assignTarget(el, pt.args[i], nil)
		}
		if top != nil {
			top.lhs = lhsTuple
		}
	case *syntax.PackExpr:
		s, variant := f.resolvePackTarget(x.Path)
		if s == nil {
			return
		}
		in := f.set(x, &einfo{k: ekPack, variant: variant})
		if !f.structAccessible(s) {
			f.errorf(x.Path.Pos, "invalid unpack: struct '%s' is declared in module %s", s.name, s.mod.id)
		}
		args := f.typeArgs(x.TyArgs, len(s.tparams), x.Path.Pos, s.name)
		st := &cty{k: tStruct, sdef: s, args: args}
		if !unify(t, st) {
			f.errorf(x.Path.Pos, "type mismatch: expected %s, found %s", prune(t), st)
		}
		in.sty, in.ty = st, st
		fields := s.fields
		if s.isEnum {
			if variant < 0 {
				f.errorf(x.Path.Pos, "'%s' is an enum: name a variant", s.name)
				return
			}
			fields = s.variants[variant].fields
		} else {
			in.variant = -1
		}
		seen := make([]bool, len(fields))
		for _, fe := range x.Fields {
			idx := -1
			for i, fd := range fields {
				if fd.name == fe.Name.Name {
					idx = i
				}
			}
			if idx < 0 {
				f.errorf(fe.Name.Pos, "unbound field '%s'", fe.Name.Name)
				in.fieldIdx = append(in.fieldIdx, -1)
				continue
			}
			seen[idx] = true
			in.fieldIdx = append(in.fieldIdx, idx)
			if fe.Value == nil {
				fe.Value = &syntax.NameExpr{Path: &syntax.Path{Pos: fe.Name.Pos, Root: syntax.LeadingName{Pos: fe.Name.Pos, Name: fe.Name.Name}}}
			}
			f.assignTarget(fe.Value, subst(fields[idx].ty, s, args), nil)
		}
		for i, ok := range seen {
			if !ok {
				if !x.Rest {
					f.errorf(x.Path.Pos, "missing field '%s'", fields[i].name)
				} else {
					f.needAbility(subst(fields[i].ty, s, args), vm.Drop, x.Path.Pos, "field ignored by '..' without 'drop'")
				}
			}
		}
		in.temps = len(fields)
		if top != nil {
			top.lhs = lhsUnpack
		}
	case *syntax.DotExpr, *syntax.IndexExpr, *syntax.UnaryExpr:
		if u, ok := x.(*syntax.UnaryExpr); ok && u.Op != syntax.OpDeref {
			f.errorf(u.Pos, "invalid assignment target")
			return
		}
		lt, ok := f.place(x, true)
		if !ok {
			return
		}
		f.coerce(t, lt, x.ExprPos(), "assignment")
		f.needAbility(lt, vm.Drop, x.ExprPos(), "overwriting a value without 'drop'")
		if top != nil {
			top.lhs = lhsPlace
		}
	default:
		f.errorf(x.ExprPos(), "invalid assignment target")
	}
}

// isExpr checks `x is V1 | V2`.
func (f *fchecker) isExpr(e *syntax.IsExpr) *cty {
	in := f.set(e, &einfo{k: ekIs, ty: tyBool})
	var t *cty
	if f.isPlace(e.X) {
		t, _ = f.place(e.X, false)
	} else {
		t = f.expr(e.X)
	}
	st := prune(t)
	if st.k == tRef {
		st = prune(st.elem)
	}
	in.sty = st
	for _, ty := range e.Types {
		nt, ok := ty.(*syntax.NamedType)
		if !ok {
			f.errorf(ty.TypePos(), "expected an enum variant")
			continue
		}
		s, variant := f.tryPackTarget(nt.Path)
		if s == nil || variant < 0 {
			// a bare variant name resolves against the tested enum
			if st.k == tStruct && st.sdef.isEnum && len(nt.Path.Names) == 0 {
				for i, v := range st.sdef.variants {
					if v.name == nt.Path.Root.Name {
						s, variant = st.sdef, i
					}
				}
			}
		}
		if s == nil || variant < 0 {
			f.errorf(ty.TypePos(), "'%s' is not an enum variant", nt.Path)
			continue
		}
		if st.k == tVar {
			unify(st, &cty{k: tStruct, sdef: s, args: f.typeArgs(nil, len(s.tparams), nt.Path.Pos, s.name)})
			st = prune(st)
		}
		if st.k != tStruct || st.sdef != s {
			f.errorf(ty.TypePos(), "variant '%s' does not belong to type %s", nt.Path, st)
			continue
		}
		if in.vset == nil {
			in.vset = make([]bool, len(s.variants))
		}
		in.vset[variant] = true
	}
	if st.k == tStruct && !f.structAccessible(st.sdef) {
		f.errorf(e.Pos, "invalid 'is': enum %s is declared in module %s", st.sdef.name, st.sdef.mod.id)
	}
	return tyBool
}

// match checks a match expression.
func (f *fchecker) match(e *syntax.MatchExpr) *cty {
	in := f.set(e, &einfo{k: ekMatch})
	var t *cty
	if f.isPlace(e.X) {
		// a place is matched by value (moved or copied), as in Move
		t = f.expr(e.X)
	} else {
		t = f.expr(e.X)
	}
	subj := prune(t)
	est := subj
	if est.k == tRef {
		est = prune(est.elem)
	}
	in.sty = est
	var result *cty = tyNever
	covered := map[int]bool{}
	complete := false
	for _, arm := range e.Arms {
		ai := &armInfo{}
		in.arms = append(in.arms, ai)
		f.push()
		var drops []constraint
		f.armDrops = &drops
		if vp, ok := arm.Pat.(*syntax.VarPat); ok && est.k == tStruct && est.sdef.isEnum {
			for _, v := range est.sdef.variants {
				if v.name == vp.Name.Name {
					arm.Pat = &syntax.StructPat{Path: &syntax.Path{Pos: vp.Name.Pos, Root: syntax.LeadingName{Pos: vp.Name.Pos, Name: vp.Name.Name}}, Unit: true}
				}
			}
		}
		switch p := arm.Pat.(type) {
		case *syntax.VarPat:
			f.bindPattern(p, t, false, false)
			if arm.Guard == nil {
				complete = true
			}
		case *syntax.StructPat:
			f.structPatternTop(p, t)
			pi := f.b.pats[p]
			if pi != nil && pi.isEnum {
				ai.variants = make([]bool, len(pi.sty.sdef.variants))
				ai.variants[pi.variant] = true
				if arm.Guard == nil {
					covered[pi.variant] = true
				}
			}
		case *syntax.LitPat:
			// Move 2.4: match on a primitive value
			ai.lit = p.Lit
			lt := f.expr(p.Lit)
			if !unify(lt, est) {
				f.errorf(p.Lit.Pos, "pattern type mismatch: expected %s, found %s", est, prune(lt))
			}
			if est == tyBool && arm.Guard == nil {
				covered[int(boolIndex(p.Lit.Text))] = true
				if covered[0] && covered[1] {
					complete = true
				}
			}
		case *syntax.RangePat:
			ai.lo, ai.hi, ai.inclusive = p.Lo, p.Hi, p.Inclusive
			for _, l := range []*syntax.Lit{p.Lo, p.Hi} {
				if l == nil {
					continue
				}
				lt := f.expr(l)
				if !unify(lt, est) || !est.isInt() {
					f.errorf(l.Pos, "range pattern needs integers of the matched type %s", est)
				}
			}
		default:
			f.errorf(arm.Pat.PatPos(), "unsupported pattern in match")
		}
		f.armDrops = nil
		if arm.Guard != nil {
			f.exprExpect(arm.Guard, tyBool, "match guard")
			if prune(t).k != tRef {
				f.needAbility(t, vm.Copy, arm.Guard.ExprPos(), "a guarded match on a value needs 'copy' (match on a reference instead)")
			}
		}
		bt := f.expr(arm.Body)
		if prune(bt).k != tNever {
			for _, k := range drops {
				f.needAbility(k.t, k.need, k.pos, k.what)
			}
		}
		result = f.join(result, bt, arm.Body.ExprPos())
		f.pop()
	}
	if !complete && est.isInt() && prune(est).k == tPrim {
		complete = rangesCover(e.Arms, in.arms, prune(est).prim.Bits())
	}
	if !complete && est.k != tErr {
		var rows [][]*xpat
		for _, arm := range e.Arms {
			if arm.Guard == nil {
				rows = append(rows, []*xpat{f.xpatOf(arm.Pat)})
			}
		}
		if useful(rows, []*xpat{wildPat}) {
			missing := ""
			if est.k == tStruct && est.sdef.isEnum {
				for i, v := range est.sdef.variants {
					if !covered[i] {
						missing = ": variant '" + v.name + "' is not covered"
						break
					}
				}
			}
			f.errorf(e.Pos, "match is not exhaustive%s", missing)
		}
	}
	if est.k == tStruct && !f.structAccessible(est.sdef) {
		f.errorf(e.Pos, "invalid match: type %s is declared in module %s", est.sdef.name, est.sdef.mod.id)
	}
	in.ty = result
	return result
}

// structPatternTop checks a match arm's top-level struct or variant
// pattern; nested patterns may be refutable (variants, literals, ranges).
func (f *fchecker) structPatternTop(p *syntax.StructPat, t *cty) {
	f.matchDepth++
	f.structPattern(p, t, false, false)
	f.matchDepth--
}

// xpat is a pattern reduced for the exhaustiveness check.
type xpat struct {
	wild   bool
	ctor   int    // variant index (0 for structs and false, 1 for true)
	lit    string // literal key when the domain is infinite
	nctors int    // number of constructors of the type (0: infinite)
	arity  []int  // arity of each constructor
	args   []*xpat
}

var wildPat = &xpat{wild: true}

// xpatOf reduces a checked pattern.
func (f *fchecker) xpatOf(p syntax.Pattern) *xpat {
	switch p := p.(type) {
	case *syntax.VarPat:
		return wildPat
	case *syntax.LitPat:
		if p.Lit.Kind == syntax.LitBool {
			return &xpat{ctor: boolIndex(p.Lit.Text), nctors: 2, arity: []int{0, 0}}
		}
		return &xpat{lit: p.Lit.Text, ctor: -1}
	case *syntax.RangePat:
		return &xpat{lit: "range", ctor: -1}
	case *syntax.StructPat:
		pi := f.b.pats[p]
		if pi == nil || pi.sty == nil {
			return wildPat
		}
		sd := prune(pi.sty).sdef
		x := &xpat{nctors: 1}
		if sd.isEnum {
			x.nctors, x.ctor = len(sd.variants), pi.variant
			for _, v := range sd.variants {
				x.arity = append(x.arity, len(v.fields))
			}
		} else {
			x.arity = []int{len(sd.fields)}
		}
		x.args = make([]*xpat, pi.nfields)
		for i := range x.args {
			x.args[i] = wildPat
		}
		for i, fp := range p.Fields {
			if i < len(pi.fields) && pi.fields[i] >= 0 && pi.fields[i] < len(x.args) {
				x.args[pi.fields[i]] = f.xpatOf(fp.Pat)
			}
		}
		return x
	}
	return wildPat
}

func sameCtor(a, b *xpat) bool {
	if a.ctor < 0 || b.ctor < 0 {
		return a.ctor == b.ctor && a.lit == b.lit && a.lit != "range"
	}
	return a.ctor == b.ctor
}

// useful reports whether row q matches a value no row of m matches
// (Maranget's usefulness; m and q have the same width).
func useful(m [][]*xpat, q []*xpat) bool {
	if len(q) == 0 {
		return len(m) == 0
	}
	head := q[0]
	specialize := func(c *xpat, n int) [][]*xpat {
		var out [][]*xpat
		for _, row := range m {
			switch {
			case row[0].wild:
				r := make([]*xpat, 0, n+len(row)-1)
				for i := 0; i < n; i++ {
					r = append(r, wildPat)
				}
				out = append(out, append(r, row[1:]...))
			case sameCtor(row[0], c):
				r := append(append([]*xpat{}, padArgs(row[0], n)...), row[1:]...)
				out = append(out, r)
			}
		}
		return out
	}
	if !head.wild {
		n := len(head.args)
		return useful(specialize(head, n), append(append([]*xpat{}, padArgs(head, n)...), q[1:]...))
	}
	// the constructors present in the first column
	var sample *xpat
	seen := map[int]bool{}
	for _, row := range m {
		if !row[0].wild {
			sample = row[0]
			if row[0].ctor >= 0 {
				seen[row[0].ctor] = true
			}
		}
	}
	if sample != nil && sample.nctors > 0 && len(seen) == sample.nctors {
		for c := 0; c < sample.nctors; c++ {
			n := 0
			if c < len(sample.arity) {
				n = sample.arity[c]
			}
			w := make([]*xpat, 0, n+len(q)-1)
			for i := 0; i < n; i++ {
				w = append(w, wildPat)
			}
			if useful(specialize(&xpat{ctor: c}, n), append(w, q[1:]...)) {
				return true
			}
		}
		return false
	}
	var def [][]*xpat
	for _, row := range m {
		if row[0].wild {
			def = append(def, row[1:])
		}
	}
	return useful(def, q[1:])
}

func padArgs(x *xpat, n int) []*xpat {
	if len(x.args) == n {
		return x.args
	}
	out := make([]*xpat, n)
	for i := range out {
		if i < len(x.args) {
			out[i] = x.args[i]
		} else {
			out[i] = wildPat
		}
	}
	return out
}

func boolIndex(text string) int {
	if text == "true" {
		return 1
	}
	return 0
}

// rangesCover reports whether the unguarded literal and range arms of a
// match on integers cover every value of the type.
func rangesCover(arms []*syntax.MatchArm, infos []*armInfo, bits uint) bool {
	type span struct{ lo, hi *big.Int }
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1))
	var spans []span
	val := func(l *syntax.Lit) *big.Int {
		v, _, ok := parseIntLit(l.Text)
		if !ok {
			return nil
		}
		return v
	}
	for i, ai := range infos {
		if arms[i].Guard != nil {
			continue
		}
		switch {
		case ai.lit != nil:
			if v := val(ai.lit); v != nil {
				spans = append(spans, span{v, v})
			}
		case ai.lo != nil || ai.hi != nil:
			lo, hi := big.NewInt(0), max
			if ai.lo != nil {
				lo = val(ai.lo)
			}
			if ai.hi != nil {
				hi = val(ai.hi)
				if hi != nil && !ai.inclusive {
					hi = new(big.Int).Sub(hi, big.NewInt(1))
				}
			}
			if lo != nil && hi != nil && lo.Cmp(hi) <= 0 {
				spans = append(spans, span{lo, hi})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo.Cmp(spans[j].lo) < 0 })
	next := big.NewInt(0) // smallest value not yet covered
	for _, sp := range spans {
		if sp.lo.Cmp(next) > 0 {
			return false
		}
		if sp.hi.Cmp(next) >= 0 {
			next = new(big.Int).Add(sp.hi, big.NewInt(1))
		}
	}
	return next.Cmp(max) > 0
}
