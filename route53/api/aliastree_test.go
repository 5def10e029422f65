package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

// TestAliasTreeLimit: every alias inlines its target's tree, so weighted pairs of
// aliases to the level below double it per level: level k holds 2^(k+2)−3 nodes.
// Level 14 (65,533) is served; level 15 (131,069) is past policy.MaxTreeNodes and
// the batch is refused, rather than accepted and then refused by the replica (the
// zone held with its previous answers, every later change PENDING until fixed).
func TestAliasTreeLimit(t *testing.T) {
	for _, tc := range []struct {
		levels int
		value  bool // the top level's first member (by SetIdentifier) is a value, not an alias
		code   string
	}{
		{14, false, ""},
		{15, false, "InvalidChangeBatch"},
		{14, true, ""},
		{15, true, "InvalidChangeBatch"},
	} {
		t.Run(fmt.Sprint(tc.levels, tc.value), func(t *testing.T) {
			s := startAPI(t)
			c := s.client(testSecret)
			ctx := context.Background()
			z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("tree.example"), CallerReference: aws.String("tree")})
			if err != nil {
				t.Fatal(err)
			}
			zid := strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")
			sets := []types.ResourceRecordSet{rrset("l0.tree.example", "", 0, "", "192.0.2.1")}
			for l := 1; l <= tc.levels; l++ {
				for _, id := range []string{"x", "y"} {
					sets = append(sets, types.ResourceRecordSet{Name: aws.String(fmt.Sprintf("l%d.tree.example", l)), Type: types.RRTypeA,
						SetIdentifier: aws.String(id), Weight: aws.Int64(1),
						AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(zid), DNSName: aws.String(fmt.Sprintf("l%d.tree.example", l-1))}})
				}
			}
			if tc.value {
				sets = append(sets, rrset(fmt.Sprintf("l%d.tree.example", tc.levels), "a", 1, "", "192.0.2.9"))
			}
			out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: change(types.ChangeActionCreate, sets...)})
			if tc.code != "" {
				if errCode(err) != tc.code || !strings.Contains(err.Error(), fmt.Sprintf("l%d.tree.example.", tc.levels)) {
					t.Fatalf("%d levels: %v, want %s naming the top level", tc.levels, err, tc.code)
				}
				// Nothing was written: the replica still follows.
				out, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
					ChangeBatch: change(types.ChangeActionCreate, rrset("later.tree.example", "", 0, "", "192.0.2.2"))})
			}
			if err != nil {
				t.Fatal(err)
			}
			insync(t, c, out.ChangeInfo.Id)
			top := fmt.Sprintf("l%d.tree.example.", tc.levels)
			served := s.replica.Current().Snap.Zone(top).Set(top, dns.TypeA) != nil
			if served != (tc.code == "") {
				t.Errorf("%s served: %v", top, served)
			}
		})
	}
}

// TestAliasTreeLimitInstance: a traffic policy instance's tree counts as the
// replica compiles it. The geo policy's tree has more than three nodes, so 14
// doubling levels over it pass policy.MaxTreeNodes ((s+3)·2^14−3 for a tree of s
// nodes) although they would not over a one-node target.
func TestAliasTreeLimitInstance(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("tree.example"), CallerReference: aws.String("tree")})
	if err != nil {
		t.Fatal(err)
	}
	zid := strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")
	host, port := okEndpoint(t)
	h, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("tree"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String(host), Port: aws.Int32(port)}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("geo"), Document: aws.String(geoPolicy(*h.HealthCheck.Id))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTrafficPolicyInstance(ctx, instanceInput(z.HostedZone.Id, "l0.tree.example", p.TrafficPolicy.Id, 1)); err != nil {
		t.Fatal(err)
	}
	var sets []types.ResourceRecordSet
	for l := 1; l <= 14; l++ {
		for _, id := range []string{"x", "y"} {
			sets = append(sets, types.ResourceRecordSet{Name: aws.String(fmt.Sprintf("l%d.tree.example", l)), Type: types.RRTypeA,
				SetIdentifier: aws.String(id), Weight: aws.Int64(1),
				AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(zid), DNSName: aws.String(fmt.Sprintf("l%d.tree.example", l-1))}})
		}
	}
	_, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: change(types.ChangeActionCreate, sets...)})
	if errCode(err) != "InvalidChangeBatch" || !strings.Contains(err.Error(), "l14.tree.example.") {
		t.Fatalf("14 levels over an instance: %v, want InvalidChangeBatch naming l14", err)
	}
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
		ChangeBatch: change(types.ChangeActionCreate, sets[:len(sets)-2]...)})
	if err != nil {
		t.Fatalf("13 levels over an instance: %v", err)
	}
	insync(t, c, out.ChangeInfo.Id)
}

// TestAliasTreeLimitInstanceUpdate: an instance update that grows the tree of
// aliases over it past policy.MaxTreeNodes is refused like a batch would be: 14
// doubling levels over the failover policy (3 nodes: 98,301) are served, over the
// geo policy they are not.
func TestAliasTreeLimitInstanceUpdate(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("tree.example"), CallerReference: aws.String("tree")})
	if err != nil {
		t.Fatal(err)
	}
	zid := strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")
	host, port := okEndpoint(t)
	h, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("tree"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String(host), Port: aws.Int32(port)}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("fo"), Document: aws.String(failoverPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateTrafficPolicyVersion(ctx, &route53.CreateTrafficPolicyVersionInput{Id: p.TrafficPolicy.Id, Document: aws.String(geoPolicy(*h.HealthCheck.Id))}); err != nil {
		t.Fatal(err)
	}
	in, err := c.CreateTrafficPolicyInstance(ctx, instanceInput(z.HostedZone.Id, "l0.tree.example", p.TrafficPolicy.Id, 1))
	if err != nil {
		t.Fatal(err)
	}
	var sets []types.ResourceRecordSet
	for l := 1; l <= 14; l++ {
		for _, id := range []string{"x", "y"} {
			sets = append(sets, types.ResourceRecordSet{Name: aws.String(fmt.Sprintf("l%d.tree.example", l)), Type: types.RRTypeA,
				SetIdentifier: aws.String(id), Weight: aws.Int64(1),
				AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(zid), DNSName: aws.String(fmt.Sprintf("l%d.tree.example", l-1))}})
		}
	}
	if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: change(types.ChangeActionCreate, sets...)}); err != nil {
		t.Fatalf("14 levels over the failover instance: %v", err)
	}
	_, err = c.UpdateTrafficPolicyInstance(ctx, &route53.UpdateTrafficPolicyInstanceInput{Id: in.TrafficPolicyInstance.Id, TTL: aws.Int64(60),
		TrafficPolicyId: p.TrafficPolicy.Id, TrafficPolicyVersion: aws.Int32(2)})
	if errCode(err) != "InvalidInput" || !strings.Contains(err.Error(), "l14.tree.example.") {
		t.Fatalf("update to the geo version under 14 levels: %v, want InvalidInput naming l14", err)
	}
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id,
		ChangeBatch: change(types.ChangeActionCreate, rrset("later.tree.example", "", 0, "", "192.0.2.2"))})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)
}
