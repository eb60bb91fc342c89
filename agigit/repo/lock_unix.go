//go:build unix

package repo

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Lock takes the repository's write lock, so that two commands never change
// the index, refs or objects at the same time. The lock is an flock on
// .agigit/lock, released by the kernel if the process dies.
func (r *Repo) Lock() (unlock func(), err error) {
	f, err := os.OpenFile(r.path("lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock repository: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another agigit command is running in this repository (%s is locked)", r.path("lock"))
		}
		return nil, fmt.Errorf("lock repository: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
