package check

import (
	"math/big"
	"strings"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

type scope struct {
	parent  *scope
	vars    map[string]*localVar
	aliases map[string]vm.ModuleID
	members map[string]memberRef
}

type loopCtx struct {
	label string
	info  *einfo
}

type fchecker struct {
	c      *compiler
	fn     *funInfo
	m      *modInfo
	file   string
	b      *bodyInfo
	sc     *scope
	ts     *typeScope
	loops  []loopCtx
	lambda int // depth of lambda bodies being checked
	retTy  *cty
	// armDrops collects drop requirements of a match arm's pattern; they
	// are waived when the arm's body aborts.
	armDrops *[]constraint
	// closures being checked, innermost last; variables of enclosing scopes
	// they use are captured.
	closures []*einfo
	// matchDepth > 0 while checking match arm patterns (refutable patterns allowed)
	matchDepth int
}

func (f *fchecker) errorf(pos syntax.Pos, format string, args ...any) {
	f.c.errorf(f.file, pos, format, args...)
}

func (f *fchecker) newVar() *cty {
	f.c.nextVar++
	v := &cty{k: tVar, id: f.c.nextVar}
	f.b.vars = append(f.b.vars, v)
	return v
}

func (f *fchecker) newIntVar() *cty {
	v := f.newVar()
	v.intOnly = true
	return v
}

func (f *fchecker) set(e syntax.Expr, in *einfo) *einfo {
	f.b.info[e] = in
	return in
}

func (f *fchecker) push() { f.sc = &scope{parent: f.sc} }
func (f *fchecker) pop()  { f.sc = f.sc.parent }

func (f *fchecker) declare(name string, t *cty, pos syntax.Pos) *localVar {
	lv := &localVar{name: name, ty: t, pos: pos, param: -1, fn: f.fn, depth: len(f.closures)}
	if f.sc.vars == nil {
		f.sc.vars = map[string]*localVar{}
	}
	f.sc.vars[name] = lv
	f.b.nlocals++
	return lv
}

func (f *fchecker) lookupVar(name string) *localVar {
	for s := f.sc; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			// a closure captures variables declared outside it
			for d := v.depth; d < len(f.closures); d++ {
				cl := f.closures[d]
				found := false
				for _, c := range cl.captures {
					if c == v {
						found = true
						break
					}
				}
				if !found {
					cl.captures = append(cl.captures, v)
				}
			}
			return v
		}
	}
	return nil
}

func (f *fchecker) lookupAlias(name string) (vm.ModuleID, bool) {
	for s := f.sc; s != nil; s = s.parent {
		if id, ok := s.aliases[name]; ok {
			return id, true
		}
	}
	id, ok := f.m.aliases[name]
	return id, ok
}

func (f *fchecker) lookupMember(name string) (memberRef, bool) {
	for s := f.sc; s != nil; s = s.parent {
		if r, ok := s.members[name]; ok {
			return r, true
		}
	}
	r, ok := f.m.members[name]
	return r, ok
}

// resolveType resolves a type in the function's scope (block-level uses included).
func (f *fchecker) resolveType(t syntax.Type) *cty {
	saveA, saveM := f.m.aliases, f.m.members
	if f.sc != nil && f.hasLocalUses() {
		f.m.aliases, f.m.members = f.mergedAliases()
		defer func() { f.m.aliases, f.m.members = saveA, saveM }()
	}
	return f.c.resolveType(f.m, f.ts, t)
}

func (f *fchecker) hasLocalUses() bool {
	for s := f.sc; s != nil; s = s.parent {
		if s.aliases != nil || s.members != nil {
			return true
		}
	}
	return false
}

func (f *fchecker) mergedAliases() (map[string]vm.ModuleID, map[string]memberRef) {
	a := map[string]vm.ModuleID{}
	m := map[string]memberRef{}
	for k, v := range f.m.aliases {
		a[k] = v
	}
	for k, v := range f.m.members {
		m[k] = v
	}
	var chain []*scope
	for s := f.sc; s != nil; s = s.parent {
		chain = append(chain, s)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, v := range chain[i].aliases {
			a[k] = v
		}
		for k, v := range chain[i].members {
			m[k] = v
		}
	}
	return a, m
}

// checkFun type-checks a function body and records what codegen needs.
func (c *compiler) checkFun(fn *funInfo) {
	if fn.body != nil {
		return
	}
	f := &fchecker{c: c, fn: fn, m: fn.mod, file: fn.mod.file}
	f.b = &bodyInfo{fn: fn, info: map[syntax.Expr]*einfo{}, pats: map[syntax.Pattern]*pinfo{}}
	f.ts = &typeScope{owner: fn}
	for _, tp := range fn.tparams {
		f.ts.names = append(f.ts.names, tp.Name)
		f.ts.ab = append(f.ts.ab, tp.Constraints)
	}
	f.sc = &scope{}
	seen := map[string]bool{}
	for i, p := range fn.decl.Params {
		name := p.Name.Name
		if seen[name] && name != "_" {
			f.errorf(p.Name.Pos, "duplicate parameter '%s'", name)
		}
		seen[name] = true
		lv := f.declare(name, fn.params[i], p.Name.Pos)
		lv.param = i
		f.b.params = append(f.b.params, lv)
	}
	f.retTy = fn.result
	fn.body = f.b
	t := f.block(fn.decl.Body)
	pos := fn.decl.Body.End
	if r := fn.decl.Body.Result; r != nil {
		pos = r.ExprPos()
	}
	f.coerce(t, fn.result, pos, "function result")
	f.finish()
	f.checkEscapes(fn)
}

// checkEscapes rejects returning a borrow of a local variable's own value
// (`&x`, `&mut s.f`, `&v[i]` where x, s, v hold values, not references),
// which Aptos's reference-safety analysis rejects too. It looks at the
// returned expressions (through blocks, if/else and tuples) and at locals
// bound once to such a borrow (`let r = &x; r`), not at references passed
// on through function calls or reassigned variables.
func (f *fchecker) checkEscapes(fn *funInfo) {
	r := prune(fn.result)
	hasRef := r.k == tRef
	for _, a := range r.args {
		if r.k == tTuple && prune(a).k == tRef {
			hasRef = true
		}
	}
	if !hasRef {
		return
	}
	// locals bound by `let r = &x;` (x a local value) and never assigned
	through := map[*localVar]*localVar{}
	assigned := map[string]bool{}
	walk(fn.decl.Body, func(e syntax.Expr) {
		switch e := e.(type) {
		case *syntax.Block:
			for _, st := range e.Stmts {
				ls, ok := st.(*syntax.LetStmt)
				if !ok {
					continue
				}
				vp, ok := ls.Pat.(*syntax.VarPat)
				u, ok2 := ls.Init.(*syntax.UnaryExpr)
				if !ok || !ok2 || (u.Op != syntax.OpBorrow && u.Op != syntax.OpBorrowMut) {
					continue
				}
				if pi := f.b.pats[vp]; pi != nil && pi.local != nil {
					if lv := f.borrowedLocal(u.X); lv != nil {
						through[pi.local] = lv
					}
				}
			}
		case *syntax.AssignExpr:
			if u, ok := e.LHS.(*syntax.UnaryExpr); ok && u.Op == syntax.OpDeref {
				return // `*r = v` writes through r, r still points where it did
			}
			walk(e.LHS, func(x syntax.Expr) {
				if n, ok := x.(*syntax.NameExpr); ok && len(n.Path.Names) == 0 {
					assigned[n.Path.Root.Name] = true
				}
			}, func(syntax.Pattern) {})
		}
	}, func(syntax.Pattern) {})
	var ret func(e syntax.Expr)
	ret = func(e syntax.Expr) {
		switch e := e.(type) {
		case *syntax.NameExpr:
			in := f.b.info[e]
			if in == nil || in.local == nil || (in.k != ekLocal && in.k != ekMoveCopy) {
				return
			}
			if lv := through[in.local]; lv != nil && !assigned[in.local.name] {
				f.errorf(e.ExprPos(), "cannot return a reference to local variable '%s' (borrowed by '%s')", lv.name, in.local.name)
			}
		case *syntax.Block:
			if e.Result != nil {
				ret(e.Result)
			}
		case *syntax.IfExpr:
			ret(e.Then)
			if e.Else != nil {
				ret(e.Else)
			}
		case *syntax.TupleExpr:
			for _, x := range e.Elems {
				ret(x)
			}
		case *syntax.UnaryExpr:
			if e.Op == syntax.OpBorrow || e.Op == syntax.OpBorrowMut {
				if lv := f.borrowedLocal(e.X); lv != nil {
					f.errorf(e.Pos, "cannot return a reference to local variable '%s'", lv.name)
				}
			}
		}
	}
	walk(fn.decl.Body, func(e syntax.Expr) {
		if r, ok := e.(*syntax.ReturnExpr); ok && r.X != nil {
			ret(r.X)
		}
	}, func(syntax.Pattern) {})
	ret(fn.decl.Body)
}

// borrowedLocal returns the local variable a place expression (a name,
// its fields, its vector elements) lies in when that variable holds a
// value rather than a reference.
func (f *fchecker) borrowedLocal(e syntax.Expr) *localVar {
	for {
		switch x := e.(type) {
		case *syntax.DotExpr:
			e = x.X
		case *syntax.IndexExpr:
			e = x.X
		case *syntax.NameExpr:
			in := f.b.info[x]
			if in == nil || in.local == nil || (in.k != ekLocal && in.k != ekMoveCopy) {
				return nil
			}
			if t := prune(in.local.ty); t.k == tRef || t.k == tErr {
				return nil
			}
			return in.local
		default:
			return nil
		}
	}
}

// finish resolves literal types and checks deferred constraints.
func (f *fchecker) finish() {
	for _, v := range f.b.vars {
		if v.intOnly && v.bound == nil {
			v.bound = tyU64
		}
	}
	for _, l := range f.b.lits {
		t := prune(l.ty)
		if t.k != tPrim || !t.prim.IsInteger() {
			continue
		}
		if !intFits(l.litBig, t.prim) {
			f.errorf(l.litPos(), "integer literal %s does not fit in %s", l.litBig, t)
		}
	}
	for _, ev := range f.b.events {
		t := prune(ev.t)
		if t.k != tStruct || t.sdef.mod != f.m || !t.sdef.def.Event {
			f.errorf(ev.pos, "event::emit needs a struct with the #[event] attribute declared in this module, found %s", t)
		}
	}
	for _, k := range f.b.constraints {
		if !resolved(k.t) {
			f.errorf(k.pos, "cannot infer a type for %s; add a type annotation", k.what)
			continue
		}
		if k.typeArg {
			f.c.checkConstraint(f.file, k.pos, k.t, k.need, k.what)
		} else if missing := k.need &^ abilities(k.t); missing != 0 {
			f.errorf(k.pos, "%s: type %s does not have the '%s' ability", k.what, prune(k.t), missing)
		}
	}
}

func (in *einfo) litPos() syntax.Pos { return in.pos }

// coerce checks that a value of type actual can be used where expected is
// required (allowing &mut T as &T).
func (f *fchecker) coerce(actual, expected *cty, pos syntax.Pos, what string) bool {
	a, e := prune(actual), prune(expected)
	if a.k == tRef && e.k == tRef && a.mut && !e.mut {
		if unify(a.elem, e.elem) {
			return true
		}
	}
	if !unify(a, e) {
		f.errorf(pos, "type mismatch in %s: expected %s, found %s", what, e, a)
		return false
	}
	return true
}

func (f *fchecker) needAbility(t *cty, need vm.Ability, pos syntax.Pos, what string) {
	p := prune(t)
	if !resolved(p) {
		f.b.constraints = append(f.b.constraints, constraint{t: p, need: need, pos: pos, what: what})
		return
	}
	if missing := need &^ abilities(p); missing != 0 {
		f.errorf(pos, "%s: type %s does not have the '%s' ability", what, p, missing)
	}
}

// ---- blocks and statements ----

func (f *fchecker) block(b *syntax.Block) *cty {
	f.push()
	defer f.pop()
	in := f.set(b, &einfo{k: ekBlock})
	diverges := false
	for _, st := range b.Stmts {
		switch st := st.(type) {
		case *syntax.UseStmt:
			if f.sc.aliases == nil {
				f.sc.aliases = map[string]vm.ModuleID{}
				f.sc.members = map[string]memberRef{}
			}
			f.c.addUse(f.m, st.Use, f.sc.aliases, f.sc.members)
		case *syntax.LetStmt:
			if f.let(st) {
				diverges = true
			}
		case *syntax.ExprStmt:
			t := f.expr(st.X)
			p := prune(t)
			if p.k == tNever {
				diverges = true
			} else if !p.isUnit() {
				f.needAbility(t, vm.Drop, st.X.ExprPos(), "unused value without 'drop'")
			}
		}
	}
	if b.Result != nil {
		in.ty = f.expr(b.Result)
	} else if diverges {
		in.ty = tyNever
	} else {
		in.ty = tyUnit
	}
	return in.ty
}

// let checks a let statement; it reports whether the initializer diverges.
func (f *fchecker) let(st *syntax.LetStmt) bool {
	var declared *cty
	if st.Type != nil {
		declared = f.resolveType(st.Type)
	}
	var t *cty
	if st.Init != nil {
		if l, ok := st.Init.(*syntax.LambdaExpr); ok && declared != nil {
			t = f.closureExpr(l, declared)
		} else {
			t = f.expr(st.Init)
		}
		if declared != nil {
			f.coerce(t, declared, st.Init.ExprPos(), "let binding")
			t = declared
		}
	} else {
		t = declared
		if t == nil {
			t = f.newVar()
		}
	}
	f.bindPattern(st.Pat, t, false, false)
	return prune(t).k == tNever
}

// bindPattern checks a pattern against a type and declares its variables.
// byRef binds through a reference (match on &x / &mut x).
func (f *fchecker) bindPattern(p syntax.Pattern, t *cty, byRef, refMut bool) {
	switch p := p.(type) {
	case *syntax.VarPat:
		pi := &pinfo{}
		if p.Name.Name == "_" {
			if !byRef && prune(t).k != tNever {
				if f.armDrops != nil {
					*f.armDrops = append(*f.armDrops, constraint{t: t, need: vm.Drop, pos: p.Name.Pos, what: "value discarded by '_' without 'drop'"})
				} else {
					f.needAbility(t, vm.Drop, p.Name.Pos, "value discarded by '_' without 'drop'")
				}
			}
		} else {
			vt := t
			if byRef {
				vt = refOf(t, refMut)
			}
			pi.local = f.declare(p.Name.Name, vt, p.Name.Pos)
		}
		f.b.pats[p] = pi
	case *syntax.TuplePat:
		pt := prune(t)
		n := len(p.Elems)
		if pt.k == tVar {
			elems := make([]*cty, n)
			for i := range elems {
				elems[i] = f.newVar()
			}
			unify(pt, &cty{k: tTuple, args: elems})
			pt = prune(t)
		}
		if pt.k == tNever {
			for _, e := range p.Elems {
				f.bindPattern(e, tyNever, false, false)
			}
			f.b.pats[p] = &pinfo{}
			return
		}
		if pt.k != tTuple || len(pt.args) != n {
			if n == 0 && pt.isUnit() {
				f.b.pats[p] = &pinfo{}
				return
			}
			f.errorf(p.Pos, "pattern of %d elements cannot bind a value of type %s", n, pt)
			for _, e := range p.Elems {
				f.bindPattern(e, tyErr, false, false)
			}
			return
		}
		for i, e := range p.Elems {
			f.bindPattern(e, pt.args[i], false, false)
		}
		f.b.pats[p] = &pinfo{}
	case *syntax.StructPat:
		f.structPattern(p, t, byRef, refMut)
	case *syntax.LitPat:
		if f.matchDepth == 0 {
			f.errorf(p.Lit.Pos, "a literal pattern can only be used in a match arm")
			return
		}
		lt := f.expr(p.Lit)
		pt := prune(t)
		if pt.k == tRef {
			pt = prune(pt.elem)
		}
		if !unify(lt, pt) {
			f.errorf(p.Lit.Pos, "pattern type mismatch: expected %s, found %s", pt, prune(lt))
		}
		f.b.pats[p] = &pinfo{sty: pt}
	case *syntax.RangePat:
		if f.matchDepth == 0 {
			f.errorf(p.Pos, "a range pattern can only be used in a match arm")
			return
		}
		pt := prune(t)
		if pt.k == tRef {
			pt = prune(pt.elem)
		}
		for _, l := range []*syntax.Lit{p.Lo, p.Hi} {
			if l != nil {
				if lt := f.expr(l); !unify(lt, pt) || !pt.isInt() {
					f.errorf(l.Pos, "range pattern needs integers of the matched type %s", pt)
				}
			}
		}
		f.b.pats[p] = &pinfo{sty: pt}
	}
}

func (f *fchecker) structPattern(p *syntax.StructPat, t *cty, byRef, refMut bool) {
	var s *structInfo
	variant := -1
	if len(p.Path.Names) == 0 && f.tryStruct(p.Path) == nil {
		// a bare variant name of the matched enum: `Ok(x)`
		et := prune(t)
		if et.k == tRef {
			et = prune(et.elem)
		}
		if et.k == tStruct && et.sdef.isEnum {
			for i, v := range et.sdef.variants {
				if v.name == p.Path.Root.Name {
					s, variant = et.sdef, i
				}
			}
		}
	}
	if s == nil {
		s, variant = f.resolvePackTarget(p.Path)
	}
	pi := &pinfo{variant: -1}
	f.b.pats[p] = pi
	if s == nil {
		return
	}
	if !f.structAccessible(s) {
		f.errorf(p.Path.Pos, "invalid unpack: struct '%s' is declared in module %s", s.name, s.mod.id)
	}
	args := f.typeArgs(p.TyArgs, len(s.tparams), p.Path.Pos, s.name)
	st := &cty{k: tStruct, sdef: s, args: args}
	pt := prune(t)
	if pt.k == tRef && !byRef {
		// unpacking a reference binds fields by reference
		byRef, refMut = true, pt.mut
		t = pt.elem
	}
	if !unify(t, st) {
		f.errorf(p.Path.Pos, "pattern type mismatch: expected %s, found %s", prune(t), st)
	}
	pi.sty, pi.byRef, pi.refMut = st, byRef, refMut
	var fields []fieldInfo
	positional := s.positional
	if s.isEnum {
		if variant < 0 {
			f.errorf(p.Path.Pos, "'%s' is an enum: name a variant", s.name)
			return
		}
		pi.variant, pi.isEnum = variant, true
		fields = s.variants[variant].fields
		positional = s.variants[variant].positional
	} else {
		if variant >= 0 {
			f.errorf(p.Path.Pos, "'%s' is not an enum", s.name)
		}
		fields = s.fields
	}
	pi.nfields = len(fields)
	if p.Unit && len(fields) > 0 && !(s.isEnum && len(fields) == 0) {
		f.errorf(p.Path.Pos, "pattern for '%s' must list its fields", p.Path)
	}
	if p.Positional != positional && !p.Unit && len(fields) > 0 {
		if p.Positional {
			f.errorf(p.Path.Pos, "'%s' has named fields; use braces", p.Path)
		} else {
			f.errorf(p.Path.Pos, "'%s' has positional fields; use parentheses", p.Path)
		}
	}
	seen := make([]bool, len(fields))
	for _, fp := range p.Fields {
		idx := -1
		for i, fd := range fields {
			if fd.name == fp.Name.Name {
				idx = i
				break
			}
		}
		if p.Positional && p.Rest && idx >= 0 && len(p.Fields) < len(fields) {
			// positional with `..`: fields after the rest marker bind from the end
			pos := idx
			if pos >= p.RestAt {
				idx = len(fields) - (len(p.Fields) - pos)
			}
		}
		if idx < 0 || idx >= len(fields) {
			f.errorf(fp.Name.Pos, "unbound field '%s' in '%s'", fp.Name.Name, p.Path)
			pi.fields = append(pi.fields, -1)
			f.bindPattern(fp.Pat, tyErr, false, false)
			continue
		}
		if seen[idx] {
			f.errorf(fp.Name.Pos, "duplicate field '%s' in pattern", fp.Name.Name)
		}
		seen[idx] = true
		pi.fields = append(pi.fields, idx)
		ft := subst(fields[idx].ty, s, args)
		f.bindPattern(fp.Pat, ft, byRef, refMut)
	}
	for i, ok := range seen {
		if !ok && !p.Rest {
			f.errorf(p.Path.Pos, "missing field '%s' in pattern for '%s'", fields[i].name, p.Path)
		}
		if !ok && p.Rest && !byRef {
			f.needAbility(subst(fields[i].ty, s, args), vm.Drop, p.Path.Pos, "field ignored by '..' without 'drop'")
		}
	}
}

// typeArgs resolves explicit type arguments or makes fresh variables.
func (f *fchecker) typeArgs(tys []syntax.Type, n int, pos syntax.Pos, what string) []*cty {
	args := make([]*cty, n)
	if tys == nil {
		for i := range args {
			args[i] = f.newVar()
		}
		return args
	}
	if len(tys) != n {
		f.errorf(pos, "'%s' expects %d type arguments, got %d", what, n, len(tys))
		for i := range args {
			args[i] = f.newVar()
		}
		return args
	}
	for i, t := range tys {
		args[i] = f.resolveType(t)
	}
	return args
}

// resolvePackTarget resolves a struct or `Enum::Variant` path.
func (f *fchecker) resolvePackTarget(p *syntax.Path) (*structInfo, int) {
	// Try as a struct first (1..3 parts), then as enum variant (2..4 parts).
	if s := f.tryStruct(p); s != nil {
		return s, -1
	}
	if len(p.Names) >= 1 {
		enumPath := &syntax.Path{Pos: p.Pos, Root: p.Root, Names: p.Names[:len(p.Names)-1]}
		if s := f.tryStruct(enumPath); s != nil {
			vname := p.Names[len(p.Names)-1].Name
			if !s.isEnum {
				f.errorf(p.Pos, "'%s' is not an enum", s.name)
				return nil, -1
			}
			for i, v := range s.variants {
				if v.name == vname {
					return s, i
				}
			}
			f.errorf(p.Pos, "enum '%s' has no variant '%s'", s.name, vname)
			return nil, -1
		}
	}
	f.errorf(p.Pos, "unbound struct '%s'", p)
	return nil, -1
}

// tryStruct resolves a struct path without reporting errors.
func (f *fchecker) tryStruct(p *syntax.Path) *structInfo {
	var mod *modInfo
	var name string
	switch len(p.Names) {
	case 0:
		if p.Root.IsAddr {
			return nil
		}
		if ref, ok := f.lookupMember(p.Root.Name); ok {
			mod, name = f.c.mods[ref.mod], ref.name
		} else {
			mod, name = f.m, p.Root.Name
		}
	case 1:
		if p.Root.IsAddr {
			return nil
		}
		id, ok := f.moduleOf(p.Root.Name)
		if !ok {
			return nil
		}
		mod, name = f.c.mods[id], p.Names[0].Name
	case 2:
		addr, ok := f.tryAddress(p.Root)
		if !ok {
			return nil
		}
		mod = f.c.mods[vm.ModuleID{Addr: addr, Name: p.Names[0].Name}]
		name = p.Names[1].Name
	default:
		return nil
	}
	if mod == nil {
		return nil
	}
	return mod.structs[name]
}

func (f *fchecker) moduleOf(name string) (vm.ModuleID, bool) {
	if name == "Self" {
		return f.m.id, true
	}
	return f.lookupAlias(name)
}

func (f *fchecker) tryAddress(ln syntax.LeadingName) (vm.Address, bool) {
	if ln.IsAddr {
		return vm.ParseAddress(ln.Name)
	}
	a, ok := f.c.opts.Addresses[ln.Name]
	return a, ok
}

// ---- expressions ----

func (f *fchecker) expr(e syntax.Expr) *cty {
	f.c.depthGuard(f.file, e.ExprPos())
	defer f.c.depthRelease()
	t := f.expr1(e)
	if in := f.b.info[e]; in != nil && in.ty == nil {
		in.ty = t
	}
	return t
}

func (f *fchecker) exprExpect(e syntax.Expr, want *cty, what string) *cty {
	t := f.expr(e)
	f.coerce(t, want, e.ExprPos(), what)
	return want
}

func (f *fchecker) expr1(e syntax.Expr) *cty {
	switch e := e.(type) {
	case *syntax.Lit:
		return f.lit(e)
	case *syntax.NameExpr:
		return f.name(e)
	case *syntax.CallExpr:
		return f.call(e)
	case *syntax.PackExpr:
		return f.pack(e)
	case *syntax.VectorExpr:
		in := f.set(e, &einfo{k: ekVector})
		var elem *cty
		if e.TyArgs != nil {
			if len(e.TyArgs) != 1 {
				f.errorf(e.Pos, "vector literal takes one type argument")
				elem = tyErr
			} else {
				elem = f.resolveType(e.TyArgs[0])
			}
		} else {
			elem = f.newVar()
		}
		for _, x := range e.Elems {
			f.exprExpect(x, elem, "vector element")
		}
		in.sty = elem
		f.b.constraints = append(f.b.constraints, constraint{t: elem, pos: e.Pos, what: "the vector's element type"})
		in.ty = vecOf(elem)
		return in.ty
	case *syntax.UnaryExpr:
		return f.unary(e)
	case *syntax.BinaryExpr:
		return f.binary(e)
	case *syntax.AssignExpr:
		return f.assign(e)
	case *syntax.CastExpr:
		in := f.set(e, &einfo{k: ekCast})
		src := f.expr(e.X)
		to := f.resolveType(e.Type)
		if !src.isInt() {
			f.errorf(e.Pos, "cannot cast a value of type %s", prune(src))
		}
		if p := prune(to); p.k != tPrim || !p.prim.IsInteger() {
			f.errorf(e.Type.TypePos(), "cannot cast to %s: only integer casts are allowed", p)
			in.ty = tyErr
			return tyErr
		}
		in.opnd, in.castTo = src, prune(to).prim
		in.ty = to
		return to
	case *syntax.IsExpr:
		return f.isExpr(e)
	case *syntax.AnnotExpr:
		in := f.set(e, &einfo{k: ekAnnot})
		t := f.resolveType(e.Type)
		f.exprExpect(e.X, t, "type annotation")
		in.ty = t
		return t
	case *syntax.DotExpr:
		return f.dot(e)
	case *syntax.MethodCallExpr:
		return f.method(e)
	case *syntax.IndexExpr:
		return f.index(e, false)
	case *syntax.CallValueExpr:
		return f.callValue(e)
	case *syntax.Block:
		return f.block(e)
	case *syntax.IfExpr:
		in := f.set(e, &einfo{k: ekIf})
		f.exprExpect(e.Cond, tyBool, "if condition")
		tt := f.expr(e.Then)
		if e.Else == nil {
			if p := prune(tt); p.k != tNever && !p.isUnit() {
				f.coerce(tt, tyUnit, e.Then.ExprPos(), "if without else")
			}
			in.ty = tyUnit
			return tyUnit
		}
		et := f.expr(e.Else)
		in.ty = f.join(tt, et, e.Else.ExprPos())
		return in.ty
	case *syntax.WhileExpr:
		in := f.set(e, &einfo{k: ekWhile})
		f.exprExpect(e.Cond, tyBool, "while condition")
		f.loops = append(f.loops, loopCtx{label: e.Label, info: in})
		bt := f.expr(e.Body)
		f.loops = f.loops[:len(f.loops)-1]
		f.loopBody(bt, e.Body)
		in.ty = tyUnit
		return tyUnit
	case *syntax.LoopExpr:
		in := f.set(e, &einfo{k: ekLoop})
		f.loops = append(f.loops, loopCtx{label: e.Label, info: in})
		bt := f.expr(e.Body)
		f.loops = f.loops[:len(f.loops)-1]
		f.loopBody(bt, e.Body)
		if in.loopBreaks {
			in.ty = tyUnit
		} else {
			in.ty = tyNever
		}
		return in.ty
	case *syntax.ForExpr:
		in := f.set(e, &einfo{k: ekFor})
		it := f.newIntVar()
		f.exprExpect(e.Lo, it, "for range start")
		f.exprExpect(e.Hi, it, "for range end")
		f.push()
		in.local = f.declare(e.Var.Name, it, e.Var.Pos)
		f.loops = append(f.loops, loopCtx{label: e.Label, info: in})
		bt := f.expr(e.Body)
		f.loops = f.loops[:len(f.loops)-1]
		f.pop()
		f.loopBody(bt, e.Body)
		in.opnd = it
		in.ty = tyUnit
		return tyUnit
	case *syntax.BreakExpr, *syntax.ContinueExpr:
		var label string
		var pos syntax.Pos
		k := ekBreak
		if b, ok := e.(*syntax.BreakExpr); ok {
			label, pos = b.Label, b.Pos
		} else {
			c := e.(*syntax.ContinueExpr)
			label, pos, k = c.Label, c.Pos, ekContinue
		}
		f.set(e, &einfo{k: k, ty: tyNever})
		lc := f.findLoop(label, pos)
		if lc != nil && k == ekBreak {
			lc.info.loopBreaks = true
		}
		return tyNever
	case *syntax.ReturnExpr:
		in := f.set(e, &einfo{k: ekReturn, ty: tyNever})
		if f.lambda > 0 {
			f.errorf(e.Pos, "'return' is not allowed in a lambda")
		} else if f.fn.inline {
			f.errorf(e.Pos, "'return' is not supported in inline functions")
		}
		if e.X != nil {
			t := f.expr(e.X)
			f.coerce(t, f.retTy, e.X.ExprPos(), "return value")
		} else if !f.retTy.isUnit() {
			f.errorf(e.Pos, "missing return value of type %s", prune(f.retTy))
		}
		_ = in
		return tyNever
	case *syntax.AbortExpr:
		f.set(e, &einfo{k: ekAbort, ty: tyNever})
		f.exprExpect(e.X, tyU64, "abort code")
		return tyNever
	case *syntax.TupleExpr:
		in := f.set(e, &einfo{k: ekTuple})
		var ts []*cty
		for _, x := range e.Elems {
			t := f.expr(x)
			if pt := prune(t); pt.k == tTuple && len(pt.args) != 0 {
				f.errorf(x.ExprPos(), "tuples cannot be nested")
			}
			ts = append(ts, t)
		}
		in.ty = &cty{k: tTuple, args: ts}
		return in.ty
	case *syntax.LambdaExpr:
		return f.closureExpr(e, nil)
	case *syntax.MatchExpr:
		return f.match(e)
	}
	f.errorf(e.ExprPos(), "unsupported expression")
	return tyErr
}

func (f *fchecker) loopBody(bt *cty, body syntax.Expr) {
	if p := prune(bt); p.k != tNever && !p.isUnit() {
		f.needAbility(bt, vm.Drop, body.ExprPos(), "loop body value without 'drop'")
	}
}

func (f *fchecker) findLoop(label string, pos syntax.Pos) *loopCtx {
	if f.lambda > 0 {
		// loops outside the lambda are not reachable
	}
	for i := len(f.loops) - 1; i >= 0; i-- {
		if label == "" || f.loops[i].label == label {
			return &f.loops[i]
		}
	}
	if label != "" {
		f.errorf(pos, "unknown label '%s", label)
	} else {
		f.errorf(pos, "'break' or 'continue' outside a loop")
	}
	return nil
}

// join unifies the types of two branches; a diverging branch takes the other's type.
func (f *fchecker) join(a, b *cty, pos syntax.Pos) *cty {
	pa, pb := prune(a), prune(b)
	if pa.k == tNever {
		return b
	}
	if pb.k == tNever {
		return a
	}
	// &mut and & join to &
	if pa.k == tRef && pb.k == tRef && pa.mut != pb.mut {
		if unify(pa.elem, pb.elem) {
			return refOf(pa.elem, false)
		}
	}
	if !unify(a, b) {
		f.errorf(pos, "branches have different types: %s and %s", pa, pb)
	}
	return a
}

func parseIntLit(text string) (*big.Int, string, bool) {
	suffix := ""
	for _, s := range []string{"u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "i256"} {
		if strings.HasSuffix(text, s) {
			suffix = s
			text = strings.TrimSuffix(text, s)
			break
		}
	}
	text = strings.ReplaceAll(text, "_", "")
	v := new(big.Int)
	var ok bool
	if strings.HasPrefix(text, "0x") || strings.HasPrefix(text, "0X") {
		_, ok = v.SetString(text[2:], 16)
	} else {
		_, ok = v.SetString(text, 10)
	}
	return v, suffix, ok
}

func (f *fchecker) lit(e *syntax.Lit) *cty {
	in := f.set(e, &einfo{k: ekLit, pos: e.Pos})
	switch e.Kind {
	case syntax.LitBool:
		in.lit = vm.Bool(e.Text == "true")
		in.ty = tyBool
	case syntax.LitBytes:
		in.lit = vm.Bytes([]byte(e.Text))
		in.ty = vecOf(tyU8)
	case syntax.LitAddr:
		var a vm.Address
		ok := false
		if e.IsName {
			a, ok = f.c.opts.Addresses[e.Text]
			if !ok {
				f.errorf(e.Pos, "unbound named address '%s'", e.Text)
			}
		} else {
			a, ok = vm.ParseAddress(e.Text)
			if !ok {
				f.errorf(e.Pos, "invalid address '%s'", e.Text)
			}
		}
		in.lit = vm.Addr(a)
		in.ty = tyAddress
	case syntax.LitNum:
		v, suffix, ok := parseIntLit(e.Text)
		if !ok {
			f.errorf(e.Pos, "invalid number '%s'", e.Text)
			in.ty = tyErr
			return tyErr
		}
		in.litBig = v
		if suffix != "" {
			t, ok := primByName[suffix]
			if !ok {
				f.errorf(e.Pos, "signed integers are not supported")
				in.ty = tyErr
				return tyErr
			}
			if v.BitLen() > int(t.prim.Bits()) {
				f.errorf(e.Pos, "integer literal %s does not fit in %s", e.Text, suffix)
			}
			in.ty = t
		} else {
			in.ty = f.newIntVar()
			f.b.lits = append(f.b.lits, in)
		}
	}
	return in.ty
}

var maxConsts = map[string]*cty{"MAX_U8": tyU8, "MAX_U16": tyU16, "MAX_U32": tyU32, "MAX_U64": tyU64, "MAX_U128": tyU128, "MAX_U256": tyU256,
	"MAX_I8": tyI8, "MAX_I16": tyI16, "MAX_I32": tyI32, "MAX_I64": tyI64, "MAX_I128": tyI128, "MAX_I256": tyI256,
	"MIN_I8": tyI8, "MIN_I16": tyI16, "MIN_I32": tyI32, "MIN_I64": tyI64, "MIN_I128": tyI128, "MIN_I256": tyI256}

// builtinConst is the value of MAX_U*, MAX_I* or MIN_I*.
func builtinConst(name string, t *cty) *big.Int {
	bits := t.prim.Bits()
	one := big.NewInt(1)
	switch {
	case strings.HasPrefix(name, "MIN_"):
		return new(big.Int).Neg(new(big.Int).Lsh(one, bits-1))
	case t.prim.IsSigned():
		return new(big.Int).Sub(new(big.Int).Lsh(one, bits-1), one)
	}
	return new(big.Int).Sub(new(big.Int).Lsh(one, bits), one)
}

// intFits reports whether x is a value of the integer kind k.
func intFits(x *big.Int, k vm.Kind) bool {
	if k.IsSigned() {
		return vm.SignedFits(x, k)
	}
	return x.Sign() >= 0 && x.BitLen() <= int(k.Bits())
}

// name checks a name used as a value: local, constant, unit variant, builtin constant.
func (f *fchecker) name(e *syntax.NameExpr) *cty {
	p := e.Path
	if len(p.Names) == 0 && !p.Root.IsAddr {
		if lv := f.lookupVar(p.Root.Name); lv != nil {
			if e.HasTyArgs {
				f.errorf(p.Pos, "a local variable takes no type arguments")
			}
			in := f.set(e, &einfo{k: ekLocal, local: lv})
			in.ty = lv.ty
			return lv.ty
		}
		switch p.Root.Name {
		case "__COMPILE_FOR_TESTING__":
			in := f.set(e, &einfo{k: ekLit, lit: vm.Bool(f.c.opts.Test), ty: tyBool})
			return in.ty
		}
		if t, ok := maxConsts[p.Root.Name]; ok && f.m.consts[p.Root.Name] == nil {
			in := f.set(e, &einfo{k: ekLit, litBig: builtinConst(p.Root.Name, t), ty: t})
			return in.ty
		}
	}
	// constant?
	if k := f.resolveConst(p); k != nil {
		f.c.evalConst(k)
		in := f.set(e, &einfo{k: ekConst, konst: k, ty: k.ty})
		return in.ty
	}
	// unit enum variant or unit struct used as a value
	if s, variant := f.tryPackTarget(p); s != nil {
		return f.packFields(e, s, variant, e.TyArgs, nil, p.Pos, true)
	}
	if s, variant := f.bareVariant(p); s != nil {
		return f.packFields(e, s, variant, e.TyArgs, nil, p.Pos, true)
	}
	// function used as a value
	if fn := f.tryFunction(p, false); fn != nil {
		return f.funRef(e, fn)
	}
	f.errorf(p.Pos, "unbound variable or constant '%s'", p)
	return tyErr
}

func (f *fchecker) tryPackTarget(p *syntax.Path) (*structInfo, int) {
	if s := f.tryStruct(p); s != nil {
		return s, -1
	}
	if len(p.Names) >= 1 {
		enumPath := &syntax.Path{Pos: p.Pos, Root: p.Root, Names: p.Names[:len(p.Names)-1]}
		if s := f.tryStruct(enumPath); s != nil && s.isEnum {
			vname := p.Names[len(p.Names)-1].Name
			for i, v := range s.variants {
				if v.name == vname {
					return s, i
				}
			}
		}
	}
	return nil, -1
}

func (f *fchecker) resolveConst(p *syntax.Path) *constInfo {
	switch len(p.Names) {
	case 0:
		if p.Root.IsAddr {
			return nil
		}
		if k := f.m.consts[p.Root.Name]; k != nil {
			return k
		}
		if ref, ok := f.lookupMember(p.Root.Name); ok {
			if m := f.c.mods[ref.mod]; m != nil {
				if k := m.consts[ref.name]; k != nil {
					if !f.constAccessible(k) {
						f.errorf(p.Pos, "constant '%s' is private to module %s", ref.name, m.id)
					}
					return k
				}
			}
		}
	case 1:
		if p.Root.IsAddr {
			return nil
		}
		if id, ok := f.moduleOf(p.Root.Name); ok {
			if m := f.c.mods[id]; m != nil {
				if k := m.consts[p.Names[0].Name]; k != nil {
					if !f.constAccessible(k) {
						f.errorf(p.Pos, "constant '%s' is private to module %s", p.Names[0].Name, m.id)
					}
					return k
				}
			}
		}
	case 2:
		if a, ok := f.tryAddress(p.Root); ok {
			if m := f.c.mods[vm.ModuleID{Addr: a, Name: p.Names[0].Name}]; m != nil {
				if k := m.consts[p.Names[1].Name]; k != nil {
					if !f.constAccessible(k) {
						f.errorf(p.Pos, "constant '%s' is private to module %s", p.Names[1].Name, m.id)
					}
					return k
				}
			}
		}
	}
	return nil
}

// tryFunction resolves a path to a function; report reports unbound names.
func (f *fchecker) tryFunction(p *syntax.Path, report bool) *funInfo {
	var mod *modInfo
	var name string
	switch len(p.Names) {
	case 0:
		if p.Root.IsAddr {
			return nil
		}
		if ref, ok := f.lookupMember(p.Root.Name); ok {
			mod, name = f.c.mods[ref.mod], ref.name
		} else {
			mod, name = f.m, p.Root.Name
		}
	case 1:
		if p.Root.IsAddr {
			return nil
		}
		id, ok := f.moduleOf(p.Root.Name)
		if !ok {
			if report {
				f.errorf(p.Pos, "unbound module '%s'", p.Root.Name)
			}
			return nil
		}
		mod, name = f.c.mods[id], p.Names[0].Name
	case 2:
		a, ok := f.tryAddress(p.Root)
		if !ok {
			if report {
				f.errorf(p.Pos, "unbound address '%s'", p.Root.Name)
			}
			return nil
		}
		mod = f.c.mods[vm.ModuleID{Addr: a, Name: p.Names[0].Name}]
		if mod == nil {
			if report {
				f.errorf(p.Pos, "unbound module %s::%s", p.Root.Name, p.Names[0].Name)
			}
			return nil
		}
		name = p.Names[1].Name
	default:
		return nil
	}
	if mod == nil {
		return nil
	}
	return mod.funs[name]
}

// checkVisibility reports a call the caller may not make.
func (f *fchecker) checkVisibility(fn *funInfo, pos syntax.Pos) {
	if fn.mod == f.m {
		return
	}
	switch fn.vis {
	case vm.Public:
		return
	case vm.Friend:
		if fn.mod.friends[f.m.id] {
			return
		}
		f.errorf(pos, "function %s::%s is public(friend) and %s is not a friend of it", fn.mod.id, fn.name, f.m.id)
	case vm.Package:
		if fn.mod.pkg == f.m.pkg && fn.mod.id.Addr == f.m.id.Addr {
			return
		}
		f.errorf(pos, "function %s::%s is public(package) and cannot be called from package %s", fn.mod.id, fn.name, f.m.pkg.Name)
	default:
		f.errorf(pos, "function %s::%s is private to its module", fn.mod.id, fn.name)
	}
}

var vecOps = map[string]vm.Op{
	"empty": vm.OpVecPack, "length": vm.OpVecLen, "borrow": vm.OpVecBorrow, "borrow_mut": vm.OpVecBorrow,
	"push_back": vm.OpVecPush, "pop_back": vm.OpVecPop, "destroy_empty": vm.OpVecUnpack, "swap": vm.OpVecSwap,
}

func (f *fchecker) call(e *syntax.CallExpr) *cty {
	p := e.Path
	if e.IsMacro {
		if len(p.Names) == 0 && p.Root.Name == "assert" {
			in := f.set(e, &einfo{k: ekAssert, ty: tyUnit})
			if len(e.Args) < 1 || len(e.Args) > 2 {
				f.errorf(p.Pos, "assert! takes one or two arguments")
				return tyUnit
			}
			f.exprExpect(e.Args[0], tyBool, "assert! condition")
			if len(e.Args) == 2 {
				f.exprExpect(e.Args[1], tyU64, "assert! abort code")
			}
			_ = in
			return tyUnit
		}
		f.errorf(p.Pos, "unknown macro '%s!'", p)
		return tyErr
	}
	if len(p.Names) == 0 && !p.Root.IsAddr {
		name := p.Root.Name
		if lv := f.lookupVar(name); lv != nil {
			// a local shadows a function only when it holds a function value
			lt := prune(lv.ty)
			if lt.k == tFun || funWrapper(lt) != nil || f.tryFunction(p, false) == nil {
				return f.callLocal(e, lv)
			}
		}
		if _, isMember := f.lookupMember(name); !isMember && f.m.funs[name] == nil {
			switch name {
			case "move_to", "move_from", "borrow_global", "borrow_global_mut", "exists", "freeze":
				return f.builtin(e, name)
			}
		}
	}
	if fn := f.tryFunction(p, false); fn != nil {
		return f.callFun(e, fn, e.TyArgs, e.Args, nil, p.Pos)
	}
	// positional pack: W(1), E::V(x)
	if s, variant := f.tryPackTarget(p); s != nil {
		return f.packFields(e, s, variant, e.TyArgs, e.Args, p.Pos, false)
	}
	if s, variant := f.bareVariant(p); s != nil {
		return f.packFields(e, s, variant, e.TyArgs, e.Args, p.Pos, false)
	}
	f.tryFunction(p, true)
	f.errorf(p.Pos, "unbound function '%s'", p)
	for _, a := range e.Args {
		f.expr(a)
	}
	return tyErr
}

// callLocal checks a call of a function-typed local (lambda parameter of an
// inline function, or a function value).
func (f *fchecker) callLocal(e *syntax.CallExpr, lv *localVar) *cty {
	ft := prune(lv.ty)
	in := f.set(e, &einfo{k: ekLambdaCall, local: lv})
	if w := funWrapper(ft); w != nil {
		in.wrap = ft
		ft = w
	}
	if ft.k != tFun {
		f.errorf(e.Path.Pos, "'%s' is not a function", lv.name)
		return tyErr
	}
	if len(e.Args) != len(ft.args) {
		f.errorf(e.Path.Pos, "'%s' takes %d arguments, got %d", lv.name, len(ft.args), len(e.Args))
	}
	for i, a := range e.Args {
		if i < len(ft.args) {
			f.exprExpect(a, ft.args[i], "argument")
		} else {
			f.expr(a)
		}
	}
	in.ty = ft.res
	return ft.res
}

// callValue checks `(e)(args)`, a call of the function value e evaluates
// to (a field holding a closure, a call returning one, ...).
func (f *fchecker) callValue(e *syntax.CallValueExpr) *cty {
	in := f.set(e, &einfo{k: ekCallValue})
	ft := prune(f.expr(e.Fn))
	if w := funWrapper(ft); w != nil {
		in.wrap = ft
		ft = w
	}
	if ft.k != tFun {
		if ft.k != tErr {
			f.errorf(e.Pos, "expected a function value, found %s", ft)
		}
		for _, a := range e.Args {
			f.expr(a)
		}
		return tyErr
	}
	if len(e.Args) != len(ft.args) {
		f.errorf(e.Pos, "function value takes %d arguments, got %d", len(ft.args), len(e.Args))
	}
	for i, a := range e.Args {
		if i < len(ft.args) {
			f.exprExpect(a, ft.args[i], "argument")
		} else {
			f.expr(a)
		}
	}
	in.ty = ft.res
	return ft.res
}

func (f *fchecker) builtin(e *syntax.CallExpr, name string) *cty {
	in := f.set(e, &einfo{k: ekBuiltin})
	pos := e.Path.Pos
	argc := map[string]int{"move_to": 2, "move_from": 1, "borrow_global": 1, "borrow_global_mut": 1, "exists": 1, "freeze": 1}[name]
	if len(e.Args) != argc {
		f.errorf(pos, "'%s' takes %d argument(s), got %d", name, argc, len(e.Args))
		for _, a := range e.Args {
			f.expr(a)
		}
		return tyErr
	}
	if name == "freeze" {
		in.bi = biFreeze
		t := f.expr(e.Args[0])
		pt := prune(t)
		if pt.k != tRef || !pt.mut {
			if pt.k == tVar {
				elem := f.newVar()
				unify(pt, refOf(elem, true))
				pt = prune(t)
			} else {
				f.errorf(pos, "freeze expects a mutable reference, found %s", pt)
				return tyErr
			}
		}
		in.ty = refOf(pt.elem, false)
		return in.ty
	}
	var rt *cty
	if e.TyArgs != nil {
		if len(e.TyArgs) != 1 {
			f.errorf(pos, "'%s' takes one type argument", name)
			return tyErr
		}
		rt = f.resolveType(e.TyArgs[0])
	} else {
		rt = f.newVar()
	}
	in.sty = rt
	f.b.constraints = append(f.b.constraints, constraint{t: rt, need: vm.Key, pos: pos, what: "the resource type of " + name})
	checkOwn := func() {
		if p := prune(rt); p.k == tStruct && p.sdef.mod != f.m {
			f.errorf(pos, "invalid %s: type %s is not declared in the current module", name, p)
		} else if p.k == tParam {
			f.errorf(pos, "invalid %s: type %s must be a struct of the current module", name, p)
		}
	}
	switch name {
	case "move_to":
		in.bi = biMoveTo
		st := f.expr(e.Args[0])
		f.coerce(st, refOf(tySigner, false), e.Args[0].ExprPos(), "move_to signer")
		f.exprExpect(e.Args[1], rt, "move_to value")
		checkOwn()
		in.ty = tyUnit
	case "move_from":
		in.bi = biMoveFrom
		f.exprExpect(e.Args[0], tyAddress, "address")
		checkOwn()
		in.ty = rt
	case "borrow_global", "borrow_global_mut":
		in.bi, in.mut = biBorrowGlobal, name == "borrow_global_mut"
		if in.mut {
			in.bi = biBorrowGlobalMut
		}
		f.exprExpect(e.Args[0], tyAddress, "address")
		checkOwn()
		in.ty = refOf(rt, in.mut)
	case "exists":
		in.bi = biExists
		f.exprExpect(e.Args[0], tyAddress, "address")
		checkOwn()
		in.ty = tyBool
	}
	return in.ty
}

// callFun checks a call of a Move function. recv, when set, is the already
// checked receiver type of a method call (its expression is args[0]).
func (f *fchecker) callFun(e syntax.Expr, fn *funInfo, tyArgExprs []syntax.Type, args []syntax.Expr, recv *einfo, pos syntax.Pos) *cty {
	f.checkVisibility(fn, pos)
	if fn.testOnly && !f.c.opts.Test {
		f.errorf(pos, "function '%s' is test-only", fn.name)
	}
	if fn.isTest {
		f.errorf(pos, "test function '%s' cannot be called", fn.name)
	}
	in := f.set(e, &einfo{k: ekCall, fn: fn})
	if recv != nil {
		in = recv
		in.fn = fn
		f.b.info[e] = in
	}
	if fn == f.fn && fn.inline {
		f.errorf(pos, "inline function '%s' cannot call itself", fn.name)
	}
	tyArgs := f.typeArgs(tyArgExprs, len(fn.tparams), pos, fn.name)
	in.tyArgs = tyArgs
	for i, tp := range fn.tparams {
		if tp.Constraints != 0 {
			f.b.constraints = append(f.b.constraints, constraint{t: tyArgs[i], need: tp.Constraints, pos: pos, what: "type argument '" + tp.Name + "' of " + fn.name, typeArg: true})
		} else {
			f.b.constraints = append(f.b.constraints, constraint{t: tyArgs[i], pos: pos, what: "type argument '" + tp.Name + "' of " + fn.name, typeArg: true})
		}
	}
	if fn.mod.id == f.c.vecMod && fn.native {
		if op, ok := vecOps[fn.name]; ok {
			in.k, in.op = ekVecOp, op
			in.mut = fn.name == "borrow_mut"
		}
	}
	if fn.name == "emit" && fn.mod.id == (vm.ModuleID{Addr: vm.AddressFromU64(1), Name: "event"}) && len(tyArgs) == 1 {
		f.b.events = append(f.b.events, eventUse{t: tyArgs[0], pos: pos})
	}
	if len(args) != len(fn.params) {
		f.errorf(pos, "function '%s' takes %d arguments, got %d", fn.name, len(fn.params), len(args))
	}
	var lambdas []int
	start := 0
	if recv != nil {
		start = 1
	}
	for i := start; i < len(args); i++ {
		if i >= len(fn.params) {
			f.expr(args[i])
			continue
		}
		pt := subst(fn.params[i], fn, tyArgs)
		if _, ok := args[i].(*syntax.LambdaExpr); ok {
			lambdas = append(lambdas, i)
			continue
		}
		t := f.expr(args[i])
		f.coerce(t, pt, args[i].ExprPos(), "argument "+itoa(i+1)+" of "+fn.name)
	}
	for _, i := range lambdas {
		l := args[i].(*syntax.LambdaExpr)
		pt := prune(subst(fn.params[i], fn, tyArgs))
		if !fn.inline || prune(pt).k != tFun || inlineParamAsValue(fn, i) {
			f.coerce(f.closureExpr(l, pt), pt, l.Pos, "argument "+itoa(i+1)+" of "+fn.name)
			continue
		}
		f.lambdaExpr(l, pt)
	}
	in.ty = subst(fn.result, fn, tyArgs)
	return in.ty
}

// inlineParamAsValue reports whether inline function fn uses its i-th
// parameter other than by calling it (passes it on, stores it in a
// struct): the lambda given for it is then checked as a closure, since
// it is built as one where the body uses it so.
func inlineParamAsValue(fn *funInfo, i int) bool {
	d := fn.decl
	if d == nil || d.Body == nil || i >= len(d.Params) {
		return false
	}
	name := d.Params[i].Name.Name
	found := false
	walk(d.Body, func(e syntax.Expr) {
		switch e := e.(type) {
		case *syntax.NameExpr:
			p := e.Path
			if len(p.Names) == 0 && !p.Root.IsAddr && p.Root.Name == name {
				found = true
			}
		case *syntax.PackExpr:
			for _, fl := range e.Fields {
				if fl.Value == nil && fl.Name.Name == name {
					found = true
				}
			}
		}
	}, func(syntax.Pattern) {})
	return found
}

// lambdaExpr checks a lambda against an expected function type.
func (f *fchecker) lambdaExpr(l *syntax.LambdaExpr, want *cty) {
	in := f.set(l, &einfo{k: ekLambda})
	if want.k != tFun {
		f.errorf(l.Pos, "a lambda is not expected here (parameter type %s)", want)
		return
	}
	if len(l.Params) != len(want.args) {
		f.errorf(l.Pos, "lambda takes %d parameters, expected %d", len(l.Params), len(want.args))
		return
	}
	f.push()
	saveLoops := f.loops
	f.loops = nil
	f.lambda++
	for i, p := range l.Params {
		pt := want.args[i]
		if p.Type != nil {
			f.coerce(f.resolveType(p.Type), pt, l.Pos, "lambda parameter")
		}
		f.bindPattern(p.Pat, pt, false, false)
	}
	t := f.expr(l.Body)
	f.lambda--
	f.loops = saveLoops
	f.pop()
	f.coerce(t, want.res, l.Body.ExprPos(), "lambda result")
	in.ty = want
}

func itoa(i int) string {
	return big.NewInt(int64(i)).String()
}

// packFields checks `S { f: e }`, `W(e)`, `E::V {..}`, or a unit `E::V`.
func (f *fchecker) packFields(e syntax.Expr, s *structInfo, variant int, tyArgExprs []syntax.Type, posArgs []syntax.Expr, pos syntax.Pos, unit bool) *cty {
	in := f.set(e, &einfo{k: ekPack, variant: variant})
	if !f.structAccessible(s) {
		f.errorf(pos, "invalid pack: struct '%s' is declared in module %s", s.name, s.mod.id)
	}
	args := f.typeArgs(tyArgExprs, len(s.tparams), pos, s.name)
	for i, tp := range s.tparams {
		f.b.constraints = append(f.b.constraints, constraint{t: args[i], need: tp.Constraints, pos: pos, what: "type argument '" + tp.Name + "' of " + s.name, typeArg: true})
	}
	st := &cty{k: tStruct, sdef: s, args: args}
	in.sty, in.ty = st, st
	var fields []fieldInfo
	if s.isEnum {
		if variant < 0 {
			f.errorf(pos, "'%s' is an enum: name a variant", s.name)
			return tyErr
		}
		fields = s.variants[variant].fields
	} else {
		fields = s.fields
		in.variant = 0
	}
	if unit {
		if len(fields) != 0 {
			f.errorf(pos, "'%s' has fields; it cannot be used as a value without them", s.name)
		}
		return st
	}
	if len(posArgs) != len(fields) {
		f.errorf(pos, "'%s' has %d fields, got %d", s.name, len(fields), len(posArgs))
	}
	for i, a := range posArgs {
		if i < len(fields) {
			f.exprExpect(a, subst(fields[i].ty, s, args), "field "+fields[i].name)
			in.fieldIdx = append(in.fieldIdx, i)
		} else {
			f.expr(a)
		}
	}
	return st
}

func (f *fchecker) pack(e *syntax.PackExpr) *cty {
	s, variant := f.resolvePackTarget(e.Path)
	if s == nil {
		for _, fe := range e.Fields {
			if fe.Value != nil {
				f.expr(fe.Value)
			}
		}
		return tyErr
	}
	if e.Rest {
		f.errorf(e.Path.Pos, "'..' is only allowed in patterns")
	}
	in := f.set(e, &einfo{k: ekPack, variant: variant})
	if !f.structAccessible(s) {
		f.errorf(e.Path.Pos, "invalid pack: struct '%s' is declared in module %s", s.name, s.mod.id)
	}
	args := f.typeArgs(e.TyArgs, len(s.tparams), e.Path.Pos, s.name)
	for i, tp := range s.tparams {
		f.b.constraints = append(f.b.constraints, constraint{t: args[i], need: tp.Constraints, pos: e.Path.Pos, what: "type argument '" + tp.Name + "' of " + s.name, typeArg: true})
	}
	st := &cty{k: tStruct, sdef: s, args: args}
	in.sty, in.ty = st, st
	var fields []fieldInfo
	if s.isEnum {
		if variant < 0 {
			f.errorf(e.Path.Pos, "'%s' is an enum: name a variant", s.name)
			return st
		}
		fields = s.variants[variant].fields
	} else {
		fields = s.fields
		in.variant = 0
	}
	seen := make([]bool, len(fields))
	for _, fe := range e.Fields {
		idx := -1
		for i, fd := range fields {
			if fd.name == fe.Name.Name {
				idx = i
			}
		}
		if idx < 0 {
			f.errorf(fe.Name.Pos, "unbound field '%s' in '%s'", fe.Name.Name, e.Path)
			if fe.Value != nil {
				f.expr(fe.Value)
			}
			in.fieldIdx = append(in.fieldIdx, -1)
			continue
		}
		if seen[idx] {
			f.errorf(fe.Name.Pos, "duplicate field '%s'", fe.Name.Name)
		}
		seen[idx] = true
		ft := subst(fields[idx].ty, s, args)
		if fe.Value == nil {
			// shorthand `S { x }` means `S { x: x }`
			fe.Value = &syntax.NameExpr{Path: &syntax.Path{Pos: fe.Name.Pos, Root: syntax.LeadingName{Pos: fe.Name.Pos, Name: fe.Name.Name}}}
		}
		f.exprExpect(fe.Value, ft, "field "+fe.Name.Name)
		in.fieldIdx = append(in.fieldIdx, idx)
	}
	for i, ok := range seen {
		if !ok {
			f.errorf(e.Path.Pos, "missing field '%s' in '%s'", fields[i].name, e.Path)
		}
	}
	return st
}

func (f *fchecker) unary(e *syntax.UnaryExpr) *cty {
	switch e.Op {
	case syntax.OpNot:
		in := f.set(e, &einfo{k: ekUnary, op: vm.OpNot, opnd: tyBool})
		f.exprExpect(e.X, tyBool, "operand of '!'")
		in.ty = tyBool
		return tyBool
	case syntax.OpNeg:
		// `-` before a number folds into the literal (Move 2.3)
		if l, ok := e.X.(*syntax.Lit); ok && l.Kind == syntax.LitNum {
			neg := &syntax.Lit{Pos: e.Pos, Kind: syntax.LitNum, Text: l.Text}
			t := f.lit(neg)
			in := f.b.info[neg]
			if in.litBig != nil {
				in.litBig.Neg(in.litBig)
			}
			f.set(e, in)
			return t
		}
		in := f.set(e, &einfo{k: ekUnary, op: vm.OpNeg})
		t := f.expr(e.X)
		if !t.isSigned() {
			if prune(t).k == tVar && prune(t).intOnly {
				f.errorf(e.Pos, "cannot infer a signed type for '-'; add a type annotation or suffix such as i64")
			} else if prune(t).k != tErr {
				f.errorf(e.Pos, "unary minus needs a signed integer, found %s", prune(t))
			}
		}
		in.opnd, in.ty = t, t
		return t
	case syntax.OpBorrow, syntax.OpBorrowMut:
		mut := e.Op == syntax.OpBorrowMut
		in := f.set(e, &einfo{k: ekBorrow, mut: mut})
		t, ok := f.place(e.X, mut)
		if !ok {
			return tyErr
		}
		if prune(t).k == tRef {
			f.errorf(e.Pos, "cannot borrow a reference (type %s)", prune(t))
			return tyErr
		}
		in.ty = refOf(t, mut)
		return in.ty
	case syntax.OpDeref:
		in := f.set(e, &einfo{k: ekDeref})
		t := f.expr(e.X)
		pt := prune(t)
		if pt.k == tVar {
			elem := f.newVar()
			unify(pt, refOf(elem, false))
			pt = prune(t)
		}
		if pt.k != tRef {
			if pt.k != tErr {
				f.errorf(e.Pos, "cannot dereference a value of type %s", pt)
			}
			return tyErr
		}
		f.needAbility(pt.elem, vm.Copy, e.Pos, "dereference of a value without 'copy'")
		in.ty = pt.elem
		return in.ty
	case syntax.OpMove, syntax.OpCopy:
		ne := e.X.(*syntax.NameExpr)
		lv := f.lookupVar(ne.Path.Root.Name)
		if lv == nil {
			f.errorf(e.Pos, "unbound local '%s'", ne.Path.Root.Name)
			return tyErr
		}
		in := f.set(e, &einfo{k: ekMoveCopy, local: lv, explicitMove: e.Op == syntax.OpMove})
		f.set(ne, &einfo{k: ekLocal, local: lv, ty: lv.ty})
		if e.Op == syntax.OpCopy {
			f.needAbility(lv.ty, vm.Copy, e.Pos, "copy of a value without 'copy'")
		}
		in.ty = lv.ty
		return lv.ty
	}
	return tyErr
}

func (f *fchecker) binary(e *syntax.BinaryExpr) *cty {
	switch e.Op {
	case syntax.AMPAMP, syntax.PIPEPIPE:
		k := ekAnd
		if e.Op == syntax.PIPEPIPE {
			k = ekOr
		}
		in := f.set(e, &einfo{k: k})
		f.exprExpect(e.X, tyBool, "operand of "+e.Op.String())
		f.exprExpect(e.Y, tyBool, "operand of "+e.Op.String())
		in.ty = tyBool
		return tyBool
	case syntax.EQEQ, syntax.NEQ:
		op := vm.OpEq
		if e.Op == syntax.NEQ {
			op = vm.OpNeq
		}
		in := f.set(e, &einfo{k: ekBinary, op: op})
		a := f.expr(e.X)
		b := f.expr(e.Y)
		pa, pb := prune(a), prune(b)
		// references of either mutability compare by value
		if pa.k == tRef && pb.k == tRef {
			if !unify(pa.elem, pb.elem) {
				f.errorf(e.Pos, "incompatible operands of %s: %s and %s", e.Op, pa, pb)
			}
		} else if !unify(a, b) {
			f.errorf(e.Pos, "incompatible operands of %s: %s and %s", e.Op, pa, pb)
		}
		f.needAbility(a, vm.Drop, e.Pos, "operand of "+e.Op.String()+" without 'drop'")
		in.opnd = a
		in.ty = tyBool
		return tyBool
	case syntax.LT, syntax.GT, syntax.LE, syntax.GE:
		op := map[syntax.Tok]vm.Op{syntax.LT: vm.OpLt, syntax.GT: vm.OpGt, syntax.LE: vm.OpLe, syntax.GE: vm.OpGe}[e.Op]
		in := f.set(e, &einfo{k: ekBinary, op: op})
		a := f.expr(e.X)
		b := f.expr(e.Y)
		if !unify(a, b) {
			f.errorf(e.Pos, "incompatible operands of %s: %s and %s", e.Op, prune(a), prune(b))
		}
		if !a.isInt() && prune(a).k != tErr {
			// Move 2.2 orders all types through std::cmp.
			f.needAbility(a, vm.Drop, e.Pos, "operand of comparison")
		}
		in.opnd = a
		in.ty = tyBool
		return tyBool
	case syntax.SHL, syntax.SHR:
		op := vm.OpShl
		if e.Op == syntax.SHR {
			op = vm.OpShr
		}
		in := f.set(e, &einfo{k: ekBinary, op: op})
		a := f.expr(e.X)
		f.exprExpect(e.Y, tyU8, "shift amount")
		if a.isSigned() {
			f.errorf(e.Pos, "shift %s needs an unsigned integer, found %s", e.Op, prune(a))
		}
		if !a.isInt() {
			if prune(a).k == tVar {
				unify(a, f.newIntVar())
			} else if prune(a).k != tErr {
				f.errorf(e.Pos, "operand of %s must be an integer, found %s", e.Op, prune(a))
			}
		}
		in.opnd = a
		in.ty = a
		return a
	case syntax.PLUS, syntax.MINUS, syntax.STAR, syntax.SLASH, syntax.PERCENT, syntax.PIPE, syntax.AMP, syntax.CARET:
		op := map[syntax.Tok]vm.Op{syntax.PLUS: vm.OpAdd, syntax.MINUS: vm.OpSub, syntax.STAR: vm.OpMul,
			syntax.SLASH: vm.OpDiv, syntax.PERCENT: vm.OpMod, syntax.PIPE: vm.OpBitOr, syntax.AMP: vm.OpBitAnd,
			syntax.CARET: vm.OpXor}[e.Op]
		in := f.set(e, &einfo{k: ekBinary, op: op})
		a := f.expr(e.X)
		b := f.expr(e.Y)
		if !unify(a, b) {
			f.errorf(e.Pos, "incompatible operands of %s: %s and %s", e.Op, prune(a), prune(b))
		}
		if a.isSigned() && (op == vm.OpBitOr || op == vm.OpBitAnd || op == vm.OpXor) {
			f.errorf(e.Pos, "bitwise operator %s needs unsigned integers, found %s", e.Op, prune(a))
		}
		if !a.isInt() {
			if prune(a).k == tVar {
				unify(a, f.newIntVar())
			} else if prune(a).k != tErr {
				f.errorf(e.Pos, "operand of %s must be an integer, found %s", e.Op, prune(a))
			}
		}
		in.opnd = a
		in.ty = a
		return a
	}
	f.errorf(e.Pos, "operator %s is not supported here", e.Op)
	return tyErr
}

// bareVariant resolves an unqualified variant name when exactly one enum of
// the current module declares it.
func (f *fchecker) bareVariant(p *syntax.Path) (*structInfo, int) {
	if len(p.Names) != 0 || p.Root.IsAddr {
		return nil, -1
	}
	var found *structInfo
	idx := -1
	for _, s := range f.m.slist {
		if !s.isEnum {
			continue
		}
		for i, v := range s.variants {
			if v.name == p.Root.Name {
				if found != nil {
					return nil, -1
				}
				found, idx = s, i
			}
		}
	}
	return found, idx
}

// closureExpr checks a lambda used as a function value (Move 2.2): it
// captures, by value, the variables of enclosing scopes it uses. want is
// the expected function type when the context gives one.
func (f *fchecker) closureExpr(l *syntax.LambdaExpr, want *cty) *cty {
	in := f.set(l, &einfo{k: ekClosure})
	var params []*cty
	var res *cty
	var ab vm.Ability
	declared := false
	w := prune(orErr(want))
	if ft := funWrapper(w); ft != nil {
		// a lambda given where a struct wrapping a function type is expected
		in.wrap = w
		w = ft
	}
	if w.k == tFun && len(w.args) == len(l.Params) {
		params, res, ab, declared = w.args, w.res, w.ab, true
	} else {
		for range l.Params {
			params = append(params, f.newVar())
		}
		res = f.newVar()
	}
	f.push()
	saveLoops := f.loops
	f.loops = nil
	f.lambda++
	f.closures = append(f.closures, in)
	for i, p := range l.Params {
		if p.Type != nil {
			f.coerce(f.resolveType(p.Type), params[i], l.Pos, "lambda parameter")
		}
		f.bindPattern(p.Pat, params[i], false, false)
	}
	t := f.expr(l.Body)
	f.closures = f.closures[:len(f.closures)-1]
	f.lambda--
	f.loops = saveLoops
	f.pop()
	f.coerce(t, res, l.Body.ExprPos(), "lambda result")
	// a closure has the abilities its captured values share
	capAb := vm.Copy | vm.Drop | vm.Store
	for _, c := range in.captures {
		// a captured reference keeps the closure from being stored
		if pt := prune(c.ty); pt.k == tRef {
			capAb &^= vm.Store
		}
		capAb &= abilities(c.ty)
	}
	if declared {
		if missing := ab &^ capAb &^ vm.Key; missing != 0 {
			f.errorf(l.Pos, "closure does not have the ability '%s' its type requires (captured values lack it)", missing)
		}
	} else {
		ab = capAb
	}
	in.ty = &cty{k: tFun, args: params, res: res, ab: ab}
	if in.wrap != nil {
		return in.wrap
	}
	return in.ty
}

// funWrapper returns the function type a struct wraps when t is a struct
// with a single positional field of function type (Move 2.2), else nil.
func funWrapper(t *cty) *cty {
	t = prune(t)
	if t.k != tStruct || t.sdef.isEnum || !t.sdef.positional || len(t.sdef.fields) != 1 {
		return nil
	}
	ft := prune(subst(t.sdef.fields[0].ty, t.sdef, t.args))
	if ft.k != tFun {
		return nil
	}
	return ft
}

func orErr(t *cty) *cty {
	if t == nil {
		return tyErr
	}
	return t
}

// funRef checks a function named as a value: `let f = m::add;`.
func (f *fchecker) funRef(e *syntax.NameExpr, fn *funInfo) *cty {
	f.checkVisibility(fn, e.Path.Pos)
	if fn.inline {
		f.errorf(e.Path.Pos, "inline function '%s' cannot be used as a value", fn.name)
	}
	tyArgs := f.typeArgs(e.TyArgs, len(fn.tparams), e.Path.Pos, fn.name)
	in := f.set(e, &einfo{k: ekFunRef, fn: fn, tyArgs: tyArgs})
	for i, tp := range fn.tparams {
		f.b.constraints = append(f.b.constraints, constraint{t: tyArgs[i], need: tp.Constraints, pos: e.Path.Pos, what: "type argument '" + tp.Name + "' of " + fn.name, typeArg: true})
	}
	params := make([]*cty, len(fn.params))
	for i, p := range fn.params {
		params[i] = subst(p, fn, tyArgs)
	}
	in.ty = &cty{k: tFun, args: params, res: subst(fn.result, fn, tyArgs), ab: vm.Copy | vm.Drop | vm.Store}
	return in.ty
}

// structAccessible reports whether the current module may pack, unpack and
// access the fields of s: its own structs, and since Move 2.4 structs
// declared public, public(package) (same package) or public(friend).
func (f *fchecker) structAccessible(s *structInfo) bool {
	if s.mod == f.m {
		return true
	}
	switch s.vis {
	case vm.Public:
		return true
	case vm.Package:
		return s.mod.pkg == f.m.pkg && s.mod.id.Addr == f.m.id.Addr
	case vm.Friend:
		return s.mod.friends[f.m.id]
	}
	return false
}

// constAccessible reports whether the current module may use constant k:
// its own, and since Move 2.4 constants declared public, package or friend.
func (f *fchecker) constAccessible(k *constInfo) bool {
	if k.mod == f.m {
		return true
	}
	switch k.vis {
	case vm.Public:
		return true
	case vm.Package:
		return k.mod.pkg == f.m.pkg && k.mod.id.Addr == f.m.id.Addr
	case vm.Friend:
		return k.mod.friends[f.m.id]
	}
	return false
}
