// Package syntax holds the Move lexer, parser and abstract syntax tree.
//
// The grammar is the surface syntax of Move 2 as Aptos packages use it
// (language versions 2.0 to 2.2 plus the parts of 2.3 the framework needs).
// Spec blocks are recognised and skipped.
package syntax

import "fmt"

// Pos is a position in a source file: 1-based line and column (in bytes).
type Pos struct {
	Line, Col int32
}

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Tok is a token kind.
type Tok uint8

// Token kinds.
const (
	EOF Tok = iota
	IDENT
	NUM       // untyped number literal
	TYPEDNUM  // number with a type suffix
	BYTES     // b"..."
	HEXBYTES  // x"..."
	LABEL     // 'name
	AT        // @
	HASH      // #
	LPAREN    // (
	RPAREN    // )
	LBRACK    // [
	RBRACK    // ]
	LBRACE    // {
	RBRACE    // }
	COMMA     // ,
	SEMI      // ;
	COLON     // :
	COLCOL    // ::
	DOT       // .
	DOTDOT    // ..
	EQ        // =
	EQEQ      // ==
	NEQ       // !=
	BANG      // !
	LT        // <
	GT        // >
	LE        // <=
	GE        // >=
	SHL       // <<
	SHR       // >>
	PLUS      // +
	MINUS     // -
	STAR      // *
	SLASH     // /
	PERCENT   // %
	AMP       // &
	AMPMUT    // &mut
	AMPAMP    // &&
	PIPE      // |
	PIPEPIPE  // ||
	CARET     // ^
	FATARROW  // =>
	IMPLIES   // ==>
	IFF       // <==>
	PLUSEQ    // +=
	MINUSEQ   // -=
	STAREQ    // *=
	SLASHEQ   // /=
	PERCENTEQ // %=
	AMPEQ     // &=
	PIPEEQ    // |=
	CARETEQ   // ^=
	SHLEQ     // <<=
	SHREQ     // >>=
	DOTDOTEQ  // ..=
	// Hard keywords.
	kwStart
	ABORT
	ACQUIRES
	AS
	BREAK
	CONST
	CONTINUE
	COPY
	ELSE
	FALSE
	FRIEND
	FUN
	IF
	INVARIANT
	LET
	LOOP
	INLINE
	MODULE
	MOVE
	NATIVE
	PUBLIC
	RETURN
	SCRIPT
	SPEC
	STRUCT
	TRUE
	USE
	WHILE
	kwEnd
)

var tokNames = [...]string{
	EOF: "end of file", IDENT: "identifier", NUM: "number", TYPEDNUM: "number",
	BYTES: "byte string", HEXBYTES: "hex string", LABEL: "label",
	AT: "'@'", HASH: "'#'", LPAREN: "'('", RPAREN: "')'", LBRACK: "'['", RBRACK: "']'",
	LBRACE: "'{'", RBRACE: "'}'", COMMA: "','", SEMI: "';'", COLON: "':'", COLCOL: "'::'",
	DOT: "'.'", DOTDOT: "'..'", EQ: "'='", EQEQ: "'=='", NEQ: "'!='", BANG: "'!'",
	LT: "'<'", GT: "'>'", LE: "'<='", GE: "'>='", SHL: "'<<'", SHR: "'>>'",
	PLUS: "'+'", MINUS: "'-'", STAR: "'*'", SLASH: "'/'", PERCENT: "'%'",
	AMP: "'&'", AMPMUT: "'&mut'", AMPAMP: "'&&'", PIPE: "'|'", PIPEPIPE: "'||'", CARET: "'^'",
	FATARROW: "'=>'", IMPLIES: "'==>'", IFF: "'<==>'",
	PLUSEQ: "'+='", MINUSEQ: "'-='", STAREQ: "'*='", SLASHEQ: "'/='", PERCENTEQ: "'%='",
	AMPEQ: "'&='", PIPEEQ: "'|='", CARETEQ: "'^='", SHLEQ: "'<<='", SHREQ: "'>>='", DOTDOTEQ: "'..='",
	ABORT: "'abort'", ACQUIRES: "'acquires'", AS: "'as'", BREAK: "'break'", CONST: "'const'",
	CONTINUE: "'continue'", COPY: "'copy'", ELSE: "'else'", FALSE: "'false'", FRIEND: "'friend'",
	FUN: "'fun'", IF: "'if'", INVARIANT: "'invariant'", LET: "'let'", LOOP: "'loop'",
	INLINE: "'inline'", MODULE: "'module'", MOVE: "'move'", NATIVE: "'native'", PUBLIC: "'public'",
	RETURN: "'return'", SCRIPT: "'script'", SPEC: "'spec'", STRUCT: "'struct'", TRUE: "'true'",
	USE: "'use'", WHILE: "'while'",
}

func (t Tok) String() string {
	if int(t) < len(tokNames) && tokNames[t] != "" {
		return tokNames[t]
	}
	return fmt.Sprintf("token(%d)", int(t))
}

var keywords = map[string]Tok{
	"abort": ABORT, "acquires": ACQUIRES, "as": AS, "break": BREAK, "const": CONST,
	"continue": CONTINUE, "copy": COPY, "else": ELSE, "false": FALSE, "friend": FRIEND,
	"fun": FUN, "if": IF, "invariant": INVARIANT, "let": LET, "loop": LOOP, "inline": INLINE,
	"module": MODULE, "move": MOVE, "native": NATIVE, "public": PUBLIC, "return": RETURN,
	"script": SCRIPT, "spec": SPEC, "struct": STRUCT, "true": TRUE, "use": USE, "while": WHILE,
}

// IsKeyword reports whether the token is a hard keyword.
func (t Tok) IsKeyword() bool { return t > kwStart && t < kwEnd }
