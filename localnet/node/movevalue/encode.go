package movevalue

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/aptos-labs/aptos-go-sdk"
)

// EncodeJSON encodes a JSON argument, in the forms the REST API accepts for
// view function arguments, as the BCS bytes of layout l: integers as
// numbers or decimal strings, addresses as hex strings, vector<u8> as a hex
// string, String as text, Option as {"vec":[...]} or an array, Object as
// an address or {"inner": address}.
func EncodeJSON(l *Layout, raw json.RawMessage) ([]byte, error) {
	var out []byte
	if err := encode(&out, l, raw, 0); err != nil {
		return nil, err
	}
	return out, nil
}

func appendUleb(out []byte, n int) []byte {
	v := uint32(n)
	for v >= 0x80 {
		out = append(out, byte(v)|0x80)
		v >>= 7
	}
	return append(out, byte(v))
}

func trimmed(raw json.RawMessage) []byte { return bytes.TrimSpace(raw) }

// integer reads a JSON number or a string holding a decimal integer.
func integer(raw json.RawMessage) (*big.Int, error) {
	s := string(trimmed(raw))
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
	}
	x, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return nil, fmt.Errorf("%s is not an integer", s)
	}
	return x, nil
}

func str(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("want a string: %w", err)
	}
	return s, nil
}

func encode(out *[]byte, l *Layout, raw json.RawMessage, depth int) error {
	if depth > maxDepth {
		return errors.New("value nested too deeply")
	}
	switch l.Kind {
	case Bool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return fmt.Errorf("want a bool: %w", err)
		}
		if b {
			*out = append(*out, 1)
		} else {
			*out = append(*out, 0)
		}
	case U8, U16, U32, U64, U128, U256, I8, I16, I32, I64, I128, I256:
		x, err := integer(raw)
		if err != nil {
			return err
		}
		return appendInt(out, l.Kind, x)
	case Address, Signer:
		s, err := str(raw)
		if err != nil {
			return err
		}
		var a aptos.AccountAddress
		if err := a.ParseStringRelaxed(s); err != nil {
			return fmt.Errorf("address %q: %w", s, err)
		}
		*out = append(*out, a[:]...)
	case Vector:
		if l.Elem.Kind == U8 && bytes.HasPrefix(trimmed(raw), []byte(`"`)) {
			s, err := str(raw)
			if err != nil {
				return err
			}
			b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
			if err != nil {
				return fmt.Errorf("vector<u8> %q: %w", s, err)
			}
			*out = appendUleb(*out, len(b))
			*out = append(*out, b...)
			return nil
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("want an array: %w", err)
		}
		*out = appendUleb(*out, len(items))
		for i, it := range items {
			if err := encode(out, l.Elem, it, depth+1); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
	case Struct:
		return encodeStruct(out, l, raw, depth)
	case Enum:
		if strings.HasPrefix(l.Tag, optionTag) && len(l.Variants) == 2 {
			return encodeOptionEnum(out, l, raw, depth)
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err != nil {
			return fmt.Errorf("want an object: %w", err)
		}
		name, err := str(obj["__variant__"])
		if err != nil {
			return fmt.Errorf("enum %s: __variant__: %w", l.Tag, err)
		}
		for i, v := range l.Variants {
			if v.Name == name {
				*out = appendUleb(*out, i)
				return encodeFields(out, v.Fields, obj, depth)
			}
		}
		return fmt.Errorf("enum %s has no variant %q", l.Tag, name)
	default:
		return fmt.Errorf("unknown layout kind %d", l.Kind)
	}
	return nil
}

const objectTag = "0x1::object::Object<"

func encodeStruct(out *[]byte, l *Layout, raw json.RawMessage, depth int) error {
	switch {
	case l.Tag == stringTag && len(l.Fields) == 1:
		s, err := str(raw)
		if err != nil {
			return err
		}
		*out = appendUleb(*out, len(s))
		*out = append(*out, s...)
		return nil
	case strings.HasPrefix(l.Tag, objectTag) && bytes.HasPrefix(trimmed(raw), []byte(`"`)):
		return encode(out, LAddress, raw, depth+1)
	case strings.HasPrefix(l.Tag, optionTag) && len(l.Fields) == 1 && !bytes.HasPrefix(trimmed(raw), []byte("{")):
		// An Option given as an array or null.
		if string(trimmed(raw)) == "null" {
			raw = json.RawMessage("[]")
		}
		return encode(out, l.Fields[0].Layout, raw, depth+1)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return fmt.Errorf("%s: want an object: %w", l.Tag, err)
	}
	return encodeFields(out, l.Fields, obj, depth)
}

func encodeFields(out *[]byte, fs []Field, obj map[string]json.RawMessage, depth int) error {
	for _, f := range fs {
		v, ok := obj[f.Name]
		if !ok {
			return fmt.Errorf("missing field %q", f.Name)
		}
		if err := encode(out, f.Layout, v, depth+1); err != nil {
			return fmt.Errorf("field %s: %w", f.Name, err)
		}
	}
	return nil
}

func encodeOptionEnum(out *[]byte, l *Layout, raw json.RawMessage, depth int) error {
	var items []json.RawMessage
	t := trimmed(raw)
	switch {
	case string(t) == "null":
	case bytes.HasPrefix(t, []byte("{")):
		var obj struct {
			Vec json.RawMessage `json:"vec"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return err
		}
		if err := json.Unmarshal(obj.Vec, &items); err != nil {
			return fmt.Errorf("option: vec: %w", err)
		}
	default:
		if err := json.Unmarshal(raw, &items); err != nil {
			return fmt.Errorf("option: want an array: %w", err)
		}
	}
	switch len(items) {
	case 0:
		*out = appendUleb(*out, 0)
		return nil
	case 1:
		some := l.Variants[1]
		if len(some.Fields) != 1 {
			return fmt.Errorf("option %s: unexpected Some layout", l.Tag)
		}
		*out = appendUleb(*out, 1)
		return encode(out, some.Fields[0].Layout, items[0], depth+1)
	}
	return fmt.Errorf("option with %d values", len(items))
}

func appendInt(out *[]byte, k Kind, x *big.Int) error {
	var bits int
	signed := false
	switch k {
	case U8:
		bits = 8
	case U16:
		bits = 16
	case U32:
		bits = 32
	case U64:
		bits = 64
	case U128:
		bits = 128
	case U256:
		bits = 256
	case I8:
		bits, signed = 8, true
	case I16:
		bits, signed = 16, true
	case I32:
		bits, signed = 32, true
	case I64:
		bits, signed = 64, true
	case I128:
		bits, signed = 128, true
	case I256:
		bits, signed = 256, true
	}
	lo, hi := new(big.Int), new(big.Int).Lsh(big.NewInt(1), uint(bits))
	if signed {
		half := new(big.Int).Lsh(big.NewInt(1), uint(bits-1))
		lo.Neg(half)
		hi = half
	}
	if x.Cmp(lo) < 0 || x.Cmp(hi) >= 0 {
		return fmt.Errorf("%s out of range for %d-bit integer", x, bits)
	}
	v := new(big.Int).Set(x)
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(bits)))
	}
	be := v.FillBytes(make([]byte, bits/8))
	for i := len(be) - 1; i >= 0; i-- {
		*out = append(*out, be[i])
	}
	return nil
}
