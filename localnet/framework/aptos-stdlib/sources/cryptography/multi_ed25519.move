/// MultiEd25519: t-of-n Ed25519 multi-signatures, with the same interface as
/// `ed25519`. A public key is n 32-byte Ed25519 keys then the threshold byte
/// t; a signature is k 64-byte Ed25519 signatures then a 4-byte bitmap of
/// the signers (most significant bit first: key 0 is the top bit of the
/// first byte).
module aptos_std::multi_ed25519 {
    use std::bcs;
    use std::error;
    use std::features;
    use std::hash;
    use std::option::{Self, Option};
    use aptos_std::ed25519;

    /// A public key is n 32-byte keys (n <= 32) and a threshold byte.
    const E_WRONG_PUBKEY_SIZE: u64 = 1;
    /// A signature is 64-byte signatures and a 4-byte bitmap.
    const E_WRONG_SIGNATURE_SIZE: u64 = 2;
    /// The threshold must be between 1 and the number of keys.
    const E_INVALID_THRESHOLD_OR_NUMBER_OF_SIGNERS: u64 = 3;
    /// The v2 validation native is not enabled.
    const E_NATIVE_FUN_NOT_AVAILABLE: u64 = 4;

    /// The scheme byte of MultiEd25519 in authentication keys.
    const SIGNATURE_SCHEME_ID: u8 = 1;
    const INDIVIDUAL_PUBLIC_KEY_NUM_BYTES: u64 = 32;
    const INDIVIDUAL_SIGNATURE_NUM_BYTES: u64 = 64;
    const THRESHOLD_SIZE_BYTES: u64 = 1;
    const BITMAP_NUM_OF_BYTES: u64 = 4;
    const MAX_NUMBER_OF_PUBLIC_KEYS: u64 = 32;

    #[test_only]
    /// The n secret keys (seeds) then the threshold, for signing in tests.
    struct SecretKey has drop {
        bytes: vector<u8>,
    }

    /// A t-of-n key whose sub-keys may not be valid.
    struct UnvalidatedPublicKey has copy, drop, store {
        bytes: vector<u8>
    }

    /// A t-of-n key whose sub-keys are all curve points not of small order.
    struct ValidatedPublicKey has copy, drop, store {
        bytes: vector<u8>
    }

    /// A purported multi-signature.
    struct Signature has copy, drop, store {
        bytes: vector<u8>
    }

    #[test_only]
    public fun generate_keys(threshold: u8, n: u8): (SecretKey, ValidatedPublicKey) {
        assert!(1 <= threshold && threshold <= n, error::invalid_argument(E_INVALID_THRESHOLD_OR_NUMBER_OF_SIGNERS));
        let (sk, pk) = generate_keys_internal(threshold, n);
        (SecretKey { bytes: sk }, ValidatedPublicKey { bytes: pk })
    }

    #[test_only]
    /// Signs with the first `threshold` keys.
    public fun sign_arbitrary_bytes(sk: &SecretKey, msg: vector<u8>): Signature {
        Signature { bytes: sign_internal(sk.bytes, msg) }
    }

    #[test_only]
    public fun sign_struct<T: drop>(sk: &SecretKey, data: T): Signature {
        Signature { bytes: sign_internal(sk.bytes, bcs::to_bytes(&ed25519::new_signed_message(data))) }
    }

    /// Checks the length only: at most 32 keys and a threshold byte.
    public fun new_unvalidated_public_key_from_bytes(bytes: vector<u8>): UnvalidatedPublicKey {
        let len = bytes.length();
        assert!(len / INDIVIDUAL_PUBLIC_KEY_NUM_BYTES <= MAX_NUMBER_OF_PUBLIC_KEYS, error::invalid_argument(E_WRONG_PUBKEY_SIZE));
        assert!(len % INDIVIDUAL_PUBLIC_KEY_NUM_BYTES == THRESHOLD_SIZE_BYTES, error::invalid_argument(E_WRONG_PUBKEY_SIZE));
        UnvalidatedPublicKey { bytes }
    }

    /// Deprecated on Aptos (accepts zero sub-keys and does not check the
    /// threshold); use `new_validated_public_key_from_bytes_v2`.
    public fun new_validated_public_key_from_bytes(bytes: vector<u8>): Option<ValidatedPublicKey> {
        if (bytes.length() % INDIVIDUAL_PUBLIC_KEY_NUM_BYTES == THRESHOLD_SIZE_BYTES && public_key_validate_internal(bytes)) {
            option::some(ValidatedPublicKey { bytes })
        } else option::none()
    }

    /// Some key when the bytes encode a t-of-n key (1 <= t <= n <= 32) whose
    /// sub-keys are all valid.
    public fun new_validated_public_key_from_bytes_v2(bytes: vector<u8>): Option<ValidatedPublicKey> {
        assert!(features::multi_ed25519_pk_validate_v2_enabled(), error::invalid_state(E_NATIVE_FUN_NOT_AVAILABLE));
        if (public_key_validate_v2_internal(bytes)) option::some(ValidatedPublicKey { bytes })
        else option::none()
    }

    public fun new_signature_from_bytes(bytes: vector<u8>): Signature {
        assert!(bytes.length() % INDIVIDUAL_SIGNATURE_NUM_BYTES == BITMAP_NUM_OF_BYTES, error::invalid_argument(E_WRONG_SIGNATURE_SIZE));
        Signature { bytes }
    }

    public fun public_key_to_unvalidated(pk: &ValidatedPublicKey): UnvalidatedPublicKey {
        UnvalidatedPublicKey { bytes: pk.bytes }
    }

    public fun public_key_into_unvalidated(pk: ValidatedPublicKey): UnvalidatedPublicKey {
        let ValidatedPublicKey { bytes } = pk;
        UnvalidatedPublicKey { bytes }
    }

    public fun unvalidated_public_key_to_bytes(pk: &UnvalidatedPublicKey): vector<u8> { pk.bytes }

    public fun validated_public_key_to_bytes(pk: &ValidatedPublicKey): vector<u8> { pk.bytes }

    public fun signature_to_bytes(sig: &Signature): vector<u8> { sig.bytes }

    public fun public_key_validate(pk: &UnvalidatedPublicKey): Option<ValidatedPublicKey> {
        new_validated_public_key_from_bytes(pk.bytes)
    }

    public fun public_key_validate_v2(pk: &UnvalidatedPublicKey): Option<ValidatedPublicKey> {
        new_validated_public_key_from_bytes_v2(pk.bytes)
    }

    /// Whether at least t of the keys signed `message`, each signature
    /// verified strictly.
    public fun signature_verify_strict(multisignature: &Signature, public_key: &UnvalidatedPublicKey, message: vector<u8>): bool {
        signature_verify_strict_internal(multisignature.bytes, public_key.bytes, message)
    }

    public fun signature_verify_strict_t<T: drop>(multisignature: &Signature, public_key: &UnvalidatedPublicKey, data: T): bool {
        signature_verify_strict_internal(multisignature.bytes, public_key.bytes, bcs::to_bytes(&ed25519::new_signed_message(data)))
    }

    public fun unvalidated_public_key_to_authentication_key(pk: &UnvalidatedPublicKey): vector<u8> {
        public_key_bytes_to_authentication_key(pk.bytes)
    }

    public fun unvalidated_public_key_num_sub_pks(pk: &UnvalidatedPublicKey): u8 {
        ((pk.bytes.length() / INDIVIDUAL_PUBLIC_KEY_NUM_BYTES) as u8)
    }

    public fun unvalidated_public_key_threshold(pk: &UnvalidatedPublicKey): Option<u8> {
        check_and_get_threshold(pk.bytes)
    }

    public fun validated_public_key_to_authentication_key(pk: &ValidatedPublicKey): vector<u8> {
        public_key_bytes_to_authentication_key(pk.bytes)
    }

    public fun validated_public_key_num_sub_pks(pk: &ValidatedPublicKey): u8 {
        ((pk.bytes.length() / INDIVIDUAL_PUBLIC_KEY_NUM_BYTES) as u8)
    }

    public fun validated_public_key_threshold(pk: &ValidatedPublicKey): u8 {
        pk.bytes[pk.bytes.length() - 1]
    }

    /// The threshold t of a well-formed t-of-n key encoding, or none.
    public fun check_and_get_threshold(bytes: vector<u8>): Option<u8> {
        let len = bytes.length();
        if (len == 0) return option::none();
        let n = len / INDIVIDUAL_PUBLIC_KEY_NUM_BYTES;
        let t = bytes[len - 1];
        if (n == 0 || n > MAX_NUMBER_OF_PUBLIC_KEYS || len % INDIVIDUAL_PUBLIC_KEY_NUM_BYTES != THRESHOLD_SIZE_BYTES) {
            option::none()
        } else if (t == 0 || t > (n as u8)) {
            option::none()
        } else option::some(t)
    }

    fun public_key_bytes_to_authentication_key(pk_bytes: vector<u8>): vector<u8> {
        pk_bytes.push_back(SIGNATURE_SCHEME_ID);
        hash::sha3_256(pk_bytes)
    }

    native fun public_key_validate_internal(bytes: vector<u8>): bool;

    native fun public_key_validate_v2_internal(bytes: vector<u8>): bool;

    native fun signature_verify_strict_internal(multisignature: vector<u8>, public_key: vector<u8>, message: vector<u8>): bool;

    #[test_only]
    native fun generate_keys_internal(threshold: u8, n: u8): (vector<u8>, vector<u8>);

    #[test_only]
    native fun sign_internal(sk: vector<u8>, message: vector<u8>): vector<u8>;
}
