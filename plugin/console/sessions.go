package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Session lifetimes and bounds (API.md, Authentication).
const (
	sessionTTL    = 8 * time.Hour
	sessionIdle   = time.Hour
	maxSessions   = 1000
	sessionCookie = "ct_session"
)

// session is one logged-in page (or several tabs of one browser).
type session struct {
	id      string
	user    string // the access key ID
	csrf    string
	created time.Time
	expires time.Time
	seen    time.Time // last request; idle sessions expire
	done    chan struct{}
}

// sessions is the server-side session table, in memory: a restart logs everyone out.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, now: now}
}

// token is 256 random bits, base64url.
func token() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("console: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create opens a session for user, dropping the oldest when the table is full.
func (ss *sessions) create(user string) *session {
	now := ss.now()
	s := &session{id: token(), user: user, csrf: token(), created: now, expires: now.Add(sessionTTL), seen: now, done: make(chan struct{})}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.sweep(now)
	if len(ss.m) >= maxSessions {
		var oldest *session
		for _, o := range ss.m {
			if oldest == nil || o.created.Before(oldest.created) {
				oldest = o
			}
		}
		ss.drop(oldest)
	}
	ss.m[s.id] = s
	return s
}

// sweep drops expired sessions; called with mu held.
func (ss *sessions) sweep(now time.Time) {
	for _, s := range ss.m {
		if !s.live(now) {
			ss.drop(s)
		}
	}
}

func (s *session) live(now time.Time) bool {
	return now.Before(s.expires) && now.Sub(s.seen) < sessionIdle
}

// drop deletes s and ends its event streams; called with mu held.
func (ss *sessions) drop(s *session) {
	delete(ss.m, s.id)
	close(s.done)
}

// from returns the live session of r's cookie and notes the request.
func (ss *sessions) from(r *http.Request) (*session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 64 {
		return nil, false
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s, ok := ss.m[c.Value]
	if !ok {
		return nil, false
	}
	if !s.live(now) {
		ss.drop(s)
		return nil, false
	}
	s.seen = now
	return s, true
}

// remove ends s (logout).
func (ss *sessions) remove(s *session) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if cur, ok := ss.m[s.id]; ok && cur == s {
		ss.drop(s)
	}
}

// csrfOK compares a request's token with the session's in constant time.
func (s *session) csrfOK(got string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

// alive reports whether s is still a live session (a stream asks at each ping, so
// an expired session's streams end without a request).
func (ss *sessions) alive(s *session) bool {
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if cur, ok := ss.m[s.id]; !ok || cur != s {
		return false
	}
	if !s.live(now) {
		ss.drop(s)
		return false
	}
	return true
}
