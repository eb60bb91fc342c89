//go:build !linux

package cm

// bigBytes allocates a large zeroed table.
func bigBytes(n int) []byte { return make([]byte, n) }
