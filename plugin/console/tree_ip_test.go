package console

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// An IP-based tree: its children carry their CIDR location and its blocks.
func TestTreeIP(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	coll, err := f.r53.CreateCidrCollection(ctx, &r53.CreateCidrCollectionInput{Name: aws.String("offices"), CallerReference: aws.String("offices")})
	if err != nil {
		t.Fatal(err)
	}
	id := coll.Collection.Id
	if _, err := f.r53.ChangeCidrCollection(ctx, &r53.ChangeCidrCollectionInput{Id: id, Changes: []types.CidrCollectionChange{
		{Action: types.CidrCollectionChangeActionPut, LocationName: aws.String("berlin"), CidrList: []string{"203.0.113.0/25", "203.0.113.128/26"}}}}); err != nil {
		t.Fatal(err)
	}
	sets := []types.ResourceRecordSet{
		rec("ip.example.net.", "office", "192.0.2.50", func(rs *types.ResourceRecordSet) {
			rs.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: id, LocationName: aws.String("berlin")}
		}),
		rec("ip.example.net.", "rest", "192.0.2.51", func(rs *types.ResourceRecordSet) {
			rs.CidrRoutingConfig = &types.CidrRoutingConfig{CollectionId: id, LocationName: aws.String("*")}
		}),
	}
	cb := &types.ChangeBatch{}
	for i := range sets {
		cb.Changes = append(cb.Changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &sets[i]})
	}
	if _, err := f.r53.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(f.zoneID), ChangeBatch: cb}); err != nil {
		t.Fatal(err)
	}
	f.waitServed(f.store.Revision())
	b := f.browser().login()
	var ta treeAnswer
	b.get("/api/tree?set=ip.example.net./A", &ta)
	if r := ta.node(t, ta.Root); r.Rule != "ip" || r.Collection != "offices" {
		t.Fatalf("root %+v", r)
	}
	office, rest := ta.node(t, "office"), ta.node(t, "rest")
	if office.Location != "berlin" || !slices.Equal(office.CIDRs, []string{"203.0.113.0/25", "203.0.113.128/26"}) || rest.Location != "*" || rest.CIDRs != nil {
		t.Fatalf("children %+v %+v", office, rest)
	}
}
