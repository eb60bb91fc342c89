package object

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/agi-nostr/agi-nostr/internal/merkle"
)

// HeaderSize is the size of a shard header.
const HeaderSize = 64

// Shard header layout (big-endian):
//
//	off len field
//	0   4   magic "AGSH"
//	4   1   version (1)
//	5   1   code (1: Reed–Solomon over GF(2^8), systematic Vandermonde)
//	6   1   flags (bit 0: the stored stream is encrypted; others zero)
//	7   1   reserved, zero
//	8   2   k
//	10  2   n
//	12  2   index of this shard, 0 .. n−1 (0 .. k−1 are data shards)
//	14  2   reserved, zero
//	16  4   block size
//	20  4   reserved, zero
//	24  8   stored size
//	32  32  stored id
const (
	shardMagic   = "AGSH"
	shardVersion = 1
	codeRSGF256  = 1
	flagEncrypt  = 1
)

// ShardHeader identifies a shard: its object (by stored id), its index and
// the stripe layout, so a blob can be recognised without its manifest.
type ShardHeader struct {
	Encrypted bool
	Index     int
	Layout    Layout
	StoredID  merkle.ID
}

// Marshal encodes the header.
func (h ShardHeader) Marshal() [HeaderSize]byte {
	var b [HeaderSize]byte
	copy(b[0:4], shardMagic)
	b[4] = shardVersion
	b[5] = codeRSGF256
	if h.Encrypted {
		b[6] = flagEncrypt
	}
	binary.BigEndian.PutUint16(b[8:], uint16(h.Layout.K))
	binary.BigEndian.PutUint16(b[10:], uint16(h.Layout.N))
	binary.BigEndian.PutUint16(b[12:], uint16(h.Index))
	binary.BigEndian.PutUint32(b[16:], uint32(h.Layout.BlockSize))
	binary.BigEndian.PutUint64(b[24:], h.Layout.Size)
	copy(b[32:], h.StoredID[:])
	return b
}

// ErrShardHeader is wrapped by errors about malformed shard headers.
var ErrShardHeader = errors.New("malformed shard header")

// ParseShardHeader decodes and validates the first HeaderSize bytes of b.
func ParseShardHeader(b []byte) (ShardHeader, error) {
	var h ShardHeader
	bad := func(format string, args ...any) (ShardHeader, error) {
		return ShardHeader{}, fmt.Errorf("%w: "+format, append([]any{ErrShardHeader}, args...)...)
	}
	if len(b) < HeaderSize {
		return bad("%d bytes, want %d", len(b), HeaderSize)
	}
	if string(b[0:4]) != shardMagic {
		return bad("magic %q, want %q", b[0:4], shardMagic)
	}
	if b[4] != shardVersion {
		return bad("version %d, want %d", b[4], shardVersion)
	}
	if b[5] != codeRSGF256 {
		return bad("unknown code %d", b[5])
	}
	if b[6]&^flagEncrypt != 0 {
		return bad("unknown flags %#x", b[6])
	}
	var zero [4]byte
	if b[7] != 0 || !bytes.Equal(b[14:16], zero[:2]) || !bytes.Equal(b[20:24], zero[:]) {
		return bad("reserved bytes are not zero")
	}
	h.Encrypted = b[6]&flagEncrypt != 0
	h.Layout = Layout{
		K:         int(binary.BigEndian.Uint16(b[8:])),
		N:         int(binary.BigEndian.Uint16(b[10:])),
		BlockSize: uint64(binary.BigEndian.Uint32(b[16:])),
		Size:      binary.BigEndian.Uint64(b[24:]),
	}
	h.Index = int(binary.BigEndian.Uint16(b[12:]))
	copy(h.StoredID[:], b[32:64])
	if err := h.Layout.Validate(); err != nil {
		return bad("%v", err)
	}
	if h.Index >= h.Layout.N {
		return bad("index %d out of range for n=%d", h.Index, h.Layout.N)
	}
	return h, nil
}
