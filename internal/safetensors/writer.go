package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Tensor is a tensor to write: its description and its bytes.
type Tensor struct {
	Name  string
	Dtype Dtype
	Shape []uint64
	Data  []byte
}

// Layout orders tensors as the reference writer does (descending dtype rank,
// then name, so every tensor is aligned to its element size) and assigns
// their data offsets. The Begin and End fields of the input are ignored.
func Layout(tensors []TensorInfo, metadata map[string]string) (*Header, error) {
	h := &Header{
		Tensors: make([]TensorInfo, len(tensors)),
		index:   make(map[string]int, len(tensors)),
	}
	if metadata != nil {
		h.Metadata = make(map[string]string, len(metadata))
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return nil, fmt.Errorf("safetensors: metadata %q: not valid UTF-8", k)
			}
			h.Metadata[k] = v
		}
	}
	for i, t := range tensors {
		if t.Name == MetadataKey {
			return nil, fmt.Errorf("safetensors: %q is reserved and cannot name a tensor", MetadataKey)
		}
		if !utf8.ValidString(t.Name) {
			return nil, fmt.Errorf("safetensors: tensor name %q is not valid UTF-8", t.Name)
		}
		if _, dup := h.index[t.Name]; dup {
			return nil, fmt.Errorf("safetensors: duplicate tensor %q", t.Name)
		}
		h.index[t.Name] = i
		t.Shape = slices.Clone(t.Shape)
		h.Tensors[i] = t
	}
	slices.SortFunc(h.Tensors, func(a, b TensorInfo) int {
		if a.Dtype != b.Dtype {
			return int(b.Dtype) - int(a.Dtype)
		}
		return strings.Compare(a.Name, b.Name)
	})
	var off uint64
	for i := range h.Tensors {
		t := &h.Tensors[i]
		n, err := dataSize(t.Dtype, t.Shape)
		if err != nil {
			return nil, fmt.Errorf("safetensors: tensor %q: %w", t.Name, err)
		}
		if off+n < off {
			return nil, fmt.Errorf("safetensors: tensor %q: data section overflows", t.Name)
		}
		t.Begin, t.End = off, off+n
		off += n
		h.index[t.Name] = i
	}
	h.Len = uint64(len(h.appendJSON(nil)))
	if h.Len > MaxHeaderSize {
		return nil, fmt.Errorf("safetensors: header of %d bytes exceeds the %d-byte limit", h.Len, MaxHeaderSize)
	}
	return h, nil
}

// Encode returns the 8-byte length and the header JSON, padded with spaces to
// a multiple of 8 bytes: everything before the data section.
func (h *Header) Encode() []byte {
	out := make([]byte, prefixLen, prefixLen+h.Len)
	out = h.appendJSON(out)
	binary.LittleEndian.PutUint64(out, uint64(len(out)-prefixLen))
	return out
}

// appendJSON appends the compact JSON header and its padding. Metadata comes
// first with sorted keys, then the tensors in data order, each as
// {"dtype","shape","data_offsets"}: the reference writer's layout.
func (h *Header) appendJSON(b []byte) []byte {
	start := len(b)
	b = append(b, '{')
	if h.Metadata != nil {
		b = appendString(b, MetadataKey)
		b = append(b, ":{"...)
		keys := make([]string, 0, len(h.Metadata))
		for k := range h.Metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			b = appendString(b, h.Metadata[k])
		}
		b = append(b, '}')
		if len(h.Tensors) > 0 {
			b = append(b, ',')
		}
	}
	for i, t := range h.Tensors {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, t.Name)
		b = append(b, `:{"dtype":"`...)
		b = append(b, t.Dtype.String()...)
		b = append(b, `","shape":[`...)
		for j, d := range t.Shape {
			if j > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, d, 10)
		}
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendUint(b, t.Begin, 10)
		b = append(b, ',')
		b = strconv.AppendUint(b, t.End, 10)
		b = append(b, "]}"...)
	}
	b = append(b, '}')
	for (len(b)-start)%8 != 0 {
		b = append(b, ' ')
	}
	return b
}

// appendString writes s as a JSON string escaped the way the reference
// writer (serde_json) escapes: quote, backslash and control characters only.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\b':
			b = append(b, '\\', 'b')
		case c == '\f':
			b = append(b, '\\', 'f')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// Encode returns a whole safetensors file holding tensors and metadata
// (nil for none).
func Encode(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	if err := Write(&buf, tensors, metadata); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Write writes a whole safetensors file holding tensors and metadata.
func Write(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	infos := make([]TensorInfo, len(tensors))
	data := make(map[string][]byte, len(tensors))
	for i, t := range tensors {
		infos[i] = TensorInfo{Name: t.Name, Dtype: t.Dtype, Shape: t.Shape}
		data[t.Name] = t.Data
	}
	sw, err := NewWriter(w, infos, metadata)
	if err != nil {
		return err
	}
	for _, t := range sw.Header().Tensors {
		d := data[t.Name]
		if uint64(len(d)) != t.Size() {
			return fmt.Errorf("safetensors: tensor %q: %s%v needs %d bytes, got %d", t.Name, t.Dtype, t.Shape, t.Size(), len(d))
		}
		if _, err := sw.Write(d); err != nil {
			return err
		}
	}
	return sw.Close()
}

// Writer streams a safetensors file whose tensors are too large to hold in
// memory: NewWriter writes the header, then Write takes the data section, the
// tensors' bytes concatenated in Header().Tensors order.
type Writer struct {
	w       io.Writer
	h       *Header
	written uint64
}

// NewWriter lays the tensors out (see Layout) and writes the header to w.
func NewWriter(w io.Writer, tensors []TensorInfo, metadata map[string]string) (*Writer, error) {
	h, err := Layout(tensors, metadata)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(h.Encode()); err != nil {
		return nil, fmt.Errorf("safetensors: write header: %w", err)
	}
	return &Writer{w: w, h: h}, nil
}

// Header is the layout being written: write tensor bytes in its order.
func (sw *Writer) Header() *Header { return sw.h }

// ErrTooMuchData is returned by Write past the end of the data section.
var ErrTooMuchData = errors.New("safetensors: more data than the header declares")

// Write appends bytes to the data section.
func (sw *Writer) Write(p []byte) (int, error) {
	if left := sw.h.DataLen() - sw.written; uint64(len(p)) > left {
		return 0, ErrTooMuchData
	}
	n, err := sw.w.Write(p)
	sw.written += uint64(n)
	return n, err
}

// Close checks that the whole data section was written. It does not close
// the underlying writer.
func (sw *Writer) Close() error {
	if sw.written != sw.h.DataLen() {
		return fmt.Errorf("safetensors: data section has %d of %d bytes", sw.written, sw.h.DataLen())
	}
	return nil
}
