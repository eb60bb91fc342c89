package object

import (
	"crypto/sha256"
	"hash"

	"github.com/agi-nostr/agi-nostr/internal/sha256x2"
)

// shardHasher computes the sha256 of one shard, or of two shards written in
// step (sha256x2 hashes two messages of the same length at once, faster
// than one after the other).
type shardHasher struct {
	index []int // the shards hashed: one or two
	pair  *sha256x2.Pair
	one   hash.Hash
}

// newShardHasher hashes shard i and, when it exists, shard i+1.
func newShardHasher(i, n int) *shardHasher {
	if i+1 < n {
		return &shardHasher{index: []int{i, i + 1}, pair: sha256x2.New()}
	}
	return &shardHasher{index: []int{i}, one: sha256.New()}
}

// write adds the next bytes of each shard (of the same length).
func (h *shardHasher) write(b ...[]byte) {
	if h.pair != nil {
		h.pair.Write(b[0], b[1])
	} else {
		h.one.Write(b[0])
	}
}

// sum stores each shard's hash in sums[index].
func (h *shardHasher) sum(sums []Hash) {
	if h.pair != nil {
		sums[h.index[0]], sums[h.index[1]] = h.pair.Sum()
		return
	}
	h.one.Sum(sums[h.index[0]][:0])
}
