package claim

import (
	"bytes"
	"encoding/hex"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

func sample() Header {
	var h Header
	h.Evaluator = "cm"
	h.EvaluatorVersion = "1"
	for i := range h.Model {
		h.Model[i] = byte(i)
		h.Data[i] = byte(0xff - i)
	}
	h.DataLen = 10485760
	h.Params = map[string]string{"cm.window_bits": "24", "cm.table_bits": "24", "cm.match_bits": "22"}
	return h
}

func TestRoundTrip(t *testing.T) {
	h := sample()
	code := []byte("some code bytes")
	b, err := Encode(h, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != h.Size()+len(code) {
		t.Fatalf("encoded %d bytes, Size says %d + %d", len(b), h.Size(), len(code))
	}
	got, gotCode, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotCode, code) {
		t.Fatalf("code %q", gotCode)
	}
	if got.Evaluator != h.Evaluator || got.EvaluatorVersion != h.EvaluatorVersion || got.Model != h.Model ||
		got.Data != h.Data || got.Parent != h.Parent || got.DataLen != h.DataLen || got.CodeLen != uint64(len(code)) ||
		!maps.Equal(got.Params, h.Params) {
		t.Fatalf("header changed: %+v", got)
	}
	if got.HasParent() {
		t.Fatal("zero parent reported as present")
	}
	// The code length field sits where CodeLenOffset says.
	off := h.CodeLenOffset()
	if b[off+7] != byte(len(code)) || !bytes.Equal(b[off:off+7], make([]byte, 7)) {
		t.Fatalf("code length not at offset %d", off)
	}
}

// TestVector pins the exact bytes of a small claim (docs/POWOC.md shows it).
func TestVector(t *testing.T) {
	h := Header{Evaluator: "cm", EvaluatorVersion: "1", DataLen: 3, Params: map[string]string{"k": "v"}}
	h.Model[0], h.Parent[0], h.Data[0] = 0xaa, 0xbb, 0xcc
	b, err := Encode(h, []byte{0x01, 0x02})
	if err != nil {
		t.Fatal(err)
	}
	want := "89506f576f430d0a" + "0001" + "02636d" + "0131" +
		"aa" + strings.Repeat("00", 31) + "bb" + strings.Repeat("00", 31) + "cc" + strings.Repeat("00", 31) +
		"0000000000000003" + "0001" + "016b" + "000176" + "0000000000000002" + "0102"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("encoding\n got %s\nwant %s", got, want)
	}
}

func TestRejects(t *testing.T) {
	h := sample()
	good, err := Encode(h, []byte("code"))
	if err != nil {
		t.Fatal(err)
	}
	mutate := func(f func(b []byte) []byte) []byte { return f(append([]byte{}, good...)) }
	cases := map[string][]byte{
		"empty":          {},
		"bad magic":      mutate(func(b []byte) []byte { b[1] = 'X'; return b }),
		"version 2":      mutate(func(b []byte) []byte { b[9] = 2; return b }),
		"name length 0":  mutate(func(b []byte) []byte { b[10] = 0; return b }),
		"name uppercase": mutate(func(b []byte) []byte { b[11] = 'C'; return b }),
		"truncated code": good[:len(good)-1],
		"trailing byte":  append(append([]byte{}, good...), 0),
		"header only":    good[:h.Size()-3],
	}
	// Keys out of order: swap the first two parameters' bytes.
	unsorted := h
	unsorted.Params = map[string]string{"a": "1", "b": "2"}
	b, _ := Encode(unsorted, nil)
	i := bytes.Index(b, []byte{1, 'a', 0, 1, '1', 1, 'b', 0, 1, '2'})
	copy(b[i:], []byte{1, 'b', 0, 1, '2', 1, 'a', 0, 1, '1'})
	cases["unsorted keys"] = b
	dup := bytes.Clone(b)
	copy(dup[i:], []byte{1, 'a', 0, 1, '1', 1, 'a', 0, 1, '2'})
	cases["duplicate keys"] = dup
	for name, b := range cases {
		if _, _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}

	bad := []Header{
		{Evaluator: "", EvaluatorVersion: "1"},
		{Evaluator: "-x", EvaluatorVersion: "1"},
		{Evaluator: "cm", EvaluatorVersion: "has space"},
		{Evaluator: "cm", EvaluatorVersion: "1", Params: map[string]string{"Key": "v"}},
		{Evaluator: "cm", EvaluatorVersion: "1", Params: map[string]string{"k": "line\nbreak"}},
		{Evaluator: "cm", EvaluatorVersion: "1", Params: map[string]string{"k": string([]byte{0xff})}},
		{Evaluator: "cm", EvaluatorVersion: "1", Params: map[string]string{"k": strings.Repeat("v", MaxValueLen+1)}},
	}
	for _, h := range bad {
		if _, err := Encode(h, nil); err == nil {
			t.Errorf("encoded invalid header %+v", h)
		}
	}
}

// FuzzParse feeds arbitrary bytes to the claim parser. It must not panic,
// and what it accepts must encode back to the same bytes (one encoding per
// claim).
func FuzzParse(f *testing.F) {
	h := sample()
	b, _ := Encode(h, []byte("code"))
	f.Add(b)
	h.Params = nil
	h.Parent = merkle.ID{1}
	b, _ = Encode(h, nil)
	f.Add(b)
	f.Add(Magic[:])
	f.Fuzz(func(t *testing.T, b []byte) {
		h, code, err := Parse(b)
		if err != nil {
			return
		}
		again, err := Encode(*h, code)
		if err != nil {
			t.Fatalf("accepted header does not encode: %v", err)
		}
		if !bytes.Equal(again, b) {
			t.Fatalf("accepted %x, re-encodes as %x", b, again)
		}
		if _, err := ReadHeader(bytes.NewReader(b)); err != nil {
			t.Fatalf("Parse accepts but ReadHeader fails: %v", err)
		}
	})
}
