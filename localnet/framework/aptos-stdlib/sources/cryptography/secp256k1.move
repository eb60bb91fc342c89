/// ECDSA over secp256k1: recovering the public key that signed a 32-byte
/// digest, as Ethereum-style signatures are checked.
module aptos_std::secp256k1 {
    use std::error;
    use std::option::{Self, Option};

    /// Bytes that do not deserialize (also raised by the native).
    const E_DESERIALIZE: u64 = 1;
    /// The recovery id must be 0, 1, 2 or 3.
    const E_BAD_RECOVERY_ID: u64 = 2;

    const RAW_PUBLIC_KEY_NUM_BYTES: u64 = 64;
    const SIGNATURE_NUM_BYTES: u64 = 64;

    /// An uncompressed public key without its 0x04 prefix: X then Y.
    struct ECDSARawPublicKey has copy, drop, store {
        bytes: vector<u8>
    }

    /// A signature: r then s, 32 bytes each.
    struct ECDSASignature has copy, drop, store {
        bytes: vector<u8>
    }

    public fun ecdsa_signature_from_bytes(bytes: vector<u8>): ECDSASignature {
        assert!(bytes.length() == SIGNATURE_NUM_BYTES, error::invalid_argument(E_DESERIALIZE));
        ECDSASignature { bytes }
    }

    public fun ecdsa_raw_public_key_from_64_bytes(bytes: vector<u8>): ECDSARawPublicKey {
        assert!(bytes.length() == RAW_PUBLIC_KEY_NUM_BYTES, error::invalid_argument(E_DESERIALIZE));
        ECDSARawPublicKey { bytes }
    }

    public fun ecdsa_raw_public_key_to_bytes(pk: &ECDSARawPublicKey): vector<u8> { pk.bytes }

    public fun ecdsa_signature_to_bytes(sig: &ECDSASignature): vector<u8> { sig.bytes }

    /// The public key that produced `signature` over the 32-byte `message`
    /// (a digest), or none. A message that is not 32 bytes or r or s not
    /// below the group order abort with invalid_argument(E_DESERIALIZE).
    public fun ecdsa_recover(message: vector<u8>, recovery_id: u8, signature: &ECDSASignature): Option<ECDSARawPublicKey> {
        // Ids 2 and 3 are for an r that overflowed the group order, which
        // the native handles too.
        assert!(recovery_id <= 3, error::invalid_argument(E_BAD_RECOVERY_ID));
        let (pk, success) = ecdsa_recover_internal(message, recovery_id, signature.bytes);
        if (success) option::some(ecdsa_raw_public_key_from_64_bytes(pk)) else option::none()
    }

    native fun ecdsa_recover_internal(message: vector<u8>, recovery_id: u8, signature: vector<u8>): (vector<u8>, bool);
}
