package syntax

import (
	"fmt"
	"strings"
)

// Token is one lexed token.
type Token struct {
	Kind Tok
	// Text is the identifier, the number's digits (with its suffix for
	// TYPEDNUM), the label name, or the decoded bytes of a byte string.
	Text string
	Pos  Pos
	// Space reports whether whitespace or a comment precedes the token; the
	// parser uses it to tell `f<T>` (type arguments) from `a < b`.
	Space bool
}

// Error is a diagnostic at a source position.
type Error struct {
	File string
	Pos  Pos
	Msg  string
}

func (e *Error) Error() string {
	if e.File == "" {
		return fmt.Sprintf("%d:%d: %s", e.Pos.Line, e.Pos.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Pos.Line, e.Pos.Col, e.Msg)
}

type lexer struct {
	file string
	src  string
	off  int
	line int32
	col  int32 // column of src[off]
	toks []Token
}

// Lex splits src into tokens. Comments and whitespace are dropped.
func Lex(file, src string) ([]Token, error) {
	lx := &lexer{file: file, src: src, line: 1, col: 1}
	if err := lx.run(); err != nil {
		return nil, err
	}
	return lx.toks, nil
}

func (lx *lexer) errf(p Pos, format string, args ...any) error {
	return &Error{File: lx.file, Pos: p, Msg: fmt.Sprintf(format, args...)}
}

func (lx *lexer) pos() Pos { return Pos{lx.line, lx.col} }

func (lx *lexer) advance(n int) {
	for i := 0; i < n && lx.off < len(lx.src); i++ {
		if lx.src[lx.off] == '\n' {
			lx.line++
			lx.col = 1
		} else {
			lx.col++
		}
		lx.off++
	}
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// ops lists operators, longest first so the first match wins.
var ops = []struct {
	s string
	t Tok
}{
	{"<==>", IFF}, {"==>", IMPLIES}, {"<<=", SHLEQ}, {">>=", SHREQ}, {"..=", DOTDOTEQ},
	{"&&", AMPAMP}, {"&=", AMPEQ}, {"||", PIPEPIPE}, {"|=", PIPEEQ}, {"=>", FATARROW},
	{"==", EQEQ}, {"!=", NEQ}, {"<=", LE}, {">=", GE}, {"<<", SHL}, {">>", SHR},
	{"::", COLCOL}, {"%=", PERCENTEQ}, {"*=", STAREQ}, {"+=", PLUSEQ}, {"-=", MINUSEQ},
	{"..", DOTDOT}, {"/=", SLASHEQ}, {"^=", CARETEQ},
	{"!", BANG}, {"%", PERCENT}, {"&", AMP}, {"(", LPAREN}, {")", RPAREN}, {"[", LBRACK},
	{"]", RBRACK}, {"*", STAR}, {"+", PLUS}, {",", COMMA}, {"-", MINUS}, {".", DOT},
	{"/", SLASH}, {":", COLON}, {";", SEMI}, {"<", LT}, {"=", EQ}, {">", GT}, {"^", CARET},
	{"{", LBRACE}, {"|", PIPE}, {"}", RBRACE}, {"#", HASH}, {"@", AT},
}

func (lx *lexer) run() error {
	space := true
	for {
		// Skip whitespace and comments.
		for lx.off < len(lx.src) {
			c := lx.src[lx.off]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				lx.advance(1)
				space = true
				continue
			}
			if strings.HasPrefix(lx.src[lx.off:], "//") {
				for lx.off < len(lx.src) && lx.src[lx.off] != '\n' {
					lx.advance(1)
				}
				space = true
				continue
			}
			if strings.HasPrefix(lx.src[lx.off:], "/*") {
				start := lx.pos()
				depth := 0
				for {
					if lx.off >= len(lx.src) {
						return lx.errf(start, "unclosed block comment")
					}
					if strings.HasPrefix(lx.src[lx.off:], "/*") {
						depth++
						lx.advance(2)
					} else if strings.HasPrefix(lx.src[lx.off:], "*/") {
						depth--
						lx.advance(2)
						if depth == 0 {
							break
						}
					} else {
						lx.advance(1)
					}
				}
				space = true
				continue
			}
			break
		}
		p := lx.pos()
		if lx.off >= len(lx.src) {
			lx.toks = append(lx.toks, Token{Kind: EOF, Pos: p, Space: space})
			return nil
		}
		tok, err := lx.next(p)
		if err != nil {
			return err
		}
		tok.Pos = p
		tok.Space = space
		space = false
		lx.toks = append(lx.toks, tok)
	}
}

func (lx *lexer) next(p Pos) (Token, error) {
	s := lx.src[lx.off:]
	c := s[0]
	switch {
	case (c == 'b' || c == 'x') && len(s) > 1 && s[1] == '"':
		return lx.byteString(p, c == 'x')
	case isIdentStart(c):
		n := 1
		for n < len(s) && isIdentChar(s[n]) {
			n++
		}
		word := s[:n]
		lx.advance(n)
		if k, ok := keywords[word]; ok {
			return Token{Kind: k, Text: word}, nil
		}
		return Token{Kind: IDENT, Text: word}, nil
	case c >= '0' && c <= '9':
		return lx.number(p)
	case c == '\'':
		n := 1
		for n < len(s) && isIdentChar(s[n]) {
			n++
		}
		if n == 1 || !isIdentStart(s[1]) {
			return Token{}, lx.errf(p, "invalid label: expected a name after '\\''")
		}
		lx.advance(n)
		return Token{Kind: LABEL, Text: s[1:n]}, nil
	case c == '"':
		return Token{}, lx.errf(p, "string literals must be byte strings: write b\"...\"")
	}
	// "&mut" followed by something that cannot continue an identifier.
	if strings.HasPrefix(s, "&mut") && (len(s) == 4 || !isIdentChar(s[4])) {
		lx.advance(4)
		return Token{Kind: AMPMUT, Text: "&mut"}, nil
	}
	for _, op := range ops {
		if strings.HasPrefix(s, op.s) {
			lx.advance(len(op.s))
			return Token{Kind: op.t, Text: op.s}, nil
		}
	}
	if c >= 0x80 {
		return Token{}, lx.errf(p, "unexpected non-ASCII character")
	}
	return Token{}, lx.errf(p, "unexpected character %q", c)
}

var numSuffixes = []string{"u8", "u16", "u32", "u64", "u128", "u256", "i8", "i16", "i32", "i64", "i128", "i256"}

func (lx *lexer) number(p Pos) (Token, error) {
	s := lx.src[lx.off:]
	n := 0
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		n = 2
		for n < len(s) && (isHex(s[n]) || s[n] == '_') {
			n++
		}
		if n == 2 {
			return Token{}, lx.errf(p, "invalid hex number: no digits after 0x")
		}
	} else {
		for n < len(s) && ((s[n] >= '0' && s[n] <= '9') || s[n] == '_') {
			n++
		}
	}
	kind := NUM
	for _, suf := range numSuffixes {
		if strings.HasPrefix(s[n:], suf) && (len(s) == n+len(suf) || !isIdentChar(s[n+len(suf)])) {
			n += len(suf)
			kind = TYPEDNUM
			break
		}
	}
	if n < len(s) && isIdentChar(s[n]) {
		return Token{}, lx.errf(p, "invalid number literal %q", s[:n+1])
	}
	lx.advance(n)
	return Token{Kind: kind, Text: s[:n]}, nil
}

func (lx *lexer) byteString(p Pos, hex bool) (Token, error) {
	s := lx.src[lx.off:]
	i := 2
	var out []byte
	for {
		if i >= len(s) || s[i] == '\n' {
			return Token{}, lx.errf(p, "unclosed byte string")
		}
		c := s[i]
		if c == '"' {
			i++
			break
		}
		if hex {
			if !isHex(c) {
				return Token{}, lx.errf(p, "invalid character %q in hex string", c)
			}
			out = append(out, c)
			i++
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(s) {
			return Token{}, lx.errf(p, "unclosed byte string")
		}
		switch s[i+1] {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case '\\':
			out = append(out, '\\')
		case '0':
			out = append(out, 0)
		case '"':
			out = append(out, '"')
		case 'x':
			if i+3 >= len(s) || !isHex(s[i+2]) || !isHex(s[i+3]) {
				return Token{}, lx.errf(p, "invalid \\x escape in byte string")
			}
			out = append(out, unhex(s[i+2])<<4|unhex(s[i+3]))
			i += 2
		default:
			return Token{}, lx.errf(p, "invalid escape \\%c in byte string", s[i+1])
		}
		i += 2
	}
	lx.advance(i)
	if hex {
		if len(out)%2 != 0 {
			return Token{}, lx.errf(p, "hex string has an odd number of digits")
		}
		dec := make([]byte, len(out)/2)
		for j := range dec {
			dec[j] = unhex(out[2*j])<<4 | unhex(out[2*j+1])
		}
		return Token{Kind: HEXBYTES, Text: string(dec)}, nil
	}
	return Token{Kind: BYTES, Text: string(out)}, nil
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
