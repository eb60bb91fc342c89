/// Ed25519 signatures as Aptos accounts use them: public keys, signatures,
/// strict verification (canonical S, no small-order key or R), and the
/// authentication key of a public key (sha3-256 of the key and scheme 0).
module aptos_std::ed25519 {
    use std::bcs;
    use std::error;
    use std::hash;
    use std::option::{Self, Option};
    use aptos_std::type_info::{Self, TypeInfo};

    /// A public key must be 32 bytes.
    const E_WRONG_PUBKEY_SIZE: u64 = 1;
    /// A signature must be 64 bytes.
    const E_WRONG_SIGNATURE_SIZE: u64 = 2;

    /// The scheme byte of Ed25519 in authentication keys.
    const SIGNATURE_SCHEME_ID: u8 = 0;
    const PUBLIC_KEY_NUM_BYTES: u64 = 32;
    const SIGNATURE_NUM_BYTES: u64 = 64;

    #[test_only]
    /// A secret key (the 32-byte seed), for signing in tests.
    struct SecretKey has drop {
        bytes: vector<u8>
    }

    /// What `signature_verify_strict_t` verifies: the BCS of the message's
    /// type and value.
    struct SignedMessage<MessageType> has drop {
        type_info: TypeInfo,
        inner: MessageType,
    }

    /// 32 bytes that may or may not be a valid public key.
    struct UnvalidatedPublicKey has copy, drop, store {
        bytes: vector<u8>
    }

    /// A public key that is a curve point not of small order.
    struct ValidatedPublicKey has copy, drop, store {
        bytes: vector<u8>
    }

    /// 64 bytes that may be a signature.
    struct Signature has copy, drop, store {
        bytes: vector<u8>
    }

    public fun new_unvalidated_public_key_from_bytes(bytes: vector<u8>): UnvalidatedPublicKey {
        assert!(bytes.length() == PUBLIC_KEY_NUM_BYTES, error::invalid_argument(E_WRONG_PUBKEY_SIZE));
        UnvalidatedPublicKey { bytes }
    }

    /// Some key when the bytes are a valid public key, none otherwise.
    public fun new_validated_public_key_from_bytes(bytes: vector<u8>): Option<ValidatedPublicKey> {
        if (public_key_validate_internal(bytes)) option::some(ValidatedPublicKey { bytes })
        else option::none()
    }

    public fun new_signature_from_bytes(bytes: vector<u8>): Signature {
        assert!(bytes.length() == SIGNATURE_NUM_BYTES, error::invalid_argument(E_WRONG_SIGNATURE_SIZE));
        Signature { bytes }
    }

    public fun public_key_to_unvalidated(self: &ValidatedPublicKey): UnvalidatedPublicKey {
        UnvalidatedPublicKey { bytes: self.bytes }
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

    /// Whether `signature` signs `message` under `public_key`, strictly.
    public fun signature_verify_strict(signature: &Signature, public_key: &UnvalidatedPublicKey, message: vector<u8>): bool {
        signature_verify_strict_internal(signature.bytes, public_key.bytes, message)
    }

    /// Whether `signature` signs the SignedMessage of `data`.
    public fun signature_verify_strict_t<T: drop>(signature: &Signature, public_key: &UnvalidatedPublicKey, data: T): bool {
        signature_verify_strict_internal(signature.bytes, public_key.bytes, bcs::to_bytes(&new_signed_message(data)))
    }

    public fun new_signed_message<T: drop>(data: T): SignedMessage<T> {
        SignedMessage { type_info: type_info::type_of<T>(), inner: data }
    }

    public fun unvalidated_public_key_to_authentication_key(pk: &UnvalidatedPublicKey): vector<u8> {
        public_key_bytes_to_authentication_key(pk.bytes)
    }

    public fun validated_public_key_to_authentication_key(pk: &ValidatedPublicKey): vector<u8> {
        public_key_bytes_to_authentication_key(pk.bytes)
    }

    fun public_key_bytes_to_authentication_key(pk_bytes: vector<u8>): vector<u8> {
        pk_bytes.push_back(SIGNATURE_SCHEME_ID);
        hash::sha3_256(pk_bytes)
    }

    #[test_only]
    public fun generate_keys(): (SecretKey, ValidatedPublicKey) {
        let (sk, pk) = generate_keys_internal();
        (SecretKey { bytes: sk }, ValidatedPublicKey { bytes: pk })
    }

    #[test_only]
    public fun sign_arbitrary_bytes(sk: &SecretKey, msg: vector<u8>): Signature {
        Signature { bytes: sign_internal(sk.bytes, msg) }
    }

    #[test_only]
    public fun sign_struct<T: drop>(sk: &SecretKey, data: T): Signature {
        Signature { bytes: sign_internal(sk.bytes, bcs::to_bytes(&new_signed_message(data))) }
    }

    /// A point on the curve, not of small order (false for a wrong length).
    native fun public_key_validate_internal(bytes: vector<u8>): bool;

    native fun signature_verify_strict_internal(signature: vector<u8>, public_key: vector<u8>, message: vector<u8>): bool;

    #[test_only]
    native fun generate_keys_internal(): (vector<u8>, vector<u8>);

    #[test_only]
    native fun sign_internal(sk: vector<u8>, msg: vector<u8>): vector<u8>;
}
