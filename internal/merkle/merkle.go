// Package merkle computes object ids: the Merkle root of an object's bytes over
// fixed-size leaves, bound to the object's length. The same construction is
// checked on chain by the order market's dispute (move/sources), so every byte
// of it is part of the protocol; docs/FORMAT.md describes it with test vectors.
//
//	leaf  = sha256(0x00 || chunk)            chunks of LeafSize bytes, the last may be short;
//	                                         an empty object has one empty chunk
//	node  = sha256(0x01 || left || right)
//	root  = the RFC 6962 tree over the leaves (a lone node at the end of a level
//	        is promoted unchanged to the next level)
//	id    = sha256(0x02 || u64be(size) || root)
package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/agi-nostr/agi-nostr/internal/sha256x2"
)

// LeafSize is the number of object bytes under one leaf. It is also the unit
// of delivery encryption and of an on-chain dispute (one leaf per proof).
const LeafSize = 4096

// Domain separation prefixes: a leaf, an inner node and an id can never be
// confused with one another.
const (
	prefixLeaf byte = 0x00
	prefixNode byte = 0x01
	prefixID   byte = 0x02
)

// Hash is a sha256 digest.
type Hash = [32]byte

// ID names an object: its Merkle root bound to its size.
type ID [32]byte

// String returns the id as 64 lowercase hex digits.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// ParseID reads 64 hex digits.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 64 {
		return id, fmt.Errorf("object id %q: want 64 hex digits, got %d characters", s, len(s))
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return id, fmt.Errorf("object id %q: %w", s, err)
	}
	return id, nil
}

// LeafHash hashes one chunk of at most LeafSize bytes.
func LeafHash(chunk []byte) Hash {
	h := sha256.New()
	h.Write([]byte{prefixLeaf})
	h.Write(chunk)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash hashes two children.
func NodeHash(left, right Hash) Hash {
	var buf [65]byte
	buf[0] = prefixNode
	copy(buf[1:33], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// IDFromRoot binds a tree root to the object's size.
func IDFromRoot(size uint64, root Hash) ID {
	var buf [41]byte
	buf[0] = prefixID
	binary.BigEndian.PutUint64(buf[1:9], size)
	copy(buf[9:], root[:])
	return ID(sha256.Sum256(buf[:]))
}

// LeafCount is the number of leaves of an object of size bytes (at least one).
func LeafCount(size uint64) uint64 {
	if size == 0 {
		return 1
	}
	return (size + LeafSize - 1) / LeafSize
}

// Hasher computes an object id from a stream of bytes in constant memory
// (one leaf buffer, one hash per tree level and, for large writes, one
// batch of leaf hashes).
//
// A Write of at least ParallelLeaves full leaves hashes them on up to
// GOMAXPROCS goroutines (see SetWorkers); the result is the same as hashing
// them one by one.
type Hasher struct {
	buf     []byte
	size    uint64
	stack   []entry
	leafH   hash.Hash
	workers int
	scratch []Hash
	pair    *sha256x2.Pair
	// workerHash are the hash states of the goroutines of a parallel
	// Write, kept from one Write to the next.
	workerHash []leafHasher
}

type leafHasher struct {
	pair *sha256x2.Pair
	one  hash.Hash
}

type entry struct {
	level int
	h     Hash
}

// ParallelLeaves is the number of full leaves (512 KiB) from which a single
// Write is worth spreading over several goroutines. It is well under the 255
// leaves a stream of 1 MiB writes hands over each time (the last leaf of a
// write is held back until more bytes arrive), so such streams use every core.
const ParallelLeaves = 128

// taskLeaves is the unit of work a hashing goroutine takes at a time.
const taskLeaves = 32

// maxBatchLeaves bounds the leaf hashes held at once (128 KiB of hashes
// for 16 MiB of data), whatever the size of a Write.
const maxBatchLeaves = 4096

// New returns an empty Hasher.
func New() *Hasher {
	return &Hasher{buf: make([]byte, 0, LeafSize), leafH: sha256.New(), workers: runtime.GOMAXPROCS(0)}
}

// SetWorkers sets how many goroutines a large Write may use (1 hashes on the
// caller's goroutine only).
func (h *Hasher) SetWorkers(n int) { h.workers = max(1, n) }

// Write adds bytes to the object. It never fails.
func (h *Hasher) Write(p []byte) (int, error) {
	n := len(p)
	h.size += uint64(n)
	if len(h.buf) > 0 {
		k := min(LeafSize-len(h.buf), len(p))
		h.buf = append(h.buf, p[:k]...)
		p = p[k:]
		// A full leaf is hashed only once more bytes arrive, so that the final
		// (possibly full) leaf is known to be the last one at Sum time.
		if len(h.buf) == LeafSize && len(p) > 0 {
			h.pushLeaf(h.buf)
			h.buf = h.buf[:0]
		}
	}
	if len(p) > LeafSize {
		// Every full leaf but the last goes into the tree now.
		full := (len(p) - 1) / LeafSize * LeafSize
		h.pushLeaves(p[:full])
		p = p[full:]
	}
	h.buf = append(h.buf, p...)
	return n, nil
}

// pushLeaves adds whole leaves, hashing large runs in parallel.
func (h *Hasher) pushLeaves(data []byte) {
	for len(data) > 0 {
		count := min(len(data)/LeafSize, maxBatchLeaves)
		if h.workers <= 1 || count < ParallelLeaves {
			// A few leaves at a time, so that a small write needs no
			// more than a small scratch buffer.
			count = min(count, serialBatchLeaves)
		}
		if cap(h.scratch) < count {
			h.scratch = make([]Hash, max(count, serialBatchLeaves))
		}
		hashes := h.scratch[:count]
		if h.workers <= 1 || count < ParallelLeaves {
			if h.pair == nil {
				h.pair = sha256x2.New()
			}
			hashLeaves(h.pair, h.leafH, data, hashes)
		} else {
			// Workers take runs of taskLeaves from a shared counter, so
			// one slowed by other work on its core does not hold the rest
			// back.
			var next atomic.Int64
			workers := min(h.workers, count/taskLeaves)
			for len(h.workerHash) < workers {
				h.workerHash = append(h.workerHash, leafHasher{sha256x2.New(), sha256.New()})
			}
			var wg sync.WaitGroup
			for w := range workers {
				wg.Go(func() {
					p, d := h.workerHash[w].pair, h.workerHash[w].one
					for {
						lo := int(next.Add(taskLeaves)) - taskLeaves
						if lo >= count {
							return
						}
						hi := min(lo+taskLeaves, count)
						hashLeaves(p, d, data[lo*LeafSize:hi*LeafSize], hashes[lo:hi])
					}
				})
			}
			wg.Wait()
		}
		for _, lh := range hashes {
			h.push(lh)
		}
		data = data[count*LeafSize:]
	}
}

// serialBatchLeaves is how many leaves a Hasher with one worker hashes
// before adding them to the tree.
const serialBatchLeaves = 64

var leafPrefix = []byte{prefixLeaf}

// hashLeaves sets out[i] to the hash of the i-th full leaf of data, two
// leaves at a time (their hashes are independent, and sha256x2 interleaves
// them).
func hashLeaves(p *sha256x2.Pair, d hash.Hash, data []byte, out []Hash) {
	n := len(out)
	for i := 0; i+1 < n; i += 2 {
		p.Reset()
		p.Write(leafPrefix, leafPrefix)
		p.Write(data[i*LeafSize:(i+1)*LeafSize], data[(i+1)*LeafSize:(i+2)*LeafSize])
		out[i], out[i+1] = p.Sum()
	}
	if n%2 == 1 {
		d.Reset()
		d.Write(leafPrefix)
		d.Write(data[(n-1)*LeafSize : n*LeafSize])
		d.Sum(out[n-1][:0])
	}
}

// Size is the number of bytes written so far.
func (h *Hasher) Size() uint64 { return h.size }

func (h *Hasher) pushLeaf(chunk []byte) {
	h.leafH.Reset()
	h.leafH.Write([]byte{prefixLeaf})
	h.leafH.Write(chunk)
	var lh Hash
	h.leafH.Sum(lh[:0])
	h.push(lh)
}

// push adds a leaf hash and merges complete subtrees, like carrying in a
// binary counter.
func (h *Hasher) push(lh Hash) {
	e := entry{0, lh}
	for len(h.stack) > 0 && h.stack[len(h.stack)-1].level == e.level {
		top := h.stack[len(h.stack)-1]
		h.stack = h.stack[:len(h.stack)-1]
		e = entry{e.level + 1, NodeHash(top.h, e.h)}
	}
	h.stack = append(h.stack, e)
}

// Root returns the tree root of the bytes written so far. The Hasher can go
// on receiving bytes afterwards.
func (h *Hasher) Root() Hash {
	last := LeafHash(h.buf)
	// Fold the pending subtrees from the right: this is where lone nodes are
	// promoted, giving the RFC 6962 shape.
	acc := last
	for i := len(h.stack) - 1; i >= 0; i-- {
		acc = NodeHash(h.stack[i].h, acc)
	}
	return acc
}

// ID returns the object id of the bytes written so far.
func (h *Hasher) ID() ID { return IDFromRoot(h.size, h.Root()) }

// Sum computes the id of everything r yields.
func Sum(r io.Reader) (ID, uint64, error) {
	h := New()
	buf := make([]byte, 4*ParallelLeaves*LeafSize)
	if _, err := io.CopyBuffer(h, r, buf); err != nil {
		return ID{}, 0, err
	}
	return h.ID(), h.Size(), nil
}

// SumBytes computes the id of b.
func SumBytes(b []byte) ID {
	h := New()
	h.Write(b)
	return h.ID()
}

// ErrBadProof is returned when a proof does not lead to the expected id.
var ErrBadProof = errors.New("merkle proof does not match the object id")

// RootFromPath recomputes the tree root from one leaf hash, its index among
// leafCount leaves and the sibling hashes from the leaf upwards. It fails when
// the path has the wrong length for that position.
func RootFromPath(leaf Hash, index, leafCount uint64, siblings []Hash) (Hash, error) {
	if leafCount == 0 || index >= leafCount {
		return Hash{}, fmt.Errorf("leaf %d out of range for %d leaves", index, leafCount)
	}
	acc, used := leaf, 0
	for width := leafCount; width > 1; width = (width + 1) / 2 {
		switch {
		case index%2 == 1:
			if used == len(siblings) {
				return Hash{}, fmt.Errorf("proof too short: %d siblings", len(siblings))
			}
			acc = NodeHash(siblings[used], acc)
			used++
		case index+1 < width:
			if used == len(siblings) {
				return Hash{}, fmt.Errorf("proof too short: %d siblings", len(siblings))
			}
			acc = NodeHash(acc, siblings[used])
			used++
		}
		index /= 2
	}
	if used != len(siblings) {
		return Hash{}, fmt.Errorf("proof too long: %d siblings, %d used", len(siblings), used)
	}
	return acc, nil
}

// Verify checks that chunk is leaf index of the object id of size bytes.
func Verify(id ID, size, index uint64, chunk []byte, siblings []Hash) error {
	lc := LeafCount(size)
	want := LeafSize
	if index == lc-1 {
		want = int(size - (lc-1)*LeafSize)
	}
	if index < lc && len(chunk) != want {
		return fmt.Errorf("leaf %d: chunk of %d bytes, want %d", index, len(chunk), want)
	}
	root, err := RootFromPath(LeafHash(chunk), index, lc, siblings)
	if err != nil {
		return err
	}
	if IDFromRoot(size, root) != id {
		return ErrBadProof
	}
	return nil
}

// Tree holds every leaf hash of an object (32 bytes per LeafSize bytes of
// data) to produce proofs.
type Tree struct {
	Size   uint64
	Leaves []Hash
}

// BuildTree reads an object and keeps its leaf hashes.
func BuildTree(r io.Reader) (*Tree, error) {
	t := &Tree{}
	buf := make([]byte, LeafSize)
	for {
		n, err := io.ReadFull(r, buf)
		if n > 0 || (len(t.Leaves) == 0 && err != nil) {
			t.Leaves = append(t.Leaves, LeafHash(buf[:n]))
			t.Size += uint64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return t, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read leaf %d: %w", len(t.Leaves), err)
		}
	}
}

// Root returns the tree root.
func (t *Tree) Root() Hash { return subtreeRoot(t.Leaves) }

// ID returns the object id.
func (t *Tree) ID() ID { return IDFromRoot(t.Size, t.Root()) }

// Prove returns the sibling hashes from leaf index up to the root, in the
// order RootFromPath consumes them.
func (t *Tree) Prove(index uint64) ([]Hash, error) {
	n := uint64(len(t.Leaves))
	if index >= n {
		return nil, fmt.Errorf("leaf %d out of range for %d leaves", index, n)
	}
	level := t.Leaves
	var path []Hash
	for len(level) > 1 {
		w := uint64(len(level))
		if index%2 == 1 {
			path = append(path, level[index-1])
		} else if index+1 < w {
			path = append(path, level[index+1])
		}
		next := make([]Hash, 0, (w+1)/2)
		for i := uint64(0); i+1 < w; i += 2 {
			next = append(next, NodeHash(level[i], level[i+1]))
		}
		if w%2 == 1 {
			next = append(next, level[w-1])
		}
		level = next
		index /= 2
	}
	return path, nil
}

// subtreeRoot is the RFC 6962 definition, used by Tree and as the reference
// the streaming Hasher is tested against.
func subtreeRoot(leaves []Hash) Hash {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return NodeHash(subtreeRoot(leaves[:k]), subtreeRoot(leaves[k:]))
}
