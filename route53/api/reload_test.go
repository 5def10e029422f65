package api_test

import (
	"context"
	"net/netip"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/replica"
)

// TestAPIReplicaLoads: a replica started on a store that already holds traffic
// policy instances and CIDR collections (a restart, a second server) serves them
// as the replica that followed their creation does.
func TestAPIReplicaLoads(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.org"), CallerReference: aws.String("z")})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("f"), Document: aws.String(failoverPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTrafficPolicyInstance(ctx, instanceInput(z.HostedZone.Id, "www.example.org", p.TrafficPolicy.Id, 1)); err != nil {
		t.Fatal(err)
	}
	cc, err := c.CreateCidrCollection(ctx, &route53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("c")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ChangeCidrCollection(ctx, &route53.ChangeCidrCollectionInput{Id: cc.Collection.Id, Changes: []types.CidrCollectionChange{
		cidrChange(types.CidrCollectionChangeActionPut, "berlin", "203.0.113.0/24")}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: change(types.ChangeActionCreate,
		ipRecordSet("berlin", *cc.Collection.Id, "berlin", "192.0.2.1"), ipRecordSet("default", *cc.Collection.Id, "*", "192.0.2.9"))})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)

	second := replica.New(s.store, hc.New(hc.Options{}), "second", t.Logf)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); second.Run(runCtx) }()
	defer func() { cancel(); <-done }()
	if !second.WaitServed(ctx, s.replica.Served()) {
		t.Fatal("the second replica never caught up")
	}
	loaded := &apiServer{replica: second}
	for _, q := range []struct {
		name, client, want string
	}{
		{"www.example.org.", "", "192.0.2.40"},
		{"ip.example.org.", "203.0.113.7/32", "192.0.2.1"},
		{"ip.example.org.", "8.8.8.8/32", "192.0.2.9"},
	} {
		var client netip.Prefix
		if q.client != "" {
			client = netip.MustParsePrefix(q.client)
		}
		if got, want := loaded.answer(q.name, dns.TypeA, noLocation, client), s.answer(q.name, dns.TypeA, noLocation, client); got != q.want || want != q.want {
			t.Errorf("%s for %q: loaded replica %q, following replica %q, want %q", q.name, q.client, got, want, q.want)
		}
	}
}
