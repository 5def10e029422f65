package test

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// consoleDemo is demo/policy.yaml's www tree written as Route 53 writes nested
// policies: record sets joined by aliases. Geolocation → failover → weighted: Europe
// goes to Frankfurt (fra-1 70, fra-2 30) falling over to Ashburn; North America to
// Ashburn then Frankfurt; California and Asia to Tokyo then Ashburn; everyone else
// gets every healthy site (multivalue).
type consoleDemo struct {
	zoneID string
	checks map[string]string // site (fra-1, fra-2, iad-1, tyo-1) → health check ID
	stop   map[string]func() // site → stop its HTTP server
}

// consoleLeaves are the endpoint nodes (SetIdentifiers) the www tree must draw.
var consoleLeaves = []string{"fra-1", "fra-2", "eu-secondary", "na-primary", "na-secondary",
	"ca-primary", "ca-secondary", "as-primary", "as-secondary", "mv-fra", "mv-iad", "mv-tyo"}

func importConsoleDemo(t *testing.T, api string) *consoleDemo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := route53.New(route53.Options{BaseEndpoint: aws.String(api), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDCONSOLE", "console-secret", "")})
	d := &consoleDemo{checks: map[string]string{}, stop: map[string]func(){}}
	for _, site := range []string{"fra-1", "fra-2", "iad-1", "tyo-1"} {
		addr, stop := hcEndpoint(t, "127.0.0.1:0")
		d.stop[site] = stop
		host, port, _ := net.SplitHostPort(addr)
		p, _ := strconv.Atoi(port)
		out, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(site),
			HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host),
				Port: aws.Int32(int32(p)), ResourcePath: aws.String("/health"), RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
		if err != nil {
			t.Fatalf("CreateHealthCheck %s: %v", site, err)
		}
		d.checks[site] = aws.ToString(out.HealthCheck.Id)
	}
	z, err := c.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{Name: aws.String("example.net."), CallerReference: aws.String("console")})
	if err != nil {
		t.Fatal(err)
	}
	d.zoneID = strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")

	value := func(name, id, v, site string, edit func(*types.ResourceRecordSet)) types.ResourceRecordSet {
		rs := types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA, SetIdentifier: aws.String(id), TTL: aws.Int64(5),
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(v)}}}
		if site != "" {
			rs.HealthCheckId = aws.String(d.checks[site])
		}
		edit(&rs)
		return rs
	}
	alias := func(name, id, target string, edit func(*types.ResourceRecordSet)) types.ResourceRecordSet {
		rs := types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA, SetIdentifier: aws.String(id),
			AliasTarget: &types.AliasTarget{HostedZoneId: aws.String(d.zoneID), DNSName: aws.String(target), EvaluateTargetHealth: true}}
		edit(&rs)
		return rs
	}
	weight := func(w int64) func(*types.ResourceRecordSet) {
		return func(rs *types.ResourceRecordSet) { rs.Weight = aws.Int64(w) }
	}
	primary := func(rs *types.ResourceRecordSet) { rs.Failover = types.ResourceRecordSetFailoverPrimary }
	secondary := func(rs *types.ResourceRecordSet) { rs.Failover = types.ResourceRecordSetFailoverSecondary }
	multi := func(rs *types.ResourceRecordSet) { rs.MultiValueAnswer = aws.Bool(true) }
	geo := func(g types.GeoLocation) func(*types.ResourceRecordSet) {
		return func(rs *types.ResourceRecordSet) { rs.GeoLocation = &g }
	}
	batches := [][]types.ResourceRecordSet{{
		value("fra.www.example.net.", "fra-1", "192.0.2.10", "fra-1", weight(70)),
		value("fra.www.example.net.", "fra-2", "192.0.2.11", "fra-2", weight(30)),
		value("eu.www.example.net.", "eu-secondary", "198.51.100.10", "iad-1", secondary),
		value("na.www.example.net.", "na-primary", "198.51.100.10", "iad-1", primary),
		value("na.www.example.net.", "na-secondary", "192.0.2.10", "fra-1", secondary),
		value("ca.www.example.net.", "ca-primary", "203.0.113.10", "tyo-1", primary),
		value("ca.www.example.net.", "ca-secondary", "198.51.100.10", "iad-1", secondary),
		value("as.www.example.net.", "as-primary", "203.0.113.10", "tyo-1", primary),
		value("as.www.example.net.", "as-secondary", "198.51.100.10", "iad-1", secondary),
		value("any.www.example.net.", "mv-fra", "192.0.2.10", "fra-1", multi),
		value("any.www.example.net.", "mv-iad", "198.51.100.10", "iad-1", multi),
		value("any.www.example.net.", "mv-tyo", "203.0.113.10", "tyo-1", multi),
		value("api.example.net.", "api-iad", "198.51.100.20", "iad-1", weight(90)),
		value("api.example.net.", "api-fra", "198.51.100.21", "fra-2", weight(10)),
	}, {
		alias("eu.www.example.net.", "eu-primary", "fra.www.example.net.", primary),
	}, {
		alias("www.example.net.", "europe", "eu.www.example.net.", geo(types.GeoLocation{ContinentCode: aws.String("EU")})),
		alias("www.example.net.", "north-america", "na.www.example.net.", geo(types.GeoLocation{ContinentCode: aws.String("NA")})),
		alias("www.example.net.", "california", "ca.www.example.net.", geo(types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("CA")})),
		alias("www.example.net.", "asia", "as.www.example.net.", geo(types.GeoLocation{ContinentCode: aws.String("AS")})),
		alias("www.example.net.", "default", "any.www.example.net.", geo(types.GeoLocation{CountryCode: aws.String("*")})),
	}}
	for i, sets := range batches {
		cb := &types.ChangeBatch{Comment: aws.String("console demo " + strconv.Itoa(i+1))}
		for j := range sets {
			cb.Changes = append(cb.Changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &sets[j]})
		}
		out, err := c.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(d.zoneID), ChangeBatch: cb})
		if err != nil {
			t.Fatalf("batch %d: %v", i+1, err)
		}
		waitInsync(t, ctx, c, aws.ToString(out.ChangeInfo.Id))
	}
	return d
}

func waitInsync(t *testing.T, ctx context.Context, c *route53.Client, id string) {
	t.Helper()
	for {
		out, err := c.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
		if err != nil {
			t.Fatalf("GetChange %s: %v", id, err)
		}
		if out.ChangeInfo.Status == types.ChangeStatusInsync {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("change %s not INSYNC: %v", id, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
