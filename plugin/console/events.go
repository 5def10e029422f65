package console

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/coretraffic/coretraffic/route53/replica"
)

// Streams: at most this many per session (a fifth closes the oldest), a ping
// after this long without events, and this many events queued for a slow page
// before it is dropped (EventSource reconnects and the page refetches).
const (
	streamsPerSession = 4
	pingEvery         = 15 * time.Second
	streamQueue       = 64
	writeWait         = 10 * time.Second
)

// event is one server-sent event before encoding.
type event struct {
	name string
	data any
}

// stream is one connected page: its queue of encoded events.
type stream struct {
	sess *session
	ch   chan []byte
	quit chan struct{} // closed when the hub drops it
}

// hub fans events out to the streams. An event is encoded once, whatever the
// number of pages; a send never blocks the caller (a prober, the replica).
type hub struct {
	mu      sync.Mutex
	streams map[*stream]bool
	order   []*stream // oldest first, for the per-session cap
}

func newHub() *hub { return &hub{streams: map[*stream]bool{}} }

// encode renders e as text/event-stream bytes.
func encode(e event) []byte {
	b, err := json.Marshal(e.data)
	if err != nil {
		return nil
	}
	out := make([]byte, 0, len(b)+len(e.name)+16)
	out = append(out, "event: "...)
	out = append(out, e.name...)
	out = append(out, "\ndata: "...)
	out = append(out, b...)
	return append(out, "\n\n"...)
}

func (h *hub) broadcast(e event) {
	msg := encode(e)
	if msg == nil {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.streams {
		select {
		case st.ch <- msg:
		default:
			h.dropLocked(st) // too slow: it reconnects and refetches
		}
	}
}

// add registers a stream of sess, closing sess's oldest beyond the cap.
func (h *hub) add(sess *session) *stream {
	st := &stream{sess: sess, ch: make(chan []byte, streamQueue), quit: make(chan struct{})}
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for i := len(h.order) - 1; i >= 0; i-- {
		if o := h.order[i]; o.sess == sess {
			n++
			if n >= streamsPerSession {
				h.dropLocked(o)
			}
		}
	}
	h.streams[st] = true
	h.order = append(h.order, st)
	return st
}

func (h *hub) remove(st *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.dropLocked(st)
}

func (h *hub) dropLocked(st *stream) {
	if !h.streams[st] {
		return
	}
	delete(h.streams, st)
	close(st.quit)
	for i, o := range h.order {
		if o == st {
			h.order = append(h.order[:i], h.order[i+1:]...)
			break
		}
	}
}

func (h *hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for st := range h.streams {
		h.dropLocked(st)
	}
}

// count is the number of connected streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.streams)
}

// onPublish is the replica's callback: a new revision is served.
func (s *Server) onPublish(p *replica.Published) {
	s.hub.broadcast(event{name: "revision", data: map[string]int64{"revision": p.Revision}})
}

// events serves GET /api/events: the handler's goroutine is the stream's only one;
// it sleeps on its queue between events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	sess := sessionOf(r)
	rc := http.NewResponseController(w)
	// The shared listener's read timeout would end the request's context after a
	// few seconds (the connection's background read times out): a stream reads
	// nothing more, so it has no read deadline; writes get one each.
	_ = rc.SetReadDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	st := s.hub.add(sess)
	defer s.hub.remove(st)
	streams.Inc()
	defer streams.Dec()
	rev := int64(-1)
	if s.cfg.Replica != nil {
		rev = s.cfg.Replica.Served()
	}
	write := func(b []byte) bool {
		_ = rc.SetWriteDeadline(time.Now().Add(writeWait))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !write(encode(event{name: "hello", data: map[string]any{"revision": rev, "user": sess.user}})) {
		return
	}
	ping := time.NewTimer(pingEvery)
	defer ping.Stop()
	for {
		select {
		case msg := <-st.ch:
			if !write(msg) {
				return
			}
			ping.Reset(pingEvery)
		case <-ping.C:
			if !s.sessions.alive(sess) || !write([]byte(": ping\n\n")) {
				return
			}
			ping.Reset(pingEvery)
		case <-st.quit:
			return
		case <-sess.done:
			return
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		}
	}
}
