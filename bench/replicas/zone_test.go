// Package replicas holds the multi-replica benchmark and soak (bench/replicas/
// README.md): three coretraffic processes on a 3-member etcd, driven through the
// Route 53 API and DNS. They run as Go tests on internal/e2e's harness, only when
// their make targets ask (BENCH_REPLICAS=1, SOAK_MINUTES).
package replicas

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// The zone: record sets r0 … r(N-1), type A, one value each; a value tells the
// generation of the write that made it.
const zoneName = "replicas.example."

func recordName(i int) string { return fmt.Sprintf("r%d.%s", i, zoneName) }

func value(i, gen int) string { return fmt.Sprintf("10.%d.%d.%d", gen%250, i/250%250, i%250) }

func upsertChange(i, gen int) types.Change {
	return types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: &types.ResourceRecordSet{
		Name: aws.String(recordName(i)), Type: types.RRTypeA, TTL: aws.Int64(60),
		ResourceRecords: []types.ResourceRecord{{Value: aws.String(value(i, gen))}}}}
}

// loadZone creates the zone and its n record sets through c in batches of 999
// and returns the zone's ID and the last change's.
func loadZone(ctx context.Context, c *route53.Client, n int) (zoneID, last string, err error) {
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(zoneName), CallerReference: aws.String(fmt.Sprint(time.Now().UnixNano()))})
	if err != nil {
		return "", "", err
	}
	zoneID = aws.ToString(z.HostedZone.Id)
	var batch []types.Change
	for i := range n {
		ch := upsertChange(i, 0)
		ch.Action = types.ChangeActionCreate // Route 53 counts an UPSERT's values twice
		batch = append(batch, ch)
		if len(batch) == 999 || i == n-1 {
			if last, err = send(ctx, c, zoneID, batch); err != nil {
				return "", "", err
			}
			batch = batch[:0]
		}
	}
	return zoneID, last, nil
}

func send(ctx context.Context, c *route53.Client, zoneID string, changes []types.Change) (string, error) {
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		ChangeBatch: &types.ChangeBatch{Changes: changes}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ChangeInfo.Id), nil
}

// askA asks name over c and returns the first A record's address.
func askA(c *dns.Conn, name string) (string, error) {
	m := new(dns.Msg)
	m.SetQuestion(name, dns.TypeA)
	c.SetDeadline(time.Now().Add(time.Second))
	if err := c.WriteMsg(m); err != nil {
		return "", err
	}
	for {
		r, err := c.ReadMsg()
		if err != nil {
			return "", err
		}
		if r.Id != m.Id {
			continue
		}
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok {
				return a.A.String(), nil
			}
		}
		return "", fmt.Errorf("%s: rcode %s, no A", name, dns.RcodeToString[r.Rcode])
	}
}

// queryLoad asks random record sets of every replica at a steady rate until
// stopped, counting queries that get no NOERROR A answer (timeouts included)
// and those whose replica was down (not counted as failures).
type queryLoad struct {
	sent, failed atomic.Int64
	stopCh       chan struct{}
	wg           sync.WaitGroup
	start        time.Time

	mu       sync.Mutex
	failures []string // the first ones: when, which replica, what
}

// fail counts a failed query to r and keeps the first 20 for the report.
func (l *queryLoad) fail(r *e2e.Replica, err error) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.failures) < 20 {
		l.failures = append(l.failures, fmt.Sprintf("%6.1fs %s: %v", time.Since(l.start).Seconds(), r.Name, err))
	}
}

// startLoad sends qps queries per second to each replica, from two workers each.
// alive tells whether a replica is meant to be up (a killed one is skipped).
func startLoad(nodes []*e2e.Replica, n, qps int, alive func(*e2e.Replica) bool) *queryLoad {
	l := &queryLoad{stopCh: make(chan struct{}), start: time.Now()}
	const workers = 2
	interval := time.Duration(int64(time.Second) * workers / int64(qps))
	for ri, r := range nodes {
		for w := range workers {
			l.wg.Add(1)
			go func() {
				defer l.wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(ri), uint64(w)))
				tick := time.NewTicker(interval)
				defer tick.Stop()
				var dc *dns.Conn
				for {
					select {
					case <-l.stopCh:
						return
					case <-tick.C:
					}
					if !alive(r) {
						continue
					}
					if dc == nil {
						conn, err := net.Dial("udp", r.DNS)
						if err != nil {
							continue
						}
						dc = &dns.Conn{Conn: conn}
						defer conn.Close()
					}
					l.sent.Add(1)
					if _, err := askA(dc, recordName(rnd.IntN(n))); err != nil && alive(r) {
						l.fail(r, err)
					}
				}
			}()
		}
	}
	return l
}

func (l *queryLoad) stop() {
	select {
	case <-l.stopCh:
	default:
		close(l.stopCh)
	}
	l.wg.Wait()
}

// percentile of durations, nearest rank.
func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := int(p/100*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
