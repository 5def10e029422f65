package policy

import (
	"crypto/sha256"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// TestParseIP reads both forms of a collection, resolves the nodes' collection and
// locations, and records the collection file with the checksum of what it parsed.
func TestParseIP(t *testing.T) {
	d := parseTestdata(t, "ip.yaml")
	if len(d.CIDRCollections) != 2 {
		t.Fatalf("collections %v", d.CIDRCollections)
	}
	corp, offices := d.CIDRCollections[0], d.CIDRCollections[1]
	if corp.Name != "corp" || corp.File != "" || corp.Set.Len() != 3 || corp.Pos.Line != 3 {
		t.Errorf("corp: %+v, %d blocks", corp, corp.Set.Len())
	}
	want := filepath.Join("testdata", "offices.cidr")
	if offices.Name != "offices" || offices.File != want || offices.Set.Len() != 3 {
		t.Errorf("offices: %+v, %d blocks", offices, offices.Set.Len())
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Files) != 1 || d.Files[0].Path != want || d.Files[0].Sum != sha256.Sum256(b) {
		t.Errorf("files %+v", d.Files)
	}
	www := recordSet(t, d.Zones[0], "www.example.net.", dns.TypeA).Root
	if www.Rule != RuleIP || www.Collection != corp || len(www.Children) != 3 ||
		www.Children[0].Location != "eu-office" || www.Children[2].Location != DefaultLocation {
		t.Errorf("www: %+v", www)
	}
	intranet := recordSet(t, d.Zones[0], "intranet.example.net.", dns.TypeA).Root
	if ip := intranet.Children[0]; ip.Rule != RuleIP || ip.Collection != offices {
		t.Errorf("intranet: %+v", ip)
	}

	snap, err := Compile(d, nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	z := snap.Zone("example.net.")
	if !z.UsesClient || !z.UsesGeo {
		t.Errorf("zone UsesClient %v UsesGeo %v, want both", z.UsesClient, z.UsesGeo)
	}
	for _, tc := range []struct{ name, client, want string }{
		{"www", "192.0.2.0/24", "203.0.113.10"},
		{"www", "2001:db8:1:5::/64", "203.0.113.10"},
		{"www", "198.51.100.9/32", "203.0.113.20"},
		{"www", "10.1.0.0/24", "203.0.113.99"},
		{"intranet", "10.1.0.0/24", "203.0.113.21"},
		{"intranet", "2001:db8:2::/56", "203.0.113.21"},
		{"intranet", "10.2.0.0/24", "203.0.113.12"},
	} {
		in := from(frankfurt)
		in.Client = netip.MustParsePrefix(tc.client)
		got, _ := answer(z.Set(tc.name+".example.net.", dns.TypeA).Tree, in)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s from %s: %v, want %s", tc.name, tc.client, got, tc.want)
		}
	}
}

// A collection file path is relative to the data file, wherever the process runs.
func TestParseIPFileRelative(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "nets.txt"), []byte("192.0.2.0/24 lab\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data.yaml")
	if err := os.WriteFile(data, []byte("cidr_collections:\n  nets: {file: nets.txt}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, _, err := ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if d.CIDRCollections[0].File != filepath.Join(dir, "nets.txt") || d.CIDRCollections[0].Set.Len() != 1 {
		t.Errorf("%+v", d.CIDRCollections[0])
	}
}

// CollectionFiles finds the files of a data file that does not load.
func TestCollectionFiles(t *testing.T) {
	in := "cidr_collections:\n  a: {file: a.cidr}\n  b: {locations: {x: 192.0.2.0/24}}\n  c: {file: /abs/c.cidr}\nzones: {broken\n"
	if got := CollectionFiles("dir/data.yaml", strings.NewReader(in)); got != nil {
		t.Errorf("invalid YAML: %v", got)
	}
	in = "cidr_collections:\n  a: {file: a.cidr}\n  b: {locations: {x: 192.0.2.0/24}}\n  c: {file: /abs/c.cidr}\nzones: {example.net: {records: {www: {A: {ip: []}}}}}\n"
	got := CollectionFiles("dir/data.yaml", strings.NewReader(in))
	if strings.Join(got, " ") != filepath.Join("dir", "a.cidr")+" /abs/c.cidr" {
		t.Errorf("got %v", got)
	}
}

// FORMAT.md's CIDR collections example is testdata/ip.yaml and testdata/offices.cidr.
func TestFormatIPExample(t *testing.T) {
	md, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(md), "## CIDR collections\n")
	_, yml, ok2 := strings.Cut(sec, "```yaml\n")
	yml, rest, ok3 := strings.Cut(yml, "```")
	_, cidrs, ok4 := strings.Cut(rest, "```\n# offices.cidr\n")
	cidrs, _, ok5 := strings.Cut(cidrs, "```")
	data, err1 := os.ReadFile("testdata/ip.yaml")
	file, err2 := os.ReadFile("testdata/offices.cidr")
	if !ok || !ok2 || !ok3 || !ok4 || !ok5 || err1 != nil || err2 != nil {
		t.Fatalf("FORMAT.md's CIDR collections example not found (%v, %v)", err1, err2)
	}
	if yml != string(data) {
		t.Error("FORMAT.md's CIDR collections example differs from testdata/ip.yaml")
	}
	if _, body, _ := strings.Cut(string(file), "\n"); cidrs != body {
		t.Errorf("FORMAT.md's offices.cidr differs from testdata/offices.cidr (after its first line):\n%q\n%q", cidrs, body)
	}
}
