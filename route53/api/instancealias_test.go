package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// TestInstanceAliasTarget: an alias may target a traffic policy instance's record
// set, so deleting the instance (or updating it to a version that fails, which
// drops its record set) is refused while the alias uses it, as a batch deleting an
// alias's target is: otherwise the alias dangles, the replica refuses every later
// revision and the zone's answers freeze.
func TestInstanceAliasTarget(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	ctx := context.Background()
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("ia.example"), CallerReference: aws.String("ia")})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := z.HostedZone.Id
	p, err := c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("fo"), Document: aws.String(failoverPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	in, err := c.CreateTrafficPolicyInstance(ctx, instanceInput(zoneID, "lb.ia.example", p.TrafficPolicy.Id, 1))
	if err != nil {
		t.Fatal(err)
	}
	alias := types.ResourceRecordSet{Name: aws.String("front.ia.example"), Type: types.RRTypeA,
		AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(strings.TrimPrefix(aws.ToString(zoneID), "/hostedzone/")), DNSName: aws.String("lb.ia.example")}}
	out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionCreate, alias)})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)

	_, err = c.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: in.TrafficPolicyInstance.Id})
	if errCode(err) != "InvalidInput" || !strings.Contains(err.Error(), "front.ia.example.") {
		t.Errorf("delete of an instance an alias targets: %v, want InvalidInput naming the alias", err)
	}
	// The replica still follows: a later change is served.
	out, err = c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID,
		ChangeBatch: change(types.ChangeActionCreate, rrset("later.ia.example", "", 0, "", "192.0.2.7"))})
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, out.ChangeInfo.Id)

	// Once the alias is gone the instance goes.
	if _, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID, ChangeBatch: change(types.ChangeActionDelete, alias)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteTrafficPolicyInstance(ctx, &route53.DeleteTrafficPolicyInstanceInput{Id: in.TrafficPolicyInstance.Id}); err != nil {
		t.Errorf("delete of an instance no alias targets: %v", err)
	}
}
