package console

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// Two alias targets each with a "primary": the tree's ids stay unique (the
// repeated labels become tree paths) and explain highlights the right one.
func TestRepeatedLabels(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	failover := func(name, v1, v2 string) []types.ResourceRecordSet {
		return []types.ResourceRecordSet{
			rec(name, "primary", v1, func(rs *types.ResourceRecordSet) { rs.Failover = types.ResourceRecordSetFailoverPrimary }),
			rec(name, "secondary", v2, func(rs *types.ResourceRecordSet) { rs.Failover = types.ResourceRecordSetFailoverSecondary }),
		}
	}
	alias := func(id, cc, target string) types.ResourceRecordSet {
		return rec("two.example.net.", id, "", func(rs *types.ResourceRecordSet) {
			rs.TTL, rs.GeoLocation = nil, &types.GeoLocation{CountryCode: aws.String(cc)}
			rs.AliasTarget = &types.AliasTarget{HostedZoneId: aws.String(f.zoneID), DNSName: aws.String(target), EvaluateTargetHealth: true}
		})
	}
	sets := append(failover("eu.example.net.", "192.0.2.61", "192.0.2.62"), failover("rest.example.net.", "192.0.2.71", "192.0.2.72")...)
	sets = append(sets, alias("de", "DE", "eu.example.net."), alias("any", "*", "rest.example.net."))
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
	b.get("/api/tree?set=two.example.net./A", &ta)
	seen := map[string]bool{}
	for _, n := range ta.Nodes {
		if seen[n.ID] {
			t.Fatalf("id %q twice: %+v", n.ID, ta.Nodes)
		}
		seen[n.ID] = true
	}
	// Children ordered by SetIdentifier: any (0) → rest, de (1) → eu.
	euPrimary := ta.node(t, "two.example.net./A/1/0/0")
	if euPrimary.Label != "primary" || euPrimary.Value != "192.0.2.61" || euPrimary.Record == nil || euPrimary.Record.Name != "eu.example.net." {
		t.Fatalf("eu primary %+v", euPrimary)
	}
	if d := ta.node(t, "de"); d.Label != "de" {
		t.Fatalf("a unique label is its own id: %+v", d)
	}
	for _, e := range ta.Edges {
		if !seen[e.From] || !seen[e.To] {
			t.Fatalf("edge %+v names no node", e)
		}
	}
	var x struct {
		Highlight []string `json:"highlight"`
		Answer    []string `json:"answer"`
	}
	b.get("/api/explain?name=two.example.net&type=A&ecs=192.0.2.0/24", &x)
	want := []string{"two.example.net./A", "de", "two.example.net./A/1/0", "two.example.net./A/1/0/0"}
	if !slices.Equal(x.Highlight, want) || !slices.Equal(x.Answer, []string{"192.0.2.61"}) {
		t.Fatalf("explain: %+v, want highlight %v", x, want)
	}
}
