package transfer_test

import (
	"bytes"
	"context"
	"maps"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/route53/transfer"
)

// The round trip: a hand-written Route 53 export (weighted, failover,
// geolocation, latency, geoproximity, multivalue and alias record sets, a
// wildcard, health checks of every type incl. a calculated one and a disabled
// inverted one) is imported into a running API, exported as the aws CLI's JSON,
// read back and imported into a second API, exported again. Each export must hold
// what was written (IDs aside), and answer the same: for a corpus of clients
// (ECS subnets of eleven countries, one unknown, none) and health states, the
// answers of the hand-written data as the API's replica translates it
// (route53.ToPolicy) equal those of each export, translated the same way and as a
// policy data file (WriteYAML). Evaluation is the policy library's (answer.Explain
// over a compiled snapshot, with the demo geo database), each question asked 40
// times so that weighted answers show all their choices.
func TestRoundTripAnswersTheSame(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	hand, err := transfer.Read(handFiles(true))
	if err != nil {
		t.Fatal(err)
	}

	c1, _ := startAPI(t)
	exp1, ids1 := importExport(t, ctx, c1, hand)
	sameData(t, hand, exp1, ids1)
	c2, _ := startAPI(t)
	exp2, ids2 := importExport(t, ctx, c2, exp1)
	sameData(t, exp1, exp2, ids2)
	if len(exp2.Policies) != 1 || len(exp2.Instances) != 1 {
		t.Fatalf("traffic policies %d, instances %d exported", len(exp2.Policies), len(exp2.Instances))
	}

	questions := questionsOf(hand)
	downs := []map[string]bool{{}, {"fra-web": true}, {"fra-web": true, "iad-web": true}, {"nrt-tcp": true},
		{"fra-web": true, "iad-web": true, "nrt-tcp": true}}
	var first map[string]string
	for _, down := range downs {
		want := answers(t, compile(t, served(t, hand), route53State(hand, down)), questions, 40)
		if first == nil {
			first = want
		} else if reflect.DeepEqual(first, want) {
			t.Errorf("health state %v answers as all up: the corpus does not see health", down)
		}
		for _, b := range []struct {
			name string
			b    *transfer.Bundle
		}{{"hand-written", hand}, {"export", exp1}, {"export of the import of the export", exp2}} {
			if b.b != hand {
				got := answers(t, compile(t, served(t, b.b), route53State(b.b, down)), questions, 40)

				diff(t, "down "+keys(down)+": "+b.name+" served by the API", want, got)
			}
			d, specs := dataFile(t, b.b)
			got := answers(t, compile(t, d, specState(specs, b.b, down)), questions, 40)
			diff(t, "down "+keys(down)+": "+b.name+" as a data file", want, got)
		}
	}
}

// importExport imports b into the API and exports it, through the aws CLI's
// files: the export is written by WriteCLI and read back by Read. The IDs
// returned map b's health checks to the export's.
func importExport(t *testing.T, ctx context.Context, c *transfer.Client, b *transfer.Bundle) (*transfer.Bundle, map[string]string) {
	t.Helper()
	res, err := c.Import(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitInsync(ctx, res.Changes, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	exp, err := c.Export(ctx)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := transfer.WriteCLI(t.TempDir(), exp)
	if err != nil {
		t.Fatal(err)
	}
	back, err := transfer.Read(transfer.FilesIn(paths))
	if err != nil {
		t.Fatal(err)
	}
	ids := maps.Clone(res.CheckIDs) // health check and CIDR collection IDs are UUIDs: one map
	maps.Copy(ids, res.CollectionIDs)
	return back, ids
}

// sameData checks that b holds a's record sets and health checks, with the
// health check IDs ids gave them (and alias targets in b's own zone).
func sameData(t *testing.T, a, b *transfer.Bundle, ids map[string]string) {
	t.Helper()
	if len(a.Zones) != len(b.Zones) || len(a.Checks) != len(b.Checks) {
		t.Fatalf("%d zones and %d health checks became %d and %d", len(a.Zones), len(a.Checks), len(b.Zones), len(b.Checks))
	}
	norm := func(z transfer.Zone, ids map[string]string) []string {
		var out []string
		for _, rs := range z.RecordSets {
			if rs.HealthCheckId != "" && ids != nil {
				rs.HealthCheckId = ids[rs.HealthCheckId]
			}
			if c := rs.CidrRoutingConfig; c != nil && ids != nil {
				rs.CidrRoutingConfig = &route53.CidrRoutingConfig{CollectionId: ids[c.CollectionId], LocationName: c.LocationName}
			}
			if rs.AliasTarget != nil {
				at := *rs.AliasTarget
				at.HostedZoneId = ""
				rs.AliasTarget = &at
			}
			out = append(out, transfer.Describe(&rs)+" "+string(mustJSON(rs)))
		}
		sort.Strings(out)
		return out
	}
	for i := range a.Zones {
		za, zb := a.Zones[i], b.Zones[i]
		if za.Name != zb.Name {
			t.Fatalf("zone %s became %s", za.Name, zb.Name)
		}
		if wa, wb := norm(za, ids), norm(zb, nil); !reflect.DeepEqual(wa, wb) {
			t.Errorf("zone %s:\nwrote\n  %s\nexported\n  %s", za.Name, strings.Join(wa, "\n  "), strings.Join(wb, "\n  "))
		}
	}
	if len(a.Policies) != len(b.Policies) || len(a.Instances) != len(b.Instances) {
		t.Fatalf("%d traffic policies and %d instances became %d and %d", len(a.Policies), len(a.Instances), len(b.Policies), len(b.Instances))
	}
	for i, p := range a.Policies {
		q := b.Policies[i]
		if p.Name != q.Name || len(p.Versions) != len(q.Versions) {
			t.Errorf("traffic policy %s %q became %s %q", p.Id, p.Name, q.Id, q.Name)
			continue
		}
		for j, v := range p.Versions {
			doc := v.Document
			for old, nid := range ids {
				doc = strings.ReplaceAll(doc, old, nid)
			}
			if w := q.Versions[j]; w.Document != doc || w.Comment != v.Comment || w.Type != v.Type {
				t.Errorf("traffic policy %s version %d:\nwrote    %s %q\nexported %s %q", p.Name, v.Version, doc, v.Comment, w.Document, w.Comment)
			}
		}
	}
	for i, in := range a.Instances {
		o := b.Instances[i]
		if in.Name != o.Name || in.TTL != o.TTL || in.TrafficPolicyType != o.TrafficPolicyType || o.TrafficPolicyId != b.Policies[0].Id {
			t.Errorf("traffic policy instance %+v became %+v", in, o)
		}
	}
	if len(a.Collections) != len(b.Collections) {
		t.Fatalf("%d CIDR collections became %d", len(a.Collections), len(b.Collections))
	}
	for i, c := range a.Collections {
		d := b.Collections[i]
		if d.ID != ids[c.ID] || d.Name != c.Name || !reflect.DeepEqual(d.Locations, c.Locations) {
			t.Errorf("CIDR collection %s %s %v became %s %s %v", c.ID, c.Name, c.Locations, d.ID, d.Name, d.Locations)
		}
	}
	byID := map[string]int{}
	for i, h := range b.Checks {
		byID[h.ID] = i
	}
	for _, h := range a.Checks {
		i, ok := byID[ids[h.ID]]
		if !ok {
			t.Errorf("health check %s (%s) is not exported as %s", h.ID, h.CallerReference, ids[h.ID])
			continue
		}
		want := h.HealthCheckConfig
		want.ChildHealthChecks = nil
		for _, c := range h.HealthCheckConfig.ChildHealthChecks {
			want.ChildHealthChecks = append(want.ChildHealthChecks, ids[c])
		}
		got := b.Checks[i]
		if got.CallerReference != h.CallerReference || !reflect.DeepEqual(got.HealthCheckConfig, want) {
			t.Errorf("health check %s:\nwrote    %s %+v\nexported %s %+v", h.ID, h.CallerReference, want, got.CallerReference, got.HealthCheckConfig)
		}
	}
}

// served is the policy data the API's replica compiles from b's zones: their
// record sets through route53.ToPolicy, their instances' from the policies.
func served(t *testing.T, b *transfer.Bundle) *policy.Data {
	t.Helper()
	d := &policy.Data{}
	for _, z := range b.Zones {
		id := z.ID
		if id == "" {
			id = "ZHANDWRITTEN"
		}
		var plain []route53.ResourceRecordSet
		for _, rs := range z.RecordSets {
			if rs.TrafficPolicyInstanceId == "" {
				plain = append(plain, rs)
			}
		}
		pz, _, err := route53.ToPolicy(&route53.Zone{ID: id, Name: z.Name}, plain, b.Collections)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range b.Instances {
			if !strings.HasSuffix(in.Name, "."+z.Name) {
				continue
			}
			for _, p := range b.Policies {
				if p.Id == in.TrafficPolicyId {
					rs, err := trafficflow.InstanceRecordSet(p, in, trafficflow.Options{})
					if err != nil {
						t.Fatal(err)
					}
					pz.Records = append(pz.Records, rs)
				}
			}
		}
		d.Zones = append(d.Zones, pz)
	}
	return d
}

// dataFile writes b with WriteYAML and parses it as `policy { data FILE }` does.
func dataFile(t *testing.T, b *transfer.Bundle) (*policy.Data, []hcSpec) {
	t.Helper()
	var buf bytes.Buffer
	if err := transfer.WriteYAML(&buf, b); err != nil {
		t.Fatal(err)
	}
	d, specs, err := policy.Parse("export.yaml", bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return d, specs
}

// questionsOf asks every name and type of b's record sets (a wildcard by a name
// under it), the apex alias, a type a name lacks and a name that does not exist.
func questionsOf(b *transfer.Bundle) []dns.Question {
	seen := map[dns.Question]bool{}
	var out []dns.Question
	addQ := func(name string, typ uint16) {
		q := dns.Question{Name: name, Qtype: typ, Qclass: dns.ClassINET}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	for _, z := range b.Zones {
		for _, rs := range z.RecordSets {
			addQ(strings.Replace(rs.Name, `\052`, "x", 1), dns.StringToType[rs.Type])
		}
		addQ("www."+z.Name, dns.TypeAAAA)
		for _, in := range b.Instances {
			addQ(in.Name, dns.StringToType[in.TrafficPolicyType])
		}
		addQ("nope."+z.Name, dns.TypeA)
	}
	return out
}

func diff(t *testing.T, what string, want, got map[string]string) {
	t.Helper()
	n := 0
	for q, w := range want {
		if got[q] != w {
			if n < 5 {
				t.Errorf("%s: %s:\n want %s\n  got %s", what, q, w, got[q])
			}
			n++
		}
	}
	if n > 5 {
		t.Errorf("%s: %d answers differ", what, n)
	}
}

func keys(m map[string]bool) string {
	var k []string
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	if len(k) == 0 {
		return "none"
	}
	return strings.Join(k, ",")
}
