package objcrypt

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/nbd-wtf/go-nostr/nip19"
)

func seq(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func testKey() (DataKey, [SaltSize]byte) {
	var k DataKey
	copy(k[:], seq(32))
	var s [SaltSize]byte
	for i := range s {
		s[i] = byte(0xa0 + i)
	}
	return k, s
}

// The vectors published in docs/FORMAT.md, checked against an independent
// HKDF + AES-GCM implementation (Python cryptography 48).
func TestVectors(t *testing.T) {
	key, salt := testKey()
	c, err := NewChunkCipher(key, salt, 4096)
	if err != nil {
		t.Fatal(err)
	}
	got := hex.EncodeToString(c.Seal(nil, []byte("abc"), 0, true))
	if want := "450ec72bba51f07fb8e075bf626f046ff5eaef"; got != want {
		t.Errorf("chunk 0 final of \"abc\" = %s, want %s", got, want)
	}
	got = hex.EncodeToString(c.Seal(nil, []byte("abc"), 1, false))
	if want := "b4c18431a3a482da3360fdc2f3889f49f56410"; got != want {
		t.Errorf("chunk 1 of \"abc\" = %s, want %s", got, want)
	}
	var id, stored [32]byte
	copy(id[:], seq(32))
	stored[0] = 0xff
	sealed, err := SealObject(key, salt, id, 3, stored, 19)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hex.EncodeToString(sealed), "e8b5a07979aa380619213857bfcde5bcec592ce93bcc04715de4d27fa8b41c52c02fff15bab112e5494a23b6a494dac9bfa7509a60222c36"; got != want {
		t.Errorf("sealed = %s, want %s", got, want)
	}
}

func TestChunkAuthentication(t *testing.T) {
	key, salt := testKey()
	c, _ := NewChunkCipher(key, salt, 4096)
	pt := seq(100)
	ct := c.Seal(nil, pt, 7, false)
	if got, err := c.Open(nil, ct, 7, false); err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("round trip: %v", err)
	}
	// Reordered: the same bytes at another index.
	if _, err := c.Open(nil, ct, 8, false); !errors.Is(err, ErrAuth) {
		t.Fatalf("moved chunk opened: %v", err)
	}
	// Truncated: a non-final chunk presented as the last one.
	if _, err := c.Open(nil, ct, 7, true); !errors.Is(err, ErrAuth) {
		t.Fatalf("non-final chunk accepted as final: %v", err)
	}
	// Tampered.
	bad := bytes.Clone(ct)
	bad[3] ^= 1
	if _, err := c.Open(nil, bad, 7, false); !errors.Is(err, ErrAuth) {
		t.Fatalf("tampered chunk opened: %v", err)
	}
	// Another object: same data key but another salt, or another key.
	salt2 := salt
	salt2[0] ^= 1
	c2, _ := NewChunkCipher(key, salt2, 4096)
	if _, err := c2.Open(nil, ct, 7, false); !errors.Is(err, ErrAuth) {
		t.Fatalf("chunk of another object opened: %v", err)
	}
	key2 := key
	key2[31] ^= 1
	c3, _ := NewChunkCipher(key2, salt, 4096)
	if _, err := c3.Open(nil, ct, 7, false); !errors.Is(err, ErrAuth) {
		t.Fatalf("chunk opened with another key: %v", err)
	}
}

func TestSizes(t *testing.T) {
	for _, e := range []uint64{4096, 65536} {
		for _, n := range []uint64{0, 1, e - 1, e, e + 1, 3*e - 5, 10 * e} {
			ct, ok := CiphertextSize(n, e)
			if !ok {
				t.Fatal("overflow")
			}
			if want := n + 16*Chunks(n, e); ct != want {
				t.Fatalf("CiphertextSize(%d) = %d, want %d", n, ct, want)
			}
			back, err := PlaintextSize(ct, e)
			if err != nil || back != n {
				t.Fatalf("PlaintextSize(%d) = %d, %v; want %d", ct, back, err, n)
			}
		}
		for _, bad := range []uint64{0, 15, e + 16 + 1, e + 16 + 15} {
			if _, err := PlaintextSize(bad, e); err == nil {
				t.Fatalf("PlaintextSize(%d) accepted", bad)
			}
		}
	}
	if _, ok := CiphertextSize(^uint64(0)-10, 4096); ok {
		t.Fatal("overflow not reported")
	}
	for _, bad := range []uint64{0, 4095, 4097, 6000, 32 << 20} {
		if CheckChunkSize(bad) == nil {
			t.Fatalf("chunk size %d accepted", bad)
		}
	}
}

func TestPaddedSize(t *testing.T) {
	cases := map[uint64]uint64{0: 0, 1: 1, 2: 2, 3: 3, 7: 7, 8: 8, 9: 10, 100: 104, 1000: 1024, 4097: 4352,
		1 << 20: 1 << 20, 1<<20 + 1: 1<<20 + 1<<15, 1e9: 1006632960}
	for in, want := range cases {
		if got := PaddedSize(in); got != want {
			t.Errorf("PaddedSize(%d) = %d, want %d", in, got, want)
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 10000 {
		n := rng.Uint64N(1 << 50)
		p := PaddedSize(n)
		if p < n || (n > 0 && float64(p-n) > 0.12*float64(n)+1) || PaddedSize(p) != p {
			t.Fatalf("PaddedSize(%d) = %d", n, p)
		}
	}
}

func TestWrap(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{1})
	key, _ := NewDataKey(rng)
	esk, epk, err := NewEphemeralKey(rng)
	if err != nil {
		t.Fatal(err)
	}
	var secrets, publics []string
	for range 3 {
		s, p, err := NewEphemeralKey(rng)
		if err != nil {
			t.Fatal(err)
		}
		secrets, publics = append(secrets, s), append(publics, p)
	}
	wrapped, err := Wrap(key, esk, publics, rng)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range secrets {
		got, err := Unwrap(wrapped, epk, s)
		if err != nil || got != key {
			t.Fatalf("recipient %d: %v", i, err)
		}
	}
	other, _, _ := NewEphemeralKey(rng)
	if _, err := Unwrap(wrapped, epk, other); !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("stranger unwrapped: %v", err)
	}
	if _, err := Wrap(key, esk, nil, rng); err == nil {
		t.Fatal("no recipients accepted")
	}
	if _, err := Wrap(key, esk, []string{strings.Repeat("0", 64)}, rng); err == nil {
		t.Fatal("invalid recipient accepted")
	}
	if key.String() != "objcrypt.DataKey(…)" {
		t.Fatal("key printed")
	}
}

func TestParseKeys(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{2})
	sk, pk, _ := NewEphemeralKey(rng)
	npub, _ := nip19.EncodePublicKey(pk)
	nsec, _ := nip19.EncodePrivateKey(sk)
	for _, in := range []string{pk, strings.ToUpper(pk), npub} {
		if got, err := ParsePublicKey(in); err != nil || got != pk {
			t.Fatalf("ParsePublicKey(%s) = %s, %v", in, got, err)
		}
	}
	for _, in := range []string{sk, nsec, " " + nsec + "\n"} {
		s, p, err := ParseSecretKey(in)
		if err != nil || s != sk || p != pk {
			t.Fatalf("ParseSecretKey(%q) = %s %s %v", in, s, p, err)
		}
	}
	for _, bad := range []string{"", "npub1xyz", nsec, strings.Repeat("g", 64)} {
		if _, err := ParsePublicKey(bad); err == nil {
			t.Errorf("ParsePublicKey(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"", npub, strings.Repeat("0", 64), strings.Repeat("f", 64), "abcd"} {
		if _, _, err := ParseSecretKey(bad); err == nil {
			t.Errorf("ParseSecretKey(%q) accepted", bad)
		}
	}
}
