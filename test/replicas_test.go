package test

import (
	"context"
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
