package test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// TestReplicaCutOffHealth: three replicas judge one HTTP endpoint together
// (every checker listed by GetHealthCheckStatus). A replica cut off from etcd
// cannot see the others' observations and falls back to its own: when the
// endpoint dies it fails over like the others, rather than keep the stale
// quorum of its peers' last reports (two of three healthy would be healthy).
func TestReplicaCutOffHealth(t *testing.T) {
	ctx := context.Background()
	ep := startEndpoint(t)
	rs := e2e.StartReplicas(t, e2e.ReplicaOptions{Endpoints: e2e.OwnMember})
	api := rs.Nodes[0]
	zoneID := createRepZone(ctx, t, api)
	host, port, _ := strings.Cut(ep.addr, ":")
	p, _ := strconv.Atoi(port)
	hc, err := api.Client.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(t.Name()),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(int32(p)),
			ResourcePath: aws.String("/"), RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatalf("CreateHealthCheck: %v", err)
	}
	const name, primary, secondary = "fo." + repZone, "192.0.2.10", "192.0.2.20"
	fo := func(role types.ResourceRecordSetFailover, value string, check *string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String(name), Type: types.RRTypeA, TTL: aws.Int64(60), SetIdentifier: aws.String(string(role)),
			Failover: role, HealthCheckId: check, ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}}
	}
	id, err := change(ctx, api, zoneID, []types.Change{fo(types.ResourceRecordSetFailoverPrimary, primary, hc.HealthCheck.Id),
		fo(types.ResourceRecordSetFailoverSecondary, secondary, nil)})
	if err != nil {
		t.Fatalf("failover record sets: %v", err)
	}
	if _, err := rs.WaitInsync(ctx, id, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs.Nodes {
		if !answersValue(r, name, primary) {
			t.Fatalf("%s does not answer the healthy primary", r.Name)
		}
	}
	var checkers int
	if d := timeUntil(15*time.Second, func() bool {
		st, err := api.Client.GetHealthCheckStatus(ctx, &route53.GetHealthCheckStatusInput{HealthCheckId: hc.HealthCheck.Id})
		if err == nil {
			checkers = len(st.HealthCheckObservations)
		}
		return checkers == 3
	}); d < 0 {
		t.Errorf("GetHealthCheckStatus lists %d checkers, want the 3 replicas", checkers)
	}

	cut := rs.Nodes[2]
	rs.Etcd[2].Pause()
	defer rs.Etcd[2].Resume()
	ep.stop()
	stopped := time.Now()
	for _, r := range rs.Nodes {
		d := timeUntil(40*time.Second, func() bool { return answersValue(r, name, secondary) })
		if d < 0 {
			t.Errorf("%s still answers the primary 40 s after its endpoint died", r.Name)
			continue
		}
		t.Logf("%s fails over %v after the endpoint died", r.Name, time.Since(stopped).Round(100*time.Millisecond))
	}
	if v, err := cut.Metric("coredns_store_stale_seconds"); err != nil || v == 0 {
		t.Errorf("%s: stale = %v, %v; want > 0 while its member is paused", cut.Name, v, err)
	}
	rs.Etcd[2].Resume()
	resumed := time.Now()
	qs := questions(e2e.Corpus(t, 30), name, geoName())
	var d []string
	if timeUntil(15*time.Second, func() bool { d = rs.Diverging(qs); return len(d) == 0 }) < 0 {
		t.Errorf("15 s after the member resumed, %d questions answered differently:\n%s", len(d), d[0])
	}
	t.Logf("the three agree over %d questions %v after the member resumed", len(qs), time.Since(resumed).Round(time.Millisecond))
}
