package sigv4

import (
	"sync"
	"time"
)

// Route 53 allows five API requests per second per account; DefaultRate is that,
// with a burst that lets the aws CLI's and Terraform's short runs through.
const (
	DefaultRate  = 5.0
	DefaultBurst = 10
)

// Limiter is a token bucket per caller: each caller has Burst tokens at most and
// gains Rate tokens per second; a request takes one.
type Limiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// NewLimiter returns a limiter of rate requests per second and burst per caller.
// now is time.Now if nil.
func NewLimiter(rate float64, burst int, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	if burst < 1 {
		burst = 1
	}
	return &Limiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// Allow takes a token of caller and reports whether there was one. Callers are
// authenticated access key IDs, so the map is bounded by the key set.
func (l *Limiter) Allow(caller string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[caller]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[caller] = b
	}
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
