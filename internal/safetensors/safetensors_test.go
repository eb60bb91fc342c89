package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func f32le(vals ...float32) []byte {
	var b []byte
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// Vectors from the reference implementation's own serialization tests: our
// writer must produce the same bytes, and our reader must accept them.
func TestReferenceVectors(t *testing.T) {
	data := f32le(0, 1, 2, 3, 4, 5)
	cases := []struct {
		name     string
		tensors  []Tensor
		metadata map[string]string
		want     string // header JSON including padding
	}{
		{
			name:    "one tensor, no padding",
			tensors: []Tensor{{Name: "attn.0", Dtype: F32, Shape: []uint64{1, 2, 3}, Data: data}},
			want:    `{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}`,
		},
		{
			name:    "forced alignment",
			tensors: []Tensor{{Name: "attn0", Dtype: F32, Shape: []uint64{1, 1, 2, 3}, Data: data}},
			want:    `{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       `,
		},
		{
			name: "empty",
			want: `{}      `,
		},
		{
			name:     "empty with metadata",
			metadata: map[string]string{"framework": "pt"},
			want:     `{"__metadata__":{"framework":"pt"}}     `,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Encode(c.tensors, c.metadata)
			if err != nil {
				t.Fatal(err)
			}
			want := binary.LittleEndian.AppendUint64(nil, uint64(len(c.want)))
			want = append(want, c.want...)
			for _, tt := range c.tensors {
				want = append(want, tt.Data...)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoded\n%q\nwant\n%q", got, want)
			}
			h, err := DecodeHeader(got)
			if err != nil {
				t.Fatal(err)
			}
			if err := h.CheckFileSize(uint64(len(got))); err != nil {
				t.Fatal(err)
			}
			if len(h.Tensors) != len(c.tensors) {
				t.Fatalf("decoded %d tensors, want %d", len(h.Tensors), len(c.tensors))
			}
			if c.metadata != nil && h.Metadata["framework"] != "pt" {
				t.Fatalf("metadata %v", h.Metadata)
			}
		})
	}
}

// The reference documentation's example file: an unpadded 60-byte header.
func TestReadUnpaddedHeader(t *testing.T) {
	file := []byte("<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}")
	file = append(file, make([]byte, 16)...)
	h, err := DecodeHeader(file)
	if err != nil {
		t.Fatal(err)
	}
	tt, ok := h.Tensor("test")
	if !ok || tt.Dtype != I32 || !slices.Equal(tt.Shape, []uint64{2, 2}) || tt.Size() != 16 || tt.Elements() != 4 {
		t.Fatalf("tensor %+v", tt)
	}
	if h.DataStart() != 68 || h.FileSize() != uint64(len(file)) {
		t.Fatalf("data start %d file size %d", h.DataStart(), h.FileSize())
	}
	if err := h.CheckFileSize(uint64(len(file) + 1)); err == nil {
		t.Fatal("a trailing byte must be rejected")
	}
}

func randomTensors(r *rand.Rand, n int) []Tensor {
	var out []Tensor
	for i := range n {
		d := Dtype(r.IntN(int(numDtypes)))
		var shape []uint64
		for range r.IntN(4) {
			shape = append(shape, uint64(r.IntN(5)))
		}
		// Sub-byte dtypes need whole bytes: make the last dimension even
		// (F4) or a multiple of 4 (F6).
		if d.Bits()%8 != 0 {
			shape = append(shape, 8)
		}
		size, err := dataSize(d, shape)
		if err != nil {
			panic(err)
		}
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		out = append(out, Tensor{Name: "layer." + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Dtype: d, Shape: shape, Data: data})
	}
	return out
}

func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	dir := t.TempDir()
	for iter := range 50 {
		tensors := randomTensors(r, r.IntN(12))
		meta := map[string]string{"format": "pt", "quote\"and\\slash": "line\nbreak\x01é"}
		if iter%3 == 0 {
			meta = nil
		}
		file, err := Encode(tensors, meta)
		if err != nil {
			t.Fatal(err)
		}
		// ReadHeader consumes exactly the header and nothing of the data.
		rd := bytes.NewReader(file)
		h, err := ReadHeader(rd)
		if err != nil {
			t.Fatal(err)
		}
		if consumed := uint64(len(file) - rd.Len()); consumed != h.DataStart() {
			t.Fatalf("ReadHeader consumed %d bytes, header is %d", consumed, h.DataStart())
		}
		if h.DataStart()%8 != 0 {
			t.Fatalf("data section starts at %d, not 8-aligned", h.DataStart())
		}
		path := filepath.Join(dir, "m.safetensors")
		if err := os.WriteFile(path, file, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Stat(path); err != nil {
			t.Fatal(err)
		}
		if len(h.Tensors) != len(tensors) {
			t.Fatalf("%d tensors, want %d", len(h.Tensors), len(tensors))
		}
		if meta == nil && h.Metadata != nil || meta != nil && len(h.Metadata) != len(meta) {
			t.Fatalf("metadata %v, want %v", h.Metadata, meta)
		}
		for k, v := range meta {
			if h.Metadata[k] != v {
				t.Fatalf("metadata %q = %q, want %q", k, h.Metadata[k], v)
			}
		}
		for i, ti := range h.Tensors {
			if i > 0 && ti.Dtype > h.Tensors[i-1].Dtype {
				t.Fatalf("tensors not in descending dtype order: %v", h.Names())
			}
			// Alignment: every tensor starts on a multiple of its element size.
			if w := ti.Dtype.Bits() / 8; w > 0 && ti.Begin%w != 0 {
				t.Fatalf("tensor %q of %s at %d is misaligned", ti.Name, ti.Dtype, ti.Begin)
			}
		}
		for _, want := range tensors {
			got, err := h.ReadTensor(bytes.NewReader(file), want.Name)
			if err != nil {
				t.Fatal(err)
			}
			ti, _ := h.Tensor(want.Name)
			if ti.Dtype != want.Dtype || !slices.Equal(ti.Shape, want.Shape) || !bytes.Equal(got, want.Data) {
				t.Fatalf("tensor %q: got %s%v %x, want %s%v %x", want.Name, ti.Dtype, ti.Shape, got, want.Dtype, want.Shape, want.Data)
			}
		}
	}
}

func TestStreamingWriter(t *testing.T) {
	infos := []TensorInfo{
		{Name: "b", Dtype: BF16, Shape: []uint64{3}},
		{Name: "a", Dtype: F32, Shape: []uint64{2}},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, infos, nil)
	if err != nil {
		t.Fatal(err)
	}
	if names := w.Header().Names(); !slices.Equal(names, []string{"a", "b"}) {
		t.Fatalf("order %v, want F32 before BF16", names)
	}
	if err := w.Close(); err == nil {
		t.Fatal("Close before the data was written must fail")
	}
	if _, err := w.Write(make([]byte, 15)); !errors.Is(err, ErrTooMuchData) {
		t.Fatalf("15 bytes into a 14-byte data section: %v", err)
	}
	if _, err := w.Write(make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	h, err := DecodeHeader(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.CheckFileSize(uint64(buf.Len())); err != nil {
		t.Fatal(err)
	}
}

func TestWriterRejects(t *testing.T) {
	cases := map[string]struct {
		tensors []Tensor
		meta    map[string]string
	}{
		"duplicate":       {tensors: []Tensor{{Name: "a", Dtype: U8}, {Name: "a", Dtype: U8}}},
		"reserved name":   {tensors: []Tensor{{Name: MetadataKey, Dtype: U8, Data: []byte{0}}}},
		"bad utf8 name":   {tensors: []Tensor{{Name: "\xff", Dtype: U8, Data: []byte{0}}}},
		"bad utf8 meta":   {meta: map[string]string{"k": "\xfe"}},
		"wrong data size": {tensors: []Tensor{{Name: "a", Dtype: F32, Shape: []uint64{2}, Data: make([]byte, 7)}}},
		"sub-byte":        {tensors: []Tensor{{Name: "a", Dtype: F4, Shape: []uint64{3}, Data: make([]byte, 2)}}},
		"invalid dtype":   {tensors: []Tensor{{Name: "a", Dtype: numDtypes}}},
		"overflow":        {tensors: []Tensor{{Name: "a", Dtype: U64, Shape: []uint64{1 << 62}}}},
	}
	for name, c := range cases {
		if _, err := Encode(c.tensors, c.meta); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func header(json string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(json)))
	b = append(b, json...)
	return append(b, make([]byte, data)...)
}

func TestDecodeRejects(t *testing.T) {
	const ok = `"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}`
	cases := map[string]struct {
		file []byte
		want string
	}{
		"short prefix":      {[]byte{1, 0, 0}, "need at least 8"},
		"too large":         {binary.LittleEndian.AppendUint64(nil, MaxHeaderSize+1), "exceeds"},
		"truncated":         {binary.LittleEndian.AppendUint64(nil, 100), "only 0 bytes follow"},
		"not an object":     {header(`[]`, 0), "does not start"},
		"leading space":     {header(` {}`, 0), "does not start"},
		"bad utf8":          {header("{\"\xff\":1}", 0), "UTF-8"},
		"trailing garbage":  {header(`{}x`, 0), "trailing"},
		"trailing nul":      {header("{}\x00", 0), "trailing"},
		"second object":     {header(`{}{}`, 0), "trailing"},
		"duplicate tensor":  {header(`{`+ok+`,`+ok+`}`, 2), "duplicate tensor"},
		"duplicate meta":    {header(`{"__metadata__":{},"__metadata__":{}}`, 0), "duplicate key"},
		"meta dup key":      {header(`{"__metadata__":{"a":"1","a":"2"}}`, 0), "duplicate key"},
		"meta not string":   {header(`{"__metadata__":{"a":1}}`, 0), "want a string"},
		"meta array":        {header(`{"__metadata__":[]}`, 0), "object of strings"},
		"unknown dtype":     {header(`{"a":{"dtype":"F128","shape":[],"data_offsets":[0,16]}}`, 16), "unknown dtype"},
		"missing shape":     {header(`{"a":{"dtype":"U8","data_offsets":[0,0]}}`, 0), "missing field shape"},
		"missing dtype":     {header(`{"a":{"shape":[],"data_offsets":[0,1]}}`, 1), "missing field dtype"},
		"missing offsets":   {header(`{"a":{"dtype":"U8","shape":[]}}`, 0), "missing field data_offsets"},
		"dup field":         {header(`{"a":{"dtype":"U8","dtype":"U8","shape":[],"data_offsets":[0,1]}}`, 1), "duplicate field"},
		"negative dim":      {header(`{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}`, 1), "unsigned integer"},
		"float dim":         {header(`{"a":{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}}`, 1), "unsigned integer"},
		"exp dim":           {header(`{"a":{"dtype":"U8","shape":[1e0],"data_offsets":[0,1]}}`, 1), "unsigned integer"},
		"huge dim":          {header(`{"a":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,1]}}`, 1), "unsigned integer"},
		"three offsets":     {header(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}}`, 1), "exactly two"},
		"one offset":        {header(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0]}}`, 1), "unsigned integer"},
		"hole at start":     {header(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 2), "hole"},
		"overlap":           {header(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}`, 2), "overlap"},
		"reversed":          {header(`{"a":{"dtype":"U8","shape":[0],"data_offsets":[1,0]}}`, 0), "hole"},
		"size mismatch":     {header(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), "needs 8 bytes"},
		"sub-byte":          {header(`{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}`, 2), "whole bytes"},
		"shape overflow":    {header(`{"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, 0), "overflows"},
		"bytes overflow":    {header(`{"a":{"dtype":"U64","shape":[4611686018427387904],"data_offsets":[0,0]}}`, 0), "overflows"},
		"tensor not object": {header(`{"a":3}`, 0), "want"},
		"unclosed":          {header(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}`, 1), "tensor"},
	}
	for name, c := range cases {
		_, err := DecodeHeader(c.file)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v does not wrap ErrFormat", name, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q does not mention %q", name, err, c.want)
		}
		if _, err2 := ReadHeader(bytes.NewReader(c.file)); err2 == nil {
			t.Errorf("%s: ReadHeader accepted what DecodeHeader rejects", name)
		}
	}
}

func TestDecodeAccepts(t *testing.T) {
	cases := map[string][]byte{
		"unordered offsets": header(`{"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 3),
		"unknown field":     header(`{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":{"x":[1,2]}}}`, 1),
		"null metadata":     header(`{"__metadata__":null}`, 0),
		"scalar":            header(`{"a":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, 8),
		"empty tensors":     header(`{"a":{"dtype":"F32","shape":[0,3],"data_offsets":[0,0]},"b":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`, 0),
		"whitespace":        header("{ \"a\" : {\"dtype\":\"F4\", \"shape\":[ 2 ],\"data_offsets\":[0,1]} }\n\t \r", 1),
		"escaped name":      header(`{"a\u00e9\n":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}`, 1),
	}
	for name, file := range cases {
		h, err := DecodeHeader(file)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if err := h.CheckFileSize(uint64(len(file))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	h, _ := DecodeHeader(cases["unordered offsets"])
	if !slices.Equal(h.Names(), []string{"a", "b"}) {
		t.Fatalf("names %v, want file order a, b", h.Names())
	}
	if tb, _ := h.Tensor("b"); tb.Begin != 2 {
		t.Fatalf("index points to %+v", tb)
	}
	h, _ = DecodeHeader(cases["escaped name"])
	if _, ok := h.Tensor("aé\n"); !ok {
		t.Fatalf("escaped name not decoded: %v", h.Names())
	}
}

// A header that claims a huge length must not make ReadHeader allocate it.
func TestReadHeaderBoundedAllocation(t *testing.T) {
	claim := binary.LittleEndian.AppendUint64(nil, MaxHeaderSize)
	r := io.MultiReader(bytes.NewReader(claim), strings.NewReader(`{}`))
	_, err := ReadHeader(r)
	if err == nil || !strings.Contains(err.Error(), "ends after 2 bytes") {
		t.Fatalf("err = %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ReadHeader(io.MultiReader(bytes.NewReader(claim), strings.NewReader(`{}`)))
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Fatalf("reading a 2-byte header that claims %d bytes allocated %d bytes", uint64(MaxHeaderSize), grew)
	}
}

func TestDtypes(t *testing.T) {
	for _, d := range Dtypes() {
		p, err := ParseDtype(d.String())
		if err != nil || p != d {
			t.Fatalf("%s: parse gives %v, %v", d, p, err)
		}
		if d.Bits() == 0 {
			t.Fatalf("%s has no width", d)
		}
	}
	if _, err := ParseDtype("f32"); err == nil {
		t.Fatal("dtype names are case-sensitive")
	}
	if numDtypes.Valid() || numDtypes.Bits() != 0 || !strings.HasPrefix(numDtypes.String(), "Dtype(") {
		t.Fatal("out-of-range dtype")
	}
}
