package syntax

import (
	"fmt"
	"strconv"
)

// maxDepth bounds the nesting of expressions, types and blocks so that a
// hostile source ends with an error instead of exhausting the Go stack.
const maxDepth = 500

// maxChain bounds the binary operators in the chains an expression nests
// (`1 + 1 + ...` is as deep as it is long once parsed).
const maxChain = 10000

type parser struct {
	file  string
	toks  []Token
	i     int
	depth int
	chain int // binary operators in the chains being parsed
	// split records tokens rewritten by expectGT so backtracking can undo them.
	split []splitTok
}

type splitTok struct {
	i int
	t Token
}

type bailout struct{ err *Error }

// ParseFile parses one Move source file.
func ParseFile(name, src string) (f *File, err error) {
	toks, lerr := Lex(name, src)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{file: name, toks: toks}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			f, err = nil, b.err
		}
	}()
	return p.parseFile(), nil
}

// ParseExpr parses a single expression (used by tests and tools).
func ParseExpr(src string) (e Expr, err error) {
	toks, lerr := Lex("", src)
	if lerr != nil {
		return nil, lerr
	}
	p := &parser{toks: toks}
	defer func() {
		if r := recover(); r != nil {
			b, ok := r.(bailout)
			if !ok {
				panic(r)
			}
			e, err = nil, b.err
		}
	}()
	e = p.parseExp()
	p.expect(EOF)
	return e, nil
}

func (p *parser) failAt(pos Pos, format string, args ...any) {
	panic(bailout{&Error{File: p.file, Pos: pos, Msg: fmt.Sprintf(format, args...)}})
}

func (p *parser) tok() *Token { return &p.toks[p.i] }
func (p *parser) kind() Tok   { return p.toks[p.i].Kind }
func (p *parser) pos() Pos    { return p.toks[p.i].Pos }
func (p *parser) peek(n int) *Token {
	if p.i+n < len(p.toks) {
		return &p.toks[p.i+n]
	}
	return &p.toks[len(p.toks)-1]
}
func (p *parser) next() Token {
	t := p.toks[p.i]
	if t.Kind != EOF {
		p.i++
	}
	return t
}
func (p *parser) is(k Tok) bool { return p.kind() == k }
func (p *parser) isWord(w string) bool {
	return p.kind() == IDENT && p.tok().Text == w
}
func (p *parser) accept(k Tok) bool {
	if p.kind() == k {
		p.next()
		return true
	}
	return false
}

func (p *parser) unexpected(what string) {
	t := p.tok()
	desc := t.Kind.String()
	if t.Kind == IDENT {
		desc = fmt.Sprintf("identifier '%s'", t.Text)
	} else if t.Kind == NUM || t.Kind == TYPEDNUM {
		desc = fmt.Sprintf("number '%s'", t.Text)
	}
	p.failAt(t.Pos, "unexpected %s, expected %s", desc, what)
}

func (p *parser) expect(k Tok) Token {
	if p.kind() != k {
		p.unexpected(k.String())
	}
	return p.next()
}

func (p *parser) enter() {
	p.depth++
	if p.depth > maxDepth {
		p.failAt(p.pos(), "nesting too deep (more than %d levels)", maxDepth)
	}
}
func (p *parser) leave() { p.depth-- }

func (p *parser) ident() Ident {
	t := p.tok()
	if t.Kind != IDENT {
		p.unexpected("a name")
	}
	p.next()
	return Ident{Pos: t.Pos, Name: t.Text}
}

// anyName accepts an identifier or a keyword (field names such as `for`, attribute names).
func (p *parser) anyName() Ident {
	t := p.tok()
	if t.Kind != IDENT && !t.Kind.IsKeyword() {
		p.unexpected("a name")
	}
	p.next()
	return Ident{Pos: t.Pos, Name: t.Text}
}

// expectGT accepts '>' and splits '>>', '>=', '>>=' so nested type arguments close.
func (p *parser) expectGT() {
	t := p.tok()
	if t.Kind != GT {
		p.split = append(p.split, splitTok{p.i, *t})
	}
	switch t.Kind {
	case GT:
		p.next()
	case SHR:
		t.Kind, t.Text = GT, ">"
		t.Pos.Col++
		t.Space = false
	case GE:
		t.Kind, t.Text = EQ, "="
		t.Pos.Col++
		t.Space = false
	case SHREQ:
		t.Kind, t.Text = GE, ">="
		t.Pos.Col++
		t.Space = false
	default:
		p.unexpected("'>'")
	}
}

func (p *parser) parseFile() *File {
	f := &File{Name: p.file}
	for !p.is(EOF) {
		attrs := p.parseAttrs()
		switch {
		case p.is(MODULE):
			f.Modules = append(f.Modules, p.parseModule(attrs, nil))
		case p.isWord("address"):
			p.next()
			addr := p.leadingName()
			p.expect(LBRACE)
			for !p.accept(RBRACE) {
				mattrs := p.parseAttrs()
				if !p.is(MODULE) {
					p.unexpected("'module'")
				}
				f.Modules = append(f.Modules, p.parseModule(mattrs, &addr))
			}
		case p.is(SPEC):
			p.next()
			p.skipSpecRest()
		case p.is(SCRIPT):
			p.failAt(p.pos(), "scripts are not supported; use entry functions")
		default:
			p.unexpected("'module'")
		}
	}
	return f
}

func (p *parser) leadingName() LeadingName {
	t := p.tok()
	switch t.Kind {
	case NUM:
		p.next()
		return LeadingName{Pos: t.Pos, Name: t.Text, IsAddr: true}
	case IDENT:
		p.next()
		return LeadingName{Pos: t.Pos, Name: t.Text}
	}
	p.unexpected("an address or a name")
	return LeadingName{}
}

func (p *parser) parseAttrs() Attrs {
	var out Attrs
	for p.is(HASH) {
		p.next()
		p.expect(LBRACK)
		for !p.is(RBRACK) {
			out = append(out, p.parseAttr())
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RBRACK)
	}
	return out
}

func (p *parser) parseAttr() *Attr {
	p.enter()
	defer p.leave()
	n := p.anyName()
	a := &Attr{Pos: n.Pos, Name: n.Name}
	for p.is(COLCOL) {
		p.next()
		a.Name += "::" + p.anyName().Name
	}
	switch {
	case p.accept(EQ):
		a.Value = p.parseAttrValue()
	case p.accept(LPAREN):
		a.HasArgs = true
		for !p.is(RPAREN) {
			a.Args = append(a.Args, p.parseAttr())
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RPAREN)
	}
	return a
}

func (p *parser) parseAttrValue() Expr {
	switch p.kind() {
	case NUM, TYPEDNUM, TRUE, FALSE, BYTES, HEXBYTES, AT:
		if p.is(NUM) && p.peek(1).Kind == COLCOL {
			return &NameExpr{Path: p.parsePath()}
		}
		return p.parseLit()
	case IDENT:
		return &NameExpr{Path: p.parsePath()}
	}
	p.unexpected("an attribute value")
	return nil
}

func (p *parser) parseModule(attrs Attrs, blockAddr *LeadingName) *Module {
	pos := p.expect(MODULE).Pos
	m := &Module{Pos: pos, File: p.file, Attrs: attrs}
	first := p.leadingName()
	if p.accept(COLCOL) {
		m.Addr = &first
		m.Name = p.ident()
	} else {
		if first.IsAddr {
			p.failAt(first.Pos, "expected a module name")
		}
		m.Addr = blockAddr
		m.Name = Ident{Pos: first.Pos, Name: first.Name}
	}
	p.expect(LBRACE)
	for !p.accept(RBRACE) {
		if p.is(EOF) {
			p.unexpected("'}'")
		}
		p.parseMember(m)
	}
	return m
}

func isModifierStart(t *Token) bool {
	switch t.Kind {
	case FUN, INLINE, NATIVE, STRUCT, CONST, PUBLIC:
		return true
	case IDENT:
		return t.Text == "entry" || t.Text == "enum"
	}
	return false
}

func (p *parser) parseMember(m *Module) {
	attrs := p.parseAttrs()
	switch {
	case p.is(USE):
		m.Uses = append(m.Uses, p.parseUse(attrs))
		return
	case p.is(FRIEND) && !isModifierStart(p.peek(1)):
		pos := p.next().Pos
		path := p.parsePath()
		p.expect(SEMI)
		m.Friends = append(m.Friends, &FriendDecl{Pos: pos, Attrs: attrs, Path: path})
		return
	case p.is(SPEC):
		p.next()
		p.skipSpecRest()
		return
	case p.is(INVARIANT):
		for !p.is(SEMI) && !p.is(EOF) {
			p.next()
		}
		p.expect(SEMI)
		return
	}
	start := p.pos()
	vis := Private
	var native, entry, inline bool
	for {
		switch {
		case p.is(PUBLIC):
			if vis != Private {
				p.failAt(p.pos(), "duplicate visibility modifier")
			}
			p.next()
			vis = Public
			if p.accept(LPAREN) {
				switch {
				case p.is(FRIEND):
					vis = PublicFriend
				case p.isWord("package"):
					vis = PublicPackage
				case p.isWord("script"), p.is(SCRIPT):
					vis = PublicScript
				default:
					p.unexpected("'friend', 'package' or 'script'")
				}
				p.next()
				p.expect(RPAREN)
			}
			continue
		case p.is(FRIEND) && isModifierStart(p.peek(1)):
			if vis != Private {
				p.failAt(p.pos(), "duplicate visibility modifier")
			}
			p.next()
			vis = PublicFriend
			continue
		case p.isWord("package") && isModifierStart(p.peek(1)):
			if vis != Private {
				p.failAt(p.pos(), "duplicate visibility modifier")
			}
			p.next()
			vis = PublicPackage
			continue
		case p.is(NATIVE):
			if native {
				p.failAt(p.pos(), "duplicate 'native' modifier")
			}
			p.next()
			native = true
			continue
		case p.isWord("entry") && isModifierStart(p.peek(1)):
			if entry {
				p.failAt(p.pos(), "duplicate 'entry' modifier")
			}
			p.next()
			entry = true
			continue
		case p.is(INLINE):
			p.next()
			inline = true
			continue
		}
		break
	}
	switch {
	case p.is(FUN):
		f := p.parseFun(attrs, start)
		f.Visibility, f.Native, f.Entry, f.Inline = vis, native, entry, inline
		if vis == PublicScript {
			f.Visibility, f.Entry = Public, true
		}
		if native && f.Body != nil {
			p.failAt(f.Name.Pos, "native function '%s' cannot have a body", f.Name.Name)
		}
		if !native && f.Body == nil {
			p.failAt(f.Name.Pos, "function '%s' needs a body", f.Name.Name)
		}
		m.Funs = append(m.Funs, f)
	case p.is(STRUCT) || p.isWord("enum"):
		if entry || inline {
			p.failAt(start, "invalid modifier on a struct")
		}
		s := p.parseStruct(attrs, start)
		s.Visibility, s.Native = vis, native
		m.Structs = append(m.Structs, s)
	case p.is(CONST):
		if native || entry || inline {
			p.failAt(start, "invalid modifier on a constant")
		}
		k := p.parseConst(attrs)
		k.Visibility = vis
		m.Consts = append(m.Consts, k)
	default:
		p.unexpected("a module member ('fun', 'struct', 'enum', 'const', 'use', 'friend' or 'spec')")
	}
}

func (p *parser) parseUse(attrs Attrs) *UseDecl {
	pos := p.expect(USE).Pos
	u := &UseDecl{Pos: pos, Attrs: attrs}
	u.Addr = p.leadingName()
	p.expect(COLCOL)
	u.Module = p.ident()
	if p.accept(COLCOL) {
		if p.accept(LBRACE) {
			for !p.is(RBRACE) {
				u.Members = append(u.Members, p.parseUseMember())
				if !p.accept(COMMA) {
					break
				}
			}
			p.expect(RBRACE)
			if u.Members == nil {
				u.Members = []*UseMember{}
			}
		} else {
			u.Members = []*UseMember{p.parseUseMember()}
		}
	} else if p.accept(AS) {
		a := p.ident()
		u.Alias = &a
	}
	p.expect(SEMI)
	return u
}

func (p *parser) parseUseMember() *UseMember {
	m := &UseMember{Name: p.ident()}
	if p.accept(AS) {
		a := p.ident()
		m.Alias = &a
	}
	return m
}

func (p *parser) parseAbilities() Ability {
	var set Ability
	for {
		t := p.tok()
		name := t.Text
		if t.Kind == COPY {
			name = "copy"
		} else if t.Kind != IDENT {
			p.unexpected("an ability")
		}
		a, ok := AbilityNames[name]
		if !ok {
			p.failAt(t.Pos, "unknown ability '%s'", name)
		}
		if set&a != 0 {
			p.failAt(t.Pos, "duplicate ability '%s'", name)
		}
		set |= a
		p.next()
		if !p.accept(PLUS) {
			return set
		}
	}
}

func (p *parser) parseAbilityList() Ability {
	var set Ability
	for {
		t := p.tok()
		name := t.Text
		if t.Kind == COPY {
			name = "copy"
		} else if t.Kind != IDENT {
			p.unexpected("an ability")
		}
		a, ok := AbilityNames[name]
		if !ok {
			p.failAt(t.Pos, "unknown ability '%s'", name)
		}
		if set&a != 0 {
			p.failAt(t.Pos, "duplicate ability '%s'", name)
		}
		set |= a
		p.next()
		if !p.accept(COMMA) {
			return set
		}
		// trailing comma before '{' or ';'
		if p.is(LBRACE) || p.is(SEMI) {
			return set
		}
	}
}

func (p *parser) parseTypeParams(allowPhantom bool) []*TypeParam {
	if !p.is(LT) {
		return nil
	}
	p.next()
	var out []*TypeParam
	for !p.is(GT) {
		tp := &TypeParam{}
		if p.isWord("phantom") && p.peek(1).Kind == IDENT {
			if !allowPhantom {
				p.failAt(p.pos(), "'phantom' is only allowed on struct type parameters")
			}
			p.next()
			tp.Phantom = true
		}
		tp.Name = p.ident()
		if p.accept(COLON) {
			tp.Constraints = p.parseAbilities()
		}
		out = append(out, tp)
		if !p.accept(COMMA) {
			break
		}
	}
	p.expectGT()
	return out
}

func (p *parser) parseStruct(attrs Attrs, pos Pos) *StructDecl {
	s := &StructDecl{Pos: pos, Attrs: attrs}
	if p.is(STRUCT) {
		p.next()
	} else {
		p.next() // enum
		s.IsEnum = true
	}
	s.Name = p.ident()
	s.TypeParams = p.parseTypeParams(true)
	prefix := false
	if p.isWord("has") {
		p.next()
		s.Abilities = p.parseAbilityList()
		prefix = true
	}
	postfix := func() {
		if p.isWord("has") {
			if prefix {
				p.failAt(p.pos(), "abilities declared twice")
			}
			p.next()
			s.Abilities = p.parseAbilityList()
			p.expect(SEMI)
		}
	}
	if s.IsEnum {
		p.expect(LBRACE)
		for !p.is(RBRACE) {
			p.parseAttrs()
			v := &Variant{Pos: p.pos(), Name: p.ident()}
			braced := false
			switch {
			case p.is(LBRACE):
				v.Fields = p.parseFields()
				braced = true
			case p.is(LPAREN):
				v.Fields = p.parsePositionalFields()
				v.Positional = true
			}
			s.Variants = append(s.Variants, v)
			if !p.accept(COMMA) && !braced {
				break
			}
		}
		p.expect(RBRACE)
		postfix()
		return s
	}
	switch {
	case p.is(LBRACE):
		s.Fields = p.parseFields()
		postfix()
	case p.is(LPAREN):
		s.Fields = p.parsePositionalFields()
		s.Positional = true
		if p.isWord("has") {
			if prefix {
				p.failAt(p.pos(), "abilities declared twice")
			}
			p.next()
			s.Abilities = p.parseAbilityList()
		}
		p.expect(SEMI)
	case p.is(SEMI):
		p.next()
		if !s.Native {
			s.Positional = true
		}
	default:
		p.unexpected("'{', '(' or ';'")
	}
	return s
}

func (p *parser) parseFields() []*Field {
	p.expect(LBRACE)
	var out []*Field
	for !p.is(RBRACE) {
		f := &Field{Name: p.anyName()}
		p.expect(COLON)
		f.Type = p.parseType()
		out = append(out, f)
		if !p.accept(COMMA) {
			break
		}
	}
	p.expect(RBRACE)
	return out
}

func (p *parser) parsePositionalFields() []*Field {
	p.expect(LPAREN)
	var out []*Field
	for !p.is(RPAREN) {
		pos := p.pos()
		t := p.parseType()
		out = append(out, &Field{Name: Ident{Pos: pos, Name: strconv.Itoa(len(out))}, Type: t})
		if !p.accept(COMMA) {
			break
		}
	}
	p.expect(RPAREN)
	return out
}

func (p *parser) parseConst(attrs Attrs) *ConstDecl {
	pos := p.expect(CONST).Pos
	c := &ConstDecl{Pos: pos, Attrs: attrs, Name: p.ident()}
	p.expect(COLON)
	c.Type = p.parseType()
	p.expect(EQ)
	c.Value = p.parseExp()
	p.expect(SEMI)
	return c
}

func (p *parser) parseFun(attrs Attrs, pos Pos) *FunDecl {
	p.expect(FUN)
	f := &FunDecl{Pos: pos, Attrs: attrs, Name: p.ident()}
	f.TypeParams = p.parseTypeParams(false)
	p.expect(LPAREN)
	for !p.is(RPAREN) {
		prm := &Param{Name: p.ident()}
		p.expect(COLON)
		prm.Type = p.parseType()
		f.Params = append(f.Params, prm)
		if !p.accept(COMMA) {
			break
		}
	}
	p.expect(RPAREN)
	if p.accept(COLON) {
		f.Result = p.parseType()
	}
	// Access specifiers: acquires/reads/writes lists, `pure`, negations.
	for {
		neg := p.accept(BANG)
		switch {
		case p.is(ACQUIRES), p.isWord("reads"), p.isWord("writes"):
			isAcq := p.is(ACQUIRES)
			p.next()
			for {
				path := p.parseAccessName()
				if isAcq && !neg {
					f.Acquires = append(f.Acquires, path)
				}
				if !p.accept(COMMA) {
					break
				}
			}
			continue
		case p.isWord("pure"):
			p.next()
			continue
		}
		if neg {
			p.unexpected("'acquires', 'reads' or 'writes'")
		}
		break
	}
	if p.accept(SEMI) {
		return f
	}
	f.Body = p.parseBlock()
	return f
}

// parseAccessName parses `R`, `m::R<T>`, `*`, `0x1::*::*`, with an optional `(addr)`.
func (p *parser) parseAccessName() *Path {
	pos := p.pos()
	var path *Path
	if p.is(STAR) {
		p.next()
		path = &Path{Pos: pos, Root: LeadingName{Pos: pos, Name: "*"}}
	} else {
		path = &Path{Pos: pos, Root: p.leadingName()}
		for p.accept(COLCOL) {
			if p.is(STAR) {
				sp := p.next().Pos
				path.Names = append(path.Names, Ident{Pos: sp, Name: "*"})
				continue
			}
			path.Names = append(path.Names, p.ident())
		}
	}
	if p.is(LT) {
		p.parseTypeArgs()
	}
	if p.is(LPAREN) {
		p.skipBalanced(LPAREN, RPAREN)
	}
	return path
}

// parsePath parses a name access chain.
func (p *parser) parsePath() *Path {
	pos := p.pos()
	path := &Path{Pos: pos, Root: p.leadingName()}
	for p.is(COLCOL) && p.peek(1).Kind == IDENT && len(path.Names) < 3 {
		p.next()
		path.Names = append(path.Names, p.ident())
	}
	if path.Root.IsAddr && len(path.Names) == 0 {
		p.failAt(pos, "expected '::' after an address")
	}
	return path
}

func (p *parser) parseTypeArgs() []Type {
	p.expect(LT)
	out := []Type{}
	for !p.is(GT) && !p.is(SHR) && !p.is(GE) && !p.is(SHREQ) {
		out = append(out, p.parseType())
		if !p.accept(COMMA) {
			break
		}
	}
	p.expectGT()
	return out
}

func (p *parser) parseType() Type {
	p.enter()
	defer p.leave()
	pos := p.pos()
	switch p.kind() {
	case AMP:
		p.next()
		return &RefType{Pos: pos, Elem: p.parseType()}
	case AMPMUT:
		p.next()
		return &RefType{Pos: pos, Mut: true, Elem: p.parseType()}
	case LPAREN:
		p.next()
		var elems []Type
		for !p.is(RPAREN) {
			elems = append(elems, p.parseType())
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RPAREN)
		if len(elems) == 1 {
			return elems[0]
		}
		return &TupleType{Pos: pos, Elems: elems}
	case PIPE, PIPEPIPE:
		ft := &FunType{Pos: pos}
		if p.next().Kind == PIPE {
			for !p.is(PIPE) {
				ft.Params = append(ft.Params, p.parseType())
				if !p.accept(COMMA) {
					break
				}
			}
			p.expect(PIPE)
		}
		switch p.kind() {
		case IDENT, AMP, AMPMUT, LPAREN, PIPE, PIPEPIPE, NUM:
			if !p.isWord("has") {
				ft.Result = p.parseType()
			}
		}
		if p.isWord("has") {
			p.next()
			ft.Abilities = p.parseAbilities()
		}
		return ft
	case IDENT, NUM:
		path := p.parsePath()
		nt := &NamedType{Path: path}
		if p.is(LT) {
			nt.Args = p.parseTypeArgs()
		}
		return nt
	}
	p.unexpected("a type")
	return nil
}

// ---- Spec skipping ----

// skipBalanced skips from an opening token to its matching close.
func (p *parser) skipBalanced(open, close Tok) {
	p.expect(open)
	depth := 1
	for depth > 0 {
		switch p.kind() {
		case EOF:
			p.unexpected(close.String())
		case open:
			depth++
		case close:
			depth--
		}
		p.next()
	}
}

// skipSpecRest skips a spec item after the `spec` keyword.
func (p *parser) skipSpecRest() {
	if p.is(FUN) || p.is(NATIVE) || p.isWord("lemma") {
		for !p.is(LBRACE) && !p.is(SEMI) {
			if p.is(EOF) {
				p.unexpected("'{' or ';'")
			}
			if p.is(LPAREN) {
				p.skipBalanced(LPAREN, RPAREN)
				continue
			}
			p.next()
		}
		if p.accept(SEMI) {
			return
		}
		p.skipBalanced(LBRACE, RBRACE)
		return
	}
	for !p.is(LBRACE) {
		if p.is(EOF) {
			p.unexpected("'{'")
		}
		if p.is(LPAREN) {
			p.skipBalanced(LPAREN, RPAREN)
			continue
		}
		p.next()
	}
	p.skipBalanced(LBRACE, RBRACE)
	if p.isWord("proof") && p.peek(1).Kind == LBRACE {
		p.next()
		p.skipBalanced(LBRACE, RBRACE)
	}
}

// ---- Blocks and statements ----

func (p *parser) parseBlock() *Block {
	p.enter()
	defer p.leave()
	b := &Block{Pos: p.expect(LBRACE).Pos}
	for {
		switch {
		case p.is(RBRACE):
			b.End = p.next().Pos
			return b
		case p.is(USE):
			b.Stmts = append(b.Stmts, &UseStmt{Use: p.parseUse(nil)})
			continue
		case p.is(SPEC) && p.peek(1).Kind == LBRACE:
			p.next()
			p.skipBalanced(LBRACE, RBRACE)
			p.accept(SEMI)
			continue
		case p.is(SEMI):
			p.next()
			continue
		case p.is(LET):
			b.Stmts = append(b.Stmts, p.parseLet())
			if !p.is(RBRACE) {
				p.expect(SEMI)
			} else {
				p.unexpected("';'")
			}
			continue
		}
		e, endsInBlock := p.parseSeqExp()
		switch {
		case p.accept(SEMI):
			b.Stmts = append(b.Stmts, &ExprStmt{X: e})
		case p.is(RBRACE):
			b.Result = e
		case endsInBlock:
			b.Stmts = append(b.Stmts, &ExprStmt{X: e})
		default:
			p.unexpected("';' or '}'")
		}
	}
}

// parseSeqExp parses an expression in statement position. A control
// expression that ends in a block ends the statement unless an operator that
// can only continue an expression follows.
func (p *parser) parseSeqExp() (Expr, bool) {
	if p.startsControl() {
		save := p.i
		e := p.parseControl()
		if endsInBlock(e) {
			switch p.kind() {
			case SEMI, RBRACE:
				return e, true
			case DOT, EQ, PLUSEQ, MINUSEQ, STAREQ, SLASHEQ, PERCENTEQ, AMPEQ, PIPEEQ, CARETEQ, SHLEQ, SHREQ,
				PLUS, SLASH, PERCENT, EQEQ, NEQ, LT, GT, LE, GE, AMPAMP, PIPEPIPE, CARET, SHL, SHR, AS, LBRACK:
				// continues the expression
			default:
				return e, true
			}
		}
		p.rewind(save)
	}
	e := p.parseExp()
	return e, endsInBlock(e)
}

func (p *parser) startsControl() bool {
	switch p.kind() {
	case IF, WHILE, LOOP, LBRACE, LABEL:
		return true
	case IDENT:
		return (p.isWord("for") || p.isWord("match")) && p.peek(1).Kind == LPAREN
	}
	return false
}

func endsInBlock(e Expr) bool {
	switch e := e.(type) {
	case *Block, *WhileExpr, *LoopExpr, *ForExpr, *MatchExpr:
		if w, ok := e.(*WhileExpr); ok {
			return endsInBlock(w.Body)
		}
		if l, ok := e.(*LoopExpr); ok {
			return endsInBlock(l.Body)
		}
		if f, ok := e.(*ForExpr); ok {
			return endsInBlock(f.Body)
		}
		return true
	case *IfExpr:
		if e.Else != nil {
			return endsInBlock(e.Else)
		}
		return endsInBlock(e.Then)
	}
	return false
}

func (p *parser) parseLet() Stmt {
	pos := p.expect(LET).Pos
	s := &LetStmt{Pos: pos}
	if p.is(LPAREN) {
		tp := &TuplePat{Pos: p.next().Pos}
		for !p.is(RPAREN) {
			tp.Elems = append(tp.Elems, p.parseBind())
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RPAREN)
		s.Pat = tp
	} else {
		s.Pat = p.parseBind()
	}
	if p.accept(COLON) {
		s.Type = p.parseType()
	}
	if p.accept(EQ) {
		s.Init = p.parseExp()
	}
	return s
}

// parseBind parses one pattern.
func (p *parser) parseBind() Pattern {
	p.enter()
	defer p.leave()
	t := p.tok()
	switch t.Kind {
	case DOTDOT, DOTDOTEQ:
		pos := p.next().Pos
		r := &RangePat{Pos: pos, Inclusive: t.Kind == DOTDOTEQ}
		r.Hi = p.parseLit()
		return r
	case NUM, TYPEDNUM, TRUE, FALSE, BYTES, HEXBYTES, AT, MINUS:
		if t.Kind == NUM && p.peek(1).Kind == COLCOL {
			break
		}
		var l *Lit
		if t.Kind == MINUS {
			p.next()
			l = p.parseLit()
			l.Text = "-" + l.Text
		} else {
			l = p.parseLit()
		}
		if p.is(DOTDOT) || p.is(DOTDOTEQ) {
			r := &RangePat{Pos: l.Pos, Lo: l, Inclusive: p.next().Kind == DOTDOTEQ}
			switch p.kind() {
			case NUM, TYPEDNUM:
				r.Hi = p.parseLit()
			}
			if r.Inclusive && r.Hi == nil {
				p.unexpected("the end of the range")
			}
			return r
		}
		return &LitPat{Lit: l}
	case IDENT:
		n := p.peek(1)
		if n.Kind != LBRACE && n.Kind != LPAREN && n.Kind != COLCOL && !(n.Kind == LT && !n.Space) {
			return &VarPat{Name: p.ident()}
		}
	case LPAREN:
		// parenthesised tuple pattern inside a bigger pattern is not Move; but `(x)` is allowed.
		p.next()
		inner := p.parseBind()
		p.expect(RPAREN)
		return inner
	default:
		p.unexpected("a pattern")
	}
	sp := &StructPat{Path: p.parsePath()}
	if p.is(LT) && !p.tok().Space {
		sp.TyArgs = p.parseTypeArgs()
	}
	switch {
	case p.is(LBRACE):
		p.next()
		for !p.is(RBRACE) {
			if p.accept(DOTDOT) {
				sp.Rest = true
				p.accept(COMMA)
				break
			}
			fp := &FieldPat{Name: p.anyName()}
			if p.accept(COLON) {
				fp.Pat = p.parseBind()
			} else {
				fp.Pat = &VarPat{Name: fp.Name}
			}
			sp.Fields = append(sp.Fields, fp)
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RBRACE)
	case p.is(LPAREN):
		p.next()
		sp.Positional = true
		idx := 0
		for !p.is(RPAREN) {
			if p.is(DOTDOT) {
				pos := p.next().Pos
				if sp.Rest {
					p.failAt(pos, "'..' may appear only once in a pattern")
				}
				sp.Rest = true
				sp.RestAt = len(sp.Fields)
			} else {
				pos := p.pos()
				sp.Fields = append(sp.Fields, &FieldPat{Name: Ident{Pos: pos, Name: strconv.Itoa(idx)}, Pat: p.parseBind()})
				idx++
			}
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RPAREN)
	default:
		sp.Unit = true
	}
	return sp
}

// ---- Expressions ----

func (p *parser) parseExp() Expr { return p.parseExpCast(false) }

// parseExpCast parses an expression; inParens makes a trailing `as T`
// apply to the whole expression, as inside `( e as T )`.
func (p *parser) parseExpCast(inParens bool) Expr {
	p.enter()
	defer p.leave()
	switch {
	case p.is(PIPE) || p.is(PIPEPIPE):
		return p.parseLambda(false)
	case p.is(MOVE) && (p.peek(1).Kind == PIPE || p.peek(1).Kind == PIPEPIPE):
		p.next()
		return p.parseLambda(true)
	}
	lhs := p.parseBinop(0, inParens)
	switch k := p.kind(); k {
	case EQ, PLUSEQ, MINUSEQ, STAREQ, SLASHEQ, PERCENTEQ, AMPEQ, PIPEEQ, CARETEQ, SHLEQ, SHREQ:
		pos := p.next().Pos
		op := map[Tok]Tok{EQ: EQ, PLUSEQ: PLUS, MINUSEQ: MINUS, STAREQ: STAR, SLASHEQ: SLASH, PERCENTEQ: PERCENT,
			AMPEQ: AMP, PIPEEQ: PIPE, CARETEQ: CARET, SHLEQ: SHL, SHREQ: SHR}[k]
		rhs := p.parseExp()
		return &AssignExpr{Pos: pos, Op: op, LHS: lhs, RHS: rhs}
	}
	return lhs
}

func (p *parser) parseLambda(isMove bool) Expr {
	pos := p.pos()
	l := &LambdaExpr{Pos: pos, Move: isMove}
	if p.next().Kind == PIPE {
		for !p.is(PIPE) {
			lp := &LambdaParam{Pat: p.parseBind()}
			if p.accept(COLON) {
				lp.Type = p.parseTypeNoFun()
			}
			l.Params = append(l.Params, lp)
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(PIPE)
	}
	l.Body = p.parseExp()
	if p.is(SPEC) && p.peek(1).Kind == LBRACE {
		p.next()
		p.skipBalanced(LBRACE, RBRACE)
	}
	return l
}

// parseTypeNoFun parses a type that is not a function type (so a lambda's
// closing '|' is not read as the start of one).
func (p *parser) parseTypeNoFun() Type {
	if p.is(PIPE) || p.is(PIPEPIPE) {
		p.unexpected("a type")
	}
	return p.parseType()
}

func binPrec(k Tok) int {
	switch k {
	case IMPLIES, IFF:
		return 2
	case PIPEPIPE:
		return 3
	case AMPAMP:
		return 4
	case EQEQ, NEQ, LT, GT, LE, GE:
		return 5
	case PIPE:
		return 7
	case CARET:
		return 8
	case AMP:
		return 9
	case SHL, SHR:
		return 10
	case PLUS, MINUS:
		return 11
	case STAR, SLASH, PERCENT:
		return 12
	}
	return -1
}

// link counts one more operator of a chain (binary operators, casts,
// field accesses, calls, indexing) that deepens the expression being
// parsed; the caller gives the count back when its chain is complete.
func (p *parser) link(pos Pos, n *int) {
	*n++
	p.chain++
	if p.chain > maxChain {
		p.failAt(pos, "expression too long (more than %d chained operators)", maxChain)
	}
}

func (p *parser) parseBinop(minPrec int, inParens bool) Expr {
	lhs := p.parseOperand(inParens)
	n := 0
	defer func() { p.chain -= n }()
	for {
		k := p.kind()
		prec := binPrec(k)
		if prec < 0 || prec <= minPrec-1 || prec < minPrec {
			return lhs
		}
		pos := p.next().Pos
		p.link(pos, &n)
		p.enter()
		rhs := p.parseBinop(prec+1, inParens)
		p.leave()
		lhs = &BinaryExpr{Pos: pos, Op: k, X: lhs, Y: rhs, Start: lhs.ExprPos()}
	}
}

// parseOperand parses a unary expression followed by casts and `is` tests
// (outside parentheses they bind to the operand).
func (p *parser) parseOperand(inParens bool) Expr {
	e := p.parseUnary()
	if inParens {
		return e
	}
	n := 0
	defer func() { p.chain -= n }()
	for {
		switch {
		case p.is(AS):
			pos := p.next().Pos
			p.link(pos, &n)
			e = &CastExpr{Pos: pos, X: e, Type: p.parseType()}
		case p.isWord("is") && p.peek(1).Kind == IDENT:
			pos := p.next().Pos
			p.link(pos, &n)
			ie := &IsExpr{Pos: pos, X: e}
			ie.Types = append(ie.Types, p.parseType())
			for p.is(PIPE) && p.peek(1).Kind == IDENT {
				p.next()
				ie.Types = append(ie.Types, p.parseType())
			}
			e = ie
		default:
			return e
		}
	}
}

func (p *parser) parseUnary() Expr {
	p.enter()
	defer p.leave()
	pos := p.pos()
	switch p.kind() {
	case BANG:
		p.next()
		return &UnaryExpr{Pos: pos, Op: OpNot, X: p.parseUnary()}
	case MINUS:
		p.next()
		return &UnaryExpr{Pos: pos, Op: OpNeg, X: p.parseUnary()}
	case AMP:
		p.next()
		return &UnaryExpr{Pos: pos, Op: OpBorrow, X: p.parseUnary()}
	case AMPMUT:
		p.next()
		return &UnaryExpr{Pos: pos, Op: OpBorrowMut, X: p.parseUnary()}
	case STAR:
		p.next()
		return &UnaryExpr{Pos: pos, Op: OpDeref, X: p.parseUnary()}
	case MOVE:
		p.next()
		n := p.ident()
		return &UnaryExpr{Pos: pos, Op: OpMove, X: &NameExpr{Path: &Path{Pos: n.Pos, Root: LeadingName{Pos: n.Pos, Name: n.Name}}}}
	case COPY:
		p.next()
		n := p.ident()
		return &UnaryExpr{Pos: pos, Op: OpCopy, X: &NameExpr{Path: &Path{Pos: n.Pos, Root: LeadingName{Pos: n.Pos, Name: n.Name}}}}
	}
	paren := p.is(LPAREN)
	e := p.parseTerm()
	if _, tuple := e.(*TupleExpr); paren && !tuple {
		// `(e)(args)` calls a function value (Move 2.2), as does a
		// call on the result of such a call.
		n := 0
		defer func() { p.chain -= n }()
		for p.is(LPAREN) {
			p.link(p.pos(), &n)
			e = &CallValueExpr{Pos: e.ExprPos(), Fn: e, Args: p.parseCallArgs()}
		}
	}
	return p.parsePostfix(e)
}

func (p *parser) parsePostfix(e Expr) Expr {
	n := 0
	defer func() { p.chain -= n }()
	for {
		switch p.kind() {
		case DOT:
			pos := p.next().Pos
			p.link(pos, &n)
			var name Ident
			if p.is(NUM) {
				t := p.next()
				name = Ident{Pos: t.Pos, Name: t.Text}
			} else {
				name = p.anyName()
			}
			var tyArgs []Type
			hasTy := false
			if p.is(COLCOL) && p.peek(1).Kind == LT {
				p.next()
				tyArgs, hasTy = p.parseTypeArgs(), true
			} else if p.is(LT) && !p.tok().Space {
				tyArgs, hasTy = p.parseTypeArgs(), true
			}
			if p.is(LPAREN) {
				args := p.parseCallArgs()
				e = &MethodCallExpr{Pos: pos, X: e, Name: name, TyArgs: tyArgs, Args: args}
				continue
			}
			if hasTy {
				p.unexpected("'('")
			}
			e = &DotExpr{Pos: pos, X: e, Field: name}
		case LBRACK:
			pos := p.next().Pos
			p.link(pos, &n)
			idx := p.parseExp()
			p.expect(RBRACK)
			e = &IndexExpr{Pos: pos, X: e, Index: idx}
		default:
			return e
		}
	}
}

func (p *parser) parseCallArgs() []Expr {
	p.expect(LPAREN)
	args := []Expr{}
	for !p.is(RPAREN) {
		args = append(args, p.parseExp())
		if !p.accept(COMMA) {
			break
		}
	}
	p.expect(RPAREN)
	return args
}

func (p *parser) parseLit() *Lit {
	t := p.next()
	switch t.Kind {
	case NUM, TYPEDNUM:
		return &Lit{Pos: t.Pos, Kind: LitNum, Text: t.Text}
	case TRUE, FALSE:
		return &Lit{Pos: t.Pos, Kind: LitBool, Text: t.Text}
	case BYTES, HEXBYTES:
		return &Lit{Pos: t.Pos, Kind: LitBytes, Text: t.Text}
	case AT:
		a := p.tok()
		switch a.Kind {
		case NUM:
			p.next()
			return &Lit{Pos: t.Pos, Kind: LitAddr, Text: a.Text}
		case IDENT:
			p.next()
			return &Lit{Pos: t.Pos, Kind: LitAddr, Text: a.Text, IsName: true}
		}
		p.unexpected("an address after '@'")
	}
	p.i--
	p.unexpected("a literal")
	return nil
}

func (p *parser) parseControl() Expr {
	pos := p.pos()
	switch p.kind() {
	case LBRACE:
		return p.parseBlock()
	case IF:
		p.next()
		p.expect(LPAREN)
		cond := p.parseExp()
		p.expect(RPAREN)
		ie := &IfExpr{Pos: pos, Cond: cond, Then: p.parseBodyExp()}
		if p.accept(ELSE) {
			ie.Else = p.parseBodyExp()
		}
		return ie
	case WHILE:
		return p.parseWhile(pos, "")
	case LOOP:
		p.next()
		return &LoopExpr{Pos: pos, Body: p.parseBodyExp()}
	case LABEL:
		label := p.next().Text
		p.expect(COLON)
		switch {
		case p.is(WHILE):
			return p.parseWhile(pos, label)
		case p.is(LOOP):
			p.next()
			return &LoopExpr{Pos: pos, Label: label, Body: p.parseBodyExp()}
		}
		p.unexpected("'while' or 'loop' after a label")
	case IDENT:
		if p.isWord("for") {
			return p.parseFor()
		}
		return p.parseMatch()
	}
	p.unexpected("an expression")
	return nil
}

// parseBodyExp parses the body of if/else/while/loop: a block ends it.
func (p *parser) parseBodyExp() Expr {
	if p.is(LBRACE) {
		return p.parseBlock()
	}
	return p.parseExp()
}

func (p *parser) parseWhile(pos Pos, label string) Expr {
	p.expect(WHILE)
	p.expect(LPAREN)
	cond := p.parseExp()
	p.expect(RPAREN)
	w := &WhileExpr{Pos: pos, Label: label, Cond: cond, Body: p.parseBodyExp()}
	if p.is(SPEC) && p.peek(1).Kind == LBRACE {
		p.next()
		p.skipBalanced(LBRACE, RBRACE)
	}
	return w
}

func (p *parser) parseFor() Expr {
	pos := p.next().Pos
	p.expect(LPAREN)
	f := &ForExpr{Pos: pos, Var: p.ident()}
	if !p.isWord("in") {
		p.unexpected("'in'")
	}
	p.next()
	f.Lo = p.parseUnary()
	p.expect(DOTDOT)
	f.Hi = p.parseUnary()
	if p.is(SPEC) && p.peek(1).Kind == LBRACE {
		p.next()
		p.skipBalanced(LBRACE, RBRACE)
	}
	p.expect(RPAREN)
	f.Body = p.parseBodyExp()
	return f
}

func (p *parser) parseMatch() Expr {
	pos := p.next().Pos
	p.expect(LPAREN)
	m := &MatchExpr{Pos: pos, X: p.parseExp()}
	p.expect(RPAREN)
	p.expect(LBRACE)
	for !p.is(RBRACE) {
		arm := &MatchArm{Pat: p.parseBind()}
		if p.accept(IF) {
			p.expect(LPAREN)
			arm.Guard = p.parseExp()
			p.expect(RPAREN)
		}
		p.expect(FATARROW)
		arm.Body = p.parseBodyExp()
		m.Arms = append(m.Arms, arm)
		if !p.accept(COMMA) {
			if _, isBlock := arm.Body.(*Block); !isBlock {
				break
			}
		}
	}
	p.expect(RBRACE)
	return m
}

// isMatchStart reports whether `match (...) {` follows.
func (p *parser) isMatchStart() bool {
	if !p.isWord("match") || p.peek(1).Kind != LPAREN {
		return false
	}
	depth := 0
	for j := p.i + 1; j < len(p.toks); j++ {
		switch p.toks[j].Kind {
		case LPAREN:
			depth++
		case RPAREN:
			depth--
			if depth == 0 {
				return j+1 < len(p.toks) && p.toks[j+1].Kind == LBRACE
			}
		case EOF:
			return false
		}
	}
	return false
}

func (p *parser) parseTerm() Expr {
	pos := p.pos()
	t := p.tok()
	switch t.Kind {
	case BREAK:
		p.next()
		b := &BreakExpr{Pos: pos}
		if p.is(LABEL) {
			b.Label = p.next().Text
		}
		return b
	case CONTINUE:
		p.next()
		c := &ContinueExpr{Pos: pos}
		if p.is(LABEL) {
			c.Label = p.next().Text
		}
		return c
	case RETURN:
		p.next()
		r := &ReturnExpr{Pos: pos}
		if p.startsExp() {
			r.X = p.parseBodyExp()
		}
		return r
	case ABORT:
		p.next()
		return &AbortExpr{Pos: pos, X: p.parseBodyExp()}
	case IF, WHILE, LOOP, LBRACE, LABEL:
		return p.parseControl()
	case NUM:
		if p.peek(1).Kind == COLCOL {
			return p.parseNameExp()
		}
		return p.parseLit()
	case TYPEDNUM, TRUE, FALSE, BYTES, HEXBYTES, AT:
		return p.parseLit()
	case LPAREN:
		p.next()
		if p.accept(RPAREN) {
			return &TupleExpr{Pos: pos}
		}
		e := p.parseExpCast(true)
		switch {
		case p.is(AS):
			p.next()
			e = &CastExpr{Pos: pos, X: e, Type: p.parseType()}
		case p.isWord("is"):
			p.next()
			ie := &IsExpr{Pos: pos, X: e}
			ie.Types = append(ie.Types, p.parseType())
			for p.accept(PIPE) {
				ie.Types = append(ie.Types, p.parseType())
			}
			e = ie
		case p.is(COLON):
			p.next()
			e = &AnnotExpr{Pos: pos, X: e, Type: p.parseType()}
		case p.is(COMMA):
			tu := &TupleExpr{Pos: pos, Elems: []Expr{e}}
			for p.accept(COMMA) {
				if p.is(RPAREN) {
					break
				}
				tu.Elems = append(tu.Elems, p.parseExp())
			}
			p.expect(RPAREN)
			return tu
		}
		p.expect(RPAREN)
		return e
	case PIPE, PIPEPIPE:
		return p.parseLambda(false)
	case SPEC:
		if p.peek(1).Kind == LBRACE {
			p.next()
			p.skipBalanced(LBRACE, RBRACE)
			return &TupleExpr{Pos: pos}
		}
	case IDENT:
		switch {
		case t.Text == "for" && p.peek(1).Kind == LPAREN && p.peek(2).Kind == IDENT && p.peek(3).Text == "in":
			return p.parseFor()
		case t.Text == "match" && p.isMatchStart():
			return p.parseMatch()
		case t.Text == "vector" && (p.peek(1).Kind == LBRACK || (p.peek(1).Kind == LT && !p.peek(1).Space)):
			p.next()
			v := &VectorExpr{Pos: pos}
			if p.is(LT) {
				v.TyArgs = p.parseTypeArgs()
			}
			p.expect(LBRACK)
			v.Elems = []Expr{}
			for !p.is(RBRACK) {
				v.Elems = append(v.Elems, p.parseExp())
				if !p.accept(COMMA) {
					break
				}
			}
			p.expect(RBRACK)
			return v
		}
		return p.parseNameExp()
	}
	p.unexpected("an expression")
	return nil
}

// startsExp reports whether the current token can start an expression (for `return`).
func (p *parser) startsExp() bool {
	switch p.kind() {
	case SEMI, RBRACE, RPAREN, COMMA, RBRACK, EOF, ELSE:
		return false
	}
	return true
}

func (p *parser) parseNameExp() Expr {
	path := p.parsePath()
	if p.is(BANG) && p.peek(1).Kind == LPAREN {
		p.next()
		call := &CallExpr{Path: path, IsMacro: true}
		call.Args = p.parseCallArgs()
		return call
	}
	var tyArgs []Type
	hasTy := false
	if p.is(LT) && !p.tok().Space {
		tyArgs, hasTy = p.parseTypeArgs(), true
	}
	switch p.kind() {
	case LPAREN:
		call := &CallExpr{Path: path, TyArgs: tyArgs}
		call.Args = p.parseCallArgs()
		call.RParen = p.toks[p.i-1].Pos
		return call
	case LBRACE:
		pk := &PackExpr{Path: path, TyArgs: tyArgs, Fields: []*ExprField{}}
		p.next()
		for !p.is(RBRACE) {
			if p.accept(DOTDOT) {
				pk.Rest = true
				p.accept(COMMA)
				break
			}
			f := &ExprField{Name: p.anyName()}
			if p.accept(COLON) {
				f.Value = p.parseExp()
			}
			pk.Fields = append(pk.Fields, f)
			if !p.accept(COMMA) {
				break
			}
		}
		p.expect(RBRACE)
		return pk
	}
	return &NameExpr{Path: path, TyArgs: tyArgs, HasTyArgs: hasTy}
}

// rewind backtracks to token index i, undoing token splits made since.
func (p *parser) rewind(i int) {
	for len(p.split) > 0 && p.split[len(p.split)-1].i >= i {
		s := p.split[len(p.split)-1]
		p.toks[s.i] = s.t
		p.split = p.split[:len(p.split)-1]
	}
	p.i = i
}
