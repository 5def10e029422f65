package policy

import (
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Set finds wildcard record sets by their owner "*.p.", the name an Update
// removes them by (a replica asks before removing).
func TestZoneSetWildcard(t *testing.T) {
	d, _, err := Parse("w.yaml", strings.NewReader("zones:\n  example.net:\n    records:\n      '*.apps':\n        A: {value: 192.0.2.1}\n      www:\n        A: {value: 192.0.2.2}\n"))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := Compile(d, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	z := snap.Zone("example.net.")
	tests := []struct {
		name  string
		typ   uint16
		found bool
	}{
		{"*.apps.example.net.", dns.TypeA, true},
		{"*.apps.example.net.", dns.TypeAAAA, false},
		{"x.apps.example.net.", dns.TypeA, false},
		{"www.example.net.", dns.TypeA, true},
		{"*.example.net.", dns.TypeA, false},
	}
	for _, tc := range tests {
		if got := z.Set(tc.name, tc.typ) != nil; got != tc.found {
			t.Errorf("Set(%s, %s) found %v, want %v", tc.name, dns.TypeToString[tc.typ], got, tc.found)
		}
	}
}
