// Package movevalue turns BCS-encoded Move values into the JSON the Aptos
// REST API shows (u64 and wider as decimal strings, vector<u8> as hex,
// String as text, addresses with leading zeros trimmed, struct fields by
// name), given the value's layout, and formats type tags the way the node
// prints them.
package movevalue

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/aptos-labs/aptos-go-sdk"
)

// Kind is the shape of a Move type.
type Kind uint8

// Kinds of Move types.
const (
	Bool Kind = iota
	U8
	U16
	U32
	U64
	U128
	U256
	I8
	I16
	I32
	I64
	I128
	I256
	Address
	Signer
	Vector
	Struct
	Enum
)

// Layout is the shape of a Move value, enough to decode its BCS bytes.
type Layout struct {
	Kind     Kind
	Elem     *Layout   // Vector
	Tag      string    // Struct, Enum: the canonical struct tag
	Fields   []Field   // Struct
	Variants []Variant // Enum

	order atomic.Pointer[fieldOrder] // of Fields, once rendered
}

// Field is a named field of a struct or enum variant.
type Field struct {
	Name   string
	Layout *Layout
}

// Variant is one variant of an enum.
type Variant struct {
	Name   string
	Fields []Field
}

// Primitive layouts, shared.
var (
	LBool    = &Layout{Kind: Bool}
	LU8      = &Layout{Kind: U8}
	LU16     = &Layout{Kind: U16}
	LU32     = &Layout{Kind: U32}
	LU64     = &Layout{Kind: U64}
	LU128    = &Layout{Kind: U128}
	LU256    = &Layout{Kind: U256}
	LAddress = &Layout{Kind: Address}
	LSigner  = &Layout{Kind: Signer}
)

// VectorOf returns the layout of vector<elem>.
func VectorOf(elem *Layout) *Layout { return &Layout{Kind: Vector, Elem: elem} }

// maxDepth bounds nesting while decoding, as a guard against layouts or
// bytes that would otherwise recurse without end.
const maxDepth = 128

const (
	stringTag = "0x1::string::String"
	optionTag = "0x1::option::Option<"
)

// ErrTrailing reports bytes left after a complete value.
var ErrTrailing = errors.New("trailing bytes after value")

// JSON decodes one BCS value of layout l and appends its JSON to dst.
func JSON(dst []byte, l *Layout, b []byte) ([]byte, error) {
	d := decoder{b: b, out: dst}
	if err := d.value(l, 0); err != nil {
		return dst, err
	}
	if len(d.b) != 0 {
		return dst, fmt.Errorf("%w: %d", ErrTrailing, len(d.b))
	}
	return d.out, nil
}

type decoder struct {
	b   []byte
	out []byte
	tmp [][]byte // per depth, for fields
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.b) {
		return nil, fmt.Errorf("value truncated: need %d bytes, have %d", n, len(d.b))
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v, nil
}

// uleb reads a ULEB128 length or variant index (at most 32 bits, as BCS).
func (d *decoder) uleb() (int, error) {
	var v uint64
	for i := 0; i < 5; i++ {
		if len(d.b) == 0 {
			return 0, errors.New("value truncated in a length")
		}
		c := d.b[0]
		d.b = d.b[1:]
		v |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if v > 1<<31 {
				return 0, fmt.Errorf("length %d too large", v)
			}
			if i > 0 && c == 0 {
				return 0, errors.New("non-canonical length")
			}
			return int(v), nil
		}
	}
	return 0, errors.New("length longer than 32 bits")
}

func (d *decoder) quoted(s string) {
	d.out = AppendJSONString(d.out, s)
}

// AppendJSONString appends s as a JSON string. s must be valid UTF-8. Like
// the node's serializer it escapes only what JSON requires.
func AppendJSONString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

func (d *decoder) value(l *Layout, depth int) error {
	if depth > maxDepth {
		return errors.New("value nested too deeply")
	}
	switch l.Kind {
	case Bool:
		b, err := d.take(1)
		if err != nil {
			return err
		}
		switch b[0] {
		case 0:
			d.out = append(d.out, "false"...)
		case 1:
			d.out = append(d.out, "true"...)
		default:
			return fmt.Errorf("bool byte %d", b[0])
		}
	case U8, I8:
		b, err := d.take(1)
		if err != nil {
			return err
		}
		if l.Kind == I8 {
			d.out = strconv.AppendInt(d.out, int64(int8(b[0])), 10)
		} else {
			d.out = strconv.AppendUint(d.out, uint64(b[0]), 10)
		}
	case U16, I16:
		b, err := d.take(2)
		if err != nil {
			return err
		}
		v := binary.LittleEndian.Uint16(b)
		if l.Kind == I16 {
			d.out = strconv.AppendInt(d.out, int64(int16(v)), 10)
		} else {
			d.out = strconv.AppendUint(d.out, uint64(v), 10)
		}
	case U32, I32:
		b, err := d.take(4)
		if err != nil {
			return err
		}
		v := binary.LittleEndian.Uint32(b)
		if l.Kind == I32 {
			d.out = strconv.AppendInt(d.out, int64(int32(v)), 10)
		} else {
			d.out = strconv.AppendUint(d.out, uint64(v), 10)
		}
	case U64, I64:
		b, err := d.take(8)
		if err != nil {
			return err
		}
		v := binary.LittleEndian.Uint64(b)
		d.out = append(d.out, '"')
		if l.Kind == I64 {
			d.out = strconv.AppendInt(d.out, int64(v), 10)
		} else {
			d.out = strconv.AppendUint(d.out, v, 10)
		}
		d.out = append(d.out, '"')
	case U128, U256, I128, I256:
		n := 16
		if l.Kind == U256 || l.Kind == I256 {
			n = 32
		}
		b, err := d.take(n)
		if err != nil {
			return err
		}
		be := make([]byte, n)
		for i := range b {
			be[n-1-i] = b[i]
		}
		x := new(big.Int).SetBytes(be)
		if (l.Kind == I128 || l.Kind == I256) && be[0]&0x80 != 0 {
			x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
		}
		d.out = append(d.out, '"')
		d.out = x.Append(d.out, 10)
		d.out = append(d.out, '"')
	case Address, Signer:
		b, err := d.take(32)
		if err != nil {
			return err
		}
		d.out = append(d.out, '"')
		d.out = AppendShortAddress(d.out, b)
		d.out = append(d.out, '"')
	case Vector:
		n, err := d.uleb()
		if err != nil {
			return err
		}
		if l.Elem.Kind == U8 {
			b, err := d.take(n)
			if err != nil {
				return err
			}
			d.out = append(d.out, '"', '0', 'x')
			d.out = hex.AppendEncode(d.out, b)
			d.out = append(d.out, '"')
			return nil
		}
		if n > len(d.b) { // every element takes at least one byte
			return fmt.Errorf("vector of %d elements in %d bytes", n, len(d.b))
		}
		d.out = append(d.out, '[')
		for i := range n {
			if i > 0 {
				d.out = append(d.out, ',')
			}
			if err := d.value(l.Elem, depth+1); err != nil {
				return err
			}
		}
		d.out = append(d.out, ']')
	case Struct:
		if l.Tag == stringTag && len(l.Fields) == 1 {
			n, err := d.uleb()
			if err != nil {
				return err
			}
			b, err := d.take(n)
			if err != nil {
				return err
			}
			if utf8.Valid(b) {
				d.quoted(string(b))
			} else {
				d.quoted("Unparsable utf-8 0x" + hex.EncodeToString(b))
			}
			return nil
		}
		return d.fields(l.Fields, depth, "", &l.order)
	case Enum:
		idx, err := d.uleb()
		if err != nil {
			return err
		}
		if idx >= len(l.Variants) {
			return fmt.Errorf("variant %d of %s with %d variants", idx, l.Tag, len(l.Variants))
		}
		v := &l.Variants[idx]
		if strings.HasPrefix(l.Tag, optionTag) {
			return d.option(*v, depth)
		}
		return d.fields(v.Fields, depth, v.Name, nil)
	default:
		return fmt.Errorf("unknown layout kind %d", l.Kind)
	}
	return nil
}

// option renders an enum-shaped Option the way the API renders the
// struct-shaped one: {"vec":[...]} (hex for Option<u8>).
func (d *decoder) option(v Variant, depth int) error {
	if len(v.Fields) == 0 {
		d.out = append(d.out, `{"vec":[]}`...)
		return nil
	}
	f := v.Fields[0].Layout
	d.out = append(d.out, `{"vec":`...)
	if f.Kind == U8 {
		b, err := d.take(1)
		if err != nil {
			return err
		}
		d.out = append(d.out, `"0x`...)
		d.out = hex.AppendEncode(d.out, b)
		d.out = append(d.out, `"}`...)
		return nil
	}
	d.out = append(d.out, '[')
	if err := d.value(f, depth+1); err != nil {
		return err
	}
	d.out = append(d.out, "]}"...)
	return nil
}

// fields renders struct fields as an object with keys in sorted order, as
// the node does; variant, when set, is added as "__variant__". The values
// are decoded in field order at the end of the output, then moved into
// key order (kept in a cache per field list, which layouts share).
func (d *decoder) fields(fs []Field, depth int, variant string, cache *atomic.Pointer[fieldOrder]) error {
	ord := orderOf(fs, cache)
	if ord.sorted && variant == "" {
		d.out = append(d.out, '{')
		for i, f := range fs {
			if i > 0 {
				d.out = append(d.out, ',')
			}
			d.quoted(f.Name)
			d.out = append(d.out, ':')
			if err := d.value(f.Layout, depth+1); err != nil {
				return err
			}
		}
		d.out = append(d.out, '}')
		return nil
	}
	var small [16]int
	ends := small[:0]
	if len(fs) > len(small) {
		ends = make([]int, 0, len(fs))
	}
	start := len(d.out)
	for _, f := range fs {
		if err := d.value(f.Layout, depth+1); err != nil {
			return err
		}
		ends = append(ends, len(d.out)-start)
	}
	// Move the decoded values aside, then write the object in key order.
	for len(d.tmp) <= depth {
		d.tmp = append(d.tmp, nil)
	}
	vals := append(d.tmp[depth][:0], d.out[start:]...)
	d.tmp[depth] = vals
	d.out = append(d.out[:start], '{')
	first := true
	sep := func() {
		if !first {
			d.out = append(d.out, ',')
		}
		first = false
	}
	for k, i := range ord.order {
		if variant != "" && k == ord.variantAt {
			sep()
			d.out = append(d.out, `"__variant__":`...)
			d.out = AppendJSONString(d.out, variant)
		}
		sep()
		d.quoted(fs[i].Name)
		d.out = append(d.out, ':')
		from := 0
		if i > 0 {
			from = ends[i-1]
		}
		d.out = append(d.out, vals[from:ends[i]]...)
	}
	if variant != "" && ord.variantAt == len(fs) {
		sep()
		d.out = append(d.out, `"__variant__":`...)
		d.out = AppendJSONString(d.out, variant)
	}
	d.out = append(d.out, '}')
	return nil
}

// fieldOrder is the key order of a field list: order lists the fields by
// name, variantAt is where "__variant__" goes among them, sorted is set
// when the fields are declared in key order already.
type fieldOrder struct {
	order     []int
	variantAt int
	sorted    bool
}

var noFields = &fieldOrder{sorted: true}

// orderOf returns the key order of fs, from cache when it holds it.
func orderOf(fs []Field, cache *atomic.Pointer[fieldOrder]) *fieldOrder {
	if len(fs) == 0 {
		return noFields
	}
	if cache != nil {
		if o := cache.Load(); o != nil {
			return o
		}
	}
	o := &fieldOrder{order: make([]int, len(fs))}
	for i := range o.order {
		o.order[i] = i
	}
	slices.SortFunc(o.order, func(a, b int) int { return strings.Compare(fs[a].Name, fs[b].Name) })
	o.sorted = slices.IsSorted(o.order)
	for _, i := range o.order {
		if fs[i].Name < "__variant__" {
			o.variantAt++
		}
	}
	if cache != nil {
		cache.Store(o)
	}
	return o
}

// AppendShortAddress appends a 32-byte address as the node prints it:
// "0x" and the hex digits with leading zeros trimmed ("0x1", "0x0").
func AppendShortAddress(dst []byte, a []byte) []byte {
	dst = append(dst, '0', 'x')
	h := hex.AppendEncode(nil, a)
	i := 0
	for i < len(h)-1 && h[i] == '0' {
		i++
	}
	return append(dst, h[i:]...)
}

// ShortAddress returns a as the node prints it.
func ShortAddress(a aptos.AccountAddress) string {
	return string(AppendShortAddress(nil, a[:]))
}

// TypeString formats a type tag as the node prints it: short addresses and
// ", " between type arguments.
func TypeString(t *aptos.TypeTag) string {
	var b strings.Builder
	writeType(&b, t.Value)
	return b.String()
}

// StructString formats a struct tag as the node prints it.
func StructString(s *aptos.StructTag) string {
	var b strings.Builder
	writeStruct(&b, s)
	return b.String()
}

func writeType(b *strings.Builder, t aptos.TypeTagImpl) {
	switch v := t.(type) {
	case *aptos.VectorTag:
		b.WriteString("vector<")
		writeType(b, v.TypeParam.Value)
		b.WriteByte('>')
	case *aptos.StructTag:
		writeStruct(b, v)
	default:
		b.WriteString(t.String())
	}
}

func writeStruct(b *strings.Builder, s *aptos.StructTag) {
	b.WriteString(ShortAddress(s.Address))
	b.WriteString("::")
	b.WriteString(s.Module)
	b.WriteString("::")
	b.WriteString(s.Name)
	if len(s.TypeParams) > 0 {
		b.WriteByte('<')
		for i := range s.TypeParams {
			if i > 0 {
				b.WriteString(", ")
			}
			writeType(b, s.TypeParams[i].Value)
		}
		b.WriteByte('>')
	}
}

// ParseTypeTag parses a type tag from untrusted text with the SDK's
// parser, turning the parser's panics on some malformed inputs into errors.
// Spaces (as after the commas of "A, B") are ignored.
func ParseTypeTag(s string) (tag *aptos.TypeTag, err error) {
	defer func() {
		if r := recover(); r != nil {
			tag, err = nil, fmt.Errorf("parse type %q: malformed", s)
		}
	}()
	if len(s) > maxTypeText {
		return nil, fmt.Errorf("parse type: %d characters, at most %d", len(s), maxTypeText)
	}
	tag, err = aptos.ParseTypeTag(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		return nil, fmt.Errorf("parse type %q: %w", s, err)
	}
	return tag, nil
}

// maxTypeText bounds the type text a request may carry.
const maxTypeText = 4096

// ParseStructTag parses a struct tag in any of the forms clients send (long
// or short addresses, with or without spaces) and returns its canonical text.
func ParseStructTag(s string) (*aptos.StructTag, string, error) {
	t, err := ParseTypeTag(s)
	if err != nil {
		return nil, "", fmt.Errorf("parse struct tag %q: %w", s, err)
	}
	st, ok := t.Value.(*aptos.StructTag)
	if !ok {
		return nil, "", fmt.Errorf("parse struct tag %q: not a struct type", s)
	}
	return st, StructString(st), nil
}
