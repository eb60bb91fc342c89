package natives

import (
	"bytes"
	"testing"
)

// The signature natives read keys and signatures that any transaction can
// pass: whatever the bytes, they answer (or report a parse error), never
// panic, and never accept what does not verify.

func FuzzEd25519(f *testing.F) {
	f.Add([]byte{}, []byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 64), bytes.Repeat([]byte{0xff}, 32), []byte("m"))
	f.Add(append([]byte{1}, make([]byte, 63)...), append([]byte{1}, make([]byte, 31)...), []byte{})
	f.Fuzz(func(t *testing.T, sig, pk, msg []byte) {
		if Ed25519VerifyStrict(sig, pk, msg) && !Ed25519ValidPublicKey(pk) {
			t.Fatal("a signature verified under an invalid key")
		}
		pk33 := append(pk, 1)
		if MultiEd25519VerifyStrict(append(sig, 0x80, 0, 0, 0), pk33, msg) && len(pk) != 32 {
			t.Fatal("a multi-signature verified under a malformed key")
		}
	})
}

func FuzzSecp256k1Recover(f *testing.F) {
	f.Add(make([]byte, 32), uint8(0), make([]byte, 64))
	f.Add(bytes.Repeat([]byte{0xff}, 32), uint8(3), bytes.Repeat([]byte{0xff}, 64))
	f.Fuzz(func(t *testing.T, msg []byte, id uint8, sig []byte) {
		pk, ok, perr := Secp256k1Recover(msg, id, sig)
		if ok && (perr || len(pk) != 64) {
			t.Fatalf("recovered %x with parse error %v", pk, perr)
		}
		if perr && (len(msg) == 32 && id <= 3 && len(sig) == 64) && ok {
			t.Fatal("both a key and a parse error")
		}
	})
}

func FuzzBLS(f *testing.F) {
	f.Add(make([]byte, 96), make([]byte, 48), []byte("m"))
	f.Add(append([]byte{0xc0}, make([]byte, 95)...), append([]byte{0xc0}, make([]byte, 47)...), []byte{})
	f.Fuzz(func(t *testing.T, sig, pk, msg []byte) {
		if BLSVerify(sig, pk, msg) && !BLSValidPublicKey(pk) {
			t.Fatal("a signature verified under an invalid key")
		}
		BLSVerifyPoP(pk, sig)
		BLSVerifyAggregate(sig, [][]byte{pk, pk}, [][]byte{msg, msg})
		if agg, ok := BLSAggregatePublicKeys([][]byte{pk}); ok && !BLSValidPublicKey(agg) && BLSValidPublicKey(pk) {
			t.Fatal("the sum of one valid key is invalid")
		}
		BLSAggregateSignatures([][]byte{sig, sig})
	})
}
