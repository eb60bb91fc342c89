package natives

import (
	"crypto/ed25519"
	"crypto/rand"
	"math/bits"

	"filippo.io/edwards25519"
	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	secpecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// Signature natives of aptos_std: ed25519, multi_ed25519 and secp256k1,
// with the acceptance rules of the Aptos natives. The cryptography is
// crypto/ed25519 and the decred secp256k1 package; edwards25519 only
// decodes points for the small-order checks Aptos makes.

const (
	multiEd25519MaxKeys   = 32
	multiEd25519BitmapLen = 4
	secp256k1Deserialize  = 0x01_0001 // NFE_DESERIALIZE, invalid_argument(1)
)

// edPoint decodes a 32-byte Edwards point, accepting what curve25519-dalek's
// decompression accepts (also non-canonical encodings of valid points).
func edPoint(b []byte) (*edwards25519.Point, bool) {
	if len(b) != ed25519.PublicKeySize {
		return nil, false
	}
	p, err := new(edwards25519.Point).SetBytes(b)
	return p, err == nil
}

func smallOrder(p *edwards25519.Point) bool {
	return new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1
}

// Ed25519ValidPublicKey is ed25519::public_key_validate_internal: a point on
// the curve that is not of small order. A wrong length is false, as on
// Aptos with ED25519_PUBKEY_VALIDATE_RETURN_FALSE_WRONG_LENGTH (a default
// flag).
func Ed25519ValidPublicKey(pk []byte) bool {
	p, ok := edPoint(pk)
	return ok && !smallOrder(p)
}

// Ed25519VerifyStrict is Aptos's strict Ed25519 verification: S canonical,
// neither the key nor R of small order, and the cofactorless equation.
func Ed25519VerifyStrict(sig, pk, msg []byte) bool {
	if len(sig) != ed25519.SignatureSize || len(pk) != ed25519.PublicKeySize {
		return false
	}
	a, ok := edPoint(pk)
	if !ok || smallOrder(a) {
		return false
	}
	r, ok := edPoint(sig[:32])
	if !ok || smallOrder(r) {
		return false
	}
	// crypto/ed25519 rejects a non-canonical S and checks [S]B = R + [k]A.
	return ed25519.Verify(ed25519.PublicKey(pk), msg, sig)
}

// multiEd25519Threshold checks the t-of-n encoding of a MultiEd25519 public
// key (n 32-byte keys, then the threshold byte) and returns t and n.
func multiEd25519Threshold(pk []byte) (t, n int, ok bool) {
	if len(pk) == 0 || len(pk)%ed25519.PublicKeySize != 1 {
		return 0, 0, false
	}
	n = len(pk) / ed25519.PublicKeySize
	t = int(pk[len(pk)-1])
	if n == 0 || n > multiEd25519MaxKeys || t == 0 || t > n {
		return 0, 0, false
	}
	return t, n, true
}

// validSubKeys reports whether every whole 32-byte chunk of pk is a valid
// Ed25519 public key (the trailing threshold byte is not a chunk).
func validSubKeys(pk []byte) bool {
	for i := 0; i+ed25519.PublicKeySize <= len(pk); i += ed25519.PublicKeySize {
		if !Ed25519ValidPublicKey(pk[i : i+ed25519.PublicKeySize]) {
			return false
		}
	}
	return true
}

// MultiEd25519VerifyStrict verifies a MultiEd25519 signature (k 64-byte
// signatures, then a 4-byte bitmap of the signers, most significant bit
// first) against a t-of-n key: the bitmap holds k bits, at least t, none
// past the last key, and each signature verifies strictly against its
// signer's key.
func MultiEd25519VerifyStrict(sig, pk, msg []byte) bool {
	t, n, ok := multiEd25519Threshold(pk)
	if !ok {
		return false
	}
	for i := 0; i < n; i++ {
		if _, ok := edPoint(pk[32*i : 32*i+32]); !ok {
			return false
		}
	}
	k := len(sig) / ed25519.SignatureSize
	if k == 0 || k > multiEd25519MaxKeys || len(sig)%ed25519.SignatureSize != multiEd25519BitmapLen {
		return false
	}
	bitmap := sig[len(sig)-multiEd25519BitmapLen:]
	ones := 0
	for _, b := range bitmap {
		ones += bits.OnesCount8(b)
	}
	if ones != k || ones < t {
		return false
	}
	j := 0
	for i := 0; i < 8*multiEd25519BitmapLen; i++ {
		if bitmap[i/8]&(0x80>>(i%8)) == 0 {
			continue
		}
		if i >= n || !Ed25519VerifyStrict(sig[64*j:64*j+64], pk[32*i:32*i+32], msg) {
			return false
		}
		j++
	}
	return true
}

// Secp256k1Recover is secp256k1::ecdsa_recover_internal: the 64-byte public
// key (X || Y) that signed the 32-byte message digest, or false. Inputs that
// do not parse (a message that is not 32 bytes, a recovery id above 3, a
// signature that is not 64 bytes or whose r or s is not below the group
// order) are errors, which the native turns into an abort as Aptos does.
func Secp256k1Recover(msg []byte, recoveryID uint8, sig []byte) (pk []byte, ok bool, parseErr bool) {
	if len(msg) != 32 || recoveryID > 3 || len(sig) != 64 {
		return nil, false, true
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
		return nil, false, true
	}
	if r.IsZero() || s.IsZero() {
		return nil, false, false
	}
	compact := make([]byte, 65)
	compact[0] = 27 + recoveryID
	copy(compact[1:], sig)
	key, _, err := secpecdsa.RecoverCompact(compact, msg)
	if err != nil {
		return nil, false, false
	}
	return key.SerializeUncompressed()[1:], true, false
}

func registerCrypto(n *vm.Natives) {
	n.RegisterAll(core, "ed25519", chargeCrypto("ed25519", map[string]vm.NativeFunc{
		"public_key_validate_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(vm.Bool(Ed25519ValidPublicKey(a[0].AsBytes())))
		},
		"signature_verify_strict_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(vm.Bool(Ed25519VerifyStrict(a[0].AsBytes(), a[1].AsBytes(), a[2].AsBytes())))
		},
		// Test-only natives.
		"generate_keys_internal": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return nil, c.Errorf("generate an Ed25519 key: %v", err)
			}
			return []vm.Value{vm.Bytes(priv.Seed()), vm.Bytes(pub)}, nil
		},
		"sign_internal": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			seed := a[0].AsBytes()
			if len(seed) != ed25519.SeedSize {
				return nil, c.Errorf("an Ed25519 secret key has %d bytes, not %d", ed25519.SeedSize, len(seed))
			}
			return one(vm.Bytes(ed25519.Sign(ed25519.NewKeyFromSeed(seed), a[1].AsBytes())))
		},
	}))
	n.RegisterAll(core, "multi_ed25519", chargeCrypto("multi_ed25519", map[string]vm.NativeFunc{
		// v1 (deprecated on Aptos): whole chunks only, no threshold check.
		"public_key_validate_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			pk := a[0].AsBytes()
			return one(vm.Bool(len(pk)/ed25519.PublicKeySize <= multiEd25519MaxKeys && validSubKeys(pk)))
		},
		"public_key_validate_v2_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			pk := a[0].AsBytes()
			_, _, ok := multiEd25519Threshold(pk)
			return one(vm.Bool(ok && validSubKeys(pk)))
		},
		"signature_verify_strict_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(vm.Bool(MultiEd25519VerifyStrict(a[0].AsBytes(), a[1].AsBytes(), a[2].AsBytes())))
		},
		// Test-only: n fresh keys; the secret key is the n seeds then t.
		"generate_keys_internal": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			t, n := uint8(a[0].AsU64()), int(a[1].AsU64())
			if t == 0 || int(t) > n || n > multiEd25519MaxKeys {
				return nil, c.Errorf("no %d-of-%d MultiEd25519 key", t, n)
			}
			var sk, pk []byte
			for i := 0; i < n; i++ {
				pub, priv, err := ed25519.GenerateKey(rand.Reader)
				if err != nil {
					return nil, c.Errorf("generate an Ed25519 key: %v", err)
				}
				sk, pk = append(sk, priv.Seed()...), append(pk, pub...)
			}
			return []vm.Value{vm.Bytes(append(sk, t)), vm.Bytes(append(pk, t))}, nil
		},
		// Test-only: the first t keys sign.
		"sign_internal": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			sk, msg := a[0].AsBytes(), a[1].AsBytes()
			t, n, ok := multiEd25519Threshold(sk)
			if !ok {
				return nil, c.Errorf("malformed MultiEd25519 secret key")
			}
			_ = n
			var sig []byte
			bitmap := make([]byte, multiEd25519BitmapLen)
			for i := 0; i < t; i++ {
				sig = append(sig, ed25519.Sign(ed25519.NewKeyFromSeed(sk[32*i:32*i+32]), msg)...)
				bitmap[i/8] |= 0x80 >> (i % 8)
			}
			return one(vm.Bytes(append(sig, bitmap...)))
		},
	}))
	n.Register(core, "secp256k1", "ecdsa_recover_internal", charged(cryptoCosts["secp256k1::ecdsa_recover_internal"], func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		pk, ok, parseErr := Secp256k1Recover(a[0].AsBytes(), uint8(a[1].AsU64()), a[2].AsBytes())
		if parseErr {
			return nil, c.Abort(secp256k1Deserialize)
		}
		return []vm.Value{vm.Bytes(pk), vm.Bool(ok)}, nil
	}))
}
