#[test_only]
/// Signature natives (ed25519, multi_ed25519, secp256k1) the reference VM
/// lacks: our interpreter only. Fixed vectors come from RFC 8032 and from
/// Aptos's own secp256k1 test; authentication keys were computed with
/// Python's hashlib.sha3_256.
module aptos_std::crypto_native_tests {
    use std::hash;
    use std::option;
    use aptos_std::ed25519;
    use aptos_std::multi_ed25519;
    use aptos_std::secp256k1;

    struct Note has copy, drop { n: u64 }

    // RFC 8032, section 7.1, test 1 (empty message).
    const RFC_PK: vector<u8> = x"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
    const RFC_SIG: vector<u8> = x"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";
    // The identity point: on the curve, of small order.
    const SMALL_ORDER: vector<u8> = x"0100000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fun ed25519_fixed_vector() {
        let pk = ed25519::new_unvalidated_public_key_from_bytes(RFC_PK);
        let sig = ed25519::new_signature_from_bytes(RFC_SIG);
        assert!(ed25519::signature_verify_strict(&sig, &pk, vector[]), 0);
        assert!(!ed25519::signature_verify_strict(&sig, &pk, b"x"), 1);
        assert!(ed25519::public_key_validate(&pk).is_some(), 2);
        assert!(ed25519::unvalidated_public_key_to_authentication_key(&pk)
            == x"63c5215e87770d17b9f4cd47c777e322f4eb152cfd2054c1080fd9d57c48913b", 3);
        // S + L (the group order) is the same signature, malleated: refused.
        let s_plus_l = x"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155";
        s_plus_l.append(x"4c8c7872aa064e049dbb3013fbf29380d25bf5f0595bbe24655141438e7a101b");
        assert!(!ed25519::signature_verify_strict(&ed25519::new_signature_from_bytes(s_plus_l), &pk, vector[]), 4);
    }

    #[test]
    fun ed25519_small_order_keys_are_invalid() {
        assert!(ed25519::new_validated_public_key_from_bytes(SMALL_ORDER).is_none(), 0);
        // Wrong lengths are not valid keys (no abort, as on Aptos).
        assert!(ed25519::new_validated_public_key_from_bytes(x"01").is_none(), 1);
        // A small-order key never verifies, whatever the signature.
        let pk = ed25519::new_unvalidated_public_key_from_bytes(SMALL_ORDER);
        assert!(!ed25519::signature_verify_strict(&ed25519::new_signature_from_bytes(RFC_SIG), &pk, vector[]), 2);
    }

    #[test]
    fun ed25519_sign_and_verify() {
        let (sk, vpk) = ed25519::generate_keys();
        let pk = ed25519::public_key_into_unvalidated(vpk);
        let sig = ed25519::sign_struct(&sk, Note { n: 7 });
        assert!(ed25519::signature_verify_strict_t(&sig, &pk, Note { n: 7 }), 0);
        assert!(!ed25519::signature_verify_strict_t(&sig, &pk, Note { n: 8 }), 1);
        let raw = ed25519::sign_arbitrary_bytes(&sk, b"hello");
        assert!(ed25519::signature_verify_strict(&raw, &pk, b"hello"), 2);
        let (_, other) = ed25519::generate_keys();
        assert!(!ed25519::signature_verify_strict(&raw, &ed25519::public_key_into_unvalidated(other), b"hello"), 3);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::ed25519)]
    fun ed25519_short_key() {
        ed25519::new_unvalidated_public_key_from_bytes(x"0102");
    }

    #[test]
    #[expected_failure(abort_code = 0x10002, location = aptos_std::ed25519)]
    fun ed25519_short_signature() {
        ed25519::new_signature_from_bytes(x"0102");
    }

    #[test]
    fun multi_ed25519_sign_and_verify() {
        let (sk, vpk) = multi_ed25519::generate_keys(2, 3);
        let pk = multi_ed25519::public_key_into_unvalidated(vpk);
        assert!(multi_ed25519::unvalidated_public_key_num_sub_pks(&pk) == 3, 0);
        assert!(multi_ed25519::unvalidated_public_key_threshold(&pk) == option::some(2), 1);
        assert!(multi_ed25519::public_key_validate_v2(&pk).is_some(), 2);
        let sig = multi_ed25519::sign_struct(&sk, Note { n: 1 });
        assert!(multi_ed25519::signature_verify_strict_t(&sig, &pk, Note { n: 1 }), 3);
        assert!(!multi_ed25519::signature_verify_strict_t(&sig, &pk, Note { n: 2 }), 4);
        // A 1-of-3 signature does not meet a 2-of-3 key's threshold.
        let (sk1, _) = multi_ed25519::generate_keys(1, 3);
        let one = multi_ed25519::signature_to_bytes(&multi_ed25519::sign_arbitrary_bytes(&sk1, b"m"));
        assert!(one.length() == 64 + 4, 5);
        assert!(!multi_ed25519::signature_verify_strict(&multi_ed25519::new_signature_from_bytes(one), &pk, b"m"), 6);
    }

    #[test]
    fun multi_ed25519_key_encodings() {
        let two_of_two = RFC_PK;
        two_of_two.append(RFC_PK);
        two_of_two.push_back(2);
        assert!(multi_ed25519::check_and_get_threshold(two_of_two) == option::some(2), 0);
        let pk = multi_ed25519::new_unvalidated_public_key_from_bytes(two_of_two);
        assert!(multi_ed25519::unvalidated_public_key_to_authentication_key(&pk)
            == x"4040eb5435383f7ab000985be1b939b5bbee1c8fcdca6c4d9a8cc047eaf68b48", 1);
        // Threshold 0 or above n, no threshold byte, no keys: not t-of-n keys.
        assert!(multi_ed25519::check_and_get_threshold(x"00").is_none(), 2);
        let three = RFC_PK;
        three.push_back(3);
        assert!(multi_ed25519::check_and_get_threshold(three).is_none(), 3);
        assert!(multi_ed25519::new_validated_public_key_from_bytes_v2(RFC_PK).is_none(), 4);
        assert!(multi_ed25519::new_validated_public_key_from_bytes_v2(x"01").is_none(), 5);
        // A small-order sub-key makes the key invalid.
        let bad = RFC_PK;
        bad.append(SMALL_ORDER);
        bad.push_back(1);
        assert!(multi_ed25519::new_validated_public_key_from_bytes_v2(bad).is_none(), 6);
        assert!(multi_ed25519::new_validated_public_key_from_bytes(bad).is_none(), 7);
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::multi_ed25519)]
    fun multi_ed25519_key_without_threshold_byte() {
        multi_ed25519::new_unvalidated_public_key_from_bytes(RFC_PK);
    }

    // Aptos's own secp256k1 vector (secret key 0x0123...cdef).
    const SECP_SIG: vector<u8> = x"f7ad936da03f948c14c542020e3c5f4e02aaacd1f20427c11aa6e2fbf8776477646bba0e1a37f9e7c777c423a1d2849baafd7ff6a9930814a43c3f80d59db56f";

    #[test]
    fun secp256k1_recover() {
        let sig = secp256k1::ecdsa_signature_from_bytes(SECP_SIG);
        let pk = secp256k1::ecdsa_recover(hash::sha2_256(b"test aptos secp256k1"), 0, &sig);
        assert!(pk.is_some(), 0);
        assert!(secp256k1::ecdsa_raw_public_key_to_bytes(&pk.extract())
            == x"4646ae5047316b4230d0086c8acec687f00b1cd9d1dc634f6cb358ac0a9a8ffffe77b4dd0a4bfb95851f3b7355c781dd60f8418fc8a65d14907aff47c903a559", 1);
        // Another message or recovery id gives another key (or none).
        let other = secp256k1::ecdsa_recover(hash::sha2_256(b"another message"), 0, &sig);
        assert!(other.is_none() || secp256k1::ecdsa_raw_public_key_to_bytes(&other.extract())
            != x"4646ae5047316b4230d0086c8acec687f00b1cd9d1dc634f6cb358ac0a9a8ffffe77b4dd0a4bfb95851f3b7355c781dd60f8418fc8a65d14907aff47c903a559", 2);
        // r = 0 recovers nothing.
        let zero = x"0000000000000000000000000000000000000000000000000000000000000000646bba0e1a37f9e7c777c423a1d2849baafd7ff6a9930814a43c3f80d59db56f";
        assert!(secp256k1::ecdsa_recover(hash::sha2_256(b"m"), 0, &secp256k1::ecdsa_signature_from_bytes(zero)).is_none(), 3);
    }

    #[test]
    #[expected_failure(abort_code = 0x10002, location = aptos_std::secp256k1)]
    fun secp256k1_bad_recovery_id() {
        secp256k1::ecdsa_recover(hash::sha2_256(b"m"), 4, &secp256k1::ecdsa_signature_from_bytes(SECP_SIG));
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::secp256k1)]
    fun secp256k1_message_not_a_digest() {
        // The native refuses a message that is not 32 bytes.
        secp256k1::ecdsa_recover(b"short", 0, &secp256k1::ecdsa_signature_from_bytes(SECP_SIG));
    }

    #[test]
    #[expected_failure(abort_code = 0x10001, location = aptos_std::secp256k1)]
    fun secp256k1_s_not_below_the_order() {
        let sig = x"f7ad936da03f948c14c542020e3c5f4e02aaacd1f20427c11aa6e2fbf8776477";
        sig.append(x"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        secp256k1::ecdsa_recover(hash::sha2_256(b"m"), 0, &secp256k1::ecdsa_signature_from_bytes(sig));
    }
}
