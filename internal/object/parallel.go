package object

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// group runs goroutines that stop together: the first error cancels the
// shared context and is the one Wait returns.
type group struct {
	wg     sync.WaitGroup
	once   sync.Once
	err    error
	cancel context.CancelFunc
}

func newGroup(ctx context.Context) (*group, context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	return &group{cancel: cancel}, ctx
}

func (g *group) Go(f func() error) {
	g.wg.Go(func() {
		if err := f(); err != nil {
			g.once.Do(func() {
				g.err = err
				g.cancel()
			})
		}
	})
}

func (g *group) Wait() error {
	g.wg.Wait()
	g.cancel()
	return g.err
}

// workers is how many goroutines share CPU-bound work.
func workers() int { return runtime.GOMAXPROCS(0) }

// forEach calls f(w, lo, hi) over [0, n) on up to workers() goroutines
// (w numbers the goroutine, for per-goroutine buffers). Goroutines take
// small runs from a shared counter, so one slowed down by other work does
// not hold the others back. It returns the first error.
func forEach(n int, f func(w, lo, hi int) error) error {
	w := min(workers(), n)
	if w <= 1 {
		if n == 0 {
			return nil
		}
		return f(0, 0, n)
	}
	step := max(1, n/(8*w))
	var next atomic.Int64
	errs := make([]error, w)
	var wg sync.WaitGroup
	for i := range w {
		wg.Go(func() {
			for {
				lo := int(next.Add(int64(step))) - step
				if lo >= n {
					return
				}
				if err := f(i, lo, min(lo+step, n)); err != nil {
					errs[i] = err
					next.Store(int64(n)) // stop the others early
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// send delivers v unless ctx ends first.
func send[T any](ctx context.Context, ch chan<- T, v T) error {
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// recv takes the next value; ok is false when ch is closed or ctx ended
// (then err says which).
func recv[T any](ctx context.Context, ch <-chan T) (v T, ok bool, err error) {
	select {
	case v, ok = <-ch:
		return v, ok, nil
	case <-ctx.Done():
		return v, false, ctx.Err()
	}
}
