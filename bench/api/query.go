package main

import (
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// queryLoad asks random record sets at a steady rate until stopped and counts answers
// that are not a NOERROR with an A record (timeouts included): with changes landing
// underneath, every query must still be answered.
type queryLoad struct {
	sent, failed atomic.Int64
	stopCh       chan struct{}
	wg           sync.WaitGroup
}

func startLoad(addr string, n, qps, workers int) (*queryLoad, error) {
	l := &queryLoad{stopCh: make(chan struct{})}
	interval := time.Duration(int64(time.Second) * int64(workers) / int64(qps))
	for w := range workers {
		conn, err := net.Dial("udp", addr)
		if err != nil {
			l.stop()
			return nil, err
		}
		dc := &dns.Conn{Conn: conn}
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			defer conn.Close()
			r := rand.New(rand.NewPCG(uint64(w), 7))
			tick := time.NewTicker(interval)
			defer tick.Stop()
			for {
				select {
				case <-l.stopCh:
					return
				case <-tick.C:
				}
				l.sent.Add(1)
				if _, err := askA(dc, recordName(r.IntN(n))); err != nil {
					l.failed.Add(1)
				}
			}
		}()
	}
	return l, nil
}

func (l *queryLoad) stop() {
	select {
	case <-l.stopCh:
	default:
		close(l.stopCh)
	}
	l.wg.Wait()
}

func tryAnswer(addr, name string) error {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = askA(&dns.Conn{Conn: conn}, name)
	return err
}
