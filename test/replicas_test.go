package test

import (
	"context"
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// TestReplicasAgree: three coretraffic processes on one 3-member etcd give the
// same answers to every client of the corpus, and a change made through any
// one's API is INSYNC on all (GetChange on each) and answered by all.
func TestReplicasAgree(t *testing.T) {
	ctx := context.Background()
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{})
	zoneID := createRepZone(ctx, t, rs.Nodes[0])
	corpus := e2e.Corpus(t, 30)
	for i, r := range rs.Nodes {
		id, err := change(ctx, r, zoneID, batchChanges(i, types.ChangeActionCreate))
		if err != nil {
			t.Fatalf("change through %s: %v\n%s", r.Name, err, rs.Outputs())
		}
		took, err := rs.WaitInsync(ctx, id, 10*time.Second)
		if err != nil {
			t.Fatalf("%v\n%s", err, rs.Outputs())
		}
		// INSYNC on all means served by all: no polling here.
		for _, o := range rs.Nodes {
			if !answersValue(o, batchName(i, 2), batchValue(i)) {
				t.Errorf("change through %s INSYNC (after %v) but %s does not answer %s with %s", r.Name, took, o.Name, batchName(i, 2), batchValue(i))
			}
		}
		t.Logf("change through %s: INSYNC on all three %v after the API's 200", r.Name, took)
	}
	qs := questions(corpus, geoName(), batchName(0, 0), batchName(2, 1), "nothing."+repZone)
	if d := rs.Diverging(qs); len(d) > 0 {
		t.Fatalf("%d of %d questions answered differently:\n%s", len(d), len(qs), d[0])
	}
	// The corpus does get several answers: it tests the geolocation tree.
	seen := map[string]bool{}
	for _, q := range questions(corpus, geoName()) {
		a, err := rs.Nodes[0].Answer(q, "tcp")
		if err != nil {
			t.Fatal(err)
		}
		seen[a] = true
	}
	if len(seen) < 3 {
		t.Errorf("the corpus of %d clients gets only %d distinct answers for %s: %v", len(corpus), len(seen), geoName(), seen)
	}
	t.Logf("%d questions (%d clients) answered alike by the three replicas; %d distinct geolocation answers", len(qs), len(corpus), len(seen))
}

// TestReplicasEtcdQuorum: with one etcd member killed, writes through every
// replica's API go on and are INSYNC on all; with two killed, writes fail with
// Route 53's 503 ServiceUnavailable while every replica keeps answering DNS
// from its last data; once the members are back the store holds exactly the
// acknowledged batches, none in part.
func TestReplicasEtcdQuorum(t *testing.T) {
	ctx := context.Background()
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{})
	zoneID := createRepZone(ctx, t, rs.Nodes[0])
	acked := map[int]bool{}

	rs.Etcd[0].Kill()
	for i, r := range rs.Nodes {
		id, err := change(ctx, r, zoneID, batchChanges(i, types.ChangeActionCreate))
		if err != nil {
			t.Fatalf("one member down: change through %s: %v\n%s", r.Name, err, rs.Outputs())
		}
		acked[i] = true
		if _, err := rs.WaitInsync(ctx, id, 10*time.Second); err != nil {
			t.Fatalf("one member down: %v\n%s", err, rs.Outputs())
		}
	}

	rs.Etcd[1].Kill()
	// Writes are tried once the last member knows it has no leader: a write in
	// flight when quorum goes may still commit when it returns (etcd's raft
	// log), which no store can promise otherwise.
	if d := timeUntil(10*time.Second, func() bool { return !etcdHealthy(rs.Etcd[2].ClientURL) }); d < 0 {
		t.Fatalf("etcd member %s still healthy 10 s after two of three were killed", rs.Etcd[2].Name)
	}
	for i, r := range rs.Nodes {
		start := time.Now()
		_, err := change(ctx, r, zoneID, batchChanges(10+i, types.ChangeActionCreate))
		if msg := serviceUnavailable(err); msg != "" {
			t.Errorf("two members down: change through %s: want 503 ServiceUnavailable, got %s", r.Name, msg)
		}
		t.Logf("two members down: %s refused the change in %v: %v", r.Name, time.Since(start).Round(time.Millisecond), err)
	}
	for _, r := range rs.Nodes {
		for k := range acked {
			for _, proto := range []string{"udp", "tcp"} {
				m, err := r.Ask(e2e.Question{Name: batchName(k, 1), Type: 1}, proto)
				if err != nil || len(m.Answer) != 1 {
					t.Errorf("two members down: %s over %s does not answer %s from its last data: %v %v", r.Name, proto, batchName(k, 1), m, err)
				}
			}
		}
		if st, err := r.ReadyStatus(); st != 200 {
			t.Errorf("two members down: %s /ready = %d, %v; want 200", r.Name, st, err)
		}
	}

	rs.Etcd[0].Restart()
	rs.Etcd[1].Restart()
	for _, r := range rs.Nodes {
		var names map[string]bool
		if d := timeUntil(15*time.Second, func() bool {
			var err error
			names, err = listNames(ctx, r, zoneID)
			return err == nil
		}); d < 0 {
			t.Fatalf("%s: the API does not list the zone 15 s after etcd is back\n%s", r.Name, rs.Outputs())
		}
		whole, partial := batchesPresent(names, 20)
		if len(partial) > 0 {
			t.Errorf("%s: batches present in part: %v", r.Name, partial)
		}
		for k := range 20 {
			if whole[k] != acked[k] {
				t.Errorf("%s: batch %d present %v, acknowledged %v", r.Name, k, whole[k], acked[k])
			}
		}
	}
	id, err := change(ctx, rs.Nodes[2], zoneID, batchChanges(5, types.ChangeActionCreate))
	if err != nil {
		t.Fatalf("etcd back: change: %v", err)
	}
	if _, err := rs.WaitInsync(ctx, id, 15*time.Second); err != nil {
		t.Fatalf("etcd back: %v\n%s", err, rs.Outputs())
	}
}

// etcdHealthy reports whether an etcd member's /health says it has a leader.
func etcdHealthy(url string) bool {
	c := &http.Client{Timeout: time.Second}
	resp, err := c.Get(url + "/health")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.Contains(string(b), `"true"`)
}

// TestReplicaCutOff: each replica talks to its own etcd member; pausing one
// member (SIGSTOP) cuts off its replica alone while the other two keep a
// quorum. The cut-off replica keeps answering from its last data, shows
// coredns_store_stale_seconds > 0 with /ready still 200, drops out of INSYNC
// when its lease expires, and serves the changes it missed within seconds of
// the member resuming.
func TestReplicaCutOff(t *testing.T) {
	ctx := context.Background()
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{Endpoints: e2e.OwnMember})
	zoneID := createRepZone(ctx, t, rs.Nodes[0])
	id, err := change(ctx, rs.Nodes[0], zoneID, batchChanges(0, types.ChangeActionCreate))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.WaitInsync(ctx, id, 10*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, rs.Outputs())
	}
	cut, other := rs.Nodes[2], rs.Nodes[0]
	const stale = "coredns_store_stale_seconds"
	if v, err := cut.Metric(stale); err != nil || v != 0 {
		t.Fatalf("%s in touch: %s = %v, %v; want 0", cut.Name, stale, v, err)
	}

	rs.Etcd[2].Pause()
	paused := time.Now()
	defer rs.Etcd[2].Resume()
	// The paused member may have been the leader: the others elect one.
	var id1 string
	if d := timeUntil(10*time.Second, func() bool {
		id1, err = change(ctx, other, zoneID, batchChanges(1, types.ChangeActionCreate))
		return err == nil
	}); d < 0 {
		t.Fatalf("one member paused: change through %s: %v\n%s", other.Name, err, rs.Outputs())
	}
	for _, r := range rs.Nodes[:2] {
		if d := timeUntil(5*time.Second, func() bool { return answersValue(r, batchName(1, 0), batchValue(1)) }); d < 0 {
			t.Errorf("%s, in touch, does not answer the change made while %s is cut off", r.Name, cut.Name)
		}
	}
	if d := timeUntil(10*time.Second, func() bool { v, _ := cut.Metric(stale); return v > 0 }); d < 0 {
		t.Errorf("%s cut off for %v: %s still 0", cut.Name, time.Since(paused), stale)
	} else {
		t.Logf("%s: %s > 0 after %v cut off", cut.Name, stale, time.Since(paused).Round(time.Millisecond))
	}
	for _, r := range rs.Nodes[:2] {
		if v, err := r.Metric(stale); err != nil || v != 0 {
			t.Errorf("%s, in touch: %s = %v, %v; want 0", r.Name, stale, v, err)
		}
	}
	if st, err := cut.ReadyStatus(); st != 200 {
		t.Errorf("%s cut off: /ready = %d, %v; want 200", cut.Name, st, err)
	}
	for _, proto := range []string{"udp", "tcp"} {
		if m, err := cut.Ask(e2e.Question{Name: batchName(0, 2), Type: 1}, proto); err != nil || len(m.Answer) != 1 {
			t.Errorf("%s cut off: over %s no answer from its last data: %v %v", cut.Name, proto, m, err)
		}
		if m, err := cut.Ask(e2e.Question{Name: geoName(), Type: 1}, proto); err != nil || len(m.Answer) != 1 {
			t.Errorf("%s cut off: over %s no geolocation answer: %v %v", cut.Name, proto, m, err)
		}
	}
	if answersValue(cut, batchName(1, 0), batchValue(1)) {
		t.Errorf("%s answers a change made while it was cut off from etcd", cut.Name)
	}
	// Its presence lease runs out: the change is INSYNC on the replicas left.
	if d := timeUntil(15*time.Second, func() bool {
		st, _ := other.ChangeStatus(ctx, id1)
		return st == types.ChangeStatusInsync
	}); d < 0 {
		t.Errorf("change %s not INSYNC on %s once %s's lease must have expired", id1, other.Name, cut.Name)
	} else {
		t.Logf("change %s made while %s is cut off: INSYNC %v after %s's 200", id1, cut.Name, d.Round(time.Millisecond), other.Name)
	}

	rs.Etcd[2].Resume()
	caught := timeUntil(30*time.Second, func() bool { return answersValue(cut, batchName(1, 0), batchValue(1)) })
	if caught < 0 || caught > 10*time.Second {
		t.Fatalf("%s answers the missed change %v after its member resumed; want within 10 s\n%s", cut.Name, caught, cut.Output())
	}
	t.Logf("%s caught up %v after its member resumed (cut off %v)", cut.Name, caught.Round(time.Millisecond), time.Since(paused).Round(time.Second))
	if d := timeUntil(10*time.Second, func() bool { v, err := cut.Metric(stale); return err == nil && v == 0 }); d < 0 {
		t.Errorf("%s back in touch: %s not 0 after 10 s", cut.Name, stale)
	}
	if d := rs.Diverging(questions(e2e.Corpus(t, 30), geoName(), batchName(0, 0), batchName(1, 1))); len(d) > 0 {
		t.Errorf("after catching up, %d questions answered differently:\n%s", len(d), d[0])
	}
	// And a change through the replica that was cut off is INSYNC on all.
	id2, err := change(ctx, cut, zoneID, batchChanges(2, types.ChangeActionCreate))
	if err != nil {
		t.Fatalf("change through %s after it caught up: %v", cut.Name, err)
	}
	if _, err := rs.WaitInsync(ctx, id2, 15*time.Second); err != nil {
		t.Fatalf("%v\n%s", err, rs.Outputs())
	}
}

// TestReplicaKilledMidChange: batches stream through two replicas' APIs; one of
// them is killed with SIGKILL in the middle and restarted. Every acknowledged
// batch is in the store, none in part, and the restarted replica serves the
// same answers as the others over the corpus.
func TestReplicaKilledMidChange(t *testing.T) {
	ctx := context.Background()
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{})
	zoneID := createRepZone(ctx, t, rs.Nodes[0])
	victim := rs.Nodes[2]
	var mu sync.Mutex
	acked := map[int]bool{}
	inFlight := map[int]bool{} // sent to the victim, unanswered when it died
	var lastID string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w, r := range []*e2e.Replica{rs.Nodes[0], victim} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; ; k += 2 {
				select {
				case <-stop:
					return
				default:
				}
				id, err := change(ctx, r, zoneID, batchChanges(k, types.ChangeActionCreate))
				mu.Lock()
				if err != nil {
					inFlight[k] = true
					mu.Unlock()
					return // the victim died under us
				}
				acked[k] = true
				if r != victim {
					lastID = id
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second)
	victim.Kill()
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d batches acknowledged\n%s", len(acked), rs.Outputs())
	}
	if inFlight[0] || len(inFlight) > 1 {
		t.Fatalf("writes through %s failed: %v\n%s", rs.Nodes[0].Name, inFlight, rs.Outputs())
	}

	start := time.Now()
	victim.Start()
	took, err := rs.WaitInsync(ctx, lastID, 15*time.Second)
	if err != nil {
		t.Fatalf("%v\n%s", err, rs.Outputs())
	}
	t.Logf("%d batches acknowledged; %s killed mid-change, restarted and INSYNC on the last change %v after its start (%v in INSYNC wait)",
		len(acked), victim.Name, time.Since(start).Round(time.Millisecond), took.Round(time.Millisecond))

	names, err := listNames(ctx, victim, zoneID)
	if err != nil {
		t.Fatal(err)
	}
	upto := 0
	for k := range acked {
		upto = max(upto, k+3)
	}
	whole, partial := batchesPresent(names, upto)
	if len(partial) > 0 {
		t.Errorf("batches present in part: %v", partial)
	}
	var batchNames []string
	for k := range upto {
		switch {
		case acked[k] && !whole[k]:
			t.Errorf("acknowledged batch %d lost", k)
		case whole[k] && !acked[k] && !inFlight[k]:
			t.Errorf("batch %d present but never acknowledged nor in flight", k)
		}
		batchNames = append(batchNames, batchName(k, k%3))
	}
	qs := questions(e2e.Corpus(t, 30), geoName())
	qs = append(qs, questions([]netip.Prefix{{}}, batchNames...)...)
	if d := rs.Diverging(qs); len(d) > 0 {
		t.Fatalf("%d of %d questions answered differently after the restart:\n%s", len(d), len(qs), d[0])
	}
	t.Logf("%d questions answered alike by the three replicas", len(qs))
}

// TestReplicaReadyMeansLoaded: a restarted replica answers DNS only once it has
// loaded the store (it listens after its first load, as CoreDNS's file plugin
// does), so no client ever gets SERVFAIL or an empty zone from it, before or after
// /ready says 200. (/ready may say 200 a moment before the DNS socket opens, as
// with stock CoreDNS: its listener starts first.)
func TestReplicaReadyMeansLoaded(t *testing.T) {
	ctx := context.Background()
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{N: 2})
	zoneID := createRepZone(ctx, t, rs.Nodes[0])
	id, err := change(ctx, rs.Nodes[0], zoneID, batchChanges(0, types.ChangeActionCreate))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rs.WaitInsync(ctx, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	r := rs.Nodes[1]
	r.Kill()
	r.Launch()
	before := map[string]int{}
	start := time.Now()
	var firstAnswer time.Duration
	for time.Since(start) < 20*time.Second {
		st, _ := r.ReadyStatus()
		m, err := r.Ask(e2e.Question{Name: batchName(0, 0), Type: 1}, "udp")
		answered := err == nil && len(m.Answer) == 1
		switch {
		case err != nil:
			before["no answer"]++
		case !answered:
			t.Fatalf("restarted replica answered before its data loaded (%v after start): %s", time.Since(start).Round(time.Millisecond), dns.RcodeToString[m.Rcode])
		case firstAnswer == 0:
			firstAnswer = time.Since(start)
		}
		if st == 200 && answered {
			t.Logf("first answer %v, ready %v after the restart; before that: %v", firstAnswer.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), before)
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("%s not ready 20 s after its restart", r.Name)
}
