package policy

import (
	"sync"
	"time"
)

// RateLimiter is a set of token buckets keyed by a string (an IP address or
// a pubkey). Each key may spend Burst tokens at once and regains Rate
// tokens per second. A nil RateLimiter or a zero Rate allows everything.
type RateLimiter struct {
	rate  float64
	burst float64

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
	now       func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxIdleKeys bounds memory: above it, full buckets are forgotten at once.
const maxIdleKeys = 1 << 16

// NewRateLimiter returns a limiter; rate <= 0 disables it.
func NewRateLimiter(rate float64, burst int) *RateLimiter {
	if rate <= 0 {
		return nil
	}
	if burst < 1 {
		burst = 1
	}
	return &RateLimiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// Allow spends one token of key and reports whether one was available.
func (l *RateLimiter) Allow(key string) bool {
	return l.AllowN(key, 1)
}

// AllowN spends n tokens of key if all are available.
func (l *RateLimiter) AllowN(key string, n int) bool {
	if l == nil {
		return true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	} else {
		b.tokens += now.Sub(b.last).Seconds() * l.rate
		if b.tokens > l.burst {
			b.tokens = l.burst
		}
		b.last = now
	}
	if b.tokens < float64(n) {
		return false
	}
	b.tokens -= float64(n)
	return true
}

// sweep forgets keys whose bucket has refilled: they behave exactly like
// unknown keys. Runs at most once per refill period unless the map is large.
func (l *RateLimiter) sweep(now time.Time) {
	if l.lastSweep.IsZero() {
		l.lastSweep = now
		return
	}
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	if len(l.buckets) < maxIdleKeys && now.Sub(l.lastSweep) < full+time.Minute {
		return
	}
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// Limit returns the configured rate and burst (for the NIP-11 document and
// logs).
func (l *RateLimiter) Limit() (rate float64, burst int) {
	if l == nil {
		return 0, 0
	}
	return l.rate, int(l.burst)
}
