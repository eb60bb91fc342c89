package delivery

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// LeafSize is the unit of encryption and of a dispute: one Merkle leaf.
const LeafSize = merkle.LeafSize

// BlockSize is the size of one keystream block (one sha256 output).
const BlockSize = sha256.Size

// streamInput is the 45-byte keystream hash input: it fits one sha256
// compression (at most 55 bytes), which keeps both the Go cipher and the
// on-chain dispute cheap.
type streamInput [1 + 32 + 8 + 4]byte

func newStreamInput(key Key, leaf uint64) streamInput {
	var in streamInput
	in[0] = tagStream
	copy(in[1:33], key[:])
	binary.BigEndian.PutUint64(in[33:41], leaf)
	return in
}

// KeystreamBlock returns block j of leaf i's keystream.
func KeystreamBlock(key Key, leaf uint64, block uint32) [BlockSize]byte {
	in := newStreamInput(key, leaf)
	binary.BigEndian.PutUint32(in[41:], block)
	return sha256.Sum256(in[:])
}

// XORLeaf encrypts (or decrypts: the cipher is its own inverse) one leaf:
// dst[k] = src[k] XOR keystream(leaf)[k]. dst and src may be the same slice
// and dst must be at least as long as src. A leaf holds at most LeafSize
// bytes in the protocol; longer input simply continues the block counter.
func XORLeaf(key Key, leaf uint64, dst, src []byte) {
	in := newStreamInput(key, leaf)
	for j := 0; j*BlockSize < len(src); j++ {
		binary.BigEndian.PutUint32(in[41:], uint32(j))
		ks := sha256.Sum256(in[:])
		lo := j * BlockSize
		hi := min(lo+BlockSize, len(src))
		for k := lo; k < hi; k++ {
			dst[k] = src[k] ^ ks[k-lo]
		}
	}
}

// Sealed describes one pass of Seal: the ids of the bytes read and written
// and their common size.
type Sealed struct {
	Size     uint64
	PlainID  merkle.ID // id of the bytes read
	CipherID merkle.ID // id of the bytes written
}

// Seal streams r through the cipher under key into w, leaf by leaf, and
// hashes both sides, so a relay learns the ciphertext id it commits to in
// take_order (and checks the object id) in one pass, and an owner decrypting
// a delivery learns whether the result is the object it ordered. progress,
// when not nil, is called with the byte count after each leaf. The context is
// checked between leaves.
func Seal(ctx context.Context, key Key, r io.Reader, w io.Writer, progress func(done uint64)) (Sealed, error) {
	plain, cipher := merkle.New(), merkle.New()
	in := make([]byte, LeafSize)
	out := make([]byte, LeafSize)
	var leaf uint64
	for {
		if err := ctx.Err(); err != nil {
			return Sealed{}, err
		}
		n, err := io.ReadFull(r, in)
		if n > 0 {
			XORLeaf(key, leaf, out[:n], in[:n])
			plain.Write(in[:n])
			cipher.Write(out[:n])
			if _, werr := w.Write(out[:n]); werr != nil {
				return Sealed{}, fmt.Errorf("write leaf %d: %w", leaf, werr)
			}
			leaf++
			if progress != nil {
				progress(plain.Size())
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break
		}
		if err != nil {
			return Sealed{}, fmt.Errorf("read leaf %d: %w", leaf, err)
		}
	}
	return Sealed{Size: plain.Size(), PlainID: plain.ID(), CipherID: cipher.ID()}, nil
}
