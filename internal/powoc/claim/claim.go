// Package claim reads and writes PoWoC claim files: a header that names the
// evaluator, the model, the validation data and the evaluator's parameters,
// followed by the code, the validation data compressed by that evaluator
// under that model. The code is its own proof: decoding it with the same
// evaluator and model must give back bytes whose object id is the header's.
//
// Layout (integers big-endian; docs/POWOC.md has the table):
//
//	magic             8 bytes  89 50 6f 57 6f 43 0d 0a  ("\x89PoWoC\r\n")
//	format version    u16      1
//	evaluator name    u8 length (1..64) + bytes [a-z0-9._-], first byte [a-z0-9]
//	evaluator version u8 length (1..64) + printable ASCII without space
//	model id          32 bytes
//	parent id         32 bytes, zero when the model is scored standalone
//	data id           32 bytes
//	data length       u64
//	parameter count   u16 (0..256)
//	parameters        each: u8 key length (1..64) + key [a-z0-9._-],
//	                  u16 value length (0..1024) + UTF-8 value without control
//	                  characters; keys strictly ascending
//	code length       u64
//	code              code length bytes, and nothing after them
//
// Every header has exactly one encoding, so equal claims are equal bytes.
package claim

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"unicode/utf8"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// Magic starts every claim file. The high first byte and the CR LF catch
// transfers that mangle binary files as text.
var Magic = [8]byte{0x89, 'P', 'o', 'W', 'o', 'C', '\r', '\n'}

// Version is the format version this package writes and reads.
const Version = 1

// Limits of the header fields.
const (
	MaxNameLen  = 64
	MaxParams   = 256
	MaxKeyLen   = 64
	MaxValueLen = 1024
)

// ErrFormat reports bytes that are not a well-formed claim.
var ErrFormat = errors.New("malformed claim")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Header is everything in a claim before the code.
type Header struct {
	Evaluator        string            // evaluator name, e.g. "cm"
	EvaluatorVersion string            // evaluator version, e.g. "1"
	Model            merkle.ID         // object id of the model file
	Parent           merkle.ID         // object id of the parent model, zero if none
	Data             merkle.ID         // object id of the validation data
	DataLen          uint64            // length of the validation data
	Params           map[string]string // evaluator parameters
	CodeLen          uint64            // length of the code that follows
}

// HasParent reports whether the model is scored against a parent.
func (h *Header) HasParent() bool { return h.Parent != merkle.ID{} }

// ValidName checks an evaluator name or parameter key: 1 to 64 bytes of
// [a-z0-9._-], starting with a letter or digit.
func ValidName(s string) error {
	if len(s) == 0 || len(s) > MaxNameLen {
		return fmt.Errorf("length %d, want 1 to %d", len(s), MaxNameLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return fmt.Errorf("byte %d (%q) not allowed", i, c)
		}
	}
	return nil
}

// ValidVersion checks an evaluator version: 1 to 64 bytes of printable ASCII
// without space.
func ValidVersion(s string) error {
	if len(s) == 0 || len(s) > MaxNameLen {
		return fmt.Errorf("length %d, want 1 to %d", len(s), MaxNameLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return fmt.Errorf("byte %d (%#x) is not printable ASCII", i, s[i])
		}
	}
	return nil
}

// ValidValue checks a parameter value: at most 1024 bytes of UTF-8 without
// control characters.
func ValidValue(s string) error {
	if len(s) > MaxValueLen {
		return fmt.Errorf("length %d, want at most %d", len(s), MaxValueLen)
	}
	if !utf8.ValidString(s) {
		return errors.New("not valid UTF-8")
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0 {
			return fmt.Errorf("control character %U", r)
		}
	}
	return nil
}

// Validate checks every field against the format's rules.
func (h *Header) Validate() error {
	if err := ValidName(h.Evaluator); err != nil {
		return fmt.Errorf("evaluator name %q: %w", h.Evaluator, err)
	}
	if err := ValidVersion(h.EvaluatorVersion); err != nil {
		return fmt.Errorf("evaluator version %q: %w", h.EvaluatorVersion, err)
	}
	if len(h.Params) > MaxParams {
		return fmt.Errorf("%d parameters, want at most %d", len(h.Params), MaxParams)
	}
	for _, k := range slices.Sorted(maps.Keys(h.Params)) {
		if err := ValidName(k); err != nil {
			return fmt.Errorf("parameter key %q: %w", k, err)
		}
		if err := ValidValue(h.Params[k]); err != nil {
			return fmt.Errorf("parameter %s: %w", k, err)
		}
	}
	return nil
}

// Size is the encoded header's length: the offset of the code in the file.
func (h *Header) Size() int {
	n := 8 + 2 + 1 + len(h.Evaluator) + 1 + len(h.EvaluatorVersion) + 3*32 + 8 + 2 + 8
	for k, v := range h.Params {
		n += 1 + len(k) + 2 + len(v)
	}
	return n
}

// CodeLenOffset is where the code length sits, so a writer that learns it
// only after streaming the code can fill it in.
func (h *Header) CodeLenOffset() int { return h.Size() - 8 }

// Append validates h and appends its encoding to b.
func (h *Header) Append(b []byte) ([]byte, error) {
	if err := h.Validate(); err != nil {
		return b, fmt.Errorf("claim header: %w", err)
	}
	b = append(b, Magic[:]...)
	b = binary.BigEndian.AppendUint16(b, Version)
	b = append(b, byte(len(h.Evaluator)))
	b = append(b, h.Evaluator...)
	b = append(b, byte(len(h.EvaluatorVersion)))
	b = append(b, h.EvaluatorVersion...)
	b = append(b, h.Model[:]...)
	b = append(b, h.Parent[:]...)
	b = append(b, h.Data[:]...)
	b = binary.BigEndian.AppendUint64(b, h.DataLen)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.Params)))
	for _, k := range slices.Sorted(maps.Keys(h.Params)) {
		v := h.Params[k]
		b = append(b, byte(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	b = binary.BigEndian.AppendUint64(b, h.CodeLen)
	return b, nil
}

// reader reads header fields and names the field a truncation hits.
type reader struct {
	r   io.Reader
	off int
	buf [32]byte
}

func (r *reader) read(n int, what string) ([]byte, error) {
	var b []byte
	if n <= len(r.buf) {
		b = r.buf[:n]
	} else {
		b = make([]byte, n)
	}
	k, err := io.ReadFull(r.r, b)
	r.off += k
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, formatErr("truncated in the %s at byte %d", what, r.off)
		}
		return nil, fmt.Errorf("read claim %s: %w", what, err)
	}
	return b, nil
}

func (r *reader) u8(what string) (int, error) {
	b, err := r.read(1, what)
	if err != nil {
		return 0, err
	}
	return int(b[0]), nil
}

func (r *reader) u16(what string) (int, error) {
	b, err := r.read(2, what)
	if err != nil {
		return 0, err
	}
	return int(binary.BigEndian.Uint16(b)), nil
}

func (r *reader) u64(what string) (uint64, error) {
	b, err := r.read(8, what)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint64(b), nil
}

func (r *reader) str(n int, what string) (string, error) {
	b, err := r.read(n, what)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

func (r *reader) id(what string) (merkle.ID, error) {
	var id merkle.ID
	b, err := r.read(32, what)
	if err == nil {
		copy(id[:], b)
	}
	return id, err
}

// ReadHeader reads exactly one header from r, leaving r at the code. It
// never allocates more than a bounded header needs.
func ReadHeader(r io.Reader) (*Header, error) {
	rd := &reader{r: r}
	b, err := rd.read(8, "magic")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(b, Magic[:]) {
		return nil, formatErr("not a claim file (magic %x)", b)
	}
	v, err := rd.u16("format version")
	if err != nil {
		return nil, err
	}
	if v != Version {
		return nil, formatErr("format version %d, this reader knows %d", v, Version)
	}
	h := &Header{}
	n, err := rd.u8("evaluator name length")
	if err != nil {
		return nil, err
	}
	if n == 0 || n > MaxNameLen {
		return nil, formatErr("evaluator name length %d", n)
	}
	if h.Evaluator, err = rd.str(n, "evaluator name"); err != nil {
		return nil, err
	}
	if n, err = rd.u8("evaluator version length"); err != nil {
		return nil, err
	}
	if n == 0 || n > MaxNameLen {
		return nil, formatErr("evaluator version length %d", n)
	}
	if h.EvaluatorVersion, err = rd.str(n, "evaluator version"); err != nil {
		return nil, err
	}
	if h.Model, err = rd.id("model id"); err != nil {
		return nil, err
	}
	if h.Parent, err = rd.id("parent id"); err != nil {
		return nil, err
	}
	if h.Data, err = rd.id("data id"); err != nil {
		return nil, err
	}
	if h.DataLen, err = rd.u64("data length"); err != nil {
		return nil, err
	}
	count, err := rd.u16("parameter count")
	if err != nil {
		return nil, err
	}
	if count > MaxParams {
		return nil, formatErr("%d parameters, at most %d allowed", count, MaxParams)
	}
	h.Params = make(map[string]string, count)
	prev := ""
	for i := 0; i < count; i++ {
		kl, err := rd.u8("parameter key length")
		if err != nil {
			return nil, err
		}
		if kl == 0 || kl > MaxKeyLen {
			return nil, formatErr("parameter %d: key length %d", i, kl)
		}
		k, err := rd.str(kl, "parameter key")
		if err != nil {
			return nil, err
		}
		if i > 0 && k <= prev {
			return nil, formatErr("parameter key %q after %q: keys must be strictly ascending", k, prev)
		}
		prev = k
		vl, err := rd.u16("parameter value length")
		if err != nil {
			return nil, err
		}
		if vl > MaxValueLen {
			return nil, formatErr("parameter %s: value length %d", k, vl)
		}
		if h.Params[k], err = rd.str(vl, "parameter value"); err != nil {
			return nil, err
		}
	}
	if h.CodeLen, err = rd.u64("code length"); err != nil {
		return nil, err
	}
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	return h, nil
}

// Parse splits a whole claim held in memory into its header and code. The
// code must take up exactly the rest of b.
func Parse(b []byte) (*Header, []byte, error) {
	r := bytes.NewReader(b)
	h, err := ReadHeader(r)
	if err != nil {
		return nil, nil, err
	}
	rest := uint64(r.Len())
	if rest < h.CodeLen {
		return nil, nil, formatErr("code truncated: %d of %d bytes", rest, h.CodeLen)
	}
	if rest > h.CodeLen {
		return nil, nil, formatErr("%d bytes after the code", rest-h.CodeLen)
	}
	return h, b[len(b)-int(rest):], nil
}

// Encode returns a whole claim: the header with CodeLen set to len(code),
// then the code.
func Encode(h Header, code []byte) ([]byte, error) {
	h.CodeLen = uint64(len(code))
	b, err := h.Append(make([]byte, 0, h.Size()+len(code)))
	if err != nil {
		return nil, err
	}
	return append(b, code...), nil
}
