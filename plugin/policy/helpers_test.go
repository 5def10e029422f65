package policy

import (
	"context"
	"net/netip"
	"testing"

	"github.com/coredns/coredns/plugin/pkg/dnstest"
	"github.com/coredns/coredns/plugin/test"

	"github.com/coretraffic/coretraffic/geo"
	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// newTestPolicy loads files (and inline zones) into a Policy whose next plugin
// answers SERVFAIL, as CoreDNS's test.ErrorHandler does.
func newTestPolicy(t testing.TB, inline *policy.Data, files ...string) *Policy {
	t.Helper()
	if inline == nil {
		inline = &policy.Data{}
	}
	l := &loader{files: files, inline: inline, engine: hc.New(hc.Options{}), owner: t.Name()}
	ld, set, err := l.load()
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{Next: test.ErrorHandler(), loader: l}
	l.set = set // prepared, never started: handles read their initial state
	p.snap.Store(ld)
	return p
}

// client is what the geo plugin would put in the context for a query from subnet.
func client(t testing.TB, subnet string, loc geo.Location, scope int) *geo.Client {
	t.Helper()
	pfx := netip.MustParsePrefix(subnet)
	fam := uint16(1)
	if pfx.Addr().Is6() {
		fam = 2
	}
	return &geo.Client{Addr: pfx.Addr(), SourcePrefix: pfx.Bits(), ECS: true, FromECS: true, ECSFamily: fam,
		ECSAddr: pfx.Addr(), Location: loc, Found: true, Scope: scope}
}

// serve runs one query through p with c (may be nil) in the context.
func serve(t testing.TB, p *Policy, m *dns.Msg, c *geo.Client) (*dns.Msg, int) {
	t.Helper()
	ctx := context.Background()
	if c != nil {
		ctx = geo.NewContext(ctx, c)
	}
	rec := dnstest.NewRecorder(&test.ResponseWriter{})
	code, err := p.ServeDNS(ctx, rec, m)
	if err != nil {
		t.Fatalf("ServeDNS: %v", err)
	}
	return rec.Msg, code
}

var (
	frankfurt = geo.Location{Continent: "EU", Country: "DE", Subdivisions: [geo.MaxSubdivisions]string{"DE-HE"}, City: "Frankfurt am Main"}
	ashburn   = geo.Location{Continent: "NA", Country: "US", Subdivisions: [geo.MaxSubdivisions]string{"US-VA"}, City: "Ashburn"}
)
