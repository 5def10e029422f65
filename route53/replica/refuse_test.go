package replica_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

// logs collects a replica's log lines.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

// has reports whether a line names every one of want.
func (l *logs) has(want ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
next:
	for _, line := range l.lines {
		for _, w := range want {
			if !strings.Contains(line, w) {
				continue next
			}
		}
		return true
	}
	return false
}

// answer is what the replica serves for name A in bench.example ("" none).
func answer(r *replica.Replica, name string) string {
	p := r.Current()
	if p == nil || p.Snap.Zone("bench.example.") == nil {
		return ""
	}
	set := p.Snap.Zone("bench.example.").Set(name, dns.TypeA)
	if set == nil || len(set.Tree.Endpoints) == 0 {
		return ""
	}
	return set.Tree.Endpoints[0].Value
}

// TestRefusedDataNamesKey is issue 12's "data in etcd that fails validation (written
// by something else) is refused with its key and the previous data keeps serving":
// a malformed record set written through the store (another writer's bug) and one
// put into etcd directly (etcdctl), each named by its store key in the log.
func TestRefusedDataNamesKey(t *testing.T) {
	e := etcdtest.Start(t, etcdtest.Config{})
	st, err := etcdstore.Open(context.Background(), etcdstore.Options{Endpoints: []string{e.ClientURL}, Prefix: "/bad/"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	z := benchZone(t, st, 5)
	var l logs
	rep := replica.New(st, hc.New(hc.Options{}), "refuse-test", l.logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	defer func() { cancel(); <-done }()
	rs1 := oneA(1, 0)
	key1 := catalog.RecordKey(z.ID, &rs1)
	if !rep.WaitServed(ctx, st.Revision()) || answer(rep, rs1.Name) != "10.0.0.1" {
		t.Fatalf("not served: %q", answer(rep, rs1.Name))
	}

	for _, tc := range []struct {
		name  string
		value string
		want  string // besides the key
	}{
		{"not JSON", `{"Name": `, "unexpected end of JSON input"},
		{"another key's record set", `{"Name":"r2.bench.example.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"10.0.0.9"}]}`, "holds the record set of another key"},
		{"not an address", `{"Name":"r1.bench.example.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"ten.0.0.1"}]}`, "ten.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rev, err := st.Update(ctx, func(tx store.Tx) error { return tx.Put(key1, []byte(tc.value)) })
			if err != nil {
				t.Fatal(err)
			}
			eventually(t, "refused with its key", func() bool { return l.has(strconv.Quote(key1), tc.want, fmt.Sprint(rev)) })
			if got := answer(rep, rs1.Name); got != "10.0.0.1" {
				t.Errorf("after the refusal %s serves %q, want the previous 10.0.0.1", rs1.Name, got)
			}
			// Once the key holds good data again, the replica serves the store's
			// revision again (a value that does not decode is dropped by itself; one
			// that does not compile holds its zone, and the served revision, until
			// fixed: contain_test.go).
			rs1.ResourceRecords[0].Value = "10.0.0.11"
			good := put(t, st, z.ID, rs1)
			wctx, stop := context.WithTimeout(ctx, 10*time.Second)
			defer stop()
			if !rep.WaitServed(wctx, good) || answer(rep, rs1.Name) != "10.0.0.11" {
				t.Fatalf("the fixed record set is not served: %q", answer(rep, rs1.Name))
			}
			rs1.ResourceRecords[0].Value = "10.0.0.1"
			put(t, st, z.ID, rs1)
			eventually(t, "back to the start", func() bool { return answer(rep, rs1.Name) == "10.0.0.1" })
		})
	}

	// Written into etcd by hand: seen when a replica loads.
	rs4 := oneA(4, 0)
	key4 := catalog.RecordKey(z.ID, &rs4)
	if _, err := st.Client().Put(ctx, "/bad/d/"+key4, "garbage"); err != nil {
		t.Fatal(err)
	}
	var l2 logs
	rep2 := replica.New(st, hc.New(hc.Options{}), "refuse-test-2", l2.logf)
	go func() { rep2.Run(ctx) }()
	eventually(t, "loaded", func() bool { return rep2.Served() >= 0 })
	if !l2.has(strconv.Quote(key4), "invalid character") {
		t.Errorf("load did not name %s: %q", key4, l2.lines)
	}
	if got := answer(rep2, "r2.bench.example."); got != "10.0.0.2" {
		t.Errorf("the other record sets are not served: %q", got)
	}

	// One that decodes but does not compile holds its zone at load (not served:
	// it never compiled here), naming the record set and its key among the zone's.
	rs5 := oneA(5, 0)
	key5 := catalog.RecordKey(z.ID, &rs5)
	if _, err := st.Client().Put(ctx, "/bad/d/"+key5, `{"Name":"r5.bench.example.","Type":"A","TTL":60,"ResourceRecords":[{"Value":"2001:db8::5"}]}`); err != nil {
		t.Fatal(err)
	}
	var l3 logs
	rep3 := replica.New(st, hc.New(hc.Options{}), "refuse-test-3", l3.logf)
	go func() { rep3.Run(ctx) }()
	eventually(t, "refused at load", func() bool { return l3.has("not served", "r5.bench.example. A (store key "+strconv.Quote(key5)+")") })
	for _, l := range [][]string{l.lines, l2.lines, l3.lines} {
		for _, line := range l {
			t.Log(line)
		}
	}
}
