package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// checkData asserts what every successful parse guarantees: record sets have a
// tree, leaves hold RDATA of their set's type, inner nodes have children, names are
// lower-case FQDNs inside their zone, positions are set.
func checkData(t testing.TB, d *Data) {
	t.Helper()
	for _, z := range d.Zones {
		if z.Origin != strings.ToLower(dns.Fqdn(z.Origin)) || z.Pos.Line <= 0 {
			t.Fatalf("zone %q at %+v", z.Origin, z.Pos)
		}
		for _, rs := range z.Records {
			if rs.Name != strings.ToLower(dns.Fqdn(rs.Name)) || !dns.IsSubDomain(z.Origin, rs.Name) {
				t.Fatalf("record set %q in zone %q", rs.Name, z.Origin)
			}
			if rs.Root == nil || rs.Pos.Line <= 0 || dns.TypeToString[rs.Type] == "" {
				t.Fatalf("record set %s %d: root %v, pos %+v", rs.Name, rs.Type, rs.Root, rs.Pos)
			}
			checkTree(t, rs, rs.Root)
			if rs.Type == dns.TypeCNAME {
				checkCNAME(t, z, rs)
			}
		}
	}
}

// checkCNAME asserts that a CNAME stands alone at its name and answers one value.
func checkCNAME(t testing.TB, z *Zone, cname *RecordSet) {
	t.Helper()
	for _, rs := range z.Records {
		if rs.Name == cname.Name && rs != cname {
			t.Fatalf("%s: CNAME and %s", rs.Name, dns.TypeToString[rs.Type])
		}
	}
	var walk func(n *Node)
	walk = func(n *Node) {
		if (n.Rule == RuleSimple || n.Rule == RuleMultivalue && n.Max > 1) && len(n.Children) > 1 {
			t.Fatalf("%s: CNAME with a %s of %d", cname.Name, n.Rule, len(n.Children))
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(cname.Root)
}

func checkTree(t testing.TB, rs *RecordSet, n *Node) {
	t.Helper()
	if n.Pos.Line <= 0 {
		t.Fatalf("%s: node without a line: %+v", rs.Name, n)
	}
	if n.Rule == RuleLeaf {
		if len(n.Children) != 0 {
			t.Fatalf("%s: leaf with children", rs.Name)
		}
		if _, err := dns.NewRR(rs.Name + " 3600 IN " + dns.TypeToString[rs.Type] + " " + n.Value); err != nil || n.Value == "" {
			t.Fatalf("%s %s: leaf value %q: %v", rs.Name, dns.TypeToString[rs.Type], n.Value, err)
		}
		return
	}
	if len(n.Children) == 0 || n.Value != "" || n.Check != "" {
		t.Fatalf("%s: inner node %+v", rs.Name, n)
	}
	if n.AllDown == AllDownValue {
		if _, err := dns.NewRR(rs.Name + " 3600 IN " + dns.TypeToString[rs.Type] + " " + n.Fallback); err != nil {
			t.Fatalf("%s: fallback %q: %v", rs.Name, n.Fallback, err)
		}
	}
	if n.Rule == RuleMultivalue && (n.Max < 1 || n.Max > MaxMultivalueMax) {
		t.Fatalf("%s: multivalue max %d", rs.Name, n.Max)
	}
	matches := map[GeoMatch]bool{}
	for _, c := range n.Children {
		if n.Rule == RuleWeighted && (c.Weight < 0 || c.Weight > MaxWeight) {
			t.Fatalf("%s: weight %d", rs.Name, c.Weight)
		}
		if m := c.Geo; n.Rule == RuleGeolocation && (m == GeoMatch{} || matches[m]) {
			t.Fatalf("%s: geolocation match %+v empty or repeated", rs.Name, m)
		}
		matches[c.Geo] = true
		if n.Rule == RuleIP {
			if _, ok := n.Collection.locs[c.Location]; !ok && c.Location != DefaultLocation {
				t.Fatalf("%s: ip child location %q not in collection %s", rs.Name, c.Location, n.Collection.Name)
			}
		}
		checkTree(t, rs, c)
	}
}

func parseTestdata(t *testing.T, name string) *Data {
	t.Helper()
	d, _, err := ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	checkData(t, d)
	return d
}

// set returns the record set (name, type) of z.
func recordSet(t *testing.T, z *Zone, name string, typ uint16) *RecordSet {
	t.Helper()
	for _, rs := range z.Records {
		if rs.Name == name && rs.Type == typ {
			return rs
		}
	}
	t.Fatalf("no record set %s %s in %s", name, dns.TypeToString[typ], z.Origin)
	return nil
}

func TestParseTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.yaml")
	if len(files) < 4 {
		t.Fatalf("testdata: %v", files)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { parseTestdata(t, filepath.Base(f)) })
	}
}

// TestFormatExample keeps FORMAT.md's example and testdata/format_example.yaml equal.
func TestFormatExample(t *testing.T) {
	md, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(md), "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	file, err := os.ReadFile("testdata/format_example.yaml")
	if !ok || !ok2 || err != nil || block != string(file) {
		t.Fatalf("FORMAT.md's example differs from testdata/format_example.yaml (%v)", err)
	}
	d, specs, err := Parse("FORMAT.md", strings.NewReader(block))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 3 || specs[0].Name != "fra-1" || specs[2].Name != "iad-1" {
		t.Errorf("checks: %+v", specs)
	}
	z := d.Zones[0]
	if len(d.Zones) != 1 || z.Origin != "example.net." || z.TTL != 60 || len(z.Records) != 4 || z.Pos.Line != 7 {
		t.Fatalf("zone %+v", z)
	}
	if s := z.SOA; s == nil || s.MName != "ns1.example.net." || s.RName != "hostmaster.example.net." || s.Serial != 0 ||
		s.Refresh != 7200 || s.Retry != 3600 || s.Expire != 1209600 || s.Minimum != 60 || s.Pos.Line != 9 {
		t.Errorf("soa %+v", z.SOA)
	}
	mx := recordSet(t, z, "example.net.", dns.TypeMX)
	if mx.Root.Rule != RuleSimple || len(mx.Root.Children) != 1 || mx.Root.Children[0].Value != "10 mail.example.net." {
		t.Errorf("MX %+v", mx.Root)
	}
	www := recordSet(t, z, "www.example.net.", dns.TypeA)
	if www.TTL != 30 || www.Pos.Line != 26 || www.Root.Pos.Line != 27 || www.Root.Rule != RuleGeolocation || len(www.Root.Children) != 3 {
		t.Fatalf("www A %+v root %+v", www, www.Root)
	}
	de, na, def := www.Root.Children[0], www.Root.Children[1], www.Root.Children[2]
	if de.Geo != (GeoMatch{Country: "DE"}) || de.Rule != RuleFailover || de.Pos.Line != 29 || len(de.Children) != 2 {
		t.Errorf("DE %+v", de)
	}
	w := de.Children[0]
	if w.Rule != RuleWeighted || w.Children[0].Weight != 70 || w.Children[1].Weight != 30 ||
		w.Children[0].Check != "fra-1" || w.Children[1].Value != "192.0.2.11" || w.Children[1].Pos.Line != 33 {
		t.Errorf("weighted %+v", w)
	}
	if na.Geo != (GeoMatch{Continent: "NA"}) || na.Rule != RuleLeaf || na.Value != "198.51.100.10" || na.Check != "iad-1" {
		t.Errorf("NA %+v", na)
	}
	if !def.Geo.Default || def.Rule != RuleMultivalue || def.Max != 2 || len(def.Children) != 2 {
		t.Errorf("default %+v", def)
	}
}

func TestParseRules(t *testing.T) {
	d, specs, err := ParseFile("testdata/rules.yaml")
	if err != nil || len(specs) != 3 || len(d.Zones) != 1 {
		t.Fatalf("%v, %d specs", err, len(specs))
	}
	z := d.Zones[0]
	if z.Origin != "example.net." || z.TTL != 300 {
		t.Errorf("zone %q ttl %d", z.Origin, z.TTL)
	}
	if s := z.SOA; s.MName != "ns1.example.net." || s.RName != "hostmaster.example.org." || s.Serial != 2026112501 ||
		s.Refresh != 7200 || s.Retry != 3600 || s.Minimum != 30 {
		t.Errorf("soa %+v", s)
	}
	ns := recordSet(t, z, "example.net.", dns.TypeNS)
	if ns.TTL != 300 || ns.Root.Rule != RuleSimple || len(ns.Root.Children) != 2 || ns.Root.Children[1].Pos.Line != 20 {
		t.Errorf("NS %+v %+v", ns, ns.Root)
	}
	simple := recordSet(t, z, "simple.example.net.", dns.TypeA)
	if simple.TTL != 0 || simple.Pos.Line != 22 || simple.Root.Pos.Line != 23 || simple.Root.Children[1].Name != "second" {
		t.Errorf("simple %+v %+v", simple, simple.Root)
	}
	wt := recordSet(t, z, "weighted.example.net.", dns.TypeA).Root
	if wt.Rule != RuleWeighted || wt.Children[0].Weight != 0 || wt.Children[1].Weight != 255 || wt.AllDown != AllDownServFail {
		t.Errorf("weighted %+v", wt)
	}
	fo := recordSet(t, z, "failover.example.net.", dns.TypeA).Root
	if fo.Rule != RuleFailover || fo.Name != "fo" || fo.AllDown != AllDownValue || fo.Fallback != "192.0.2.99" || fo.Children[1].Check != "fra-2" {
		t.Errorf("failover %+v", fo)
	}
	mv := recordSet(t, z, "multivalue.example.net.", dns.TypeAAAA).Root
	if mv.Rule != RuleMultivalue || mv.Max != 2 || len(mv.Children) != 3 || mv.AllDown != AllDownNoData {
		t.Errorf("multivalue %+v", mv)
	}
	checkRulesGeo(t, z)
	if c := recordSet(t, z, "*.apps.example.net.", dns.TypeCNAME).Root; c.Rule != RuleLeaf || c.Value != "www.example.net." {
		t.Errorf("wildcard CNAME %+v", c)
	}
	if c := recordSet(t, z, "deep.sub.example.net.", dns.TypeCNAME).Root; c.Rule != RuleFailover {
		t.Errorf("CNAME failover %+v", c)
	}
	if c := recordSet(t, z, "one.example.net.", dns.TypeCNAME).Root; c.Rule != RuleSimple || len(c.Children) != 1 {
		t.Errorf("CNAME values %+v", c)
	}
}

// checkRulesGeo checks www A of testdata/rules.yaml: geolocation → failover → weighted.
func checkRulesGeo(t *testing.T, z *Zone) {
	www := recordSet(t, z, "www.example.net.", dns.TypeA)
	geo := www.Root.Children
	if www.TTL != 3600 || len(geo) != 6 {
		t.Fatalf("www %+v", www)
	}
	wants := []GeoMatch{{Country: "DE"}, {Continent: "NA"}, {Subdivision: "US-VA"},
		{City: "Frankfurt am Main", Country: "DE"}, {City: "Paris"}, {Default: true}}
	for i, want := range wants {
		if geo[i].Geo != want {
			t.Errorf("geolocation[%d]: %+v, want %+v", i, geo[i].Geo, want)
		}
	}
	inner := geo[0].Children[0]
	if geo[0].AllDown != AllDownRefused || inner.Rule != RuleWeighted || inner.AllDown != AllDownNXDomain || inner.Children[1].Weight != 30 {
		t.Errorf("DE %+v / %+v", geo[0], inner)
	}
	if geo[5].Rule != RuleMultivalue || geo[5].Max != 2 || geo[5].AllDown != AllDownOpen {
		t.Errorf("default %+v", geo[5])
	}
}

func TestParseTypes(t *testing.T) {
	d := parseTestdata(t, "types.yaml")
	if len(d.Zones) != 3 || d.Zones[0].Origin != "example.org." || d.Zones[1].Origin != "2.0.192.in-addr.arpa." ||
		d.Zones[2].Origin != "sub.example.org." || d.Zones[1].TTL != 3600 || d.Zones[0].TTL != DefaultTTL || d.Zones[0].SOA != nil {
		t.Fatalf("zones %+v", d.Zones)
	}
	seen := map[uint16]bool{}
	for _, z := range d.Zones {
		for _, rs := range z.Records {
			seen[rs.Type] = true
		}
	}
	for _, name := range recordTypeNames {
		if !seen[recordTypes[name]] {
			t.Errorf("testdata/types.yaml has no %s record set", name)
		}
	}
	z := d.Zones[0]
	txt := recordSet(t, z, "example.org.", dns.TypeTXT).Root
	if txt.Children[0].Value != `"v=spf1 -all"` || txt.Children[2].Value != `"two" "strings"` {
		t.Errorf("TXT %+v", txt.Children)
	}
	recordSet(t, z, "www.example.org.", dns.TypeCNAME)
	recordSet(t, z, "_sip._tcp.example.org.", dns.TypeSRV)
	recordSet(t, z, "1.2.example.org.", dns.TypePTR)
	if ds := recordSet(t, z, "child.example.org.", dns.TypeDS).Root; ds.Rule != RuleLeaf || !strings.HasPrefix(ds.Value, "12345 13 2 ") {
		t.Errorf("DS %+v", ds)
	}
	if naptr := recordSet(t, z, "sip.example.org.", dns.TypeNAPTR).Root; naptr.Rule != RuleWeighted || naptr.Children[1].Weight != 1 {
		t.Errorf("NAPTR %+v", naptr)
	}
	recordSet(t, z, "example.org.", dns.TypeSPF)
	recordSet(t, z, "_443._tcp.www2.example.org.", dns.TypeTLSA)
	recordSet(t, z, "host.example.org.", dns.TypeSSHFP)
	recordSet(t, d.Zones[1], "1.2.0.192.in-addr.arpa.", dns.TypePTR)
	recordSet(t, d.Zones[2], "*.sub.example.org.", dns.TypeA)
}
