package replicas

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// soakSets is the size of the zone the query load asks.
const soakSets = 1000

func batchName(k, part int) string { return fmt.Sprintf("s%d-%d.%s", k, part, zoneName) }

func batchValue(k int) string { return fmt.Sprintf("10.%d.%d.%d", 200+k/62500%50, k/250%250, k%250) }

// ledger is what the writers learned: batches acknowledged, and batches whose
// request failed (by error code), which may or may not have been applied.
type ledger struct {
	mu     sync.Mutex
	acked  map[int]time.Time // batch → when its 200 came
	failed map[int]string    // batch → error code
	codes  map[string]int
}

// TestSoakReplicas is `make soak-replicas`: SOAK_MINUTES of random SIGKILLs and
// restarts of etcd members (one at a time, sometimes two, losing quorum) and of
// replicas, under change batches through every API and queries to every
// replica. It reports batches acknowledged vs present, DNS failures and
// divergence between the replicas.
func TestSoakReplicas(t *testing.T) {
	minutes, _ := strconv.ParseFloat(os.Getenv("SOAK_MINUTES"), 64)
	if minutes <= 0 {
		t.Skip("the soak runs with SOAK_MINUTES=N (make soak-replicas)")
	}
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{Snapshot: true})
	zoneID, last, err := loadZone(ctx, rs.Nodes[0].Client, soakSets)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.WaitInsync(ctx, last, time.Minute); err != nil {
		t.Fatal(err)
	}
	var up sync.Map // *e2e.Replica → bool: meant to be running
	for _, r := range rs.Nodes {
		up.Store(r, true)
	}
	alive := func(r *e2e.Replica) bool { v, _ := up.Load(r); return v.(bool) }
	load := startLoad(rs.Nodes, soakSets, env("QPS", 100), alive)
	l := &ledger{acked: map[int]time.Time{}, failed: map[int]string{}, codes: map[string]int{}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var next atomic.Int64
	for _, r := range rs.Nodes {
		wg.Add(1)
		go func() { defer wg.Done(); write(ctx, r, zoneID, l, &next, stop, alive) }()
	}
	div := &divergence{}
	wg.Add(1)
	go func() { defer wg.Done(); div.watch(rs, l, alive, stop) }()

	events := chaos(t, rs, rnd, time.Duration(minutes*float64(time.Minute)), &up)
	close(stop)
	wg.Wait()
	load.stop()

	// Everything is back: the store must hold every acknowledged batch, whole.
	for _, m := range rs.Etcd {
		m.WaitHealthy()
	}
	names, err := listAll(ctx, rs.Nodes[0].Client, zoneID)
	if err != nil {
		t.Fatal(err)
	}
	report(t, rs, l, names, int(next.Load()), events, load, div)
}

// write sends batches of three CREATEs through r's API until stop, noting each
// outcome; after a failure it pauses 200 ms.
func write(ctx context.Context, r *e2e.Replica, zoneID string, l *ledger, next *atomic.Int64, stop <-chan struct{}, alive func(*e2e.Replica) bool) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		if !alive(r) {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		k := int(next.Add(1) - 1)
		var changes []types.Change
		for part := range 3 {
			changes = append(changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
				Name: aws.String(batchName(k, part)), Type: types.RRTypeA, TTL: aws.Int64(60),
				ResourceRecords: []types.ResourceRecord{{Value: aws.String(batchValue(k))}}}})
		}
		_, err := send(ctx, r.Client, zoneID, changes)
		l.mu.Lock()
		if err == nil {
			l.acked[k] = time.Now()
			l.mu.Unlock()
			continue
		}
		code := "connection" // the replica is down or went down
		var ae smithy.APIError
		if errors.As(err, &ae) {
			code = ae.ErrorCode()
			if strings.Contains(ae.ErrorMessage(), "may still be applied") {
				code += "(unacknowledged)"
			}
		}
		l.failed[k] = code
		l.codes[code]++
		l.mu.Unlock()
		time.Sleep(200 * time.Millisecond)
	}
}

// listAll lists every record set name of the zone.
func listAll(ctx context.Context, c *route53.Client, zoneID string) (map[string]bool, error) {
	names := map[string]bool{}
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	for {
		page, err := c.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, rs := range page.ResourceRecordSets {
			names[aws.ToString(rs.Name)] = true
		}
		if !page.IsTruncated {
			return names, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

// report prints the soak's outcome and fails the test on a lost or partial
// batch, a batch present that was never sent, DNS failures, or replicas that
// disagree at the end.
func report(t *testing.T, rs *e2e.Replicas, l *ledger, names map[string]bool, sent int, events []string, load *queryLoad, div *divergence) {
	l.mu.Lock()
	defer l.mu.Unlock()
	present, partial, lost, indeterminate := 0, 0, 0, 0
	for k := range sent {
		n := 0
		for part := range 3 {
			if names[batchName(k, part)] {
				n++
			}
		}
		_, acked := l.acked[k]
		_, failed := l.failed[k]
		switch {
		case n != 0 && n != 3:
			partial++
			t.Errorf("batch %d present in part (%d of 3)", k, n)
		case n == 3:
			present++
			if !acked {
				indeterminate++
				fmt.Printf("batch %d refused (%s) but present: its request was in flight at a fault\n", k, l.failed[k])
				switch code := l.failed[k]; {
				case !failed:
					t.Errorf("batch %d present but never acknowledged nor refused", k)
				case code != "connection" && !strings.HasSuffix(code, "(unacknowledged)"):
					t.Errorf("batch %d present but refused with %s, which says nothing was changed", k, code)
				}
			}
		case acked:
			lost++
			t.Errorf("acknowledged batch %d lost", k)
		}
	}
	fmt.Printf("\n== soak report\nchaos events (%d):\n", len(events))
	for _, e := range events {
		fmt.Println("  " + e)
	}
	codes := make([]string, 0, len(l.codes))
	for c, n := range l.codes {
		codes = append(codes, fmt.Sprintf("%s ×%d", c, n))
	}
	sort.Strings(codes)
	fmt.Printf("batches sent %d: acknowledged %d, present after the soak %d (lost %d, partial %d); refused %d %v, of which present %d (a commit in flight when quorum went, applied when it came back)\n",
		sent, len(l.acked), present, lost, partial, len(l.failed), codes, indeterminate)
	fmt.Printf("DNS queries to running replicas: %d sent, %d failed\n", load.sent.Load(), load.failed.Load())
	for _, f := range load.failures {
		fmt.Println("  failed: " + f)
	}
	div.print()
	if load.failed.Load() > 0 {
		t.Errorf("%d DNS queries to running replicas failed", load.failed.Load())
	}
	// The three agree at the end, over every acknowledged batch.
	var qs []e2e.Question
	for k := range l.acked {
		qs = append(qs, e2e.Question{Name: batchName(k, k%3), Type: dns.TypeA})
	}
	for _, p := range e2e.Corpus(t, 30) {
		qs = append(qs, e2e.Question{Name: recordName(7), Type: dns.TypeA, Subnet: p})
	}
	deadline := time.Now().Add(30 * time.Second)
	d := rs.Diverging(qs)
	for len(d) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Second)
		d = rs.Diverging(qs)
	}
	fmt.Printf("at the end: %d questions, %d answered differently by the three replicas\n", len(qs), len(d))
	if len(d) > 0 {
		t.Errorf("%d questions answered differently at the end:\n%s", len(d), d[0])
	}
	if os.Getenv("SOAK_VERBOSE") != "" {
		fmt.Println(rs.Outputs())
	}
}
