package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/plugin/test"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// reviewZone writes a data file into a temporary directory and loads it.
func reviewZone(t *testing.T, yaml string) *Policy {
	t.Helper()
	f := filepath.Join(t.TempDir(), "review.yaml")
	if err := os.WriteFile(f, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return newTestPolicy(t, nil, f)
}

const reviewData = `zones:
  example.net:
    ttl: 30
    soa: {serial: 2026112501}
    records:
      "@":
        NS: {values: [ns1.example.net.]}
      ns1:
        A: {value: 192.0.2.53}
      www:
        A: {value: 192.0.2.10}
      upper:
        CNAME: {value: WWW.Example.NET.}
      sub:
        NS: {values: [NS.Sub.Example.NET.]}
      ns.sub:
        A: {value: 192.0.2.77}
      loop1:
        CNAME: {value: loop2.example.net.}
      loop2:
        CNAME: {value: loop1.example.net.}
      self:
        CNAME: {value: self.example.net.}
      "*.wild":
        A: {value: 192.0.2.99}
`

// A CNAME target written in mixed case names an existing in-zone name: DNS names
// compare case-insensitively (RFC 4343), so the chase must find www, not answer
// NXDOMAIN. The RDATA is kept as written and the chase looks it up verbatim in a map
// keyed by lower-case names (answer.go:117-120, name = target).
func TestReviewCNAMEMixedCaseTarget(t *testing.T) {
	p := reviewZone(t, reviewData)
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion("upper.example.net.", dns.TypeA), nil)
	tc := test.Case{Qname: "upper.example.net.", Qtype: dns.TypeA, Authoritative: true, Answer: []dns.RR{
		test.CNAME("upper.example.net. 30 IN CNAME WWW.Example.NET."),
		test.A("www.example.net. 30 IN A 192.0.2.10"),
	}}
	if err := test.SortAndCheck(resp, tc); err != nil {
		t.Error(err)
	}
}

// Same root cause for referrals: an in-zone name server written in mixed case gets
// no glue, so a resolver cannot reach the child zone at all (the NS name is below the
// cut: without glue it is unresolvable).
func TestReviewReferralGlueMixedCaseNS(t *testing.T) {
	p := reviewZone(t, reviewData)
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion("host.sub.example.net.", dns.TypeA), nil)
	if len(resp.Extra) != 1 {
		t.Errorf("referral to NS.Sub.Example.NET. has glue %v, want ns.sub.example.net. A 192.0.2.77", resp.Extra)
	}
}

// ANY below a zone cut is the child zone's business: the answer must be the referral
// (as for every other type), not an authoritative RFC 8482 HINFO for a name this
// zone has delegated away. answer.go checks only Kind != NXDomain, so Delegation
// passes.
func TestReviewANYBelowDelegation(t *testing.T) {
	p := reviewZone(t, reviewData)
	for _, qname := range []string{"sub.example.net.", "host.sub.example.net."} {
		resp, _ := serve(t, p, new(dns.Msg).SetQuestion(qname, dns.TypeANY), nil)
		if resp.Authoritative || len(resp.Answer) != 0 || len(resp.Ns) == 0 {
			t.Errorf("ANY %s: AA=%v answer %v authority %v, want a referral (no AA, NS in authority)", qname, resp.Authoritative, resp.Answer, resp.Ns)
		}
	}
}

// RFC 4592 §2.2.1: the wildcard's own owner "*.wild" exists, so it is the closest
// encloser of "ghost.*.wild"; there is no "*.*.wild", so the answer is NXDOMAIN
// (the RFC's own example: "ghost.*.example." is not matched). zone.go looks up
// closest enclosers in names only, which never holds the wildcard owners.
func TestReviewWildcardBelowWildcardOwner(t *testing.T) {
	p := reviewZone(t, reviewData)
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion("ghost.*.wild.example.net.", dns.TypeA), nil)
	if resp.Rcode != dns.RcodeNameError || len(resp.Answer) != 0 {
		t.Errorf("ghost.*.wild: rcode %s answer %v, want NXDOMAIN (RFC 4592 §2.2.1)", dns.RcodeToString[resp.Rcode], resp.Answer)
	}
}

// A CNAME loop inside the zone must not put the same RR into the answer several
// times (RFC 2181 §5: an RRset has no duplicate records); CoreDNS's file plugin
// answers SERVFAIL for a self-loop. answer.go follows the loop maxChase times and
// appends the same shared RR again at each turn.
func TestReviewCNAMELoopDuplicates(t *testing.T) {
	p := reviewZone(t, reviewData)
	for _, qname := range []string{"loop1.example.net.", "self.example.net."} {
		resp, _ := serve(t, p, new(dns.Msg).SetQuestion(qname, dns.TypeA), nil)
		seen := map[string]bool{}
		for _, rr := range resp.Answer {
			if s := rr.String(); seen[s] {
				t.Errorf("%s: duplicate %s in the answer (%d records)", qname, s, len(resp.Answer))
				break
			} else {
				seen[s] = true
			}
		}
	}
}

// A zone nested in another zone of the same data (example.net and sub.example.net,
// no delegation between them) is served from the most specific zone, but a CNAME in
// example.net pointing into sub.example.net is chased inside example.net only
// (answer.go: dns.IsSubDomain(a.z.Origin, target)), which has no such name: the
// response says NXDOMAIN for a name that exists and that this very server answers.
func TestReviewCNAMEIntoNestedZone(t *testing.T) {
	p := reviewZone(t, `zones:
  example.net:
    ttl: 30
    records:
      alias:
        CNAME: {value: www.sub.example.net.}
  sub.example.net:
    ttl: 30
    records:
      www:
        A: {value: 192.0.2.10}
`)
	direct, _ := serve(t, p, new(dns.Msg).SetQuestion("www.sub.example.net.", dns.TypeA), nil)
	if direct.Rcode != dns.RcodeSuccess || len(direct.Answer) != 1 {
		t.Fatalf("control: www.sub.example.net. A: %v", direct)
	}
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion("alias.example.net.", dns.TypeA), nil)
	if resp.Rcode != dns.RcodeSuccess {
		t.Errorf("alias.example.net. CNAME www.sub.example.net. (served here): rcode %s, want NOERROR", dns.RcodeToString[resp.Rcode])
	}
}

// The data is loaded at setup, but start (OnStartup) takes the files' checksums
// again: a file changed in between (a deploy writing the file while CoreDNS starts or
// reloads its Corefile) is taken as already loaded, and the old content serves until
// the file changes once more (loader.go, start: l.sums = l.checksums()).
func TestReviewChangeBetweenSetupAndStartup(t *testing.T) {
	f := filepath.Join(t.TempDir(), "data.yaml")
	zone := "zones:\n  example.net:\n    records:\n      www:\n        A: {value: %s}\n"
	if err := os.WriteFile(f, []byte(fmt.Sprintf(zone, "192.0.2.1")), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &loader{files: []string{f}, inline: &policy.Data{}, engine: hc.New(hc.Options{}), owner: t.Name()}
	ld, set, err := l.load() // setup
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(f, []byte(fmt.Sprintf(zone, "192.0.2.2")), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &Policy{Next: test.ErrorHandler(), loader: l}
	l.start(p, ld, set) // OnStartup
	defer l.stop()
	l.reloadIfChanged(p) // the watcher's next tick
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion("www.example.net.", dns.TypeA), nil)
	if len(resp.Answer) != 1 || resp.Answer[0].(*dns.A).A.String() != "192.0.2.2" {
		t.Errorf("after the file changed: %v, want 192.0.2.2", resp.Answer)
	}
}

// FORMAT.md: "A CNAME owner holds no other type (RFC 1034 §3.6.2), and there is no
// CNAME at the origin". The parser enforces it for data files, but the compact
// Corefile records go straight to policy.Compile, which does not: both are accepted
// and the zone then answers A with an address and AAAA with a CNAME for one name.
func TestReviewCompactCNAMEAndOtherData(t *testing.T) {
	for _, tc := range []struct{ name, config string }{
		{"CNAME beside A", "policy {\n weighted www.example.org A 192.0.2.1\n failover www.example.org CNAME other.example.org.\n}"},
		{"CNAME at the origin", "policy {\n failover example.org CNAME other.example.net.\n}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := caddy.NewTestController("dns", tc.config)
			c.ServerBlockKeys = []string{"example.org."}
			if err := setup(c); err == nil {
				t.Errorf("accepted: %s", tc.config)
			}
		})
	}
}

// FORMAT.md allows every TTL, soa: field included, to be 0 ("seconds 0..2147483647"),
// and the parser keeps an explicit 0 (its defaults are filled in before the keys are
// read). buildSOA (snapshot.go) then treats 0 as "unset" once more: `minimum: 0`
// ("do not cache negative answers", RFC 2308) is served as 60, and `ttl: 0` gives the
// zone's records TTL 0 but its SOA TTL 60.
func TestReviewExplicitZeroSOAFields(t *testing.T) {
	p := reviewZone(t, `zones:
  example.net:
    ttl: 0
    soa: {serial: 1, minimum: 0}
    records:
      www:
        A: {value: 192.0.2.1}
`)
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion("nope.example.net.", dns.TypeA), nil)
	if len(resp.Ns) != 1 {
		t.Fatalf("NXDOMAIN authority %v", resp.Ns)
	}
	soa := resp.Ns[0].(*dns.SOA)
	if soa.Minttl != 0 || soa.Hdr.Ttl != 0 {
		t.Errorf("SOA %v: want MINIMUM 0 and TTL 0 as written", soa)
	}
}

// README: "When the query carries an ECS option the answer carries one too". It does
// only when the geo plugin put a client with ECS in the context (geo in the block and
// the sender trusted); a block without geo (allowed when no zone uses geolocation)
// answers an ECS query without ECS. RFC 7871 §7.3 lets a resolver read that as scope
// 0, so the answer is not wrong; the README promises more than the code does.
func TestReviewECSEchoWithoutGeo(t *testing.T) {
	t.Skip("review: README promises an ECS echo for every ECS query; owner to decide doc or code")
	p := newTestPolicy(t, nil, "testdata/zone.yaml")
	m := new(dns.Msg).SetQuestion("static.example.net.", dns.TypeA)
	m.SetEdns0(1232, false)
	m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: 24, Address: []byte{192, 0, 2, 0}})
	resp, _ := serve(t, p, m, nil)
	checkScope(t, resp, 0)
}

// One server block may serve a zone on several addresses or transports
// ("example.org:53 tls://example.org:853 { … }"). The compact records' origins come
// from every key of the block, duplicates included, and inlineRecords.data makes one
// zone per origin: the block is refused with "zone defined twice" — an error whose
// position is ":0" because the generated zones have no Pos.
func TestReviewCompactRecordsTwoKeysOneZone(t *testing.T) {
	for _, keys := range [][]string{{"example.org:53", "tls://example.org:853"}, {"example.org:1053", "example.org:1054"}} {
		c := caddy.NewTestController("dns", "policy {\n weighted www.example.org A 192.0.2.1\n}")
		c.ServerBlockKeys = keys
		if err := setup(c); err != nil {
			t.Errorf("keys %v: %v", keys, err)
		}
	}
}

// RFC 2308 §3: the SOA in a negative answer carries the TTL "from the minimum of the
// MINIMUM field of the SOA record and the TTL of the SOA itself". The zone's SOA is
// handed out as it is, so a zone with ttl 300 and minimum 60 says 300 in its NXDOMAIN
// answers. Resolvers that follow RFC 2308 §5 take the minimum themselves; BIND, Knot
// and NSD send it; CoreDNS's file plugin does not. Owner to decide.
func TestReviewNegativeSOATTL(t *testing.T) {
	t.Skip("review: RFC 2308 §3 negative SOA TTL = min(TTL, MINIMUM); file plugin does not either, owner to decide")
	p := reviewZone(t, "zones:\n  example.net:\n    ttl: 300\n    soa: {serial: 1, minimum: 60}\n    records:\n      www:\n        A: {value: 192.0.2.1}\n")
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"nope.example.net.", dns.TypeA}, {"www.example.net.", dns.TypeAAAA}} {
		resp, _ := serve(t, p, new(dns.Msg).SetQuestion(q.name, q.qtype), nil)
		if len(resp.Ns) != 1 || resp.Ns[0].Header().Ttl != 60 {
			t.Errorf("%s %s: authority %v, want the SOA with TTL 60", q.name, dns.TypeToString[q.qtype], resp.Ns)
		}
	}
}
