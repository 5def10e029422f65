package answer

import (
	"net/netip"
	"strings"
	"testing"
)

const sectionsData = `zones:
  example.net:
    ttl: 30
    records:
      www:
        A: {value: 192.0.2.10}
      sub:
        NS: {values: [ns.sub.example.net.]}
      ns.sub:
        A: {value: 192.0.2.77}
`

// Explain shows the reply's sections as the server sends them: the authority section
// (SOA of a negative answer, NS of a referral) as authority, glue as additional, and
// the OPT record only through its ECS scope.
func TestExplainSections(t *testing.T) {
	o := offline(t, sectionsData)
	src := netip.MustParseAddr("127.0.0.1")
	for _, tc := range []struct {
		name                  string
		ecs                   string
		authority, additional []string // substrings, one per record
	}{
		{name: "www.example.net.", ecs: "192.0.2.0/24"},
		{name: "nope.example.net.", authority: []string{"SOA"}},
		{name: "host.sub.example.net.", ecs: "192.0.2.0/24",
			authority: []string{"sub.example.net.\t30\tIN\tNS\tns.sub.example.net."}, additional: []string{"ns.sub.example.net.\t30\tIN\tA\t192.0.2.77"}},
	} {
		q := Question{Name: tc.name, Type: 1, Source: src}
		if tc.ecs != "" {
			q.ECS = netip.MustParsePrefix(tc.ecs)
		}
		x, err := o.Explain(q)
		if err != nil {
			t.Fatal(err)
		}
		check := func(section string, got, want []string) {
			if len(got) != len(want) {
				t.Errorf("%s: %s %v, want %d records like %v", tc.name, section, got, len(want), want)
				return
			}
			for i := range want {
				if !strings.Contains(got[i], want[i]) {
					t.Errorf("%s: %s[%d] = %q, want %q", tc.name, section, i, got[i], want[i])
				}
			}
		}
		check("authority", x.Authority, tc.authority)
		check("additional", x.Additional, tc.additional)
		for _, want := range tc.additional {
			if !strings.Contains(x.String(), "additional "+want) {
				t.Errorf("%s: text lacks additional %s:\n%s", tc.name, want, x)
			}
		}
	}
}
