//go:build !amd64 || purego

package sha256x2

const useAsm = false

func block2(a, b *[8]uint32, pa, pb *byte, blocks int) {
	panic("sha256x2: no interleaved code on this platform")
}
