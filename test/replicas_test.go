package test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"

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
