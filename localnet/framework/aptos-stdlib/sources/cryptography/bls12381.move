/// BLS signatures over BLS12-381 (the minimal-public-key variant of the IETF
/// BLS draft's proof-of-possession scheme, as Aptos validators use it):
/// public keys are 48-byte G1 points, signatures and proofs of possession
/// 96-byte G2 points. Keys that come with a verified proof of possession
/// can be aggregated safely (no rogue-key attack).
module aptos_std::bls12381 {
    use std::error;
    use std::option::{Self, Option};

    /// A signature or aggregate is 96 bytes.
    const SIGNATURE_SIZE: u64 = 96;
    /// A compressed public key is 48 bytes.
    const PUBLIC_KEY_NUM_BYTES: u64 = 48;
    /// No public keys to aggregate (or one that does not decode).
    const EZERO_PUBKEYS: u64 = 1;
    /// Bytes of the wrong size.
    const EWRONG_SIZE: u64 = 2;
    /// As many signers as messages are needed.
    const E_NUM_SIGNERS_MUST_EQ_NUM_MESSAGES: u64 = 3;

    #[test_only]
    /// A secret key: a 32-byte big-endian scalar.
    struct SecretKey has copy, drop {
        bytes: vector<u8>,
    }

    /// A validated public key (a prime-order G1 point, not the identity),
    /// for normal signatures.
    struct PublicKey has copy, drop, store {
        bytes: vector<u8>
    }

    /// A proof of possession: the key's signature on its own encoding.
    struct ProofOfPossession has copy, drop, store {
        bytes: vector<u8>
    }

    /// A public key whose proof of possession verified.
    struct PublicKeyWithPoP has copy, drop, store {
        bytes: vector<u8>
    }

    /// The sum of public keys with proofs of possession.
    struct AggrPublicKeysWithPoP has copy, drop, store {
        bytes: vector<u8>
    }

    /// A purported signature.
    struct Signature has copy, drop, store {
        bytes: vector<u8>
    }

    /// A sum of signatures: a multi-signature (one message) or an aggregate
    /// signature (one message per signer).
    struct AggrOrMultiSignature has copy, drop, store {
        bytes: vector<u8>
    }

    public fun public_key_from_bytes(bytes: vector<u8>): Option<PublicKey> {
        if (validate_pubkey_internal(bytes)) option::some(PublicKey { bytes }) else option::none()
    }

    public fun public_key_to_bytes(pk: &PublicKey): vector<u8> { pk.bytes }

    public fun proof_of_possession_from_bytes(bytes: vector<u8>): ProofOfPossession { ProofOfPossession { bytes } }

    public fun proof_of_possession_to_bytes(pop: &ProofOfPossession): vector<u8> { pop.bytes }

    /// Some key when `pop` proves possession of the key `pk_bytes`.
    public fun public_key_from_bytes_with_pop(pk_bytes: vector<u8>, pop: &ProofOfPossession): Option<PublicKeyWithPoP> {
        if (verify_proof_of_possession_internal(pk_bytes, pop.bytes)) option::some(PublicKeyWithPoP { bytes: pk_bytes })
        else option::none()
    }

    public fun public_key_with_pop_to_normal(pkpop: &PublicKeyWithPoP): PublicKey { PublicKey { bytes: pkpop.bytes } }

    public fun public_key_with_pop_to_bytes(pk: &PublicKeyWithPoP): vector<u8> { pk.bytes }

    public fun signature_from_bytes(bytes: vector<u8>): Signature { Signature { bytes } }

    public fun signature_to_bytes(sig: &Signature): vector<u8> { sig.bytes }

    /// Whether the signature is a point of the prime-order subgroup of G2.
    public fun signature_subgroup_check(signature: &Signature): bool {
        signature_subgroup_check_internal(signature.bytes)
    }

    /// Aborts with invalid_argument(EZERO_PUBKEYS) for an empty vector.
    public fun aggregate_pubkeys(public_keys: vector<PublicKeyWithPoP>): AggrPublicKeysWithPoP {
        let (bytes, success) = aggregate_pubkeys_internal(public_keys);
        assert!(success, error::invalid_argument(EZERO_PUBKEYS));
        AggrPublicKeysWithPoP { bytes }
    }

    public fun aggregate_pubkey_to_bytes(apk: &AggrPublicKeysWithPoP): vector<u8> { apk.bytes }

    /// None for an empty vector or a signature that does not decode.
    public fun aggregate_signatures(signatures: vector<Signature>): Option<AggrOrMultiSignature> {
        let (bytes, success) = aggregate_signatures_internal(signatures);
        if (success) option::some(AggrOrMultiSignature { bytes }) else option::none()
    }

    public fun aggr_or_multi_signature_to_bytes(sig: &AggrOrMultiSignature): vector<u8> { sig.bytes }

    public fun aggr_or_multi_signature_from_bytes(bytes: vector<u8>): AggrOrMultiSignature {
        assert!(bytes.length() == SIGNATURE_SIZE, error::invalid_argument(EWRONG_SIZE));
        AggrOrMultiSignature { bytes }
    }

    public fun aggr_or_multi_signature_subgroup_check(signature: &AggrOrMultiSignature): bool {
        signature_subgroup_check_internal(signature.bytes)
    }

    /// Whether `aggr_sig` aggregates a signature of `messages[i]` by
    /// `public_keys[i]` for every i.
    public fun verify_aggregate_signature(aggr_sig: &AggrOrMultiSignature, public_keys: vector<PublicKeyWithPoP>, messages: vector<vector<u8>>): bool {
        verify_aggregate_signature_internal(aggr_sig.bytes, public_keys, messages)
    }

    /// Whether every key of `aggr_public_key` signed `message`.
    public fun verify_multisignature(multisig: &AggrOrMultiSignature, aggr_public_key: &AggrPublicKeysWithPoP, message: vector<u8>): bool {
        verify_multisignature_internal(multisig.bytes, aggr_public_key.bytes, message)
    }

    public fun verify_normal_signature(signature: &Signature, public_key: &PublicKey, message: vector<u8>): bool {
        verify_normal_signature_internal(signature.bytes, public_key.bytes, message)
    }

    /// Verifies one signer's share of a multi- or aggregate signature.
    public fun verify_signature_share(signature_share: &Signature, public_key: &PublicKeyWithPoP, message: vector<u8>): bool {
        verify_signature_share_internal(signature_share.bytes, public_key.bytes, message)
    }

    #[test_only]
    public fun generate_keys(): (SecretKey, PublicKeyWithPoP) {
        let (sk, pk) = generate_keys_internal();
        (SecretKey { bytes: sk }, PublicKeyWithPoP { bytes: pk })
    }

    #[test_only]
    public fun sign_arbitrary_bytes(signing_key: &SecretKey, message: vector<u8>): Signature {
        Signature { bytes: sign_internal(signing_key.bytes, message) }
    }

    #[test_only]
    public fun multi_sign_arbitrary_bytes(signing_keys: &vector<SecretKey>, message: vector<u8>): AggrOrMultiSignature {
        let sigs = vector[];
        signing_keys.for_each_ref(|sk| sigs.push_back(sign_arbitrary_bytes(sk, message)));
        aggregate_signatures(sigs).extract()
    }

    #[test_only]
    public fun aggr_sign_arbitrary_bytes(signing_keys: &vector<SecretKey>, messages: &vector<vector<u8>>): AggrOrMultiSignature {
        assert!(signing_keys.length() == messages.length(), error::invalid_argument(E_NUM_SIGNERS_MUST_EQ_NUM_MESSAGES));
        let sigs = vector[];
        let i = 0;
        while (i < signing_keys.length()) {
            sigs.push_back(sign_arbitrary_bytes(&signing_keys[i], messages[i]));
            i += 1;
        };
        aggregate_signatures(sigs).extract()
    }

    #[test_only]
    /// The bytes with their first byte inverted.
    public fun maul_bytes(bytes: &vector<u8>): vector<u8> {
        let out = *bytes;
        out[0] ^= 0xff;
        out
    }

    #[test_only]
    public fun maul_signature(sig: &Signature): Signature { Signature { bytes: maul_bytes(&sig.bytes) } }

    #[test_only]
    public fun maul_aggr_or_multi_signature(sig: &AggrOrMultiSignature): AggrOrMultiSignature {
        AggrOrMultiSignature { bytes: maul_bytes(&sig.bytes) }
    }

    #[test_only]
    public fun maul_public_key(pk: &PublicKey): PublicKey { PublicKey { bytes: maul_bytes(&pk.bytes) } }

    #[test_only]
    public fun maul_public_key_with_pop(pk: &PublicKeyWithPoP): PublicKeyWithPoP {
        PublicKeyWithPoP { bytes: maul_bytes(&pk.bytes) }
    }

    #[test_only]
    public fun maul_aggregated_public_key(pk: &AggrPublicKeysWithPoP): AggrPublicKeysWithPoP {
        AggrPublicKeysWithPoP { bytes: maul_bytes(&pk.bytes) }
    }

    #[test_only]
    public fun maul_proof_of_possession(pop: &ProofOfPossession): ProofOfPossession {
        ProofOfPossession { bytes: maul_bytes(&pop.bytes) }
    }

    #[test_only]
    public fun generate_proof_of_possession(sk: &SecretKey): ProofOfPossession {
        ProofOfPossession { bytes: generate_proof_of_possession_internal(sk.bytes) }
    }

    native fun aggregate_pubkeys_internal(public_keys: vector<PublicKeyWithPoP>): (vector<u8>, bool);
    native fun aggregate_signatures_internal(signatures: vector<Signature>): (vector<u8>, bool);
    native fun validate_pubkey_internal(public_key: vector<u8>): bool;
    native fun signature_subgroup_check_internal(signature: vector<u8>): bool;
    native fun verify_aggregate_signature_internal(aggsig: vector<u8>, public_keys: vector<PublicKeyWithPoP>, messages: vector<vector<u8>>): bool;
    native fun verify_multisignature_internal(multisignature: vector<u8>, agg_public_key: vector<u8>, message: vector<u8>): bool;
    native fun verify_normal_signature_internal(signature: vector<u8>, public_key: vector<u8>, message: vector<u8>): bool;
    native fun verify_proof_of_possession_internal(public_key: vector<u8>, proof_of_possesion: vector<u8>): bool;
    native fun verify_signature_share_internal(signature_share: vector<u8>, public_key: vector<u8>, message: vector<u8>): bool;

    #[test_only]
    native fun generate_keys_internal(): (vector<u8>, vector<u8>);
    #[test_only]
    native fun sign_internal(sk: vector<u8>, msg: vector<u8>): vector<u8>;
    #[test_only]
    native fun generate_proof_of_possession_internal(sk: vector<u8>): vector<u8>;
}
