package natives

import (
	"crypto/rand"

	bls "github.com/cloudflare/circl/ecc/bls12381"

	"github.com/agi-nostr/agi-nostr/localnet/move/vm"
)

// BLS signatures over BLS12-381 as aptos_std::bls12381 uses them: the
// minimal-public-key variant (public keys in G1, 48 bytes compressed;
// signatures and proofs of possession in G2, 96 bytes) of the IETF BLS
// signature draft's proof-of-possession scheme. The curve, the pairing and
// hash-to-curve are Cloudflare's circl; this file only states the scheme's
// equations over them.

// Domain separation tags of the proof-of-possession ciphersuite.
var (
	blsSigDST = []byte("BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_")
	blsPopDST = []byte("BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_")
)

// blsPublicKey decodes a compressed or uncompressed G1 point. circl also
// checks prime-order subgroup membership here, which Aptos does only where
// it validates a key; a point outside the subgroup is refused either way
// wherever it would matter.
func blsPublicKey(b []byte) (*bls.G1, bool) {
	p := new(bls.G1)
	return p, p.SetBytes(b) == nil
}

func blsSignature(b []byte) (*bls.G2, bool) {
	p := new(bls.G2)
	return p, p.SetBytes(b) == nil
}

// BLSValidPublicKey is bls12381::validate_pubkey_internal: a G1 point of the
// prime-order subgroup, not the identity.
func BLSValidPublicKey(pk []byte) bool {
	p, ok := blsPublicKey(pk)
	return ok && !p.IsIdentity()
}

// blsVerify checks e(pk, H(msg)) = e(g1, sig) for a signature or proof of
// possession, whose subgroup membership SetBytes has checked.
func blsVerify(sig *bls.G2, pk *bls.G1, msg, dst []byte) bool {
	h := new(bls.G2)
	h.Hash(msg, dst)
	return bls.ProdPairFrac([]*bls.G1{pk, bls.G1Generator()}, []*bls.G2{h, sig}, []int{1, -1}).IsIdentity()
}

// BLSVerify verifies a signature on msg under a (possibly aggregated) key.
// Aptos checks the key's subgroup membership only for normal signatures;
// circl checks it for every key it decodes, which gives the same answers
// for keys that came with a proof of possession.
func BLSVerify(sig, pk, msg []byte) bool {
	// The identity is never a key (blst refuses it when verifying, even
	// where the key is not otherwise validated).
	p, ok := blsPublicKey(pk)
	if !ok || p.IsIdentity() {
		return false
	}
	s, ok := blsSignature(sig)
	return ok && blsVerify(s, p, msg, blsSigDST)
}

// BLSVerifyPoP verifies a proof of possession: a signature on the key's
// own 48-byte encoding under the PoP tag, with the key validated.
func BLSVerifyPoP(pk, pop []byte) bool {
	p, ok := blsPublicKey(pk)
	if !ok || p.IsIdentity() {
		return false
	}
	s, ok := blsSignature(pop)
	return ok && blsVerify(s, p, p.BytesCompressed(), blsPopDST)
}

// BLSVerifyAggregate verifies an aggregate signature on msgs[i] by pks[i]:
// the product of e(pk_i, H(m_i)) equals e(g1, sig).
func BLSVerifyAggregate(sig []byte, pks, msgs [][]byte) bool {
	if len(pks) != len(msgs) {
		return false
	}
	s, ok := blsSignature(sig)
	if !ok {
		return false
	}
	g1s := make([]*bls.G1, 0, len(pks)+1)
	g2s := make([]*bls.G2, 0, len(pks)+1)
	signs := make([]int, 0, len(pks)+1)
	for i, b := range pks {
		p, ok := blsPublicKey(b)
		if !ok || p.IsIdentity() {
			return false
		}
		h := new(bls.G2)
		h.Hash(msgs[i], blsSigDST)
		g1s, g2s, signs = append(g1s, p), append(g2s, h), append(signs, 1)
	}
	g1s, g2s, signs = append(g1s, bls.G1Generator()), append(g2s, s), append(signs, -1)
	return bls.ProdPairFrac(g1s, g2s, signs).IsIdentity()
}

// BLSAggregatePublicKeys adds G1 points; false for none or one that does not decode.
func BLSAggregatePublicKeys(pks [][]byte) ([]byte, bool) {
	if len(pks) == 0 {
		return nil, false
	}
	sum := new(bls.G1)
	sum.SetIdentity()
	for _, b := range pks {
		p, ok := blsPublicKey(b)
		if !ok {
			return nil, false
		}
		sum.Add(sum, p)
	}
	return sum.BytesCompressed(), true
}

// BLSAggregateSignatures adds G2 points; false for none or one that does not decode.
func BLSAggregateSignatures(sigs [][]byte) ([]byte, bool) {
	if len(sigs) == 0 {
		return nil, false
	}
	sum := new(bls.G2)
	sum.SetIdentity()
	for _, b := range sigs {
		s, ok := blsSignature(b)
		if !ok {
			return nil, false
		}
		sum.Add(sum, s)
	}
	return sum.BytesCompressed(), true
}

// blsSecretKey decodes a 32-byte big-endian secret scalar (below the group order).
func blsSecretKey(b []byte) (*bls.Scalar, bool) {
	k := new(bls.Scalar)
	return k, len(b) == bls.ScalarSize && k.UnmarshalBinary(b) == nil
}

func blsSign(sk *bls.Scalar, msg, dst []byte) []byte {
	h := new(bls.G2)
	h.Hash(msg, dst)
	sig := new(bls.G2)
	sig.ScalarMult(sk, h)
	return sig.BytesCompressed()
}

// bytesFields reads the `bytes` field of each struct in a vector (the
// key and signature wrappers of aptos_std::bls12381).
func bytesFields(v vm.Value) [][]byte {
	elems := v.AsVector().Elems
	out := make([][]byte, len(elems))
	for i, e := range elems {
		out[i] = e.AsStruct().Fields[0].AsBytes()
	}
	return out
}

func registerBLS(n *vm.Natives) {
	boolFn := func(f func(a []vm.Value) bool) vm.NativeFunc {
		return func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return one(vm.Bool(f(a)))
		}
	}
	pair := func(b []byte, ok bool) ([]vm.Value, error) { return []vm.Value{vm.Bytes(b), vm.Bool(ok)}, nil }
	n.RegisterAll(core, "bls12381", chargeCrypto("bls12381", map[string]vm.NativeFunc{
		"aggregate_pubkeys_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return pair(BLSAggregatePublicKeys(bytesFields(a[0])))
		},
		"aggregate_signatures_internal": func(_ *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			return pair(BLSAggregateSignatures(bytesFields(a[0])))
		},
		"validate_pubkey_internal": boolFn(func(a []vm.Value) bool { return BLSValidPublicKey(a[0].AsBytes()) }),
		"signature_subgroup_check_internal": boolFn(func(a []vm.Value) bool {
			_, ok := blsSignature(a[0].AsBytes())
			return ok
		}),
		"verify_aggregate_signature_internal": boolFn(func(a []vm.Value) bool {
			var msgs [][]byte
			for _, m := range a[2].AsVector().Elems {
				msgs = append(msgs, m.AsBytes())
			}
			return BLSVerifyAggregate(a[0].AsBytes(), bytesFields(a[1]), msgs)
		}),
		"verify_multisignature_internal": boolFn(func(a []vm.Value) bool {
			return BLSVerify(a[0].AsBytes(), a[1].AsBytes(), a[2].AsBytes())
		}),
		"verify_normal_signature_internal": boolFn(func(a []vm.Value) bool {
			return BLSVerify(a[0].AsBytes(), a[1].AsBytes(), a[2].AsBytes())
		}),
		"verify_signature_share_internal": boolFn(func(a []vm.Value) bool {
			return BLSVerify(a[0].AsBytes(), a[1].AsBytes(), a[2].AsBytes())
		}),
		"verify_proof_of_possession_internal": boolFn(func(a []vm.Value) bool {
			return BLSVerifyPoP(a[0].AsBytes(), a[1].AsBytes())
		}),
		// Test-only natives.
		"generate_keys_internal": func(c *vm.NativeContext, _ []*vm.Type, _ []vm.Value) ([]vm.Value, error) {
			sk := new(bls.Scalar)
			if err := sk.Random(rand.Reader); err != nil {
				return nil, c.Errorf("generate a BLS key: %v", err)
			}
			pk := new(bls.G1)
			pk.ScalarMult(sk, bls.G1Generator())
			skb, _ := sk.MarshalBinary()
			return []vm.Value{vm.Bytes(skb), vm.Bytes(pk.BytesCompressed())}, nil
		},
		"sign_internal": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			sk, ok := blsSecretKey(a[0].AsBytes())
			if !ok {
				return nil, c.Errorf("malformed BLS secret key")
			}
			return one(vm.Bytes(blsSign(sk, a[1].AsBytes(), blsSigDST)))
		},
		"generate_proof_of_possession_internal": func(c *vm.NativeContext, _ []*vm.Type, a []vm.Value) ([]vm.Value, error) {
			sk, ok := blsSecretKey(a[0].AsBytes())
			if !ok {
				return nil, c.Errorf("malformed BLS secret key")
			}
			pk := new(bls.G1)
			pk.ScalarMult(sk, bls.G1Generator())
			return one(vm.Bytes(blsSign(sk, pk.BytesCompressed(), blsPopDST)))
		},
	}))
}
