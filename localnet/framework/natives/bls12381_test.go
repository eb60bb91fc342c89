package natives

import (
	"encoding/hex"
	"testing"

	bls "github.com/cloudflare/circl/ecc/bls12381"
)

// Vectors of Aptos's own bls12381 tests, made by aptos-crypto (blst): the
// key and signature must come out byte for byte, which pins the
// ciphersuite (hash-to-curve, domain separation tag, encodings).
func TestBLSVectors(t *testing.T) {
	sk, ok := blsSecretKey(unhex(t, "077c8a56f26259215a4a245373ab6ddf328ac6e00e5ea38d8700efa361bdc58d"))
	if !ok {
		t.Fatal("secret key refused")
	}
	pk := new(bls.G1)
	pk.ScalarMult(sk, bls.G1Generator())
	const wantPK = "94209a296b739577cb076d3bfb1ca8ee936f29b69b7dae436118c4dd1cc26fd43dcd16249476a006b8b949bf022a7858"
	if got := hex.EncodeToString(pk.BytesCompressed()); got != wantPK {
		t.Fatalf("public key %s, want %s", got, wantPK)
	}
	const wantSig = "b01ce4632e94d8c611736e96aa2ad8e0528a02f927a81a92db8047b002a8c71dc2d6bfb94729d0973790c10b6ece446817e4b7543afd7ca9a17c75de301ae835d66231c26a003f11ae26802b98d90869a9e73788c38739f7ac9d52659e1f7cf7"
	sig := blsSign(sk, []byte("Hello Aptos!"), blsSigDST)
	if got := hex.EncodeToString(sig); got != wantSig {
		t.Fatalf("signature %s, want %s", got, wantSig)
	}
	if !BLSVerify(sig, pk.BytesCompressed(), []byte("Hello Aptos!")) || BLSVerify(sig, pk.BytesCompressed(), []byte("Hello")) {
		t.Fatal("verification")
	}
	// A proof of possession is a signature under another tag: it is not a
	// signature of the key's bytes under the signing tag.
	pop := blsSign(sk, pk.BytesCompressed(), blsPopDST)
	if !BLSVerifyPoP(pk.BytesCompressed(), pop) || BLSVerify(pop, pk.BytesCompressed(), pk.BytesCompressed()) {
		t.Fatal("proof of possession")
	}
	sum, ok := BLSAggregatePublicKeys([][]byte{
		unhex(t, "92e201a806af246f805f460fbdc6fc90dd16a18d6accc236e85d3578671d6f6690dde22134d19596c58ce9d63252410a"),
		unhex(t, "ab9df801c6f96ade1c0490c938c87d5bcc2e52ccb8768e1b5d14197c5e8bfa562783b96711b702dda411a1a9f08ebbfa"),
	})
	if !ok || hex.EncodeToString(sum) != "b79ad47abb441d7eda9b220a626df2e4e4910738c5f777947f0213398ecafae044ec0c20d552d1348347e9abfcf3eca1" {
		t.Fatalf("aggregate key %x", sum)
	}
	if _, ok := BLSAggregatePublicKeys(nil); ok {
		t.Fatal("empty aggregation succeeded")
	}
	// Small-order points are not keys.
	if BLSValidPublicKey(unhex(t, "ae3cd9403b69c20a0d455fd860e977fe6ee7140a7f091f26c860f2caccd3e0a7a7365798ac10df776675b3a67db8faa0")) {
		t.Fatal("small-order key valid")
	}
}
