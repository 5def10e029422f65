package console

import (
	"sync"
	"time"
)

// Login limits (API.md): failed logins per client address and in all, per minute.
const (
	loginFailsPerClient = 5
	loginFailsTotal     = 20
	loginWindow         = time.Minute
	maxTrackedClients   = 10000
)

// loginLimiter counts failed logins in a sliding window: a client past its budget,
// or everyone once the total is spent, waits until its oldest failure ages out.
type loginLimiter struct {
	mu     sync.Mutex
	now    func() time.Time
	fails  map[string][]time.Time
	global []time.Time
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, fails: map[string][]time.Time{}}
}

// allow reports whether client may try now, or how long to wait.
func (l *loginLimiter) allow(client string) (time.Duration, bool) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.global = recent(l.global, now)
	fs := recent(l.fails[client], now)
	if len(fs) == 0 {
		delete(l.fails, client)
	} else {
		l.fails[client] = fs
	}
	if len(fs) >= loginFailsPerClient {
		return fs[0].Add(loginWindow).Sub(now), false
	}
	if len(l.global) >= loginFailsTotal {
		return l.global[0].Add(loginWindow).Sub(now), false
	}
	return 0, true
}

// failed notes a failed login of client.
func (l *loginLimiter) failed(client string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) >= maxTrackedClients {
		for c, fs := range l.fails {
			if len(recent(fs, now)) == 0 {
				delete(l.fails, c)
			}
		}
	}
	l.fails[client] = append(recent(l.fails[client], now), now)
	l.global = append(recent(l.global, now), now)
}

// recent keeps the times within the window.
func recent(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= loginWindow {
		i++
	}
	return ts[i:]
}
