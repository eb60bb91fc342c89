package node

import (
	"errors"
	"fmt"
)

// The SDK's BCS decoders allocate from a length prefix before checking that
// the bytes are there (a 5-byte prefix can ask for gigabytes, and the Go
// runtime ends the process on a failed allocation). Untrusted bodies are
// therefore first walked here: the walk follows the same layouts as the SDK
// types and only checks that every length fits in the bytes left and that
// type tags nest within Aptos's limit. Decoding proper is then the SDK's.

// maxTypeTagDepth is the nesting Aptos accepts in a type tag.
const maxTypeTagDepth = 8

// maxSeq bounds element counts of sequences that are not byte strings.
const maxSeq = 1 << 16

type shape struct {
	b   []byte
	err error
}

func (s *shape) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
	}
}

func (s *shape) skip(n int) {
	if s.err != nil {
		return
	}
	if n > len(s.b) {
		s.fail("truncated: need %d bytes, have %d", n, len(s.b))
		return
	}
	s.b = s.b[n:]
}

func (s *shape) uleb() int {
	if s.err != nil {
		return 0
	}
	var v uint64
	for i := 0; i < 5; i++ {
		if len(s.b) == 0 {
			s.fail("truncated in a ULEB128 value")
			return 0
		}
		c := s.b[0]
		s.b = s.b[1:]
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if v > 1<<32-1 {
				s.fail("ULEB128 value overflows 32 bits")
				return 0
			}
			return int(v)
		}
	}
	s.fail("ULEB128 value longer than 5 bytes")
	return 0
}

// length reads a sequence length whose elements take at least minSize bytes.
func (s *shape) length(minSize int) int {
	n := s.uleb()
	if s.err != nil {
		return 0
	}
	if n > maxSeq && minSize > 1 || n*minSize > len(s.b) {
		s.fail("sequence of %d elements does not fit in %d bytes", n, len(s.b))
		return 0
	}
	return n
}

func (s *shape) bytes() { s.skip(s.length(1)) }

// identifier reads a string that must be a Move identifier, as Aptos's
// Identifier type requires when it decodes module, function and struct
// names (a name with "<" or "::" in it could otherwise read as another type).
func (s *shape) identifier() {
	n := s.length(1)
	if s.err != nil {
		return
	}
	if n == 0 || n > 255 {
		s.fail("identifier of %d bytes", n)
		return
	}
	id := s.b[:n]
	for i, c := range id {
		letter := c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			s.fail("invalid identifier %q", id)
			return
		}
	}
	if n == 1 && id[0] == '_' {
		s.fail("invalid identifier %q", id)
		return
	}
	s.b = s.b[n:]
}

func (s *shape) option(inner func()) {
	if s.err != nil {
		return
	}
	switch s.uleb() {
	case 0:
	case 1:
		inner()
	default:
		s.fail("option tag out of range")
	}
}

func (s *shape) typeTag(depth int) {
	if s.err != nil {
		return
	}
	if depth > maxTypeTagDepth {
		s.fail("type tag nested deeper than %d", maxTypeTagDepth)
		return
	}
	switch tag := s.uleb(); tag {
	case 0, 1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16:
	case 6:
		s.typeTag(depth + 1)
	case 7:
		s.structTag(depth)
	default:
		s.fail("unknown type tag %d", tag)
	}
}

func (s *shape) structTag(depth int) {
	s.skip(32)
	s.identifier()
	s.identifier()
	n := s.length(1)
	for i := 0; i < n && s.err == nil; i++ {
		s.typeTag(depth + 1)
	}
}

func (s *shape) entryFunction() {
	s.skip(32)
	s.identifier()
	s.identifier()
	n := s.length(1)
	for i := 0; i < n && s.err == nil; i++ {
		s.typeTag(1)
	}
	n = s.length(1)
	for i := 0; i < n && s.err == nil; i++ {
		s.bytes()
	}
}

func (s *shape) script() {
	s.bytes()
	n := s.length(1)
	for i := 0; i < n && s.err == nil; i++ {
		s.typeTag(1)
	}
	n = s.length(2)
	for i := 0; i < n && s.err == nil; i++ {
		switch v := s.uleb(); v {
		case 0, 5:
			s.skip(1)
		case 6:
			s.skip(2)
		case 7:
			s.skip(4)
		case 1:
			s.skip(8)
		case 2:
			s.skip(16)
		case 3, 8:
			s.skip(32)
		case 4, 9:
			s.bytes()
		default:
			s.fail("unknown script argument %d", v)
		}
	}
}

func (s *shape) payload() {
	switch v := s.uleb(); v {
	case 0:
		s.script()
	case 2:
		s.entryFunction()
	case 3:
		s.skip(32)
		s.option(func() {
			if s.uleb() != 0 {
				s.fail("unknown multisig payload")
				return
			}
			s.entryFunction()
		})
	case 4:
		if s.uleb() != 0 {
			s.fail("unknown inner payload")
			return
		}
		switch e := s.uleb(); e {
		case 0:
			s.script()
		case 1:
			s.entryFunction()
		case 2:
		default:
			s.fail("unknown executable %d", e)
		}
		if s.uleb() != 0 {
			s.fail("unknown extra config")
			return
		}
		s.option(func() { s.skip(32) })
		s.option(func() { s.skip(8) })
	default:
		s.fail("unsupported payload variant %d", v)
	}
}

func (s *shape) rawTransaction() {
	s.skip(32 + 8)
	s.payload()
	s.skip(8 + 8 + 8 + 1)
}

// anyKey is AnyPublicKey or AnySignature: a variant and a byte string.
func (s *shape) anyKey() {
	s.uleb()
	s.bytes()
}

func (s *shape) accountAuthenticator() {
	switch v := s.uleb(); v {
	case 0, 1:
		s.bytes()
		s.bytes()
	case 2:
		s.anyKey()
		s.anyKey()
	case 3:
		n := s.length(2)
		for i := 0; i < n && s.err == nil; i++ {
			s.anyKey()
		}
		s.skip(1)
		n = s.length(2)
		for i := 0; i < n && s.err == nil; i++ {
			s.anyKey()
		}
		s.bytes()
	case 4:
	default:
		s.fail("unknown account authenticator %d", v)
	}
}

func (s *shape) authenticators() {
	n := s.length(32)
	s.skip(32 * n)
	n = s.length(1)
	for i := 0; i < n && s.err == nil; i++ {
		s.accountAuthenticator()
	}
}

func (s *shape) transactionAuthenticator() {
	switch v := s.uleb(); v {
	case 0, 1:
		s.bytes()
		s.bytes()
	case 2:
		s.accountAuthenticator()
		s.authenticators()
	case 3:
		s.accountAuthenticator()
		s.authenticators()
		s.skip(32)
		s.accountAuthenticator()
	case 4:
		s.accountAuthenticator()
	default:
		s.fail("unknown transaction authenticator %d", v)
	}
}

func (s *shape) signedTransaction() {
	s.rawTransaction()
	s.transactionAuthenticator()
}

func (s *shape) done() error {
	if s.err != nil {
		return s.err
	}
	if len(s.b) != 0 {
		return fmt.Errorf("%d trailing bytes", len(s.b))
	}
	return nil
}

// checkSignedTransaction checks that b can be handed to the SDK decoder.
func checkSignedTransaction(b []byte) error {
	s := shape{b: b}
	s.signedTransaction()
	return s.done()
}

// checkSignedTransactions checks a BCS vector of signed transactions and
// returns each element's bytes.
func checkSignedTransactions(b []byte, max int) ([][]byte, error) {
	s := shape{b: b}
	n := s.length(100)
	if s.err != nil {
		return nil, s.err
	}
	if n > max {
		return nil, fmt.Errorf("%d transactions, at most %d per batch", n, max)
	}
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		start := s.b
		s.signedTransaction()
		if s.err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i, s.err)
		}
		out = append(out, start[:len(start)-len(s.b)])
	}
	if len(s.b) != 0 {
		return nil, errors.New("trailing bytes after the transactions")
	}
	return out, nil
}

// checkEntryFunction checks a BCS EntryFunction (the body of a view call).
func checkEntryFunction(b []byte) error {
	s := shape{b: b}
	s.entryFunction()
	return s.done()
}
