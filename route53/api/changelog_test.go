package api_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	r53 "github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/route53/transfer"
)

func TestChangeLogListFilterRevert(t *testing.T) {
	s := startAPI(t)
	c := s.client(testSecret)
	tc := transfer.NewClient(s.url, credentials.NewStaticCredentialsProvider(testKey, testSecret, ""))
	ctx := context.Background()

	zone := func(name string) *string {
		z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(name), CallerReference: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return z.HostedZone.Id
	}
	apply := func(zoneID *string, comment string, changes ...types.Change) string {
		t.Helper()
		out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zoneID,
			ChangeBatch: &types.ChangeBatch{Comment: aws.String(comment), Changes: changes}})
		if err != nil {
			t.Fatal(err)
		}
		insync(t, c, out.ChangeInfo.Id)
		return strings.TrimPrefix(aws.ToString(out.ChangeInfo.Id), "/change/")
	}
	up := func(rs types.ResourceRecordSet) types.Change {
		return types.Change{Action: types.ChangeActionUpsert, ResourceRecordSet: &rs}
	}
	org, net := zone("example.org"), zone("example.net")
	first := apply(org, "first", up(rrset("www.example.org", "a", 70, "", "192.0.2.1")), up(rrset("www.example.org", "b", 30, "", "192.0.2.2")))
	second := apply(org, "second", up(rrset("www.example.org", "a", 70, "", "192.0.2.11")))
	apply(net, "other zone", up(rrset("www.example.net", "", 0, "", "198.51.100.1")))

	list, err := tc.Changes(ctx, transfer.ChangeFilter{Since: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	var comments []string
	for _, ch := range list.Changes {
		comments = append(comments, ch.Comment)
		if ch.Caller != testKey {
			t.Errorf("change %s caller %q, want %s", ch.Id, ch.Caller, testKey)
		}
	}
	// Newest first; the zones' creations are changes too (no comment).
	if got := strings.Join(comments, "|"); got != "other zone|second|first||" {
		t.Errorf("comments newest first: %q", got)
	}
	if d := transfer.Diff(list.Changes[1].Before, list.Changes[1].After); len(d) != 2 ||
		!strings.HasPrefix(d[0], `- www.example.org. A [a] weight=70 ttl=30 "192.0.2.1"`) || !strings.HasPrefix(d[1], `+ www.example.org. A [a] weight=70 ttl=30 "192.0.2.11"`) {
		t.Errorf("diff of the second change: %q", d)
	}

	filters := []struct {
		f    transfer.ChangeFilter
		want int
	}{
		{transfer.ChangeFilter{Zone: aws.ToString(org)}, 3},
		{transfer.ChangeFilter{Zone: "example.net."}, 2},
		{transfer.ChangeFilter{Zone: "EXAMPLE.NET"}, 2},
		{transfer.ChangeFilter{Since: "2999-01-01T00:00:00Z"}, 0},
		{transfer.ChangeFilter{MaxItems: 2}, 2},
	}
	for _, tt := range filters {
		l, err := tc.Changes(ctx, tt.f)
		if err != nil || len(l.Changes) != tt.want {
			t.Errorf("%+v: %d changes (want %d), %v", tt.f, len(l.Changes), tt.want, err)
		}
	}
	var ae *apierr.Error
	if _, err := tc.Changes(ctx, transfer.ChangeFilter{Since: "yesterday"}); !errors.As(err, &ae) || ae.Code != "InvalidInput" {
		t.Errorf("since yesterday: %v", err)
	}
	if _, err := tc.Changes(ctx, transfer.ChangeFilter{Zone: "nosuch.example"}); !errors.As(err, &ae) || ae.Code != "NoSuchHostedZone" {
		t.Errorf("unknown zone: %v", err)
	}

	// Revert the second change: a new change, a's old value back.
	info, err := tc.Revert(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if info.Comment != "revert of "+second || strings.TrimPrefix(info.Id, "/change/") == second {
		t.Errorf("revert: %+v", info)
	}
	insync(t, c, aws.String(info.Id))
	if v := values(t, c, org, "www.example.org.", "a"); v != "192.0.2.1" {
		t.Errorf("after the revert a is %s", v)
	}
	l, _ := tc.Changes(ctx, transfer.ChangeFilter{Zone: aws.ToString(org), MaxItems: 1})
	if len(l.Changes) != 1 || l.Changes[0].Comment != "revert of "+second || !reflect.DeepEqual(l.Changes[0].Before, list.Changes[1].After) {
		t.Errorf("the revert as logged: %+v", l.Changes)
	}

	// b changed since the first change created it: reverting the first conflicts,
	// is refused whole, and changes nothing.
	apply(org, "b moves", up(rrset("www.example.org", "b", 30, "", "192.0.2.22")))
	_, err = tc.Revert(ctx, first)
	if !errors.As(err, &ae) || ae.Code != "InvalidChangeBatch" || len(ae.Messages) != 1 || !strings.Contains(ae.Messages[0], "set-identifier='b'") {
		t.Fatalf("conflicting revert: %v", err)
	}
	if v := values(t, c, org, "www.example.org.", "a") + " " + values(t, c, org, "www.example.org.", "b"); v != "192.0.2.1 192.0.2.22" {
		t.Errorf("after the refused revert: %s", v)
	}
	if n, _ := tc.Changes(ctx, transfer.ChangeFilter{}); len(n.Changes) != len(list.Changes)+2 {
		t.Errorf("the refused revert was logged: %d changes", len(n.Changes))
	}
	// A deletion reverts to a CREATE; reverting the revert deletes again.
	del := apply(org, "drop b", types.Change{Action: types.ChangeActionDelete, ResourceRecordSet: ptr(rrset("www.example.org", "b", 30, "", "192.0.2.22"))})
	undo, err := tc.Revert(ctx, del)
	if err != nil {
		t.Fatal(err)
	}
	insync(t, c, aws.String(undo.Id))
	if v := values(t, c, org, "www.example.org.", "b"); v != "192.0.2.22" {
		t.Errorf("after reverting the deletion b is %s", v)
	}
	if _, err := tc.Revert(ctx, undo.Id); err != nil {
		t.Fatal(err)
	}
	if v := values(t, c, org, "www.example.org.", "b"); v != "none" {
		t.Errorf("after reverting the revert b is %s", v)
	}
	// The zone's creation and unknown changes are refused too.
	zl, _ := tc.Changes(ctx, transfer.ChangeFilter{Zone: aws.ToString(net)})
	if _, err := tc.Revert(ctx, zl.Changes[len(zl.Changes)-1].Id); !errors.As(err, &ae) || ae.Code != "InvalidChangeBatch" {
		t.Errorf("revert of a zone's creation: %v", err)
	}
	if _, err := tc.Revert(ctx, "CNOSUCHCHANGE"); !errors.As(err, &ae) || ae.Code != "NoSuchChange" || ae.Status != http.StatusNotFound {
		t.Errorf("revert of an unknown change: %v", err)
	}
	// Unsigned: refused like every request.
	resp, err := http.Get(s.url + r53.ChangeLogPath + "changes")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned list: HTTP %d", resp.StatusCode)
	}
}

// values is the first value of a record set, by name and set identifier.
func values(t *testing.T, c *route53.Client, zoneID *string, name, set string) string {
	t.Helper()
	out, err := c.ListResourceRecordSets(context.Background(), &route53.ListResourceRecordSetsInput{HostedZoneId: zoneID})
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range out.ResourceRecordSets {
		if aws.ToString(rs.Name) == name && aws.ToString(rs.SetIdentifier) == set {
			return aws.ToString(rs.ResourceRecords[0].Value)
		}
	}
	return "none"
}
