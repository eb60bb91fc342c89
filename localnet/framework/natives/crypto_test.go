package natives

import (
	"crypto/ed25519"
	"encoding/hex"
	"math/big"
	"testing"

	"filippo.io/edwards25519"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// RFC 8032, section 7.1, test 1.
const (
	rfcPK  = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
	rfcSig = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
)

func TestEd25519Strict(t *testing.T) {
	pk, sig := unhex(t, rfcPK), unhex(t, rfcSig)
	if !Ed25519VerifyStrict(sig, pk, nil) || !Ed25519ValidPublicKey(pk) {
		t.Fatal("RFC 8032 vector rejected")
	}
	// S + L: the same point equation, a malleated encoding.
	s := new(big.Int).SetBytes(reverse(sig[32:]))
	l, _ := new(big.Int).SetString("7237005577332262213973186563042994240857116359379907606001950938285454250989", 10)
	mal := append(append([]byte{}, sig[:32]...), reverse(s.Add(s, l).FillBytes(make([]byte, 32)))...)
	if Ed25519VerifyStrict(mal, pk, nil) {
		t.Fatal("malleated S accepted")
	}
	identity := make([]byte, 32)
	identity[0] = 1
	if Ed25519ValidPublicKey(identity) || Ed25519ValidPublicKey(pk[:31]) {
		t.Fatal("small-order or short key valid")
	}
	// Under the identity key, R = [S]B satisfies the cofactorless
	// equation for any message: Go's plain Verify accepts such a
	// signature, strict verification must not.
	forged := append(edwards25519.NewGeneratorPoint().Bytes(), append([]byte{1}, make([]byte, 31)...)...) // R = B, S = 1
	if !ed25519.Verify(identity, []byte("any"), forged) {
		t.Fatal("the forgery does not pass the plain equation; the check below would prove nothing")
	}
	if Ed25519VerifyStrict(forged, identity, []byte("any")) {
		t.Fatal("signature under the identity key accepted")
	}
	// A signature whose R is of small order is refused.
	bad := append(append([]byte{}, identity...), sig[32:]...)
	if Ed25519VerifyStrict(bad, pk, nil) {
		t.Fatal("small-order R accepted")
	}
}

func reverse(b []byte) []byte {
	out := make([]byte, len(b))
	for i := range b {
		out[len(b)-1-i] = b[i]
	}
	return out
}

func TestMultiEd25519(t *testing.T) {
	var seeds [3][]byte
	var pk []byte
	for i := range seeds {
		seeds[i] = make([]byte, 32)
		seeds[i][0] = byte(i + 1)
		pk = append(pk, ed25519.NewKeyFromSeed(seeds[i]).Public().(ed25519.PublicKey)...)
	}
	pk = append(pk, 2) // 2 of 3
	msg := []byte("multi")
	sign := func(signers ...int) []byte {
		var sig []byte
		bitmap := make([]byte, 4)
		for _, i := range signers {
			sig = append(sig, ed25519.Sign(ed25519.NewKeyFromSeed(seeds[i]), msg)...)
			bitmap[i/8] |= 0x80 >> (i % 8)
		}
		return append(sig, bitmap...)
	}
	if !MultiEd25519VerifyStrict(sign(0, 2), pk, msg) || !MultiEd25519VerifyStrict(sign(0, 1, 2), pk, msg) {
		t.Fatal("valid multi-signature rejected")
	}
	if MultiEd25519VerifyStrict(sign(1), pk, msg) {
		t.Fatal("threshold not met, accepted")
	}
	// Signatures in the wrong bitmap positions, and a bit past the last key.
	sig := sign(0, 2)
	sig[len(sig)-4] = 0xc0
	if MultiEd25519VerifyStrict(sig, pk, msg) {
		t.Fatal("signatures matched to the wrong keys")
	}
	sig = sign(0, 2)
	sig[len(sig)-4], sig[len(sig)-1] = 0x80, 0x01
	if MultiEd25519VerifyStrict(sig, pk, msg) {
		t.Fatal("bitmap past the last key accepted")
	}
	if _, _, ok := multiEd25519Threshold(append(pk[:len(pk)-1], 4)); ok {
		t.Fatal("threshold above n accepted")
	}
}

func TestSecp256k1Recover(t *testing.T) {
	// A signature made by the same library's signer recovers its key.
	sk := secp256k1.PrivKeyFromBytes(unhex(t, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
	msg := make([]byte, 32)
	msg[31] = 7
	compact := secpecdsa.SignCompact(sk, msg, false) // [27 + id] || r || s
	pk, ok, perr := Secp256k1Recover(msg, compact[0]-27, compact[1:])
	if perr || !ok || hex.EncodeToString(pk) != hex.EncodeToString(sk.PubKey().SerializeUncompressed()[1:]) {
		t.Fatalf("recovered %x ok=%v parse error=%v", pk, ok, perr)
	}
	if _, _, perr := Secp256k1Recover(msg[:31], 0, compact[1:]); !perr {
		t.Fatal("a 31-byte message parsed")
	}
	if _, _, perr := Secp256k1Recover(msg, 4, compact[1:]); !perr {
		t.Fatal("recovery id 4 parsed")
	}
	over := append(append([]byte{}, compact[1:33]...), make([]byte, 32)...)
	for i := 32; i < 64; i++ {
		over[i] = 0xff
	}
	if _, _, perr := Secp256k1Recover(msg, 0, over); !perr {
		t.Fatal("s above the group order parsed")
	}
	zero := append(make([]byte, 32), compact[33:]...)
	if _, ok, perr := Secp256k1Recover(msg, 0, zero); ok || perr {
		t.Fatalf("r = 0: ok=%v parse error=%v", ok, perr)
	}
}
