#[test_only]
/// BLS12-381 natives the reference VM lacks: our interpreter only. The
/// fixed vectors are those of Aptos's own bls12381 tests (signatures made by
/// aptos-crypto with the secret key noted below).
module aptos_std::bls12381_native_tests {
    use aptos_std::bls12381;

    // Secret key 077c8a56f26259215a4a245373ab6ddf328ac6e00e5ea38d8700efa361bdc58d.
    const PK: vector<u8> = x"94209a296b739577cb076d3bfb1ca8ee936f29b69b7dae436118c4dd1cc26fd43dcd16249476a006b8b949bf022a7858";
    const SIG: vector<u8> = x"b01ce4632e94d8c611736e96aa2ad8e0528a02f927a81a92db8047b002a8c71dc2d6bfb94729d0973790c10b6ece446817e4b7543afd7ca9a17c75de301ae835d66231c26a003f11ae26802b98d90869a9e73788c38739f7ac9d52659e1f7cf7";

    #[test]
    fun normal_signature_vector() {
        let pk = bls12381::public_key_from_bytes(PK).extract();
        let sig = bls12381::signature_from_bytes(SIG);
        assert!(bls12381::signature_subgroup_check(&sig), 0);
        assert!(bls12381::verify_normal_signature(&sig, &pk, b"Hello Aptos!"), 1);
        assert!(!bls12381::verify_normal_signature(&sig, &pk, b"Hello Aptos?"), 2);
        assert!(!bls12381::verify_normal_signature(&bls12381::maul_signature(&sig), &pk, b"Hello Aptos!"), 3);
    }

    #[test]
    fun public_key_validation() {
        // Points of small order are not keys; a mauled key does not decode.
        assert!(bls12381::public_key_from_bytes(x"ae3cd9403b69c20a0d455fd860e977fe6ee7140a7f091f26c860f2caccd3e0a7a7365798ac10df776675b3a67db8faa0").is_none(), 0);
        assert!(bls12381::public_key_from_bytes(x"928d4862a40439a67fd76a9c7560e2ff159e770dcf688ff7b2dd165792541c88ee76c82eb77dd6e9e72c89cbf1a56a68").is_none(), 1);
        assert!(bls12381::public_key_from_bytes(x"b3e4921277221e01ed71284be5e3045292b26c7f465a6fcdba53ee47edd39ec5160da3b229a73c75671024dcb36de091").is_some(), 2);
        assert!(bls12381::public_key_from_bytes(bls12381::maul_bytes(&PK)).is_none(), 3);
        // The identity point (compressed: 0xc0 then zeros) is not a key.
        let identity = x"c0";
        let i = 0;
        while (i < 47) { identity.push_back(0); i += 1 };
        assert!(bls12381::public_key_from_bytes(identity).is_none(), 4);
    }

    #[test]
    fun proof_of_possession_is_checked() {
        // Bytes that are not a proof of possession of the key are refused.
        let none = bls12381::public_key_from_bytes_with_pop(PK, &bls12381::proof_of_possession_from_bytes(SIG));
        assert!(none.is_none(), 0);
    }

    #[test]
    fun multi_and_aggregate_signatures() {
        let (sk1, pk1) = bls12381::generate_keys();
        let (sk2, pk2) = bls12381::generate_keys();
        // Keys come with proofs of possession.
        let pop1 = bls12381::generate_proof_of_possession(&sk1);
        let checked = bls12381::public_key_from_bytes_with_pop(bls12381::public_key_with_pop_to_bytes(&pk1), &pop1);
        assert!(checked == std::option::some(pk1), 0);
        assert!(bls12381::public_key_from_bytes_with_pop(bls12381::public_key_with_pop_to_bytes(&pk2), &pop1).is_none(), 1);
        // A multi-signature verifies under the aggregate key.
        let apk = bls12381::aggregate_pubkeys(vector[pk1, pk2]);
        let multisig = bls12381::multi_sign_arbitrary_bytes(&vector[sk1, sk2], b"m");
        assert!(bls12381::verify_multisignature(&multisig, &apk, b"m"), 2);
        assert!(!bls12381::verify_multisignature(&multisig, &bls12381::aggregate_pubkeys(vector[pk1]), b"m"), 3);
        // Each share verifies on its own.
        assert!(bls12381::verify_signature_share(&bls12381::sign_arbitrary_bytes(&sk2, b"m"), &pk2, b"m"), 4);
        // An aggregate signature over one message per signer.
        let aggsig = bls12381::aggr_sign_arbitrary_bytes(&vector[sk1, sk2], &vector[b"a", b"b"]);
        assert!(bls12381::verify_aggregate_signature(&aggsig, vector[pk1, pk2], vector[b"a", b"b"]), 5);
        assert!(!bls12381::verify_aggregate_signature(&aggsig, vector[pk1, pk2], vector[b"b", b"a"]), 6);
        assert!(!bls12381::verify_aggregate_signature(&aggsig, vector[pk1], vector[b"a", b"b"]), 7);
        assert!(bls12381::aggregate_signatures(vector[]).is_none(), 8);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::bls12381)]
    fun no_keys_to_aggregate() {
        bls12381::aggregate_pubkeys(vector[]);
    }

    #[test]
    #[expected_failure(abort_code = 0x10002, location = aptos_std::bls12381)]
    fun aggregate_signature_of_the_wrong_size() {
        bls12381::aggr_or_multi_signature_from_bytes(x"01");
    }
}
