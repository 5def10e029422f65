package test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// The zone the replica tests share: geo.<zone> answers by continent (so the
// corpus of client subnets gets several answers), b<k>-<part>.<zone> are the
// record sets of batch k.
const repZone = "rep.example."

func geoName() string { return "geo." + repZone }

func batchName(k, part int) string { return fmt.Sprintf("b%d-%d.%s", k, part, repZone) }

func batchValue(k int) string { return fmt.Sprintf("10.%d.%d.%d", k/62500%250, k/250%250, k%250) }

// createRepZone creates the zone through r's API with its geolocation record
// sets and returns the zone's ID and the change's.
func createRepZone(ctx context.Context, t *testing.T, r *e2e.Replica) (zoneID string) {
	t.Helper()
	z, err := r.Client.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String(repZone), CallerReference: aws.String(t.Name())})
	if err != nil {
		t.Fatalf("CreateHostedZone on %s: %v\n%s", r.Name, err, r.Output())
	}
	zoneID = aws.ToString(z.HostedZone.Id)
	geo := func(id, value string, loc types.GeoLocation) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String(geoName()), Type: types.RRTypeA, TTL: aws.Int64(60), SetIdentifier: aws.String(id), GeoLocation: &loc,
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(value)}}}}
	}
	changes := []types.Change{
		geo("eu", "192.0.2.1", types.GeoLocation{ContinentCode: aws.String("EU")}),
		geo("na", "192.0.2.2", types.GeoLocation{ContinentCode: aws.String("NA")}),
		geo("as", "192.0.2.3", types.GeoLocation{ContinentCode: aws.String("AS")}),
		geo("us", "192.0.2.4", types.GeoLocation{CountryCode: aws.String("US")}),
		geo("default", "192.0.2.9", types.GeoLocation{CountryCode: aws.String("*")}),
	}
	if _, err := change(ctx, r, zoneID, changes); err != nil {
		t.Fatalf("geolocation record sets on %s: %v", r.Name, err)
	}
	return zoneID
}

// batchChanges are batch k's three record sets, all with value batchValue(k).
func batchChanges(k int, action types.ChangeAction) []types.Change {
	var out []types.Change
	for part := range 3 {
		out = append(out, types.Change{Action: action, ResourceRecordSet: &types.ResourceRecordSet{
			Name: aws.String(batchName(k, part)), Type: types.RRTypeA, TTL: aws.Int64(60),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(batchValue(k))}}}})
	}
	return out
}

// change sends one change batch through r's API and returns its change ID.
func change(ctx context.Context, r *e2e.Replica, zoneID string, changes []types.Change) (string, error) {
	out, err := r.Client.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(zoneID),
		ChangeBatch: &types.ChangeBatch{Changes: changes}})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ChangeInfo.Id), nil
}

// listNames lists every record set name of the zone through r's API.
func listNames(ctx context.Context, r *e2e.Replica, zoneID string) (map[string]bool, error) {
	names := map[string]bool{}
	in := &route53.ListResourceRecordSetsInput{HostedZoneId: aws.String(zoneID)}
	for {
		page, err := r.Client.ListResourceRecordSets(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, rs := range page.ResourceRecordSets {
			names[aws.ToString(rs.Name)] = true
		}
		if !page.IsTruncated {
			return names, nil
		}
		in.StartRecordName, in.StartRecordType, in.StartRecordIdentifier = page.NextRecordName, page.NextRecordType, page.NextRecordIdentifier
	}
}

// batchesPresent counts, among batches 0…upto-1, those whose three record sets
// are all in names, and reports batches present in part.
func batchesPresent(names map[string]bool, upto int) (whole map[int]bool, partial []int) {
	whole = map[int]bool{}
	for k := range upto {
		n := 0
		for part := range 3 {
			if names[batchName(k, part)] {
				n++
			}
		}
		switch n {
		case 3:
			whole[k] = true
		case 0:
		default:
			partial = append(partial, k)
		}
	}
	return whole, partial
}

// questions is every name asked by every client of the corpus, type A.
func questions(corpus []netip.Prefix, names ...string) []e2e.Question {
	var qs []e2e.Question
	for _, n := range names {
		for _, p := range corpus {
			qs = append(qs, e2e.Question{Name: n, Type: dns.TypeA, Subnet: p})
		}
	}
	return qs
}

// answersValue reports whether r answers name (A, no ECS) with value.
func answersValue(r *e2e.Replica, name, value string) bool {
	m, err := r.Ask(e2e.Question{Name: name, Type: dns.TypeA}, "udp")
	if err != nil || len(m.Answer) != 1 {
		return false
	}
	a, ok := m.Answer[0].(*dns.A)
	return ok && a.A.String() == value
}

// serviceUnavailable checks that err is Route 53's 503 ServiceUnavailable and
// returns a description of what it is otherwise.
func serviceUnavailable(err error) string {
	if err == nil {
		return "no error"
	}
	var ae smithy.APIError
	var re *awshttp.ResponseError
	switch {
	case !errors.As(err, &ae):
		return fmt.Sprintf("not an API error: %v", err)
	case ae.ErrorCode() != "ServiceUnavailable":
		return fmt.Sprintf("code %s: %v", ae.ErrorCode(), err)
	case !errors.As(err, &re) || re.HTTPStatusCode() != 503:
		return fmt.Sprintf("not HTTP 503: %v", err)
	case !strings.Contains(ae.ErrorMessage(), "unavailable"):
		return fmt.Sprintf("message does not say unavailable: %q", ae.ErrorMessage())
	}
	return ""
}

// timeUntil polls cond every 10 ms for up to limit and returns how long it took
// to hold, or -1.
func timeUntil(limit time.Duration, cond func() bool) time.Duration {
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			return -1
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}
