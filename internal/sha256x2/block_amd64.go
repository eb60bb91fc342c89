//go:build amd64 && !purego

package sha256x2

import "github.com/klauspost/cpuid/v2"

// The interleaved code uses only SSE encodings (no AVX), so these CPUID
// bits are all it needs.
var useAsm = cpuid.CPU.Supports(cpuid.SHA, cpuid.SSSE3, cpuid.SSE4)

// block2 runs the compression function over blocks 64-byte blocks of each
// message, from pa into state a and from pb into state b.
//
//go:noescape
func block2(a, b *[8]uint32, pa, pb *byte, blocks int)
