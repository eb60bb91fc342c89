package check

import (
	"math/big"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// cval is a constant value during evaluation.
type cval struct {
	t   *cty
	n   *big.Int // integers
	b   bool
	v   vm.Value // other values
	lit bool     // untyped integer literal
}

func (c *compiler) evalConst(k *constInfo) {
	if k.done {
		return
	}
	if k.busy {
		c.errorf(k.mod.file, k.decl.Name.Pos, "constant '%s' refers to itself", k.name)
		return
	}
	k.busy = true
	defer func() { k.busy = false }()
	v, ok := c.constExpr(k.mod, k.decl.Value, k.ty)
	k.done = true
	if !ok {
		return
	}
	if !c.fitsConst(k.mod.file, k.decl.Value.ExprPos(), &v, k.ty) {
		return
	}
	k.val = c.toValue(v, k.ty)
}

func (c *compiler) fitsConst(file string, pos syntax.Pos, v *cval, want *cty) bool {
	w := prune(want)
	if v.lit && w.k == tPrim && w.prim.IsInteger() {
		v.t, v.lit = w, false
	}
	if !unify(v.t, want) {
		c.errorf(file, pos, "constant has type %s, expected %s", prune(v.t), w)
		return false
	}
	if w.k == tPrim && w.prim.IsInteger() && !intFits(v.n, w.prim) {
		c.errorf(file, pos, "constant value %s does not fit in %s", v.n, w)
		return false
	}
	return true
}

func (c *compiler) toValue(v cval, t *cty) vm.Value {
	p := prune(t)
	if p.k == tPrim {
		switch {
		case p.prim == vm.KBool:
			return vm.Bool(v.b)
		case p.prim.IsSigned():
			return vm.SignedValue(v.n, p.prim)
		case p.prim <= vm.KU64:
			return vm.U64(v.n.Uint64())
		case p.prim.IsInt():
			return vm.BigInt(v.n)
		}
	}
	return v.v
}

func (c *compiler) constExpr(m *modInfo, e syntax.Expr, want *cty) (cval, bool) {
	fail := func(pos syntax.Pos, msg string) (cval, bool) {
		c.errorf(m.file, pos, "%s", msg)
		return cval{}, false
	}
	wantInt := func() *cty {
		if want != nil {
			if w := prune(want); w.k == tPrim && w.prim.IsInteger() {
				return w
			}
		}
		return nil
	}
	switch e := e.(type) {
	case *syntax.Lit:
		switch e.Kind {
		case syntax.LitBool:
			return cval{t: tyBool, b: e.Text == "true"}, true
		case syntax.LitBytes:
			return cval{t: vecOf(tyU8), v: vm.Bytes([]byte(e.Text))}, true
		case syntax.LitAddr:
			var a vm.Address
			var ok bool
			if e.IsName {
				a, ok = c.opts.Addresses[e.Text]
			} else {
				a, ok = vm.ParseAddress(e.Text)
			}
			if !ok {
				return fail(e.Pos, "invalid address '@"+e.Text+"'")
			}
			return cval{t: tyAddress, v: vm.Addr(a)}, true
		default:
			n, suffix, ok := parseIntLit(e.Text)
			if !ok {
				return fail(e.Pos, "invalid number '"+e.Text+"'")
			}
			if suffix != "" {
				t, ok := primByName[suffix]
				if !ok {
					return fail(e.Pos, "signed integers are not supported")
				}
				if n.BitLen() > int(t.prim.Bits()) {
					return fail(e.Pos, "integer literal does not fit in "+suffix)
				}
				return cval{t: t, n: n}, true
			}
			if w := wantInt(); w != nil {
				return cval{t: w, n: n}, true
			}
			return cval{t: tyU64, n: n, lit: true}, true
		}
	case *syntax.NameExpr:
		p := e.Path
		if len(p.Names) == 0 {
			if t, ok := maxConsts[p.Root.Name]; ok && m.consts[p.Root.Name] == nil {
				return cval{t: t, n: builtinConst(p.Root.Name, t)}, true
			}
			if p.Root.Name == "__COMPILE_FOR_TESTING__" {
				return cval{t: tyBool, b: c.opts.Test}, true
			}
		}
		var k *constInfo
		switch len(p.Names) {
		case 0:
			k = m.consts[p.Root.Name]
		case 1:
			if id, ok := m.aliases[p.Root.Name]; ok && c.mods[id] != nil {
				k = c.mods[id].consts[p.Names[0].Name]
			} else if p.Root.Name == "Self" {
				k = m.consts[p.Names[0].Name]
			}
		}
		if k == nil {
			return fail(p.Pos, "'"+p.String()+"' is not a constant")
		}
		c.evalConst(k)
		if !k.done {
			return cval{}, false
		}
		return c.fromValue(k.val, k.ty), true
	case *syntax.Block:
		if len(e.Stmts) != 0 || e.Result == nil {
			return fail(e.Pos, "constant blocks may only hold an expression")
		}
		return c.constExpr(m, e.Result, want)
	case *syntax.AnnotExpr:
		t := c.resolveType(m, nil, e.Type)
		v, ok := c.constExpr(m, e.X, t)
		if !ok || !c.fitsConst(m.file, e.Pos, &v, t) {
			return cval{}, false
		}
		return v, true
	case *syntax.CastExpr:
		t := c.resolveType(m, nil, e.Type)
		v, ok := c.constExpr(m, e.X, nil)
		if !ok {
			return v, false
		}
		pt := prune(t)
		if v.n == nil || pt.k != tPrim || !pt.prim.IsInteger() {
			return fail(e.Pos, "invalid cast in constant")
		}
		if !intFits(v.n, pt.prim) {
			return fail(e.Pos, "cast overflows in constant")
		}
		return cval{t: pt, n: v.n}, true
	case *syntax.VectorExpr:
		var elem *cty
		if len(e.TyArgs) == 1 {
			elem = c.resolveType(m, nil, e.TyArgs[0])
		} else if want != nil && prune(want).k == tVec {
			elem = prune(want).elem
		}
		var elems []vm.Value
		for _, x := range e.Elems {
			v, ok := c.constExpr(m, x, elem)
			if !ok {
				return v, false
			}
			if elem == nil {
				elem = v.t
			}
			if !c.fitsConst(m.file, x.ExprPos(), &v, elem) {
				return cval{}, false
			}
			elems = append(elems, c.toValue(v, elem))
		}
		if elem == nil {
			return fail(e.Pos, "cannot infer the element type of an empty vector constant")
		}
		return cval{t: vecOf(elem), v: vm.VectorOf(elems)}, true
	case *syntax.UnaryExpr:
		if e.Op == syntax.OpNeg {
			v, ok := c.constExpr(m, e.X, want)
			if !ok {
				return v, false
			}
			if v.n == nil {
				return fail(e.Pos, "'-' needs a signed integer")
			}
			r := cval{t: v.t, n: new(big.Int).Neg(v.n), lit: v.lit}
			if !v.lit && !prune(v.t).isSigned() {
				return fail(e.Pos, "'-' needs a signed integer")
			}
			return r, true
		}
		if e.Op != syntax.OpNot {
			return fail(e.Pos, "invalid operator in constant")
		}
		v, ok := c.constExpr(m, e.X, tyBool)
		if !ok || prune(v.t) != tyBool {
			return fail(e.Pos, "'!' needs a bool")
		}
		return cval{t: tyBool, b: !v.b}, true
	case *syntax.BinaryExpr:
		return c.constBinary(m, e, want)
	}
	return fail(e.ExprPos(), "invalid constant expression: only literals and operators are allowed")
}

func (c *compiler) fromValue(v vm.Value, t *cty) cval {
	p := prune(t)
	if p.k == tPrim {
		switch {
		case p.prim == vm.KBool:
			return cval{t: p, b: v.AsBool()}
		case p.prim.IsSigned():
			return cval{t: p, n: vm.SignedBig(v, p.prim)}
		case p.prim <= vm.KU64:
			return cval{t: p, n: new(big.Int).SetUint64(v.N)}
		case p.prim.IsInt():
			return cval{t: p, n: v.AsBig()}
		}
	}
	return cval{t: p, v: v}
}

func (c *compiler) constBinary(m *modInfo, e *syntax.BinaryExpr, want *cty) (cval, bool) {
	fail := func(msg string) (cval, bool) {
		c.errorf(m.file, e.Pos, "%s", msg)
		return cval{}, false
	}
	switch e.Op {
	case syntax.AMPAMP, syntax.PIPEPIPE:
		a, ok1 := c.constExpr(m, e.X, tyBool)
		b, ok2 := c.constExpr(m, e.Y, tyBool)
		if !ok1 || !ok2 {
			return cval{}, false
		}
		if e.Op == syntax.AMPAMP {
			return cval{t: tyBool, b: a.b && b.b}, true
		}
		return cval{t: tyBool, b: a.b || b.b}, true
	}
	var opWant *cty
	switch e.Op {
	case syntax.EQEQ, syntax.NEQ, syntax.LT, syntax.GT, syntax.LE, syntax.GE:
	default:
		opWant = want
	}
	a, ok1 := c.constExpr(m, e.X, opWant)
	var bWant *cty = opWant
	if e.Op == syntax.SHL || e.Op == syntax.SHR {
		bWant = tyU8
	} else if !a.lit {
		bWant = a.t
	}
	b, ok2 := c.constExpr(m, e.Y, bWant)
	if !ok1 || !ok2 {
		return cval{}, false
	}
	if e.Op != syntax.SHL && e.Op != syntax.SHR {
		if a.lit && !b.lit {
			a.t, a.lit = b.t, false
		}
		if b.lit && !a.lit {
			b.t, b.lit = a.t, false
		}
	}
	switch e.Op {
	case syntax.EQEQ, syntax.NEQ:
		eq := false
		switch {
		case a.n != nil && b.n != nil:
			eq = a.n.Cmp(b.n) == 0
		case a.n == nil && b.n == nil && a.v.P == nil:
			eq = a.b == b.b
		default:
			eq = vm.Equal(a.v, b.v)
		}
		return cval{t: tyBool, b: eq == (e.Op == syntax.EQEQ)}, true
	}
	if a.n == nil || b.n == nil {
		return fail("operator needs integers")
	}
	switch e.Op {
	case syntax.LT:
		return cval{t: tyBool, b: a.n.Cmp(b.n) < 0}, true
	case syntax.GT:
		return cval{t: tyBool, b: a.n.Cmp(b.n) > 0}, true
	case syntax.LE:
		return cval{t: tyBool, b: a.n.Cmp(b.n) <= 0}, true
	case syntax.GE:
		return cval{t: tyBool, b: a.n.Cmp(b.n) >= 0}, true
	}
	t := prune(a.t)
	bitsN := uint(64)
	if t.k == tPrim && t.prim.IsInt() {
		bitsN = t.prim.Bits()
	}
	r := new(big.Int)
	switch e.Op {
	case syntax.PLUS:
		r.Add(a.n, b.n)
	case syntax.MINUS:
		if a.n.Cmp(b.n) < 0 && !t.isSigned() {
			return fail("arithmetic underflow in constant")
		}
		r.Sub(a.n, b.n)
	case syntax.STAR:
		r.Mul(a.n, b.n)
	case syntax.SLASH, syntax.PERCENT:
		if b.n.Sign() == 0 {
			return fail("division by zero in constant")
		}
		if e.Op == syntax.SLASH {
			r.Quo(a.n, b.n)
		} else {
			r.Rem(a.n, b.n)
		}
	case syntax.PIPE:
		r.Or(a.n, b.n)
	case syntax.AMP:
		r.And(a.n, b.n)
	case syntax.CARET:
		r.Xor(a.n, b.n)
	case syntax.SHL, syntax.SHR:
		if b.n.Cmp(big.NewInt(int64(bitsN))) >= 0 {
			return fail("shift too large in constant")
		}
		if e.Op == syntax.SHL {
			r.Lsh(a.n, uint(b.n.Uint64()))
			r.And(r, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bitsN), big.NewInt(1)))
		} else {
			r.Rsh(a.n, uint(b.n.Uint64()))
		}
		return cval{t: a.t, n: r, lit: a.lit}, true
	default:
		return fail("invalid operator in constant")
	}
	if !a.lit && t.k == tPrim && t.prim.IsInteger() && !intFits(r, t.prim) {
		return fail("arithmetic overflow in constant")
	}
	return cval{t: a.t, n: r, lit: a.lit && b.lit}, true
}

func (c *compiler) depthGuard(file string, pos syntax.Pos) {}
func (c *compiler) depthRelease()                          {}
