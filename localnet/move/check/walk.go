package check

import "github.com/agi-nostr/agi-nostr/localnet/move/syntax"

// walk visits e and every expression and pattern inside it.
func walk(e syntax.Expr, fe func(syntax.Expr), fp func(syntax.Pattern)) {
	if e == nil {
		return
	}
	fe(e)
	w := func(x syntax.Expr) { walk(x, fe, fp) }
	var wp func(p syntax.Pattern)
	wp = func(p syntax.Pattern) {
		if p == nil {
			return
		}
		fp(p)
		switch p := p.(type) {
		case *syntax.TuplePat:
			for _, q := range p.Elems {
				wp(q)
			}
		case *syntax.StructPat:
			for _, f := range p.Fields {
				wp(f.Pat)
			}
		}
	}
	switch e := e.(type) {
	case *syntax.CallExpr:
		for _, a := range e.Args {
			w(a)
		}
	case *syntax.PackExpr:
		for _, f := range e.Fields {
			w(f.Value)
		}
	case *syntax.VectorExpr:
		for _, x := range e.Elems {
			w(x)
		}
	case *syntax.UnaryExpr:
		w(e.X)
	case *syntax.BinaryExpr:
		w(e.X)
		w(e.Y)
	case *syntax.AssignExpr:
		w(e.LHS)
		w(e.RHS)
	case *syntax.CastExpr:
		w(e.X)
	case *syntax.IsExpr:
		w(e.X)
	case *syntax.AnnotExpr:
		w(e.X)
	case *syntax.DotExpr:
		w(e.X)
	case *syntax.MethodCallExpr:
		w(e.X)
		for _, a := range e.Args {
			w(a)
		}
	case *syntax.IndexExpr:
		w(e.X)
		w(e.Index)
	case *syntax.CallValueExpr:
		w(e.Fn)
		for _, a := range e.Args {
			w(a)
		}
	case *syntax.Block:
		for _, st := range e.Stmts {
			switch st := st.(type) {
			case *syntax.LetStmt:
				w(st.Init)
				wp(st.Pat)
			case *syntax.ExprStmt:
				w(st.X)
			}
		}
		w(e.Result)
	case *syntax.IfExpr:
		w(e.Cond)
		w(e.Then)
		w(e.Else)
	case *syntax.WhileExpr:
		w(e.Cond)
		w(e.Body)
	case *syntax.LoopExpr:
		w(e.Body)
	case *syntax.ForExpr:
		w(e.Lo)
		w(e.Hi)
		w(e.Body)
	case *syntax.ReturnExpr:
		w(e.X)
	case *syntax.AbortExpr:
		w(e.X)
	case *syntax.TupleExpr:
		for _, x := range e.Elems {
			w(x)
		}
	case *syntax.LambdaExpr:
		for _, p := range e.Params {
			wp(p.Pat)
		}
		w(e.Body)
	case *syntax.MatchExpr:
		w(e.X)
		for _, a := range e.Arms {
			wp(a.Pat)
			w(a.Guard)
			w(a.Body)
		}
	}
}

// freeVars lists the variables a lambda uses that are declared outside it.
func freeVars(l *syntax.LambdaExpr, b *bodyInfo) []*localVar {
	declared := map[*localVar]bool{}
	var used []*localVar
	seen := map[*localVar]bool{}
	walk(l, func(e syntax.Expr) {
		in := b.info[e]
		if in == nil {
			return
		}
		switch in.k {
		case ekFor:
			if in.local != nil {
				declared[in.local] = true
			}
		case ekLocal, ekMoveCopy, ekLambdaCall:
			if in.local != nil && !seen[in.local] {
				seen[in.local] = true
				used = append(used, in.local)
			}
		case ekClosure:
			for _, c := range in.captures {
				if !seen[c] {
					seen[c] = true
					used = append(used, c)
				}
			}
		}
	}, func(p syntax.Pattern) {
		if pi := b.pats[p]; pi != nil && pi.local != nil {
			declared[pi.local] = true
		}
	})
	var out []*localVar
	for _, v := range used {
		if !declared[v] {
			out = append(out, v)
		}
	}
	return out
}
