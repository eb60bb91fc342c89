package check

import (
	"math/big"

	"github.com/agi-nostr/agi-nostr/localnet/move/syntax"
	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// localVar is a local variable (parameter, let binding, lambda parameter).
type localVar struct {
	name   string
	ty     *cty
	pos    syntax.Pos
	param  int // parameter index, -1 otherwise
	fn     *funInfo
	lambda bool
	// depth is the number of enclosing closures at the declaration.
	depth int
}

// ekind tells what an expression resolved to.
type ekind uint8

const (
	ekNone ekind = iota
	ekLit
	ekLocal
	ekConst
	ekCall       // call of a Move function (fn, tyArgs, args)
	ekVecOp      // std::vector bytecode natives
	ekBuiltin    // move_to & co
	ekAssert     // assert!
	ekPack       // struct or variant pack
	ekLambdaCall // calling a function-typed local
	ekCallValue  // `(e)(args)`: calling the function value e evaluates to
	ekVector     // vector literal
	ekUnary
	ekBinary
	ekAnd
	ekOr
	ekDot
	ekIndexVec
	ekIndexGlobal
	ekCast
	ekTuple
	ekBlock
	ekIf
	ekWhile
	ekLoop
	ekFor
	ekBreak
	ekContinue
	ekReturn
	ekAbort
	ekAssign
	ekMatch
	ekIs
	ekLambda
	ekAnnot
	ekMethod
	ekBorrow
	ekDeref
	ekMoveCopy
	ekClosureCall
	ekFunRef  // a function used as a value (Move 2.2)
	ekClosure // a lambda used as a function value (Move 2.2)
)

type builtinKind uint8

const (
	biNone builtinKind = iota
	biMoveTo
	biMoveFrom
	biBorrowGlobal
	biBorrowGlobalMut
	biExists
	biFreeze
)

// baseMode says how the base of a field access or index is obtained.
type baseMode uint8

const (
	baseRef   baseMode = iota // the base expression's value is a reference
	basePlace                 // borrow the base place
	baseTemp                  // the base is a struct value: store in a temp and borrow
)

// recvMode adapts a receiver to the called function's first parameter.
type recvMode uint8

const (
	recvAsIs      recvMode = iota
	recvBorrow             // borrow a place or temp immutably
	recvBorrowMut          // borrow a place mutably
	recvDeref              // read through a reference
)

// einfo is what checking learned about one expression.
type einfo struct {
	k      ekind
	ty     *cty
	pos    syntax.Pos
	local  *localVar
	konst  *constInfo
	lit    vm.Value
	litBig *big.Int // integer literal (type resolved later)
	fn     *funInfo
	tyArgs []*cty
	op     vm.Op
	bi     builtinKind
	sty    *cty // struct type (pack, dot, global), element type (vectors)
	// pack / dot
	variant  int
	fieldIdx []int // pack: for each written field, its declaration index; dot: field index
	vfield   []int16
	mode     baseMode
	mut      bool // borrow mutability / global mutability
	recv     recvMode
	temps    int
	opnd     *cty // operand type for unary/binary/cast
	castTo   vm.Kind
	constVal bool
	// loops
	loopBreaks bool
	// is
	vset []bool
	// funref
	ref *funInfo
	// explicit move/copy
	explicitMove bool
	// assignment target kind
	lhs lhsKind
	// index expression on a vector value (not place) requiring a temp
	arms []*armInfo
	// closures: captured variables, in capture order
	captures []*localVar
	// wrap is the struct type wrapping a function value (closure packs it,
	// a call unpacks it)
	wrap *cty
}

type lhsKind uint8

const (
	lhsLocal lhsKind = iota
	lhsPlace
	lhsTuple
	lhsUnpack
	lhsWild
)

type armInfo struct {
	variants []bool // variants matched (nil: wildcard / binding)
	// literal and range patterns (Move 2.4)
	lit       *syntax.Lit
	lo, hi    *syntax.Lit
	inclusive bool
}

// pinfo describes a pattern.
type pinfo struct {
	local    *localVar // VarPat (nil for `_`)
	sty      *cty      // struct pattern type
	variant  int       // enum variant, -1 for structs
	fields   []int     // for each FieldPat, the declaration index
	nfields  int
	isEnum   bool
	byRef    bool // matching through a reference: fields bound by reference
	refMut   bool
	unitPack bool
}

type bodyInfo struct {
	fn     *funInfo
	params []*localVar
	info   map[syntax.Expr]*einfo
	pats   map[syntax.Pattern]*pinfo
	// literals whose type is resolved after inference
	lits []*einfo
	// type arguments recorded for ability constraints checked at the end
	constraints []constraint
	vars        []*cty
	nlocals     int
	events      []eventUse
}

// eventUse is a call of 0x1::event::emit, checked once types are inferred.
type eventUse struct {
	t   *cty
	pos syntax.Pos
}

type constraint struct {
	t    *cty
	need vm.Ability
	pos  syntax.Pos
	what string
	// typeArg marks a type argument, which may not be a reference or tuple
	typeArg bool
}
