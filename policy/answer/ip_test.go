package answer

import (
	"net/netip"
	"strings"
	"testing"
)

// Explain of an ip answer shows the block the client subnet matched, its location
// and the scope, and gives the reply's ECS scope as the server does.
func TestOfflineExplainIP(t *testing.T) {
	o := offline(t, `cidr_collections:
  corp:
    locations:
      eu: 10.0.0.0/8
      us: [10.1.0.0/16]
zones:
  example.net:
    records:
      www:
        A:
          collection: corp
          ip:
            - {location: eu, value: 192.0.2.10}
            - {location: us, value: 192.0.2.20}
            - {location: "*", value: 192.0.2.99}
`)
	for _, tc := range []struct {
		ecs, want, trace string
		scope            int
	}{
		{"10.1.2.0/24", "192.0.2.20", "collection corp: client 10.1.2.0/24 in 10.1.0.0/16 → location us (scope /16)", 16},
		{"10.9.0.0/24", "192.0.2.10", "collection corp: client 10.9.0.0/24 in 10.0.0.0/8 → location eu (scope /16)", 16},
		{"203.0.113.0/24", "192.0.2.99", "collection corp: client 203.0.113.0/24 in no block (scope /8)", 8},
	} {
		x, err := o.Explain(Question{Name: "www.example.net", Type: 1, Source: netip.MustParseAddr("192.0.2.53"),
			ECS: netip.MustParsePrefix(tc.ecs)})
		if err != nil {
			t.Fatal(err)
		}
		if len(x.Answer) != 1 || !strings.HasSuffix(x.Answer[0], tc.want) || x.Scope == nil || *x.Scope != tc.scope {
			t.Errorf("%s: %+v", tc.ecs, x)
		}
		if text := x.String(); !strings.Contains(text, tc.trace) {
			t.Errorf("%s: trace lacks %q:\n%s", tc.ecs, tc.trace, text)
		}
	}
}
