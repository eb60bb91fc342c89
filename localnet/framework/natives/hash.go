package natives

import (
	"crypto/sha3"
	"crypto/sha512"
	"encoding/binary"
	"math/bits"

	"golang.org/x/crypto/blake2b"
	"golang.org/x/crypto/ripemd160" //nolint:staticcheck // aptos_hash::ripemd160 must compute exactly this digest.
	xsha3 "golang.org/x/crypto/sha3"
)

// Keccak256 is aptos_hash::keccak256 (the pre-standard Keccak, as Ethereum uses).
func Keccak256(b []byte) []byte {
	h := xsha3.NewLegacyKeccak256()
	h.Write(b)
	return h.Sum(nil)
}

// SHA2_512 is aptos_hash::sha2_512.
func SHA2_512(b []byte) []byte {
	s := sha512.Sum512(b)
	return s[:]
}

// SHA3_512 is aptos_hash::sha3_512.
func SHA3_512(b []byte) []byte {
	s := sha3.Sum512(b)
	return s[:]
}

// RIPEMD160 is aptos_hash::ripemd160.
func RIPEMD160(b []byte) []byte {
	h := ripemd160.New()
	h.Write(b)
	return h.Sum(nil)
}

// Blake2b256 is aptos_hash::blake2b_256 (unkeyed, 32-byte output).
func Blake2b256(b []byte) []byte {
	s := blake2b.Sum256(b)
	return s[:]
}

// SipHash24 is aptos_hash::sip_hash: SipHash-2-4 with both keys zero.
func SipHash24(msg []byte) uint64 {
	const k0, k1 = 0, 0
	v0 := k0 ^ uint64(0x736f6d6570736575)
	v1 := k1 ^ uint64(0x646f72616e646f6d)
	v2 := k0 ^ uint64(0x6c7967656e657261)
	v3 := k1 ^ uint64(0x7465646279746573)
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13) ^ v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16) ^ v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21) ^ v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17) ^ v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(msg) / 8 * 8
	for i := 0; i < n; i += 8 {
		m := binary.LittleEndian.Uint64(msg[i:])
		v3 ^= m
		round()
		round()
		v0 ^= m
	}
	last := uint64(len(msg)) << 56
	for i, c := range msg[n:] {
		last |= uint64(c) << (8 * i)
	}
	v3 ^= last
	round()
	round()
	v0 ^= last
	v2 ^= 0xff
	round()
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
