//go:build linux

package cm

import "syscall"

// bigBytes allocates a large zeroed table. On Linux it asks for huge pages,
// which saves a TLB miss on most random lookups; the contents are the same
// either way.
func bigBytes(n int) []byte {
	if n < 4<<20 {
		return make([]byte, n)
	}
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]byte, n)
	}
	_ = syscall.Madvise(b, 14) // MADV_HUGEPAGE
	return b
}
