// Package delivery is the cryptography of a paid order: the prime pair a relay
// commits to when it takes an order, the delivery key derived from that pair,
// the keystream cipher the object travels under, and the one-leaf dispute proof
// an owner submits when the revealed key does not decrypt to the ordered object.
//
// Every byte here is part of the protocol: the Move package (move/sources/
// delivery.move, bigint.move, merkle.move) recomputes the same values on chain,
// and testdata/vectors.json holds vectors that both test suites check.
// docs/PROTOCOL.md and docs/FORMAT.md describe the construction.
//
//	x          = p1 · p2                     big-endian, no leading zero byte
//	key        = sha256(0x03 || u64be(order_id) || u16be(len p1) || p1 || u16be(len p2) || p2)
//	block j    = sha256(0x04 || key || u64be(leaf i) || u32be(j))     32 bytes
//	cipher_i   = chunk_i XOR (block 0 || block 1 || ...)[:len(chunk_i)]
package delivery

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
)

// DefaultPrimeBits is the size of each prime a relay generates: two 1024-bit
// primes give a 2048-bit x, the market's default minimum.
const DefaultPrimeBits = 1024

// DefaultMinXBits is the market's default minimum bit length of x.
const DefaultMinXBits = 2048

// MaxXBytes bounds x (and so p1 and p2) on chain, keeping the limb
// multiplication of a reveal within a fixed gas budget.
const MaxXBytes = 1024

// Domain tags continue the prefix series of internal/merkle (0x00 leaf, 0x01
// node, 0x02 id), so no two hashes of the protocol share an input space.
const (
	tagKey    byte = 0x03
	tagStream byte = 0x04
)

// Key is the delivery key of one order.
type Key [32]byte

// String returns the key as 64 lowercase hex digits.
func (k Key) String() string { return hex.EncodeToString(k[:]) }

// PrimePair is the secret a relay commits to when it takes an order: x = P1·P2
// goes on chain at take time, P1 and P2 at reveal time. P1 < P2.
type PrimePair struct {
	P1, P2 *big.Int
}

// GeneratePrimePair draws two distinct primes of bits bits each from the
// system's secure random source. crypto/rand.Prime sets the two top bits, so
// the product has exactly 2·bits bits.
func GeneratePrimePair(bits int) (PrimePair, error) {
	if bits < 16 || bits*2 > MaxXBytes*8 {
		return PrimePair{}, fmt.Errorf("prime size %d bits: want 16..%d", bits, MaxXBytes*4)
	}
	p, err := rand.Prime(rand.Reader, bits)
	if err != nil {
		return PrimePair{}, fmt.Errorf("generate first prime: %w", err)
	}
	for {
		q, err := rand.Prime(rand.Reader, bits)
		if err != nil {
			return PrimePair{}, fmt.Errorf("generate second prime: %w", err)
		}
		switch p.Cmp(q) {
		case -1:
			return PrimePair{P1: p, P2: q}, nil
		case 1:
			return PrimePair{P1: q, P2: p}, nil
		}
	}
}

// Product returns x = P1·P2 in the canonical encoding.
func (pp PrimePair) Product() []byte { return new(big.Int).Mul(pp.P1, pp.P2).Bytes() }

// Bytes returns P1 and P2 in the canonical encoding, as complete_order takes them.
func (pp PrimePair) Bytes() (p1, p2 []byte) { return pp.P1.Bytes(), pp.P2.Bytes() }

// Errors of the on-chain checks, mirrored so that a relay can check before it
// spends gas and an indexer can explain a failed transaction.
var (
	ErrNotCanonical  = errors.New("big integer is empty or has a leading zero byte")
	ErrXTooLong      = fmt.Errorf("x is longer than %d bytes", MaxXBytes)
	ErrXTooSmall     = errors.New("x is below the minimum bit length")
	ErrPrimeTooSmall = errors.New("p1 must be greater than 1")
	ErrNotOrdered    = errors.New("p1 must be smaller than p2")
	ErrWrongFactors  = errors.New("p1 · p2 is not x")
)

// canonical reports whether b is a minimal big-endian encoding of a positive
// integer: non-empty and without a leading zero byte. Zero has no canonical
// encoding, which is fine: no party ever needs to send it.
func canonical(b []byte) bool { return len(b) > 0 && b[0] != 0 }

// BitLen is the bit length of a canonical big-endian integer.
func BitLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	n := (len(b) - 1) * 8
	for v := b[0]; v != 0; v >>= 1 {
		n++
	}
	return n
}

// CheckCommitment applies take_order's checks to x.
func CheckCommitment(x []byte, minXBits int) error {
	switch {
	case !canonical(x):
		return fmt.Errorf("x: %w", ErrNotCanonical)
	case len(x) > MaxXBytes:
		return ErrXTooLong
	case BitLen(x) < minXBits:
		return fmt.Errorf("%w: %d bits, minimum %d", ErrXTooSmall, BitLen(x), minXBits)
	}
	return nil
}

// ParsePrimePair reads a revealed pair with complete_order's checks on the
// encodings: both canonical, 1 < p1 < p2.
func ParsePrimePair(p1, p2 []byte) (PrimePair, error) {
	if !canonical(p1) {
		return PrimePair{}, fmt.Errorf("p1: %w", ErrNotCanonical)
	}
	if !canonical(p2) {
		return PrimePair{}, fmt.Errorf("p2: %w", ErrNotCanonical)
	}
	a, b := new(big.Int).SetBytes(p1), new(big.Int).SetBytes(p2)
	if a.Cmp(big.NewInt(1)) <= 0 {
		return PrimePair{}, ErrPrimeTooSmall
	}
	if a.Cmp(b) >= 0 {
		return PrimePair{}, ErrNotOrdered
	}
	// In the market's order of checks: no factor of an x of at most
	// MaxXBytes bytes is longer than that, so the pair cannot multiply to x.
	if len(p2) > MaxXBytes {
		return PrimePair{}, fmt.Errorf("%w: p2 longer than %d bytes", ErrWrongFactors, MaxXBytes)
	}
	return PrimePair{P1: a, P2: b}, nil
}

// CheckReveal applies complete_order's checks: the pair parses and its
// product is x. Primality is not checked on chain (see docs/PROTOCOL.md: a
// relay that reveals another factorization than the one it encrypted under
// loses the dispute).
func CheckReveal(x, p1, p2 []byte) (PrimePair, error) {
	pp, err := ParsePrimePair(p1, p2)
	if err != nil {
		return PrimePair{}, err
	}
	if !bytes.Equal(pp.Product(), x) {
		return PrimePair{}, ErrWrongFactors
	}
	return pp, nil
}

// DeriveKey computes the delivery key of order orderID from the pair. The
// order id makes every order's keystream distinct even if a relay reused a
// pair; the length prefixes make the encoding injective.
func DeriveKey(orderID uint64, pp PrimePair) Key {
	p1, p2 := pp.Bytes()
	return deriveKey(orderID, p1, p2)
}

func deriveKey(orderID uint64, p1, p2 []byte) Key {
	h := sha256.New()
	var hdr [9]byte
	hdr[0] = tagKey
	binary.BigEndian.PutUint64(hdr[1:], orderID)
	h.Write(hdr[:])
	var n [2]byte
	binary.BigEndian.PutUint16(n[:], uint16(len(p1)))
	h.Write(n[:])
	h.Write(p1)
	binary.BigEndian.PutUint16(n[:], uint16(len(p2)))
	h.Write(n[:])
	h.Write(p2)
	var k Key
	h.Sum(k[:0])
	return k
}
