package natives

import "github.com/agi-nostr/agi-nostr/localnet/move/vm"

// Costs of the signature natives in Aptos internal gas units, Aptos's
// published values (aptos-gas-schedule, aptos_framework natives): a
// verification costs what it costs on Aptos, so a transaction cannot make
// the node do much cryptography for little gas.
const (
	gasEd25519Base         = 551
	gasEd25519PubkeyDeser  = 139688
	gasEd25519SmallOrder   = 23342
	gasEd25519SigDeser     = 1378
	gasEd25519StrictVerify = 981492
	gasEd25519MsgHashBase  = 11910
	gasEd25519MsgHashByte  = 220
	gasSecp256k1Base       = 551
	gasSecp256k1Recover    = 5918360
	gasBLSBase             = 551
	gasBLSPubkeyDeser      = 400684
	gasBLSPubkeyAggregate  = 15439
	gasBLSPubkeySubgroup   = 1360120
	gasBLSSigDeser         = 816072
	gasBLSSigAggregate     = 42825
	gasBLSSigSubgroup      = 1692798
	gasBLSSigVerify        = 31190860
	gasBLSPopVerify        = 37862800
	gasBLSPairing          = 14751788
	gasBLSMsgHash          = 5661040
	gasBLSByteHash         = 183
)

// ed25519VerifyCost is one strict verification of a message of n bytes.
func ed25519VerifyCost(n int) uint64 {
	return gasEd25519SigDeser + gasEd25519StrictVerify + gasEd25519MsgHashBase + gasEd25519MsgHashByte*uint64(n)
}

// charged wraps a native with a cost computed from its arguments.
func charged(cost func(a []vm.Value) uint64, f vm.NativeFunc) vm.NativeFunc {
	return func(c *vm.NativeContext, t []*vm.Type, a []vm.Value) ([]vm.Value, error) {
		if err := c.ChargeInternal(cost(a)); err != nil {
			return nil, err
		}
		return f(c, t, a)
	}
}

// Cost functions by native, as Aptos charges them (the full cost, also when
// an input fails to decode early).
var cryptoCosts = map[string]func(a []vm.Value) uint64{
	"ed25519::public_key_validate_internal": func([]vm.Value) uint64 {
		return gasEd25519Base + gasEd25519PubkeyDeser + gasEd25519SmallOrder
	},
	"ed25519::signature_verify_strict_internal": func(a []vm.Value) uint64 {
		return gasEd25519Base + gasEd25519PubkeyDeser + ed25519VerifyCost(len(a[2].AsBytes()))
	},
	"multi_ed25519::public_key_validate_internal": func(a []vm.Value) uint64 {
		return gasEd25519Base + (gasEd25519PubkeyDeser+gasEd25519SmallOrder)*uint64(len(a[0].AsBytes())/32)
	},
	"multi_ed25519::public_key_validate_v2_internal": func(a []vm.Value) uint64 {
		return gasEd25519Base + (gasEd25519PubkeyDeser+gasEd25519SmallOrder)*uint64(len(a[0].AsBytes())/32)
	},
	"multi_ed25519::signature_verify_strict_internal": func(a []vm.Value) uint64 {
		k := uint64(len(a[0].AsBytes()) / 64)
		return gasEd25519Base + gasEd25519PubkeyDeser*uint64(len(a[1].AsBytes())/32) + ed25519VerifyCost(len(a[2].AsBytes()))*k
	},
	"secp256k1::ecdsa_recover_internal": func([]vm.Value) uint64 { return gasSecp256k1Base + gasSecp256k1Recover },
	"bls12381::aggregate_pubkeys_internal": func(a []vm.Value) uint64 {
		return gasBLSBase + (gasBLSPubkeyDeser+gasBLSPubkeyAggregate)*uint64(len(a[0].AsVector().Elems))
	},
	"bls12381::aggregate_signatures_internal": func(a []vm.Value) uint64 {
		return gasBLSBase + (gasBLSSigDeser+gasBLSSigAggregate)*uint64(len(a[0].AsVector().Elems))
	},
	"bls12381::validate_pubkey_internal": func([]vm.Value) uint64 {
		return gasBLSBase + gasBLSPubkeyDeser + gasBLSPubkeySubgroup
	},
	"bls12381::signature_subgroup_check_internal": func([]vm.Value) uint64 {
		return gasBLSBase + gasBLSSigDeser + gasBLSSigSubgroup
	},
	"bls12381::verify_aggregate_signature_internal": func(a []vm.Value) uint64 {
		n := uint64(len(a[2].AsVector().Elems))
		var bytes uint64
		for _, m := range a[2].AsVector().Elems {
			bytes += uint64(len(m.AsBytes()))
		}
		return gasBLSBase + gasBLSPubkeyDeser*uint64(len(a[1].AsVector().Elems)) + gasBLSSigDeser +
			gasBLSPairing*(n+1) + gasBLSMsgHash*n + gasBLSByteHash*bytes
	},
	"bls12381::verify_multisignature_internal":   blsVerifyCost(false),
	"bls12381::verify_normal_signature_internal": blsVerifyCost(true),
	"bls12381::verify_signature_share_internal":  blsVerifyCost(false),
	"bls12381::verify_proof_of_possession_internal": func([]vm.Value) uint64 {
		return gasBLSBase + gasBLSPubkeyDeser + gasBLSSigDeser + gasBLSPopVerify
	},
}

func blsVerifyCost(subgroup bool) func(a []vm.Value) uint64 {
	return func(a []vm.Value) uint64 {
		c := gasBLSBase + gasBLSPubkeyDeser + gasBLSSigDeser + gasBLSSigVerify + gasBLSMsgHash + gasBLSByteHash*uint64(len(a[2].AsBytes()))
		if subgroup {
			c += gasBLSPubkeySubgroup
		}
		return c
	}
}

// chargeCrypto wraps the registered signature natives with their costs.
func chargeCrypto(module string, fns map[string]vm.NativeFunc) map[string]vm.NativeFunc {
	for name, f := range fns {
		if cost, ok := cryptoCosts[module+"::"+name]; ok {
			fns[name] = charged(cost, f)
		}
	}
	return fns
}
