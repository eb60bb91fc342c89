//go:build !unix

package repo

import (
	"fmt"
	"os"
)

// Lock takes the repository's write lock. Without flock the lock is an
// exclusively created file; a crashed command leaves it behind, and the
// message says how to remove it.
func (r *Repo) Lock() (unlock func(), err error) {
	p := r.path("lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("another agigit command is running in this repository (remove %s if none is): %w", p, err)
	}
	f.Close()
	return func() { os.Remove(p) }, nil
}
