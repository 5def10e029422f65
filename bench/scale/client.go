package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// verdict of one answer.
type verdict int

const (
	vTimeout verdict = iota
	vServfail
	vRcode // another rcode
	vOld   // right for the old generation
	vNew   // right for the new generation
	vWrong
)

// conn is one UDP socket with its own read loop state.
type conn struct {
	c       *net.UDPConn
	buf     []byte
	timeout time.Duration
}

func dial(server string, timeout time.Duration) (*conn, error) {
	ua, err := net.ResolveUDPAddr("udp", server)
	if err != nil {
		return nil, err
	}
	c, err := net.DialUDP("udp", nil, ua)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, buf: make([]byte, 4096), timeout: timeout}, nil
}

// ask sends one A query for record set i and waits for the answer with its ID;
// nil on timeout.
func (c *conn) ask(i int) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(name(i)+"."+Zone, dns.TypeA)
	m.Id = dns.Id()
	b, err := m.Pack()
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(c.timeout)
	if _, err := c.c.Write(b); err != nil {
		return nil, err
	}
	c.c.SetReadDeadline(deadline)
	for {
		n, err := c.c.Read(c.buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, nil
			}
			return nil, err
		}
		r := new(dns.Msg)
		if r.Unpack(c.buf[:n]) != nil || r.Id != m.Id {
			continue // a late answer to an earlier query
		}
		return r, nil
	}
}

// matches reports whether the A records of r are a right answer under e.
func matches(r *dns.Msg, e Expect) bool {
	var got []netip.Addr
	for _, rr := range r.Answer {
		a, ok := rr.(*dns.A)
		if !ok {
			return false
		}
		ip, _ := netip.AddrFromSlice(a.A.To4())
		if !slices.Contains(e.Allowed, ip) || slices.Contains(got, ip) {
			return false
		}
		got = append(got, ip)
	}
	return len(got) == e.Count
}

func judge(r *dns.Msg, i, old, nw int) verdict {
	switch {
	case r == nil:
		return vTimeout
	case r.Rcode == dns.RcodeServerFailure:
		return vServfail
	case r.Rcode != dns.RcodeSuccess:
		return vRcode
	case matches(r, expect(i, old)):
		return vOld
	case nw >= 0 && matches(r, expect(i, nw)):
		return vNew
	}
	return vWrong
}

// verifyMain queries the first, the last and S random record sets and fails unless
// every answer is right for generation G.
func verifyMain(args []string) error {
	fs := flag.NewFlagSet("verify", flag.ExitOnError)
	server := fs.String("server", "127.0.0.1:1053", "server")
	n := fs.Int("n", 1000, "record sets in the data")
	g := fs.Int("gen", 1, "generation the answers must come from")
	samples := fs.Int("samples", 2000, "random record sets to ask")
	fs.Parse(args)
	c, err := dial(*server, 2*time.Second)
	if err != nil {
		return err
	}
	idx := []int{0, *n - 1}
	for range *samples {
		idx = append(idx, rand.IntN(*n))
	}
	bad := 0
	for _, i := range idx {
		r, err := c.ask(i)
		if err != nil {
			return err
		}
		if v := judge(r, i, *g, -1); v != vOld {
			bad++
			if bad <= 5 {
				fmt.Fprintf(os.Stderr, "%s: %s, want %v\n", name(i), describe(r), expect(i, *g))
			}
		}
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d answers wrong", bad, len(idx))
	}
	fmt.Printf("verified %d answers (generation %d)\n", len(idx), *g)
	return nil
}

func describe(r *dns.Msg) string {
	if r == nil {
		return "timeout"
	}
	s := dns.RcodeToString[r.Rcode]
	for _, rr := range r.Answer {
		s += " " + rr.String()
	}
	return s
}

// loadReport is what load prints (JSON): counts by verdict, and when (unix ns) the
// new data was first and the old data last seen.
type loadReport struct {
	Sent, Old, New, Timeouts, Servfail, OtherRcode, Wrong int
	OldAfterFirstNew                                      int // old answers received after the first new one
	FirstNewNS, LastOldNS, StartNS, EndNS                 int64
	Workers                                               int
	WrongSamples                                          []string
	Timeline                                              [][3]int64 // [unix ns of the 100 ms slot, old, new]
	// latency of the answered queries: quantiles, max, and how many took over 100 ms
	LatP50MS, LatP99MS, LatMaxMS float64
	Over100MS                    int
}

// loadMain queries random record sets from W workers for D, judging every answer
// against generations -old and -new.
func loadMain(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	server := fs.String("server", "127.0.0.1:1053", "server")
	n := fs.Int("n", 1000, "record sets in the data")
	old := fs.Int("old", 1, "generation served at the start")
	nw := fs.Int("new", 2, "generation the reload brings")
	dur := fs.Duration("duration", 20*time.Second, "how long")
	workers := fs.Int("workers", 4, "concurrent clients, one query in flight each")
	timeout := fs.Duration("timeout", time.Second, "an answer later than this is a timeout")
	afterNew := fs.Duration("after-new", 0, "stop this long after the first new answer (0: run for -duration)")
	fs.Parse(args)
	rep := loadReport{Workers: *workers, StartNS: time.Now().UnixNano()}
	end := time.Now().Add(*dur)
	var mu sync.Mutex
	slots := map[int64]*[3]int64{}
	var lats []time.Duration
	var wg sync.WaitGroup
	var firstErr error
	for range *workers {
		c, err := dial(*server, *timeout)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				if *afterNew > 0 {
					mu.Lock()
					stop := rep.FirstNewNS != 0 && time.Now().UnixNano()-rep.FirstNewNS > afterNew.Nanoseconds()
					mu.Unlock()
					if stop {
						break
					}
				}
				i := rand.IntN(*n)
				t0 := time.Now()
				r, err := c.ask(i)
				lat := time.Since(t0)
				if err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
					return
				}
				now := time.Now().UnixNano()
				v := judge(r, i, *old, *nw)
				mu.Lock()
				rep.Sent++
				if r != nil {
					lats = append(lats, lat)
				}
				slot := now / 1e8 * 1e8
				s := slots[slot]
				if s == nil {
					s = &[3]int64{slot}
					slots[slot] = s
				}
				switch v {
				case vTimeout:
					rep.Timeouts++
				case vServfail:
					rep.Servfail++
				case vRcode:
					rep.OtherRcode++
				case vOld:
					rep.Old++
					s[1]++
					rep.LastOldNS = now
					if rep.FirstNewNS != 0 {
						rep.OldAfterFirstNew++
					}
				case vNew:
					rep.New++
					s[2]++
					if rep.FirstNewNS == 0 {
						rep.FirstNewNS = now
					}
				case vWrong:
					rep.Wrong++
				}
				if v != vOld && v != vNew && len(rep.WrongSamples) < 10 {
					rep.WrongSamples = append(rep.WrongSamples, fmt.Sprintf("%s: %s", name(i), describe(r)))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	rep.EndNS = time.Now().UnixNano()
	if len(lats) > 0 {
		slices.Sort(lats)
		q := func(f float64) float64 { return float64(lats[min(len(lats)-1, int(f*float64(len(lats))))]) / 1e6 }
		rep.LatP50MS, rep.LatP99MS, rep.LatMaxMS = q(0.5), q(0.99), float64(lats[len(lats)-1])/1e6
		for _, l := range lats {
			if l > 100*time.Millisecond {
				rep.Over100MS++
			}
		}
	}
	for _, s := range slots {
		rep.Timeline = append(rep.Timeline, *s)
	}
	slices.SortFunc(rep.Timeline, func(a, b [3]int64) int { return int(a[0]/1e6 - b[0]/1e6) })
	return json.NewEncoder(os.Stdout).Encode(rep)
}
