package route53

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// fakeRefs is the health checks and CIDR collections a test zone may refer to.
type fakeRefs struct {
	checks map[string]bool
	colls  map[string]*CidrCollection
}

func (f fakeRefs) HealthCheckExists(id string) bool { return f.checks[id] }

func (f fakeRefs) CidrCollection(id string) (*CidrCollection, bool) {
	c, ok := f.colls[id]
	return c, ok
}

var testColl = &CidrCollection{ID: "c0ffee00-0000-4000-8000-000000000001", Name: "corp", Version: 2, Locations: map[string][]string{
	"eu-office": {"192.0.2.0/24", "2001:db8:1::/48"},
	"us-office": {"198.51.100.0/24"},
}}

var refs = fakeRefs{
	checks: map[string]bool{"hc-1": true, "hc-2": true, "hc-3": true},
	colls:  map[string]*CidrCollection{testColl.ID: testColl},
}

// newTestZone makes example.com. with its SOA and NS record sets.
func newTestZone(t testing.TB) (*Zone, []ResourceRecordSet) {
	t.Helper()
	z, rrsets, err := CreateZone(&CreateHostedZoneRequest{Name: "example.com", CallerReference: "ref-1"}, nil,
		ZoneOptions{Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 64))})
	if err != nil {
		t.Fatal(err)
	}
	return z, rrsets
}

func i64(v int64) *int64 { return &v }

var testEpoch = time.Date(2026, 12, 3, 20, 0, 0, 0, time.UTC)

// rec builds a value record set: name, type, TTL, values.
func rec(name, typ string, ttl int64, values ...string) ResourceRecordSet {
	rs := ResourceRecordSet{Name: name, Type: typ, TTL: i64(ttl)}
	for _, v := range values {
		rs.ResourceRecords = append(rs.ResourceRecords, ResourceRecord{Value: v})
	}
	return rs
}

func with(rs ResourceRecordSet, f func(*ResourceRecordSet)) ResourceRecordSet {
	f(&rs)
	return rs
}

func weighted(id string, w int64, rs ResourceRecordSet) ResourceRecordSet {
	rs.SetIdentifier, rs.Weight = id, i64(w)
	return rs
}

func change(action string, rs ResourceRecordSet) Change {
	return Change{Action: action, ResourceRecordSet: rs}
}

func batchOf(cs ...Change) *ChangeBatch { return &ChangeBatch{Changes: cs} }

// mustApply applies a batch that must succeed.
func mustApply(t testing.TB, z *Zone, cur []ResourceRecordSet, cs ...Change) []ResourceRecordSet {
	t.Helper()
	next, err := ApplyChanges(z, cur, batchOf(cs...), refs)
	if err != nil {
		t.Fatalf("ApplyChanges: %v", err)
	}
	return next
}

// show prints a record set for a failure message.
func show(rs *ResourceRecordSet) string {
	b, _ := json.Marshal(rs)
	return string(b)
}

// dnsNewRR is rdata without its fast path: the zone parser's text of a value.
func dnsNewRR(typ, value string) (string, error) {
	rr, err := dns.NewRR(". 0 IN " + typ + " " + value)
	if err != nil || rr == nil {
		return "", fmt.Errorf("invalid: %v", err)
	}
	return strings.TrimPrefix(rr.String(), rr.Header().String()), nil
}
