package repo

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// Large files are stored as several objects, segments of SegmentSize bytes
// (the last one shorter), so that a shard blob stays a manageable size
// whatever the file's size, a push or pull resumes segment by segment, and
// a file that changes in part uploads only the segments that changed.
//
// A segment size is a power of two times the 4 KiB leaf, so every full
// segment is a complete subtree of the file's Merkle tree (RFC 6962 splits
// at powers of two): the file's root is the Merkle tree hash of the segment
// roots, and the commit's file tag can carry the segment roots in a form
// any reader checks against the file's object id without reading data.
const (
	// DefaultSegmentSize is 256 MiB: shards of at most 128 MiB with k = 2,
	// several segments of a large file in flight at once, and a
	// 70B-parameter fp16 model (140 GB) lists 522 roots, about 34 KB of
	// tags.
	DefaultSegmentSize = 256 << 20
	// MinSegmentSize is one leaf.
	MinSegmentSize = merkle.LeafSize
	// SegmentsTag opens the segment clause of a file tag's extra elements:
	// ["segments", "<segment size>", "<root 1>", ..., "<root N>"].
	SegmentsTag = "segments"
)

// Segment is one stored object of a file: its bytes [Offset, Offset+Size).
type Segment struct {
	ID     merkle.ID
	Offset uint64
	Size   uint64
}

// CheckSegmentSize validates a segment size.
func CheckSegmentSize(n uint64) error {
	if n < MinSegmentSize || n&(n-1) != 0 {
		return fmt.Errorf("segment size %d must be a power of two of at least %d bytes", n, MinSegmentSize)
	}
	return nil
}

// SegmentSizeOrDefault is the repository's segment size.
func (c *Config) SegmentSizeOrDefault() uint64 {
	if c.SegmentSize == 0 {
		return DefaultSegmentSize
	}
	return c.SegmentSize
}

// segmentHasher computes a stream's object id and, when it is longer than
// one segment, its segment roots, in one pass.
type segmentHasher struct {
	segSize uint64
	cur     *merkle.Hasher
	curN    uint64
	size    uint64
	roots   []merkle.Hash
}

func newSegmentHasher(segSize uint64) *segmentHasher {
	return &segmentHasher{segSize: segSize, cur: merkle.New()}
}

func (h *segmentHasher) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if h.curN == h.segSize {
			h.roots = append(h.roots, h.cur.Root())
			h.cur = merkle.New()
			h.curN = 0
		}
		k := min(uint64(len(p)), h.segSize-h.curN)
		h.cur.Write(p[:k])
		h.curN += k
		h.size += k
		p = p[k:]
	}
	return n, nil
}

// finish returns the object id and the segment roots (nil for a stream of
// one segment or less).
func (h *segmentHasher) finish() (merkle.ID, []merkle.Hash) {
	roots := append(h.roots, h.cur.Root())
	if len(roots) == 1 {
		return merkle.IDFromRoot(h.size, roots[0]), nil
	}
	return merkle.IDFromRoot(h.size, treeHash(roots)), roots
}

// treeHash is the RFC 6962 Merkle tree hash of a list of subtree roots.
func treeHash(hs []merkle.Hash) merkle.Hash {
	if len(hs) == 1 {
		return hs[0]
	}
	k := 1
	for k*2 < len(hs) {
		k *= 2
	}
	return merkle.NodeHash(treeHash(hs[:k]), treeHash(hs[k:]))
}

// segmentExtra is the file tag clause for segment roots.
func segmentExtra(segSize uint64, roots []merkle.Hash) []string {
	if len(roots) == 0 {
		return nil
	}
	out := make([]string, 0, 2+len(roots))
	out = append(out, SegmentsTag, strconv.FormatUint(segSize, 10))
	for _, r := range roots {
		out = append(out, hex.EncodeToString(r[:]))
	}
	return out
}

// Segments lists the objects a file is stored as: the file itself, or its
// segments when its tag carries a segment clause. The clause is checked
// against the file's id.
func (f FileEntry) Segments() ([]Segment, error) {
	if len(f.Extra) == 0 || f.Extra[0] != SegmentsTag {
		return []Segment{{ID: f.ID, Offset: 0, Size: f.Size}}, nil
	}
	segs, _, err := parseSegments(f.ID, f.Size, f.Extra)
	return segs, err
}

// parseSegments reads a segment clause and returns the segments and the
// number of extra elements it used.
func parseSegments(id merkle.ID, size uint64, extra []string) ([]Segment, int, error) {
	if len(extra) < 2 {
		return nil, 0, errors.New("segment clause without a size")
	}
	segSize, err := strconv.ParseUint(extra[1], 10, 64)
	if err != nil || strconv.FormatUint(segSize, 10) != extra[1] {
		return nil, 0, fmt.Errorf("bad segment size %q", extra[1])
	}
	if err := CheckSegmentSize(segSize); err != nil {
		return nil, 0, err
	}
	if size <= segSize {
		return nil, 0, fmt.Errorf("a file of %d bytes fits one segment of %d", size, segSize)
	}
	count := (size + segSize - 1) / segSize
	if count > uint64(MaxSegments) || uint64(len(extra)-2) < count {
		return nil, 0, fmt.Errorf("file of %d bytes needs %d segment roots", size, count)
	}
	roots := make([]merkle.Hash, count)
	segs := make([]Segment, count)
	for i := range roots {
		s := extra[2+i]
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 || hex.EncodeToString(b) != s {
			return nil, 0, fmt.Errorf("bad segment root %q", s)
		}
		copy(roots[i][:], b)
		off := uint64(i) * segSize
		n := min(segSize, size-off)
		segs[i] = Segment{ID: merkle.IDFromRoot(n, roots[i]), Offset: off, Size: n}
	}
	if merkle.IDFromRoot(size, treeHash(roots)) != id {
		return nil, 0, errors.New("segment roots do not add up to the file's object id")
	}
	return segs, 2 + int(count), nil
}

// MaxSegments bounds the segments of one file (16 TiB at 256 MiB each;
// larger files need a larger segment size).
const MaxSegments = 1 << 16
