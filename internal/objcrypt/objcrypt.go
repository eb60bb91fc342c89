// Package objcrypt holds the cryptography of private objects: a random
// per-object data key, chunked authenticated encryption of the object's
// bytes, size padding, sealing of the object's id and size inside its
// manifest, and wrapping of the data key to Nostr keys with NIP-44.
//
// Chunked encryption (STREAM-like, AES-256-GCM from the standard library):
//
//	chunk key  = HKDF-SHA256(secret = data key, salt = salt, info = "agi-nostr object chunks v1"), 32 bytes
//	nonce_i    = u64be(i) || u32be(final)         final = 1 for the last chunk, else 0
//	ct_i       = AES-256-GCM-Seal(chunk key, nonce_i, chunk_i, aad = "")
//
// The plaintext is cut into chunks of ChunkSize bytes (the last may be
// shorter; an empty plaintext is one empty chunk). The index in the nonce
// stops reordering, the final flag stops truncation at a chunk boundary, and
// the per-object random key and salt stop chunks moving between objects.
package objcrypt

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/bits"
)

// Sizes of the construction.
const (
	KeySize   = 32
	SaltSize  = 16
	TagSize   = 16
	NonceSize = 12

	// DefaultChunkSize is the plaintext bytes per encrypted chunk.
	DefaultChunkSize = 64 << 10
	// MinChunkSize and MaxChunkSize bound ChunkSize; it must also be a
	// multiple of MinChunkSize (the object-id leaf size).
	MinChunkSize = 4096
	MaxChunkSize = 16 << 20
)

// Scheme names this construction in manifests.
const Scheme = "aes-256-gcm-chunked"

const (
	infoChunks = "agi-nostr object chunks v1"
	infoSealed = "agi-nostr object sealed v1"
)

// DataKey is the random secret of one object.
type DataKey [KeySize]byte

// String hides the key from logs.
func (DataKey) String() string { return "objcrypt.DataKey(…)" }

// NewDataKey draws a key from rand.
func NewDataKey(rand io.Reader) (DataKey, error) {
	var k DataKey
	if _, err := io.ReadFull(rand, k[:]); err != nil {
		return k, fmt.Errorf("draw data key: %w", err)
	}
	return k, nil
}

// CheckChunkSize validates a chunk size.
func CheckChunkSize(n uint64) error {
	if n < MinChunkSize || n > MaxChunkSize || n%MinChunkSize != 0 {
		return fmt.Errorf("chunk size %d: want a multiple of %d between %d and %d", n, MinChunkSize, MinChunkSize, MaxChunkSize)
	}
	return nil
}

// Chunks is the number of chunks of a plaintext of size bytes.
func Chunks(size, chunkSize uint64) uint64 {
	if size == 0 {
		return 1
	}
	return (size-1)/chunkSize + 1
}

// CiphertextSize is the encrypted size of a plaintext of size bytes, or
// false when it would not fit in 64 bits.
func CiphertextSize(size, chunkSize uint64) (uint64, bool) {
	hi, tags := bits.Mul64(Chunks(size, chunkSize), TagSize)
	sum, carry := bits.Add64(size, tags, 0)
	return sum, hi == 0 && carry == 0
}

// PlaintextSize inverts CiphertextSize, failing on lengths no plaintext
// encrypts to.
func PlaintextSize(ctSize, chunkSize uint64) (uint64, error) {
	full := chunkSize + TagSize
	n := ctSize / full
	rest := ctSize % full
	switch {
	case rest == 0 && n > 0:
		return n * chunkSize, nil
	case rest >= TagSize:
		return n*chunkSize + rest - TagSize, nil
	}
	return 0, fmt.Errorf("%d bytes is not a valid ciphertext length for %d-byte chunks", ctSize, chunkSize)
}

// PaddedSize rounds a plaintext size up with the Padmé rule (Nikitin et al.,
// PETS 2019): with e = floor(log2(size)) and s = floor(log2(e)) + 1, the low
// e − s bits are rounded up. A size then leaks O(log log size) bits, for at
// most 12% (a few % for large files) more bytes.
func PaddedSize(size uint64) uint64 {
	if size < 2 {
		return size
	}
	e := uint64(bits.Len64(size)) - 1 // floor(log2(size))
	s := uint64(bits.Len64(e))        // floor(log2(e)) + 1
	mask := uint64(1)<<(e-s) - 1
	if size+mask < size {
		return size // cannot overflow in practice: sizes are bounded far below
	}
	return (size + mask) &^ mask
}

// ChunkCipher encrypts and decrypts the chunks of one object. It is safe for
// concurrent use.
type ChunkCipher struct {
	aead      cipher.AEAD
	chunkSize uint64
}

// NewChunkCipher derives the chunk key of an object.
func NewChunkCipher(key DataKey, salt [SaltSize]byte, chunkSize uint64) (*ChunkCipher, error) {
	if err := CheckChunkSize(chunkSize); err != nil {
		return nil, err
	}
	aead, err := deriveAEAD(key, salt, infoChunks)
	if err != nil {
		return nil, err
	}
	return &ChunkCipher{aead: aead, chunkSize: chunkSize}, nil
}

func deriveAEAD(key DataKey, salt [SaltSize]byte, info string) (cipher.AEAD, error) {
	k, err := hkdf.Key(sha256.New, key[:], salt[:], info, KeySize)
	if err != nil {
		return nil, fmt.Errorf("derive key: %w", err)
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// ChunkSize is the plaintext size of every chunk but the last.
func (c *ChunkCipher) ChunkSize() uint64 { return c.chunkSize }

// Nonce returns the nonce of chunk index.
func Nonce(index uint64, final bool) [NonceSize]byte {
	var n [NonceSize]byte
	binary.BigEndian.PutUint64(n[:8], index)
	if final {
		n[11] = 1
	}
	return n
}

// Seal appends the encryption of chunk index to dst.
func (c *ChunkCipher) Seal(dst, plaintext []byte, index uint64, final bool) []byte {
	n := Nonce(index, final)
	return c.aead.Seal(dst, n[:], plaintext, nil)
}

// ErrAuth is returned when a chunk or a sealed value fails authentication:
// wrong key, tampered, reordered, truncated or foreign bytes.
var ErrAuth = errors.New("objcrypt: authentication failed")

// Open appends the decryption of chunk index to dst.
func (c *ChunkCipher) Open(dst, ciphertext []byte, index uint64, final bool) ([]byte, error) {
	n := Nonce(index, final)
	out, err := c.aead.Open(dst, n[:], ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("chunk %d: %w", index, ErrAuth)
	}
	return out, nil
}

// SealedSize is the size of a sealed object reference.
const SealedSize = 32 + 8 + TagSize

// SealObject encrypts the plaintext object's id and size under the data
// key, bound (as associated data) to the stored object the manifest names:
//
//	sealed key = HKDF-SHA256(data key, salt, "agi-nostr object sealed v1")
//	sealed     = AES-256-GCM-Seal(sealed key, nonce = 0^12,
//	                 object id || u64be(object size),
//	                 aad = stored id || u64be(stored size))
//
// The sealed key encrypts exactly one message, so a fixed nonce is safe.
func SealObject(key DataKey, salt [SaltSize]byte, objectID [32]byte, objectSize uint64, storedID [32]byte, storedSize uint64) ([]byte, error) {
	aead, err := deriveAEAD(key, salt, infoSealed)
	if err != nil {
		return nil, err
	}
	var pt [40]byte
	copy(pt[:32], objectID[:])
	binary.BigEndian.PutUint64(pt[32:], objectSize)
	var nonce [NonceSize]byte
	return aead.Seal(nil, nonce[:], pt[:], storedAAD(storedID, storedSize)), nil
}

// OpenObject decrypts what SealObject produced.
func OpenObject(key DataKey, salt [SaltSize]byte, sealed []byte, storedID [32]byte, storedSize uint64) (objectID [32]byte, objectSize uint64, err error) {
	aead, err := deriveAEAD(key, salt, infoSealed)
	if err != nil {
		return objectID, 0, err
	}
	var nonce [NonceSize]byte
	pt, err := aead.Open(nil, nonce[:], sealed, storedAAD(storedID, storedSize))
	if err != nil || len(pt) != 40 {
		return objectID, 0, fmt.Errorf("sealed object reference: %w", ErrAuth)
	}
	copy(objectID[:], pt[:32])
	return objectID, binary.BigEndian.Uint64(pt[32:]), nil
}

func storedAAD(id [32]byte, size uint64) []byte {
	aad := make([]byte, 40)
	copy(aad, id[:])
	binary.BigEndian.PutUint64(aad[32:], size)
	return aad
}

// hexKey is how a data key travels inside NIP-44 (whose plaintext is text).
func (k DataKey) hex() string { return hex.EncodeToString(k[:]) }
