// Package object turns files into the objects the network stores and back:
// streaming split (object id, optional encryption, Reed–Solomon k-of-n
// coding into shard blobs named by sha256), join from any k shards, repair
// of missing or corrupt shards, the shard header and the manifest. Memory
// stays bounded by a few stripes whatever the object's size.
//
// Names:
//   - the object id is the internal/merkle id of the file's bytes;
//   - the stored stream is what gets erasure-coded: the file itself for a
//     public object, its encryption (see internal/objcrypt) for a private
//     one; its merkle id is the stored id, the name relays and orders use;
//     for a public object the two ids are equal;
//   - a shard is a blob: a 64-byte header and the shard's share of every
//     stripe, named by the sha256 of all its bytes (Blossom).
//
// docs/FORMAT.md describes every byte.
package object

import (
	"fmt"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// Limits and defaults of the format.
const (
	// MaxShards is the most shards an object can have (GF(2^8) codes).
	MaxShards = 256
	// DefaultBlockSize is each shard's share of one stripe.
	DefaultBlockSize = 1 << 20
	// MinBlockSize and MaxBlockSize bound the block size, which must be a
	// multiple of MinBlockSize.
	MinBlockSize = 4096
	MaxBlockSize = 16 << 20
	// DefaultStripeBytes caps n × block size when the block size is chosen
	// automatically.
	DefaultStripeBytes = 32 << 20
	// MaxStripeBytes caps n × block size for any object, so that a
	// manifest from anyone cannot make join or repair hold more than a few
	// times this much memory.
	MaxStripeBytes = 64 << 20
	// MaxSize is the largest stored stream: sizes stay exact in JSON
	// numbers everywhere (2^53 − 1 bytes, 8 PiB).
	MaxSize = 1<<53 - 1
)

// Layout is the erasure-coding geometry of a stored stream of Size bytes:
// stripes of K data blocks of BlockSize bytes (the last stripe's blocks are
// just large enough for the remaining bytes, zero-padded), each coded into
// N−K parity blocks. Shard i holds block i of every stripe in order.
type Layout struct {
	K, N      int
	BlockSize uint64
	Size      uint64
}

// DefaultBlockSizeFor picks the block size for n shards: DefaultBlockSize,
// halved until a stripe of n blocks fits DefaultStripeBytes.
func DefaultBlockSizeFor(n int) uint64 {
	b := uint64(DefaultBlockSize)
	for b > 64<<10 && uint64(n)*b > DefaultStripeBytes {
		b /= 2
	}
	return b
}

// CheckCoding validates k, n and the block size.
func CheckCoding(k, n int, blockSize uint64) error {
	if k < 1 || n < k || n > MaxShards {
		return fmt.Errorf("k=%d n=%d: want 1 <= k <= n <= %d", k, n, MaxShards)
	}
	if blockSize < MinBlockSize || blockSize > MaxBlockSize || blockSize%MinBlockSize != 0 {
		return fmt.Errorf("block size %d: want a multiple of %d between %d and %d", blockSize, MinBlockSize, MinBlockSize, MaxBlockSize)
	}
	if uint64(n)*blockSize > MaxStripeBytes {
		return fmt.Errorf("n=%d blocks of %d bytes: a stripe may not exceed %d bytes", n, blockSize, MaxStripeBytes)
	}
	return nil
}

// Validate checks the layout's parameters.
func (l Layout) Validate() error {
	if err := CheckCoding(l.K, l.N, l.BlockSize); err != nil {
		return err
	}
	if l.Size > MaxSize {
		return fmt.Errorf("size %d exceeds the %d-byte limit", l.Size, uint64(MaxSize))
	}
	return nil
}

// StripeData is the stored bytes one full stripe covers.
func (l Layout) StripeData() uint64 { return uint64(l.K) * l.BlockSize }

// Stripes is the number of stripes (0 for an empty stream).
func (l Layout) Stripes() uint64 {
	if l.Size == 0 {
		return 0
	}
	return (l.Size-1)/l.StripeData() + 1
}

// Stripe returns the stored offset of stripe s, its block size and the
// stored bytes it carries (the rest of its k blocks is zero padding).
func (l Layout) Stripe(s uint64) (offset, block, data uint64) {
	offset = s * l.StripeData()
	data = min(l.Size-offset, l.StripeData())
	if data == l.StripeData() {
		return offset, l.BlockSize, data
	}
	return offset, (data-1)/uint64(l.K) + 1, data
}

// PayloadSize is the bytes of each shard after its header.
func (l Layout) PayloadSize() uint64 {
	st := l.Stripes()
	if st == 0 {
		return 0
	}
	_, last, _ := l.Stripe(st - 1)
	return (st-1)*l.BlockSize + last
}

// ShardSize is the size of each shard blob.
func (l Layout) ShardSize() uint64 { return HeaderSize + l.PayloadSize() }

// Hash is a sha256 digest naming a shard blob.
type Hash = merkle.Hash
