package syntax

// File is one parsed source file.
type File struct {
	Name    string
	Modules []*Module
}

// Attr is one attribute: `#[name]`, `#[name = value]` or `#[name(args)]`.
type Attr struct {
	Pos   Pos
	Name  string // may contain "::" (lint::skip)
	Value Expr   // for name = value: a literal or a NameExpr
	Args  []*Attr
	// HasArgs distinguishes `#[test()]` from `#[test]`.
	HasArgs bool
}

// Attrs is an attribute list.
type Attrs []*Attr

// Find returns the first attribute with the given name.
func (as Attrs) Find(name string) *Attr {
	for _, a := range as {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// Has reports whether an attribute with the given name is present.
func (as Attrs) Has(name string) bool { return as.Find(name) != nil }

// Ident is a name with its position.
type Ident struct {
	Pos  Pos
	Name string
}

// LeadingName is the first part of a path: a numeric address or a name.
type LeadingName struct {
	Pos    Pos
	Name   string // identifier, or the number's text when IsAddr
	IsAddr bool
}

// Module is a module declaration.
type Module struct {
	Pos     Pos
	File    string
	Attrs   Attrs
	Addr    *LeadingName // nil when declared inside an address block without one
	Name    Ident
	Uses    []*UseDecl
	Friends []*FriendDecl
	Structs []*StructDecl
	Funs    []*FunDecl
	Consts  []*ConstDecl
}

// UseDecl is `use a::m;`, `use a::m as n;`, `use a::m::x;`, `use a::m::{x, y as z, Self};`.
type UseDecl struct {
	Pos     Pos
	Attrs   Attrs
	Addr    LeadingName
	Module  Ident
	Alias   *Ident       // module alias when Members is nil
	Members []*UseMember // nil for a module use
}

// UseMember is one imported member.
type UseMember struct {
	Name  Ident // "Self" imports the module itself
	Alias *Ident
}

// FriendDecl is `friend a::m;`.
type FriendDecl struct {
	Pos   Pos
	Attrs Attrs
	Path  *Path
}

// Visibility of functions (and, since 2.4, structs and constants).
type Visibility uint8

// Visibilities.
const (
	Private Visibility = iota
	Public
	PublicFriend
	PublicPackage
	PublicScript
)

// Ability is one of copy, drop, store, key.
type Ability uint8

// Abilities as bit flags.
const (
	AbilityCopy Ability = 1 << iota
	AbilityDrop
	AbilityStore
	AbilityKey
)

// AbilitySet is a set of abilities.
type AbilitySet = Ability

// AbilityNames maps names to abilities.
var AbilityNames = map[string]Ability{"copy": AbilityCopy, "drop": AbilityDrop, "store": AbilityStore, "key": AbilityKey}

// TypeParam is a type parameter of a struct or function.
type TypeParam struct {
	Name        Ident
	Phantom     bool
	Constraints Ability
}

// Field is a named (or positional, Name "0", "1"...) field.
type Field struct {
	Name Ident
	Type Type
}

// Variant is an enum variant.
type Variant struct {
	Pos        Pos
	Name       Ident
	Fields     []*Field
	Positional bool
}

// StructDecl declares a struct or an enum.
type StructDecl struct {
	Pos        Pos
	Attrs      Attrs
	Visibility Visibility
	Native     bool
	IsEnum     bool
	Name       Ident
	TypeParams []*TypeParam
	Abilities  Ability
	Fields     []*Field // structs
	Positional bool     // struct W(u64)
	Variants   []*Variant
}

// Param is a function parameter.
type Param struct {
	Name Ident
	Type Type
}

// FunDecl declares a function.
type FunDecl struct {
	Pos        Pos
	Attrs      Attrs
	Visibility Visibility
	Entry      bool
	Native     bool
	Inline     bool
	Name       Ident
	TypeParams []*TypeParam
	Params     []*Param
	Result     Type // nil for unit
	Acquires   []*Path
	Body       *Block // nil when native
}

// ConstDecl declares a constant.
type ConstDecl struct {
	Pos        Pos
	Attrs      Attrs
	Visibility Visibility // Move 2.4
	Name       Ident
	Type       Type
	Value      Expr
}

// Path is a name access chain: `x`, `m::x`, `a::m::x`, `a::m::E::V`.
type Path struct {
	Pos   Pos
	Root  LeadingName
	Names []Ident // the parts after Root
}

// Len is the number of parts.
func (p *Path) Len() int { return 1 + len(p.Names) }

// String formats the path as written.
func (p *Path) String() string {
	s := p.Root.Name
	for _, n := range p.Names {
		s += "::" + n.Name
	}
	return s
}

// Type is a type expression.
type Type interface{ TypePos() Pos }

// NamedType is `u64`, `vector<T>`, `m::S<T>`, a type parameter...
type NamedType struct {
	Path *Path
	Args []Type
}

// RefType is `&T` or `&mut T`.
type RefType struct {
	Pos  Pos
	Mut  bool
	Elem Type
}

// TupleType is `()` or `(T1, T2)`.
type TupleType struct {
	Pos   Pos
	Elems []Type
}

// FunType is `|T1, T2| R has copy`.
type FunType struct {
	Pos       Pos
	Params    []Type
	Result    Type // nil for unit
	Abilities Ability
}

func (t *NamedType) TypePos() Pos { return t.Path.Pos }
func (t *RefType) TypePos() Pos   { return t.Pos }
func (t *TupleType) TypePos() Pos { return t.Pos }
func (t *FunType) TypePos() Pos   { return t.Pos }

// Expr is an expression.
type Expr interface{ ExprPos() Pos }

// LitKind tells literal kinds apart.
type LitKind uint8

// Literal kinds.
const (
	LitNum LitKind = iota
	LitBool
	LitBytes
	LitAddr // @0x1 or @name (Text holds the number text or the name)
)

// Lit is a literal.
type Lit struct {
	Pos  Pos
	Kind LitKind
	// Text is the number (digits, with suffix), "true"/"false", the decoded
	// bytes, or the address text.
	Text   string
	IsName bool // LitAddr: @name rather than @0x..
}

// NameExpr is a variable, constant or unit enum variant, with optional type arguments.
type NameExpr struct {
	Path   *Path
	TyArgs []Type
	// HasTyArgs distinguishes `f<>` from `f`.
	HasTyArgs bool
}

// CallExpr is `f(args)`, `m::f<T>(args)`, positional pack `W(1)`, or a macro `assert!(...)`.
type CallExpr struct {
	Path    *Path
	TyArgs  []Type
	Args    []Expr
	IsMacro bool
	RParen  Pos
}

// ExprField is a field in a pack expression; Value nil means shorthand.
type ExprField struct {
	Name  Ident
	Value Expr
}

// PackExpr is `S { a: 1, b }`, also used for destructuring assignment (with Rest).
type PackExpr struct {
	Path   *Path
	TyArgs []Type
	Fields []*ExprField
	Rest   bool // `..`
}

// VectorExpr is `vector[...]` or `vector<T>[...]`.
type VectorExpr struct {
	Pos    Pos
	TyArgs []Type
	Elems  []Expr
}

// UnaryOp is a prefix operator.
type UnaryOp uint8

// Unary operators.
const (
	OpNot UnaryOp = iota
	OpNeg
	OpDeref
	OpBorrow
	OpBorrowMut
	OpMove
	OpCopy
)

// UnaryExpr is a prefix operation.
type UnaryExpr struct {
	Pos Pos
	Op  UnaryOp
	X   Expr
}

// BinaryExpr is `X op Y`. Op is the operator token.
type BinaryExpr struct {
	Pos Pos // operator position
	Op  Tok
	X   Expr
	Y   Expr
	// Start is X's position, kept so that long operator chains do not
	// make ExprPos walk down the chain (zero: computed from X).
	Start Pos
}

// AssignExpr is `LHS = RHS` or a compound assignment (Op is the binary operator, or EQ).
type AssignExpr struct {
	Pos Pos
	Op  Tok
	LHS Expr
	RHS Expr
}

// CastExpr is `X as T`.
type CastExpr struct {
	Pos  Pos
	X    Expr
	Type Type
}

// IsExpr is `X is V1 | V2`.
type IsExpr struct {
	Pos   Pos
	X     Expr
	Types []Type
}

// AnnotExpr is `(X: T)`.
type AnnotExpr struct {
	Pos  Pos
	X    Expr
	Type Type
}

// DotExpr is `X.f` (or `X.0`).
type DotExpr struct {
	Pos   Pos
	X     Expr
	Field Ident
}

// MethodCallExpr is `X.f<T>(args)`.
type MethodCallExpr struct {
	Pos    Pos
	X      Expr
	Name   Ident
	TyArgs []Type
	Args   []Expr
}

// IndexExpr is `X[i]`.
type IndexExpr struct {
	Pos   Pos
	X     Expr
	Index Expr
}

// CallValueExpr calls a function value: `(f)(args)`.
type CallValueExpr struct {
	Pos  Pos
	Fn   Expr
	Args []Expr
}

// Stmt is an item of a block: a let, an expression, or a use.
type Stmt interface{ StmtPos() Pos }

// LetStmt is `let pat: T = e`.
type LetStmt struct {
	Pos  Pos
	Pat  Pattern
	Type Type // may be nil
	Init Expr // may be nil
}

// ExprStmt is an expression followed by `;` (or ending in `}`).
type ExprStmt struct {
	X Expr
}

// UseStmt is a `use` inside a block.
type UseStmt struct {
	Use *UseDecl
}

func (s *LetStmt) StmtPos() Pos  { return s.Pos }
func (s *ExprStmt) StmtPos() Pos { return s.X.ExprPos() }
func (s *UseStmt) StmtPos() Pos  { return s.Use.Pos }

// Block is `{ stmts; result }`. Result is nil when the block ends with `;` or is empty.
type Block struct {
	Pos    Pos
	Stmts  []Stmt
	Result Expr
	End    Pos
}

// IfExpr is `if (c) a else b`.
type IfExpr struct {
	Pos  Pos
	Cond Expr
	Then Expr
	Else Expr // may be nil
}

// WhileExpr is `'l: while (c) body`.
type WhileExpr struct {
	Pos   Pos
	Label string
	Cond  Expr
	Body  Expr
}

// LoopExpr is `'l: loop body`.
type LoopExpr struct {
	Pos   Pos
	Label string
	Body  Expr
}

// ForExpr is `for (i in lo..hi) body`.
type ForExpr struct {
	Pos   Pos
	Label string
	Var   Ident
	Lo    Expr
	Hi    Expr
	Body  Expr
}

// BreakExpr is `break 'l`.
type BreakExpr struct {
	Pos   Pos
	Label string
}

// ContinueExpr is `continue 'l`.
type ContinueExpr struct {
	Pos   Pos
	Label string
}

// ReturnExpr is `return e`.
type ReturnExpr struct {
	Pos Pos
	X   Expr // may be nil
}

// AbortExpr is `abort e`.
type AbortExpr struct {
	Pos Pos
	X   Expr
}

// TupleExpr is `()` or `(a, b)`.
type TupleExpr struct {
	Pos   Pos
	Elems []Expr
}

// LambdaParam is a lambda parameter with an optional type.
type LambdaParam struct {
	Pat  Pattern
	Type Type
}

// LambdaExpr is `|x, y| body`.
type LambdaExpr struct {
	Pos    Pos
	Params []*LambdaParam
	Body   Expr
	Move   bool
}

// MatchArm is one arm of a match.
type MatchArm struct {
	Pat   Pattern
	Guard Expr
	Body  Expr
}

// MatchExpr is `match (e) { arms }`.
type MatchExpr struct {
	Pos  Pos
	X    Expr
	Arms []*MatchArm
}

func (e *Lit) ExprPos() Pos        { return e.Pos }
func (e *NameExpr) ExprPos() Pos   { return e.Path.Pos }
func (e *CallExpr) ExprPos() Pos   { return e.Path.Pos }
func (e *PackExpr) ExprPos() Pos   { return e.Path.Pos }
func (e *VectorExpr) ExprPos() Pos { return e.Pos }
func (e *UnaryExpr) ExprPos() Pos  { return e.Pos }
func (e *BinaryExpr) ExprPos() Pos {
	if e.Start.Line != 0 {
		return e.Start
	}
	return e.X.ExprPos()
}
func (e *AssignExpr) ExprPos() Pos     { return e.LHS.ExprPos() }
func (e *CastExpr) ExprPos() Pos       { return e.X.ExprPos() }
func (e *IsExpr) ExprPos() Pos         { return e.X.ExprPos() }
func (e *AnnotExpr) ExprPos() Pos      { return e.Pos }
func (e *DotExpr) ExprPos() Pos        { return e.X.ExprPos() }
func (e *MethodCallExpr) ExprPos() Pos { return e.X.ExprPos() }
func (e *IndexExpr) ExprPos() Pos      { return e.X.ExprPos() }
func (e *CallValueExpr) ExprPos() Pos  { return e.Fn.ExprPos() }
func (e *Block) ExprPos() Pos          { return e.Pos }
func (e *IfExpr) ExprPos() Pos         { return e.Pos }
func (e *WhileExpr) ExprPos() Pos      { return e.Pos }
func (e *LoopExpr) ExprPos() Pos       { return e.Pos }
func (e *ForExpr) ExprPos() Pos        { return e.Pos }
func (e *BreakExpr) ExprPos() Pos      { return e.Pos }
func (e *ContinueExpr) ExprPos() Pos   { return e.Pos }
func (e *ReturnExpr) ExprPos() Pos     { return e.Pos }
func (e *AbortExpr) ExprPos() Pos      { return e.Pos }
func (e *TupleExpr) ExprPos() Pos      { return e.Pos }
func (e *LambdaExpr) ExprPos() Pos     { return e.Pos }
func (e *MatchExpr) ExprPos() Pos      { return e.Pos }

// Pattern is a binding pattern in let, match, lambda parameters.
type Pattern interface{ PatPos() Pos }

// VarPat binds a variable (or is the wildcard `_`).
type VarPat struct {
	Name Ident
}

// FieldPat is `f: pat` in a struct pattern.
type FieldPat struct {
	Name Ident
	Pat  Pattern
}

// StructPat is `S { a, b: x, .. }`, `W(x, ..)` or a unit variant `E::V`.
type StructPat struct {
	Path       *Path
	TyArgs     []Type
	Fields     []*FieldPat // braced form; positional form uses names "0", "1"...
	Positional bool
	Unit       bool // written without braces or parens
	Rest       bool
	RestAt     int // positional: index where `..` appears
}

// TuplePat is `(a, b)` in let.
type TuplePat struct {
	Pos   Pos
	Elems []Pattern
}

// LitPat is a literal pattern in match (Move 2.4).
type LitPat struct {
	Lit *Lit
}

// RangePat is a range in match (Move 2.4): `lo..hi`, `lo..=hi`, `..hi`, `lo..`.
type RangePat struct {
	Pos       Pos
	Lo, Hi    *Lit // either may be nil
	Inclusive bool
}

func (p *RangePat) PatPos() Pos  { return p.Pos }
func (p *VarPat) PatPos() Pos    { return p.Name.Pos }
func (p *StructPat) PatPos() Pos { return p.Path.Pos }
func (p *TuplePat) PatPos() Pos  { return p.Pos }
func (p *LitPat) PatPos() Pos    { return p.Lit.Pos }
