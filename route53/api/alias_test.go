package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

// TestAPIAliasToAnExistingSet: an alias created later to a record set that no alias
// named before is served incrementally (the replica hands Snapshot.Update the
// target), and a change of the target moves the alias's answer.
func TestAPIAliasToAnExistingSet(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("alias.example"), CallerReference: aws.String("alias-1")})
	if err != nil {
		t.Fatal(err)
	}
	apply := func(cb *types.ChangeBatch) {
		t.Helper()
		out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: cb})
		if err != nil {
			t.Fatal(err)
		}
		insync(t, c, out.ChangeInfo.Id)
	}
	apply(change(types.ChangeActionCreate, rrset("lb.alias.example", "", 0, "", "192.0.2.1")))
	alias := types.ResourceRecordSet{Name: aws.String("front.alias.example"), Type: types.RRTypeA,
		AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")), DNSName: aws.String("lb.alias.example"), EvaluateTargetHealth: false}}
	apply(&types.ChangeBatch{Changes: []types.Change{{Action: types.ChangeActionCreate, ResourceRecordSet: &alias}}})
	answer := func() string {
		zone := s.replica.Current().Snap.Zone("front.alias.example.")
		set := zone.Set("front.alias.example.", dns.TypeA)
		if set == nil || len(set.Tree.Endpoints) != 1 {
			return "none"
		}
		return set.Tree.Endpoints[0].Value
	}
	if got := answer(); got != "192.0.2.1" {
		t.Fatalf("the alias answers %s, want its target's 192.0.2.1", got)
	}
	apply(change(types.ChangeActionUpsert, rrset("lb.alias.example", "", 0, "", "192.0.2.2")))
	if got := answer(); got != "192.0.2.2" {
		t.Errorf("after the target changed the alias answers %s, want 192.0.2.2", got)
	}
}
