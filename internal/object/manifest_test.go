package object

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func sampleManifests(t testing.TB) (public, private *Manifest) {
	_, pubs := testKeys(t, 8, 2)
	data := randomBytes(15, 3*tBlock+5)
	a, _ := split(t, data, SplitOptions{K: 2, N: 4, BlockSize: tBlock})
	b, _ := split(t, data, SplitOptions{K: 2, N: 4, BlockSize: tBlock, ChunkSize: tChunk, Recipients: pubs})
	return a.Manifest, b.Manifest
}

func TestManifestStrict(t *testing.T) {
	pub, priv := sampleManifests(t)
	for _, m := range []*Manifest{pub, priv} {
		enc := m.Encode()
		if _, err := ParseManifest(enc); err != nil {
			t.Fatalf("canonical manifest rejected: %v\n%s", err, enc)
		}
	}
	enc := string(pub.Encode())
	penc := string(priv.Encode())
	mutations := map[string]string{
		"whitespace":       strings.Replace(enc, `,"size"`, `, "size"`, 1),
		"trailing newline": enc + "\n",
		"key order":        strings.Replace(strings.Replace(enc, `"version":1,`, ``, 1), `"shards"`, `"version":1,"shards"`, 1),
		"uppercase hex":    strings.Replace(enc, `"id":"`+pub.ID.String(), `"id":"`+strings.ToUpper(pub.ID.String()), 1),
		"unknown field":    strings.Replace(enc, `{"version":1,`, `{"version":1,"extra":1,`, 1),
		"duplicate key":    strings.Replace(enc, `"size":`, `"size":1,"size":`, 1),
		"float":            strings.Replace(enc, `"k":2`, `"k":2.0`, 1),
		"leading zero":     strings.Replace(enc, `"k":2`, `"k":02`, 1),
		"wrong shard_size": strings.Replace(enc, `"shard_size":`, `"shard_size":1`, 1),
		"too few shards":   strings.Replace(enc, `"shards":["`, `"shards":["`+strings.Repeat("0", 64)+`","`, 1),
		"k > n":            strings.Replace(enc, `"k":2`, `"k":5`, 1),
		"bad scheme":       strings.Replace(enc, CodingScheme, "raid6", 1),
		"short id":         strings.Replace(enc, pub.ID.String(), pub.ID.String()[2:], 1),
		"escaped key":      strings.Replace(enc, `"size"`, `"\u0073ize"`, 1),
		"not json":         "manifest",
		"empty":            "",
		"private bad key":  strings.Replace(penc, priv.Encryption.Keys[0], strings.Repeat("A", 176), 1),
		"private salt":     strings.Replace(penc, `"salt":"`, `"salt":"00`, 1),
		"private chunk":    strings.Replace(penc, `"chunk_size":4096`, `"chunk_size":4097`, 1),
		"private scheme":   strings.Replace(penc, EncryptionScheme, "rot13", 1),
		"private no keys":  strings.Replace(penc, `"keys":["`+priv.Encryption.Keys[0]+`","`+priv.Encryption.Keys[1]+`"]`, `"keys":[]`, 1),
		"huge":             enc + strings.Repeat(" ", MaxManifestSize),
	}
	for name, s := range mutations {
		if s == enc || s == penc {
			t.Fatalf("%s: mutation did not apply", name)
		}
		_, err := ParseManifest([]byte(s))
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		if !errors.Is(err, ErrManifest) {
			t.Errorf("%s: %v does not wrap ErrManifest", name, err)
		}
	}
	_, err := ParseManifest([]byte(strings.Replace(enc, `"version":1`, `"version":2`, 1)))
	if err == nil || !strings.Contains(err.Error(), "unsupported version 2") {
		t.Fatalf("version 2: %v", err)
	}
}

// FuzzParseManifest: arbitrary bytes never panic, and whatever parses is
// canonical (re-encodes to the same bytes) and valid.
func FuzzParseManifest(f *testing.F) {
	pub, priv := sampleManifests(f)
	f.Add(pub.Encode())
	f.Add(priv.Encode())
	f.Add([]byte(`{"version":1}`))
	f.Add([]byte(`{"version":2,"id":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		if !bytes.Equal(m.Encode(), b) {
			t.Fatal("accepted a non-canonical manifest")
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted an invalid manifest: %v", err)
		}
		for i := range m.N {
			h := m.ShardHeader(i).Marshal()
			if _, err := ParseShardHeader(h[:]); err != nil {
				t.Fatalf("manifest implies an invalid shard header: %v", err)
			}
		}
	})
}

func TestShardHeader(t *testing.T) {
	h := ShardHeader{Encrypted: true, Index: 5, Layout: Layout{K: 4, N: 6, BlockSize: 1 << 20, Size: 123456789}}
	copy(h.StoredID[:], bytes.Repeat([]byte{0xab}, 32))
	b := h.Marshal()
	got, err := ParseShardHeader(b[:])
	if err != nil || got != h {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	mutate := map[string]func(b []byte){
		"magic":      func(b []byte) { b[0] = 'X' },
		"version":    func(b []byte) { b[4] = 2 },
		"code":       func(b []byte) { b[5] = 9 },
		"flags":      func(b []byte) { b[6] = 3 },
		"reserved7":  func(b []byte) { b[7] = 1 },
		"reserved14": func(b []byte) { b[15] = 1 },
		"reserved20": func(b []byte) { b[23] = 1 },
		"k=0":        func(b []byte) { b[9] = 0 },
		"n<k":        func(b []byte) { b[11] = 3 },
		"n>256":      func(b []byte) { b[10] = 2 },
		"index>=n":   func(b []byte) { b[13] = 6 },
		"block":      func(b []byte) { b[19] = 1 },
		"size":       func(b []byte) { b[24] = 0xff },
	}
	for name, f := range mutate {
		c := b
		f(c[:])
		if _, err := ParseShardHeader(c[:]); !errors.Is(err, ErrShardHeader) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if _, err := ParseShardHeader(b[:63]); err == nil {
		t.Error("short header accepted")
	}
}

// FuzzParseShardHeader: no panics; whatever parses re-marshals identically.
func FuzzParseShardHeader(f *testing.F) {
	h := ShardHeader{Index: 1, Layout: Layout{K: 2, N: 3, BlockSize: 4096, Size: 10}}
	b := h.Marshal()
	f.Add(b[:])
	f.Add(make([]byte, HeaderSize))
	f.Fuzz(func(t *testing.T, in []byte) {
		h, err := ParseShardHeader(in)
		if err != nil {
			return
		}
		out := h.Marshal()
		if !bytes.Equal(out[:], in[:HeaderSize]) {
			t.Fatalf("header %x re-marshals as %x", in[:HeaderSize], out)
		}
	})
}
