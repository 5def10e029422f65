package console

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

type sessionKey struct{}

// sessionOf is the session authed put in r's context.
func sessionOf(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey{}).(*session)
	return s
}

// authed serves h only with a live session; else 401.
func (s *Server) authed(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sess, ok := s.sessions.from(r)
		if !ok {
			writeError(w, http.StatusUnauthorized, "unauthenticated", "log in first")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), sessionKey{}, sess)))
	})
}

// mutating is authed plus the CSRF rule: the session's token in X-CSRF-Token and
// the request's Origin equal to the console's own.
func (s *Server) mutating(h http.HandlerFunc) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request) {
		if !s.sameOrigin(r) {
			writeError(w, http.StatusForbidden, "csrf", "the Origin header is missing or is not this console's")
			return
		}
		if !sessionOf(r).csrfOK(r.Header.Get("X-CSRF-Token")) {
			writeError(w, http.StatusForbidden, "csrf", "the X-CSRF-Token header is missing or wrong")
			return
		}
		h(w, r)
	})
}

// sameOrigin reports whether r's Origin is the console's own origin as r addressed it.
func (s *Server) sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return false
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	scheme := "http"
	if s.cfg.TLS || r.TLS != nil {
		scheme = "https"
	}
	return u.Scheme == scheme && u.Host == r.Host && u.Path == ""
}

// loginRequest is POST /api/login's body (JSON or a form).
type loginRequest struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
}

// sessionDoc answers login and GET /api/session.
type sessionDoc struct {
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	form := isForm(r)
	if !s.sameOrigin(r) {
		writeError(w, http.StatusForbidden, "csrf", "the Origin header is missing or is not this console's")
		return
	}
	client := clientAddr(r)
	if wait, ok := s.limiter.allow(client); !ok {
		logins.WithLabelValues("limited").Inc()
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds()+0.999)))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "too many failed logins: wait and try again")
		return
	}
	var req loginRequest
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	if form {
		if err := r.ParseForm(); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", "the login form could not be read")
			return
		}
		req.AccessKeyID, req.SecretAccessKey = r.PostForm.Get("access_key_id"), r.PostForm.Get("secret_access_key")
	} else if err := json.NewDecoder(r.Body).Decode(&req); err != nil && err != io.EOF {
		writeError(w, http.StatusBadRequest, "bad_request", "the body is not {\"access_key_id\": …, \"secret_access_key\": …}")
		return
	}
	if !s.checkKey(req.AccessKeyID, req.SecretAccessKey) {
		s.limiter.failed(client)
		logins.WithLabelValues("denied").Inc()
		s.cfg.Logf("console: failed login from %s", client)
		if form {
			http.Redirect(w, r, "/login?error=1", http.StatusSeeOther)
			return
		}
		writeError(w, http.StatusUnauthorized, "unauthenticated", "wrong access key ID or secret")
		return
	}
	if old, ok := s.sessions.from(r); ok {
		s.sessions.remove(old) // a new cookie on every login: no session fixation
	}
	sess := s.sessions.create(req.AccessKeyID)
	logins.WithLabelValues("ok").Inc()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.id, Path: "/", HttpOnly: true, Secure: s.cfg.TLS,
		SameSite: http.SameSiteStrictMode, MaxAge: int(sessionTTL / time.Second)})
	if form {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	writeJSON(w, http.StatusOK, sessionDoc{User: sess.user, CSRF: sess.csrf, Expires: sess.expires.UTC()})
}

// checkKey compares the secret in constant time; an unknown key ID costs the same
// comparison against a dummy, so timing tells neither which IDs exist nor how
// long a secret is.
func (s *Server) checkKey(id, secret string) bool {
	if id == "" || secret == "" || s.cfg.Keys == nil {
		return false
	}
	k, ok := s.cfg.Keys.Lookup(id)
	want := k.Secret
	if !ok {
		want = "dummy-secret-never-matches-0123456789"
	}
	// Digests first: ConstantTimeCompare returns at once on a length mismatch,
	// which would tell the secret's length.
	got, exp := sha256.Sum256([]byte(secret)), sha256.Sum256([]byte(want))
	match := subtle.ConstantTimeCompare(got[:], exp[:]) == 1
	return ok && match
}

func (s *Server) session(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.sessions.from(r)
	if !ok {
		writeError(w, http.StatusUnauthorized, "unauthenticated", "log in first")
		return
	}
	writeJSON(w, http.StatusOK, sessionDoc{User: sess.user, CSRF: sess.csrf, Expires: sess.expires.UTC()})
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.sessions.remove(sessionOf(r))
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.cfg.TLS,
		SameSite: http.SameSiteStrictMode, MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// clientAddr is the connection's address without the port (no proxy headers: the
// console is meant to be reached directly).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
