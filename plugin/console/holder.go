package console

import (
	"net/http"
	"sync"
)

// holder is the block's route on the shared listener: the started Server, or 503
// before startup and after shutdown.
type holder struct {
	mu      sync.Mutex
	s       *Server
	release func()
}

func (h *holder) set(s *Server, release func()) {
	h.mu.Lock()
	h.s, h.release = s, release
	h.mu.Unlock()
}

// stop stops the Server (its streams end) and releases the store.
func (h *holder) stop() {
	h.mu.Lock()
	s, release := h.s, h.release
	h.s, h.release = nil, nil
	h.mu.Unlock()
	if s != nil {
		s.Stop()
	}
	if release != nil {
		release()
	}
}

func (h *holder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	s := h.s
	h.mu.Unlock()
	if s == nil {
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the console is starting or stopping")
		return
	}
	s.ServeHTTP(w, r)
}
