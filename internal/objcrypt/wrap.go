package objcrypt

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/nbd-wtf/go-nostr"
	"github.com/nbd-wtf/go-nostr/nip19"
	"github.com/nbd-wtf/go-nostr/nip44"
)

// Key wrapping. Each object gets a fresh ephemeral secp256k1 key e; for each
// recipient public key R the data key is NIP-44 v2 encrypted (as 64 hex
// characters) under the conversation key of (e, R):
//
//	wrapped_R = nip44.Encrypt(hex(data key), conversation_key(e, R))
//
// The manifest carries e's public key and the list of wrapped keys, but not
// the recipients' public keys: a recipient derives conversation_key(r, E)
// once and tries each entry (NIP-44's MAC rejects the others), so the
// manifest does not say who can read the object. The author needs no secret
// key of their own to encrypt to someone.

// MaxRecipients bounds the wrapped keys of one object.
const MaxRecipients = 64

// secp256k1 group order.
var curveN, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

// NewEphemeralKey draws a secp256k1 secret key from rand and returns it and
// its x-only public key, both as lowercase hex.
func NewEphemeralKey(rand io.Reader) (secret, public string, err error) {
	// 40 bytes reduced modulo n-1, plus one: uniform enough, never zero.
	var b [40]byte
	if _, err := io.ReadFull(rand, b[:]); err != nil {
		return "", "", fmt.Errorf("draw ephemeral key: %w", err)
	}
	k := new(big.Int).SetBytes(b[:])
	k.Mod(k, new(big.Int).Sub(curveN, big.NewInt(1)))
	k.Add(k, big.NewInt(1))
	secret = fmt.Sprintf("%064x", k)
	public, err = nostr.GetPublicKey(secret)
	return secret, public, err
}

// Wrap encrypts the data key to each recipient (x-only public keys, hex)
// with the ephemeral secret. rand supplies the NIP-44 nonces.
func Wrap(key DataKey, ephemeralSecret string, recipients []string, rand io.Reader) ([]string, error) {
	if len(recipients) == 0 || len(recipients) > MaxRecipients {
		return nil, fmt.Errorf("%d recipients: want 1 to %d", len(recipients), MaxRecipients)
	}
	out := make([]string, len(recipients))
	for i, r := range recipients {
		if !nostr.IsValidPublicKey(r) {
			return nil, fmt.Errorf("recipient %q is not a valid public key", r)
		}
		ck, err := nip44.GenerateConversationKey(r, ephemeralSecret)
		if err != nil {
			return nil, fmt.Errorf("recipient %s: %w", r, err)
		}
		nonce := make([]byte, 32)
		if _, err := io.ReadFull(rand, nonce); err != nil {
			return nil, fmt.Errorf("draw nonce: %w", err)
		}
		if out[i], err = nip44.Encrypt(key.hex(), ck, nip44.WithCustomNonce(nonce)); err != nil {
			return nil, fmt.Errorf("recipient %s: %w", r, err)
		}
	}
	return out, nil
}

// ErrNotRecipient is returned when none of the wrapped keys opens with the
// given secret key.
var ErrNotRecipient = errors.New("objcrypt: the key is not among the object's recipients")

// Unwrap recovers the data key with a recipient's secret key (hex).
func Unwrap(wrapped []string, ephemeralPublic, secret string) (DataKey, error) {
	var key DataKey
	ck, err := nip44.GenerateConversationKey(ephemeralPublic, secret)
	if err != nil {
		return key, fmt.Errorf("conversation key: %w", err)
	}
	for _, w := range wrapped {
		pt, err := nip44.Decrypt(w, ck)
		if err != nil {
			continue
		}
		if len(pt) != 2*KeySize || strings.ToLower(pt) != pt {
			return key, fmt.Errorf("wrapped key: %d-character payload, want %d lowercase hex", len(pt), 2*KeySize)
		}
		if _, err := hex.Decode(key[:], []byte(pt)); err != nil {
			return key, fmt.Errorf("wrapped key: %w", err)
		}
		return key, nil
	}
	return key, ErrNotRecipient
}

// ParsePublicKey reads an npub or 64 hex digits into x-only hex.
func ParsePublicKey(s string) (string, error) {
	if strings.HasPrefix(s, "npub1") {
		prefix, v, err := nip19.Decode(s)
		if err != nil || prefix != "npub" {
			return "", fmt.Errorf("public key %q: not a valid npub", s)
		}
		s = v.(string)
	}
	s = strings.ToLower(s)
	if !nostr.IsValidPublicKey(s) {
		return "", fmt.Errorf("public key %q: want an npub or 64 hex digits of a secp256k1 x coordinate", s)
	}
	return s, nil
}

// ParseSecretKey reads an nsec or 64 hex digits into hex and returns the
// matching public key.
func ParseSecretKey(s string) (secret, public string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "nsec1") {
		prefix, v, err := nip19.Decode(s)
		if err != nil || prefix != "nsec" {
			return "", "", errors.New("secret key: not a valid nsec")
		}
		s = v.(string)
	}
	s = strings.ToLower(s)
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		return "", "", errors.New("secret key: want an nsec or 64 hex digits")
	}
	k := new(big.Int).SetBytes(b)
	if k.Sign() == 0 || k.Cmp(curveN) >= 0 {
		return "", "", errors.New("secret key: out of range for secp256k1")
	}
	public, err = nostr.GetPublicKey(s)
	return s, public, err
}
