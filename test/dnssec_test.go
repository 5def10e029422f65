package test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"

	"github.com/miekg/dns"
)

// The policy data of the DNSSEC test: answers that differ by client subnet, a
// weighted choice, plain records, and names that do not exist.
const dnssecData = `zones:
  example.net:
    ttl: 30
    records:
      www:
        A:
          geolocation:
            - {continent: EU, value: 192.0.2.10}
            - {country: US, value: 198.51.100.10}
            - {default: true, value: 203.0.113.10}
      api:
        A:
          weighted:
            - {weight: 50, value: 192.0.2.20}
            - {weight: 50, value: 192.0.2.21}
        TXT: {value: '"v=policy"'}
      child:
        NS: {value: ns1.child.example.net.}
        DS: {value: 12345 13 2 2BB183AF5F22588179A53B0A98631FAD1A292118F6BE3A6A0C4B36CE1F4A7C6E}
`

const dnssecCorefile = `example.net:%d {
    bind 127.0.0.1
    dnssec {
        key file %s
    }
    geo %s/geo/testdata/demo-city.mmdb
    policy {
        data policy.yaml
    }
}
`

// TestDNSSECSignsPolicyAnswers runs CoreDNS's dnssec plugin in front of policy with a
// key generated here, and validates what comes back: every RRset of the answer and
// authority sections must carry an RRSIG that verifies with the zone's DNSKEY (itself
// self-signed), for per-client answers, weighted answers, NODATA and names that do
// not exist (dnssec's black lies: NOERROR with an NSEC that denies every type), and
// the DS set of a delegated child, which the parent answers and signs.
// delv, an independent validator, then checks the same answers from the key alone.
func TestDNSSECSignsPolicyAnswers(t *testing.T) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	key, keyBase := writeZoneKey(t, dir, "example.net.")
	if err := os.WriteFile(filepath.Join(dir, "policy.yaml"), []byte(dnssecData), 0o644); err != nil {
		t.Fatal(err)
	}
	port := e2e.FreePort(t)
	s := e2e.Start(t, e2e.CoreTraffic(t), fmt.Sprintf(dnssecCorefile, port, keyBase, root), dir, fmt.Sprintf("127.0.0.1:%d", port))

	keys := fetchDNSKEY(t, s.Addr, key)

	for _, tc := range []struct {
		name     string
		qname    string
		qtype    uint16
		subnet   string
		want     string // an answer value; "" for a denial
		nsecDeny bool   // the authority section must hold a signed NSEC at qname without qtype
	}{
		{"geolocation, EU client", "www.example.net.", dns.TypeA, "192.0.2.0/24", "192.0.2.10", false},
		{"geolocation, US client", "www.example.net.", dns.TypeA, "198.51.100.0/24", "198.51.100.10", false},
		{"geolocation, default", "www.example.net.", dns.TypeA, "203.0.113.0/24", "203.0.113.10", false},
		{"weighted", "api.example.net.", dns.TypeA, "", "192.0.2.2", false},
		{"plain TXT", "api.example.net.", dns.TypeTXT, "", "v=policy", false},
		{"NODATA", "api.example.net.", dns.TypeAAAA, "", "", true},
		{"name that does not exist", "nope.example.net.", dns.TypeA, "", "", true},
		// The parent side of a zone cut: the DS set is this zone's, answered and signed
		// here (RFC 4035 §3.1.4.1), where every other type is referred.
		{"DS at a zone cut", "child.example.net.", dns.TypeDS, "", "12345 13 2", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, network := range []string{"udp", "tcp"} {
				r := askDNSSEC(t, s.Addr, network, tc.qname, tc.qtype, tc.subnet)
				if r.Rcode != dns.RcodeSuccess || !r.Authoritative {
					t.Fatalf("%s: rcode %s AA %v, want NOERROR (black lies for NXDOMAIN) and AA:\n%v", network, dns.RcodeToString[r.Rcode], r.Authoritative, r)
				}
				if tc.want != "" && !strings.Contains(fmt.Sprint(r.Answer), tc.want) {
					t.Errorf("%s: answer %v lacks %s", network, r.Answer, tc.want)
				}
				if tc.want == "" && len(r.Answer) != 0 {
					t.Errorf("%s: denial carries answers %v", network, r.Answer)
				}
				verifySections(t, r, keys)
				if tc.nsecDeny {
					checkNSECDenies(t, r, tc.qname, tc.qtype)
				}
			}
		})
	}

	t.Run("a tampered answer fails validation", func(t *testing.T) {
		r := askDNSSEC(t, s.Addr, "udp", "www.example.net.", dns.TypeA, "192.0.2.0/24")
		r.Answer[0].(*dns.A).A = net.ParseIP("192.0.2.99")
		if err := verifyRRsets(r.Answer, keys); err == nil {
			t.Fatal("a modified A record still verified: the check cannot fail")
		}
	})

	t.Run("delv validates from the key alone", func(t *testing.T) {
		if _, err := exec.LookPath("delv"); err != nil {
			t.Skip("delv not installed (make deps installs bind9-dnsutils)")
		}
		anchors := writeAnchor(t, filepath.Join(dir, "anchors.conf"), key)
		for _, q := range [][]string{
			{"www.example.net", "A"}, // delv sends no ECS: the source address, 127.0.0.1, is in US
			{"api.example.net", "TXT"},
			{"api.example.net", "AAAA"},
			{"nope.example.net", "A"},
			{"child.example.net", "DS"},
		} {
			args := append([]string{"@127.0.0.1", "-p", fmt.Sprint(port), "-a", anchors, "+root=example.net", "+nortrace"}, q...)
			out := runTool(t, "delv", args...)
			if !strings.Contains(out, "fully validated") {
				t.Errorf("delv %v: not validated:\n%s", q, out)
			}
		}
		// The same question with another key as the anchor must not validate.
		other, _ := writeZoneKey(t, t.TempDir(), "example.net.")
		wrong := writeAnchor(t, filepath.Join(dir, "wrong.conf"), other)
		out, _ := exec.Command("delv", "@127.0.0.1", "-p", fmt.Sprint(port), "-a", wrong, "+root=example.net", "www.example.net", "A").CombinedOutput()
		if strings.Contains(string(out), "fully validated") {
			t.Errorf("delv validated with a key the server does not use:\n%s", out)
		}
	})
}

// writeZoneKey generates an ECDSA P-256 key with the SEP bit (the dnssec plugin uses
// a single key as a combined signing key) and writes it as dnssec-keygen would.
func writeZoneKey(t *testing.T, dir, zone string) (*dns.DNSKEY, string) {
	t.Helper()
	k := &dns.DNSKEY{
		Hdr:       dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: 3600},
		Flags:     dns.ZONE | dns.SEP,
		Protocol:  3,
		Algorithm: dns.ECDSAP256SHA256,
	}
	priv, err := k.Generate(256)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, fmt.Sprintf("K%s+%03d+%05d", zone, k.Algorithm, k.KeyTag()))
	if err := os.WriteFile(base+".key", []byte(k.String()+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base+".private", []byte(k.PrivateKeyString(priv)), 0o600); err != nil {
		t.Fatal(err)
	}
	return k, base
}

// writeAnchor writes a delv trust-anchors file holding k and returns its path.
func writeAnchor(t *testing.T, path string, k *dns.DNSKEY) string {
	t.Helper()
	anchor := fmt.Sprintf("trust-anchors {\n  %s static-key %d %d %d \"%s\";\n};\n",
		k.Hdr.Name, k.Flags, k.Protocol, k.Algorithm, k.PublicKey)
	if err := os.WriteFile(path, []byte(anchor), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fetchDNSKEY asks for the zone's DNSKEY set, checks that it holds the generated key
// and that the set is signed by it.
func fetchDNSKEY(t *testing.T, addr string, want *dns.DNSKEY) []*dns.DNSKEY {
	t.Helper()
	r := askDNSSEC(t, addr, "udp", want.Hdr.Name, dns.TypeDNSKEY, "")
	var keys []*dns.DNSKEY
	for _, rr := range r.Answer {
		if k, ok := rr.(*dns.DNSKEY); ok {
			keys = append(keys, k)
		}
	}
	if !slices.ContainsFunc(keys, func(k *dns.DNSKEY) bool { return k.PublicKey == want.PublicKey }) {
		t.Fatalf("DNSKEY answer %v lacks the generated key", r.Answer)
	}
	if err := verifyRRsets(r.Answer, keys); err != nil {
		t.Fatalf("DNSKEY set: %v", err)
	}
	return keys
}

func askDNSSEC(t *testing.T, addr, network, qname string, qtype uint16, subnet string) *dns.Msg {
	t.Helper()
	m := new(dns.Msg).SetQuestion(qname, qtype)
	m.SetEdns0(4096, true)
	if subnet != "" {
		_, n, err := net.ParseCIDR(subnet)
		if err != nil {
			t.Fatal(err)
		}
		bits, _ := n.Mask.Size()
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{
			Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(bits), Address: n.IP.To4()})
	}
	c := &dns.Client{Net: network, Timeout: 2 * time.Second}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		t.Fatalf("%s %s over %s: %v", qname, dns.TypeToString[qtype], network, err)
	}
	return r
}

// verifySections verifies every RRset of the answer and authority sections.
func verifySections(t *testing.T, r *dns.Msg, keys []*dns.DNSKEY) {
	t.Helper()
	if err := verifyRRsets(r.Answer, keys); err != nil {
		t.Errorf("answer: %v\n%v", err, r)
	}
	if err := verifyRRsets(r.Ns, keys); err != nil {
		t.Errorf("authority: %v\n%v", err, r)
	}
}

// verifyRRsets groups rrs into RRsets and requires each to be covered by an RRSIG
// that verifies with one of keys and is valid now.
func verifyRRsets(rrs []dns.RR, keys []*dns.DNSKEY) error {
	type setKey struct {
		name  string
		rtype uint16
	}
	sets := map[setKey][]dns.RR{}
	var sigs []*dns.RRSIG
	for _, rr := range rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			sigs = append(sigs, sig)
			continue
		}
		k := setKey{strings.ToLower(rr.Header().Name), rr.Header().Rrtype}
		sets[k] = append(sets[k], rr)
	}
	if len(sets) == 0 {
		return nil
	}
	for k, set := range sets {
		verified := false
		var last error
		for _, sig := range sigs {
			if sig.TypeCovered != k.rtype || !strings.EqualFold(sig.Hdr.Name, k.name) {
				continue
			}
			if !sig.ValidityPeriod(time.Now()) {
				last = fmt.Errorf("RRSIG for %s %s outside its validity period", k.name, dns.TypeToString[k.rtype])
				continue
			}
			for _, key := range keys {
				if key.KeyTag() != sig.KeyTag {
					continue
				}
				if err := sig.Verify(key, set); err != nil {
					last = fmt.Errorf("%s %s: %v", k.name, dns.TypeToString[k.rtype], err)
					continue
				}
				verified = true
			}
		}
		if !verified {
			if last == nil {
				last = fmt.Errorf("%s %s has no RRSIG", k.name, dns.TypeToString[k.rtype])
			}
			return last
		}
	}
	return nil
}

// checkNSECDenies requires a (verified) NSEC record owned by qname whose type bitmap
// does not list qtype: the proof that qname has no qtype.
func checkNSECDenies(t *testing.T, r *dns.Msg, qname string, qtype uint16) {
	t.Helper()
	for _, rr := range r.Ns {
		nsec, ok := rr.(*dns.NSEC)
		if !ok || !strings.EqualFold(nsec.Hdr.Name, qname) {
			continue
		}
		if slices.Contains(nsec.TypeBitMap, qtype) {
			t.Errorf("NSEC at %s lists %s, which the answer denies", qname, dns.TypeToString[qtype])
		}
		return
	}
	t.Errorf("no NSEC at %s in the authority section:\n%v", qname, r)
}
