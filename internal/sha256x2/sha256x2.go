// Package sha256x2 computes the SHA-256 digests of two messages of the same
// length at once. The object store hashes many such pairs: the 4 KiB leaves
// of an object id, and the shards of a stripe, which all have the same
// size. On amd64 processors with the SHA extensions the two messages'
// rounds are interleaved, which keeps the SHA unit busy while one message
// waits on the latency of its previous round: about 1.3 times the
// throughput of crypto/sha256 on one core. Elsewhere it runs crypto/sha256
// twice. Digests are always those of crypto/sha256.
package sha256x2

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

//go:generate go run gen.go -out sha256x2_amd64.s

// Size is the length of a digest.
const Size = sha256.Size

// Accelerated reports whether this machine interleaves the two messages
// (otherwise Pair hashes them one after the other with crypto/sha256).
func Accelerated() bool { return useAsm }

// initial is the SHA-256 initial state (FIPS 180-4, section 5.3.3).
var initial = [8]uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

// Pair hashes two messages written in step: every Write gives both the
// same number of bytes. The zero value is not ready; use New.
type Pair struct {
	h   [2][8]uint32
	buf [2][64]byte
	nx  int    // bytes in buf (the same for both)
	len uint64 // bytes written to each message

	generic [2]hash.Hash // when the interleaved code is not available
}

// New returns a Pair ready for two new messages.
func New() *Pair { return newPair(useAsm) }

func newPair(interleaved bool) *Pair {
	p := &Pair{}
	if !interleaved {
		p.generic = [2]hash.Hash{sha256.New(), sha256.New()}
	}
	p.Reset()
	return p
}

// Reset starts two new messages.
func (p *Pair) Reset() {
	if p.generic[0] != nil {
		p.generic[0].Reset()
		p.generic[1].Reset()
		return
	}
	p.h = [2][8]uint32{initial, initial}
	p.nx, p.len = 0, 0
}

// Write appends a to the first message and b to the second. They must have
// the same length; Write panics otherwise.
func (p *Pair) Write(a, b []byte) {
	if len(a) != len(b) {
		panic("sha256x2: writes of different lengths")
	}
	if p.generic[0] != nil {
		p.generic[0].Write(a)
		p.generic[1].Write(b)
		return
	}
	p.write(a, b)
}

// write is Write for the interleaved code. Kept apart from the generic
// path (interface calls) so that the buffers it is given stay on the
// caller's stack.
func (p *Pair) write(a, b []byte) {
	p.len += uint64(len(a))
	if p.nx > 0 {
		n := copy(p.buf[0][p.nx:], a)
		copy(p.buf[1][p.nx:], b)
		p.nx += n
		a, b = a[n:], b[n:]
		if p.nx < 64 {
			return
		}
		block2(&p.h[0], &p.h[1], &p.buf[0][0], &p.buf[1][0], 1)
		p.nx = 0
	}
	if n := len(a) / 64; n > 0 {
		block2(&p.h[0], &p.h[1], &a[0], &b[0], n)
		a, b = a[64*n:], b[64*n:]
	}
	if len(a) > 0 {
		p.nx = copy(p.buf[0][:], a)
		copy(p.buf[1][:], b)
	}
}

// Sum returns the digests of the two messages written so far; the Pair can
// go on receiving bytes.
func (p *Pair) Sum() (a, b [Size]byte) {
	if p.generic[0] != nil {
		copy(a[:], p.generic[0].Sum(nil))
		copy(b[:], p.generic[1].Sum(nil))
		return a, b
	}
	d := *p
	// Padding: 0x80, zeros up to 56 bytes modulo 64, the length in bits.
	var pad [64 + 8]byte
	pad[0] = 0x80
	n := 56 - int(d.len%64)
	if n <= 0 {
		n += 64
	}
	binary.BigEndian.PutUint64(pad[n:], d.len<<3)
	d.write(pad[:n+8], pad[:n+8])
	for i := range 8 {
		binary.BigEndian.PutUint32(a[4*i:], d.h[0][i])
		binary.BigEndian.PutUint32(b[4*i:], d.h[1][i])
	}
	return a, b
}

// Sum256 returns the digests of two messages of the same length.
func Sum256(a, b []byte) ([Size]byte, [Size]byte) {
	var p Pair
	if !useAsm {
		return sha256.Sum256(a), sha256.Sum256(b)
	}
	p.Reset()
	p.write(a, b)
	return p.Sum()
}
