package main

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// watch is the steady query load: workers query qname continuously, each paced, and
// every answer is recorded with the moment it arrived.
type watch struct {
	mu     sync.Mutex
	stats  watchStats
	lastV  string
	lastAt time.Time
	// the current wait: the first answer `want` that arrived after `since`, and the
	// answers other than `want` that arrived after that (flaps)
	want     string
	since    time.Time
	first    time.Time
	flaps    int
	stopping chan struct{}
	wg       sync.WaitGroup
}

type watchStats struct {
	queries, timeouts, rcodes, others int
	samples                           []string
}

func startWatch(server string, workers int, pace time.Duration) (*watch, error) {
	w := &watch{stopping: make(chan struct{})}
	for range workers {
		ua, err := net.ResolveUDPAddr("udp", server)
		if err != nil {
			return nil, err
		}
		conn, err := net.DialUDP("udp", nil, ua)
		if err != nil {
			return nil, err
		}
		w.wg.Add(1)
		go w.worker(conn, pace)
	}
	return w, nil
}

func (w *watch) worker(conn *net.UDPConn, pace time.Duration) {
	defer w.wg.Done()
	defer conn.Close()
	buf := make([]byte, 2048)
	for {
		select {
		case <-w.stopping:
			return
		default:
		}
		m := new(dns.Msg)
		m.SetQuestion(qname, dns.TypeA)
		m.Id = dns.Id()
		b, _ := m.Pack()
		sent := time.Now()
		conn.Write(b)
		conn.SetReadDeadline(time.Now().Add(time.Second))
		var r *dns.Msg
		for {
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					time.Sleep(10 * time.Millisecond) // e.g. ICMP refused while coredns restarts: counted below
				}
				break
			}
			x := new(dns.Msg)
			if x.Unpack(buf[:n]) == nil && x.Id == m.Id {
				r = x
				break
			}
		}
		w.record(sent, time.Now(), r)
		time.Sleep(pace)
	}
}

func answerOf(r *dns.Msg) string {
	if len(r.Answer) != 1 {
		return fmt.Sprintf("%d answers", len(r.Answer))
	}
	if a, ok := r.Answer[0].(*dns.A); ok {
		return a.A.String()
	}
	return r.Answer[0].String()
}

// record one answer: sent is when its query left, at when the answer arrived.
func (w *watch) record(sent, at time.Time, r *dns.Msg) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.stats.queries++
	bad := ""
	switch {
	case r == nil:
		w.stats.timeouts++
		bad = "timeout"
	case r.Rcode != dns.RcodeSuccess:
		w.stats.rcodes++
		bad = dns.RcodeToString[r.Rcode]
	}
	if bad != "" {
		if len(w.stats.samples) < 10 {
			w.stats.samples = append(w.stats.samples, at.Format("15:04:05.000")+" "+bad)
		}
		return
	}
	v := answerOf(r)
	if v != primaryIP && v != secondaryIP {
		w.stats.others++
		if len(w.stats.samples) < 10 {
			w.stats.samples = append(w.stats.samples, at.Format("15:04:05.000")+" "+v)
		}
		return
	}
	w.lastV, w.lastAt = v, at
	if w.want == "" || at.Before(w.since) {
		return
	}
	switch {
	case v == w.want && w.first.IsZero():
		w.first = at
	case v != w.want && !w.first.IsZero() && sent.After(w.first):
		// a query sent after the new answer had arrived got the old one; answers to
		// queries already in flight when the state flipped are not flaps
		w.flaps++
	}
}

// steady waits until every answer for d has been want, for at most limit.
func (w *watch) steady(want string, d, limit time.Duration) error {
	end := time.Now().Add(limit)
	since := time.Now()
	for time.Now().Before(end) {
		w.mu.Lock()
		v, at := w.lastV, w.lastAt
		w.mu.Unlock()
		if v != want || at.Before(since) {
			since = time.Now()
		} else if time.Since(since) >= d {
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return fmt.Errorf("answers not steadily %s for %s within %s (last %q)", want, d, limit, w.last())
}

func (w *watch) last() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastV
}

// waitFor returns the arrival of the first answer want after since, and a function
// that reports the flaps seen from then until it is called.
func (w *watch) waitFor(want string, since time.Time, limit time.Duration, srv *proc) (time.Time, func() int, error) {
	w.mu.Lock()
	w.want, w.since, w.first, w.flaps = want, since, time.Time{}, 0
	w.mu.Unlock()
	end := since.Add(limit)
	for time.Now().Before(end) {
		if !srv.alive() {
			return time.Time{}, nil, fmt.Errorf("coredns exited: %s", srv.tail())
		}
		w.mu.Lock()
		first := w.first
		w.mu.Unlock()
		if !first.IsZero() {
			return first, func() int {
				w.mu.Lock()
				defer w.mu.Unlock()
				n := w.flaps
				w.want = ""
				return n
			}, nil
		}
		time.Sleep(time.Millisecond)
	}
	return time.Time{}, nil, fmt.Errorf("answers did not move to %s within %s", want, limit)
}

func (w *watch) stop() watchStats {
	close(w.stopping)
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.stats
}
