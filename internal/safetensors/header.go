// Package safetensors reads and writes the safetensors format in which model
// weights are published:
//
//	u64le(N) || header (N bytes of UTF-8 JSON) || data
//
// The header maps each tensor name to its dtype, shape and byte range inside
// the data section, plus an optional "__metadata__" string-to-string map.
// Reading a header touches only its first 8+N bytes, so the tensors of a
// multi-gigabyte file can be listed (for delta storage, for the compression
// evaluator) without loading any of them.
//
// Decoding follows the reference implementation's rules and is strict where
// the specification is: the header starts with '{', may be padded with
// whitespace, has no duplicate keys, is at most MaxHeaderSize bytes, and the
// tensors cover the data section exactly, without holes or overlaps (so a
// file cannot carry hidden bytes). Unknown fields inside a tensor entry are
// ignored, as the reference reader ignores them.
package safetensors

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"slices"
	"strconv"
	"unicode/utf8"
)

// MaxHeaderSize is the largest header accepted, the reference library's limit.
const MaxHeaderSize = 100_000_000

// MetadataKey is the one header key that is not a tensor.
const MetadataKey = "__metadata__"

// prefixLen is the size of the little-endian header length before the JSON.
const prefixLen = 8

// TensorInfo describes one tensor. Begin and End are byte offsets inside the
// data section (End is one past the last byte), not inside the file; add
// Header.DataStart for file positions.
type TensorInfo struct {
	Name  string
	Dtype Dtype
	Shape []uint64
	Begin uint64
	End   uint64
}

// Size is the number of data bytes the tensor occupies.
func (t TensorInfo) Size() uint64 { return t.End - t.Begin }

// Elements is the product of the shape (1 for a scalar, shape []).
func (t TensorInfo) Elements() uint64 {
	n, _ := elements(t.Shape)
	return n
}

// Header is a decoded safetensors header.
type Header struct {
	// Metadata is the "__metadata__" map, nil when the file has none.
	Metadata map[string]string
	// Tensors in file order (ascending offsets).
	Tensors []TensorInfo
	// Len is N, the header's length in bytes including padding.
	Len uint64

	index map[string]int
}

// DataStart is the file offset of the data section.
func (h *Header) DataStart() uint64 { return prefixLen + h.Len }

// DataLen is the size of the data section.
func (h *Header) DataLen() uint64 {
	if len(h.Tensors) == 0 {
		return 0
	}
	return h.Tensors[len(h.Tensors)-1].End
}

// FileSize is the size a file with this header must have.
func (h *Header) FileSize() uint64 { return h.DataStart() + h.DataLen() }

// Tensor looks a tensor up by name.
func (h *Header) Tensor(name string) (TensorInfo, bool) {
	i, ok := h.index[name]
	if !ok {
		return TensorInfo{}, false
	}
	return h.Tensors[i], true
}

// Names lists the tensor names in file order.
func (h *Header) Names() []string {
	out := make([]string, len(h.Tensors))
	for i, t := range h.Tensors {
		out[i] = t.Name
	}
	return out
}

// CheckFileSize reports an error unless a file of size bytes holds exactly
// this header and its data: trailing bytes would be uncovered by any tensor.
func (h *Header) CheckFileSize(size uint64) error {
	if want := h.FileSize(); size != want {
		return fmt.Errorf("safetensors: file has %d bytes, header and tensors cover %d", size, want)
	}
	return nil
}

// TensorReader returns a reader over one tensor's bytes of the file r.
func (h *Header) TensorReader(r io.ReaderAt, name string) (*io.SectionReader, error) {
	t, ok := h.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("safetensors: no tensor %q", name)
	}
	if t.End > 1<<62 {
		return nil, fmt.Errorf("safetensors: tensor %q: offset %d too large", name, t.End)
	}
	return io.NewSectionReader(r, int64(h.DataStart()+t.Begin), int64(t.Size())), nil
}

// ReadTensor reads one tensor's bytes from the file r.
func (h *Header) ReadTensor(r io.ReaderAt, name string) ([]byte, error) {
	sr, err := h.TensorReader(r, name)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, sr.Size())
	if _, err := io.ReadFull(sr, buf); err != nil {
		return nil, fmt.Errorf("safetensors: read tensor %q: %w", name, err)
	}
	return buf, nil
}

// ErrFormat is wrapped by every error about malformed header bytes.
var ErrFormat = errors.New("safetensors: malformed header")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// DecodeHeader decodes the header at the start of b, which must hold at least
// the 8-byte length and the N header bytes; whatever follows is ignored.
func DecodeHeader(b []byte) (*Header, error) {
	if len(b) < prefixLen {
		return nil, formatErr("%d bytes, need at least 8 for the header length", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxHeaderSize {
		return nil, formatErr("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	if uint64(len(b)-prefixLen) < n {
		return nil, formatErr("header length %d but only %d bytes follow", n, len(b)-prefixLen)
	}
	return parseJSON(b[prefixLen : prefixLen+int(n)])
}

// ReadHeader reads a header from r and leaves r positioned at the data
// section. Memory grows with the bytes actually read, not with the length
// the file claims.
func ReadHeader(r io.Reader) (*Header, error) {
	var prefix [prefixLen]byte
	if _, err := io.ReadFull(r, prefix[:]); err != nil {
		return nil, fmt.Errorf("safetensors: read header length: %w", err)
	}
	n := binary.LittleEndian.Uint64(prefix[:])
	if n > MaxHeaderSize {
		return nil, formatErr("header length %d exceeds the %d-byte limit", n, MaxHeaderSize)
	}
	var buf bytes.Buffer
	buf.Grow(int(min(n, 1<<20)))
	got, err := io.Copy(&buf, io.LimitReader(r, int64(n)))
	if err != nil {
		return nil, fmt.Errorf("safetensors: read header: %w", err)
	}
	if uint64(got) != n {
		return nil, formatErr("header length %d but the file ends after %d bytes", n, got)
	}
	return parseJSON(buf.Bytes())
}

// Stat reads the header of the file at path and checks that the file's size
// matches it. Tensor data is not read.
func Stat(path string) (*Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := ReadHeader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := h.CheckFileSize(uint64(fi.Size())); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// parseJSON decodes and validates the N header bytes.
func parseJSON(raw []byte) (*Header, error) {
	if len(raw) == 0 || raw[0] != '{' {
		return nil, formatErr("header does not start with '{'")
	}
	if !utf8.Valid(raw) {
		return nil, formatErr("header is not valid UTF-8")
	}
	h := &Header{Len: uint64(len(raw)), index: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the '{' checked above
		return nil, formatErr("%v", err)
	}
	seenMeta := false
	for dec.More() {
		key, err := stringToken(dec)
		if err != nil {
			return nil, formatErr("header key: %v", err)
		}
		if key == MetadataKey {
			if seenMeta {
				return nil, formatErr("duplicate key %q", key)
			}
			seenMeta = true
			if h.Metadata, err = decodeMetadata(dec); err != nil {
				return nil, formatErr("%s: %v", MetadataKey, err)
			}
			continue
		}
		if _, dup := h.index[key]; dup {
			return nil, formatErr("duplicate tensor %q", key)
		}
		t, err := decodeTensor(dec)
		if err != nil {
			return nil, formatErr("tensor %q: %v", key, err)
		}
		t.Name = key
		h.index[key] = len(h.Tensors)
		h.Tensors = append(h.Tensors, t)
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, formatErr("%v", err)
	}
	for _, c := range raw[dec.InputOffset():] {
		if !isSpace(c) {
			return nil, formatErr("trailing bytes after the header object")
		}
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	return h, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// validate sorts the tensors by offset and checks that they tile the data
// section exactly and that each range matches its dtype and shape.
func (h *Header) validate() error {
	slices.SortStableFunc(h.Tensors, func(a, b TensorInfo) int {
		if c := cmp.Compare(a.Begin, b.Begin); c != 0 {
			return c
		}
		return cmp.Compare(a.End, b.End)
	})
	var next uint64
	for i, t := range h.Tensors {
		if t.Begin != next || t.End < t.Begin {
			if t.Begin > next {
				return formatErr("tensor %q: data_offsets [%d, %d] leave a hole at %d", t.Name, t.Begin, t.End, next)
			}
			return formatErr("tensor %q: data_offsets [%d, %d] overlap the previous tensor ending at %d", t.Name, t.Begin, t.End, next)
		}
		want, err := dataSize(t.Dtype, t.Shape)
		if err != nil {
			return formatErr("tensor %q: %v", t.Name, err)
		}
		if t.End-t.Begin != want {
			return formatErr("tensor %q: %s%v needs %d bytes, data_offsets give %d", t.Name, t.Dtype, t.Shape, want, t.End-t.Begin)
		}
		next = t.End
		h.index[t.Name] = i
	}
	return nil
}

// elements multiplies the shape, reporting overflow.
func elements(shape []uint64) (uint64, bool) {
	n := uint64(1)
	for _, d := range shape {
		hi, lo := bits.Mul64(n, d)
		if hi != 0 {
			return 0, false
		}
		n = lo
	}
	return n, true
}

// dataSize is the byte size of a tensor of dtype and shape.
func dataSize(d Dtype, shape []uint64) (uint64, error) {
	if !d.Valid() {
		return 0, fmt.Errorf("invalid dtype %d", d)
	}
	n, ok := elements(shape)
	if !ok {
		return 0, fmt.Errorf("shape %v overflows", shape)
	}
	hi, nbits := bits.Mul64(n, d.Bits())
	if hi != 0 {
		return 0, fmt.Errorf("shape %v of %s overflows", shape, d)
	}
	if nbits%8 != 0 {
		return 0, fmt.Errorf("%d elements of %d-bit %s do not fill whole bytes", n, d.Bits(), d)
	}
	return nbits / 8, nil
}

func stringToken(dec *json.Decoder) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", err
	}
	s, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("want a string, got %v", tok)
	}
	return s, nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("want %q, got %v", want, tok)
	}
	return nil
}

func uintToken(dec *json.Decoder) (uint64, error) {
	tok, err := dec.Token()
	if err != nil {
		return 0, err
	}
	num, ok := tok.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want an unsigned integer, got %v", tok)
	}
	v, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want an unsigned integer, got %s", num)
	}
	return v, nil
}

// decodeMetadata reads null or an object of strings.
func decodeMetadata(dec *json.Decoder) (map[string]string, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil {
		return nil, nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("want an object of strings, got %v", tok)
	}
	m := map[string]string{}
	for dec.More() {
		k, err := stringToken(dec)
		if err != nil {
			return nil, err
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		v, err := stringToken(dec)
		if err != nil {
			return nil, fmt.Errorf("value of %q: %w", k, err)
		}
		m[k] = v
	}
	return m, expectDelim(dec, '}')
}

// decodeTensor reads {"dtype": ..., "shape": [...], "data_offsets": [b, e]}.
func decodeTensor(dec *json.Decoder) (TensorInfo, error) {
	var t TensorInfo
	if err := expectDelim(dec, '{'); err != nil {
		return t, err
	}
	var haveDtype, haveShape, haveOffsets bool
	for dec.More() {
		k, err := stringToken(dec)
		if err != nil {
			return t, err
		}
		switch k {
		case "dtype":
			if haveDtype {
				return t, errors.New("duplicate field dtype")
			}
			haveDtype = true
			name, err := stringToken(dec)
			if err != nil {
				return t, fmt.Errorf("dtype: %w", err)
			}
			if t.Dtype, err = ParseDtype(name); err != nil {
				return t, err
			}
		case "shape":
			if haveShape {
				return t, errors.New("duplicate field shape")
			}
			haveShape = true
			if err := expectDelim(dec, '['); err != nil {
				return t, fmt.Errorf("shape: %w", err)
			}
			t.Shape = []uint64{}
			for dec.More() {
				v, err := uintToken(dec)
				if err != nil {
					return t, fmt.Errorf("shape: %w", err)
				}
				t.Shape = append(t.Shape, v)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return t, fmt.Errorf("shape: %w", err)
			}
		case "data_offsets":
			if haveOffsets {
				return t, errors.New("duplicate field data_offsets")
			}
			haveOffsets = true
			if err := expectDelim(dec, '['); err != nil {
				return t, fmt.Errorf("data_offsets: %w", err)
			}
			if t.Begin, err = uintToken(dec); err != nil {
				return t, fmt.Errorf("data_offsets: %w", err)
			}
			if t.End, err = uintToken(dec); err != nil {
				return t, fmt.Errorf("data_offsets: %w", err)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return t, fmt.Errorf("data_offsets: want exactly two offsets: %w", err)
			}
		default:
			// The reference reader ignores unknown fields; so do we.
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return t, fmt.Errorf("field %q: %w", k, err)
			}
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return t, err
	}
	switch {
	case !haveDtype:
		return t, errors.New("missing field dtype")
	case !haveShape:
		return t, errors.New("missing field shape")
	case !haveOffsets:
		return t, errors.New("missing field data_offsets")
	}
	return t, nil
}
