package policy

import (
	"os"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/geo"

	"github.com/miekg/dns"
)

func TestParseSteering(t *testing.T) {
	d := parseTestdata(t, "steering.yaml")
	z := d.Zones[0]
	st := recordSet(t, z, "sticky.example.net.", dns.TypeA).Root
	if st.Rule != RuleWeighted || !st.Sticky || st.StickyBits4 != 24 || st.StickyBits6 != 56 || st.Children[1].Name != "fra-2" {
		t.Errorf("sticky %+v", st)
	}
	if s16 := recordSet(t, z, "sticky16.example.net.", dns.TypeAAAA).Root; !s16.Sticky || s16.StickyBits4 != 16 || s16.StickyBits6 != 48 {
		t.Errorf("sticky_prefix 16/48: %+v", s16)
	}
	if ns := recordSet(t, z, "notsticky.example.net.", dns.TypeA).Root; ns.Sticky {
		t.Errorf("sticky: false: %+v", ns)
	}
	if len(d.Regions) != 3 || *d.Regions[1] != (Region{Pos: Pos{File: "testdata/steering.yaml", Line: 56}, Name: "iad", Lat: 38.95, Lon: -77.45}) {
		t.Errorf("regions %+v", d.Regions)
	}
	near := recordSet(t, z, "near.example.net.", dns.TypeA).Root
	if near.Rule != RuleGeoproximity || len(near.Children) != 3 || near.AllDown != AllDownServFail {
		t.Fatalf("geoproximity %+v", near)
	}
	for i, want := range []Place{{Region: "fra", Lat: 50.11, Lon: 8.68}, {Region: "iad", Lat: 38.95, Lon: -77.45, Bias: -20}, {Lat: -33.87, Lon: 151.21, Bias: 35}} {
		if got := near.Children[i].Place; got != want {
			t.Errorf("geoproximity[%d]: %+v, want %+v", i, got, want)
		}
	}
	if near.Children[2].Rule != RuleFailover {
		t.Errorf("geoproximity[2] %+v", near.Children[2])
	}
	lt := d.Latency
	if lt == nil || lt.Pos.Line != 51 || len(lt.Rows) != 2 || lt.Rows[0].From != d.Regions[0] || lt.Rows[1].From != d.Regions[2] ||
		lt.Rows[0].MS["iad"] != 85.5 || len(lt.Rows[1].MS) != 1 || lt.Rows[1].Pos.Line != 53 {
		t.Fatalf("latency table %+v", lt)
	}
	fast := recordSet(t, z, "fast.example.net.", dns.TypeA).Root
	if fast.Rule != RuleLatency || fast.Source != SourceTable || fast.Hysteresis != (Hysteresis{Percent: 20, MS: 7.5}) || fast.Table != lt {
		t.Errorf("latency %+v", fast)
	}
	if ch := fast.Children; len(ch) != 3 || ch[1].Place != (Place{Region: "iad", Lat: 38.95, Lon: -77.45}) || ch[2].Rule != RuleWeighted {
		t.Errorf("latency children %+v", ch)
	}
	if m := recordSet(t, z, "measured.example.net.", dns.TypeA).Root; m.Source != SourceMeasured || m.Hysteresis != (Hysteresis{}) {
		t.Errorf("measured %+v", m)
	}
}

// TestParseLatencyDefaults: source defaults to auto, and a file without latency:
// leaves the node's table nil (measured, else list order).
func TestParseLatencyDefaults(t *testing.T) {
	d, _, err := Parse("d.yaml", strings.NewReader(regions3+latencyRecord("            - {region: fra, value: 192.0.2.1}")))
	if err != nil {
		t.Fatal(err)
	}
	if n := d.Zones[0].Records[0].Root; n.Rule != RuleLatency || n.Source != SourceAuto || n.Table != nil || d.Latency != nil {
		t.Errorf("%+v", n)
	}
}

// TestFormatSteering keeps FORMAT.md's second example and testdata/format_steering.yaml
// equal, and checks what the example claims.
func TestFormatSteering(t *testing.T) {
	md, err := os.ReadFile("FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := strings.Split(string(md), "```yaml\n")
	if len(blocks) < 3 {
		t.Fatal("FORMAT.md has no second yaml block")
	}
	block, _, _ := strings.Cut(blocks[2], "```")
	file, err := os.ReadFile("testdata/format_steering.yaml")
	if err != nil || block != string(file) {
		t.Fatalf("FORMAT.md's second example differs from testdata/format_steering.yaml (%v)", err)
	}
	d, specs, err := Parse("FORMAT.md", strings.NewReader(block))
	if err != nil {
		t.Fatal(err)
	}
	c := newChecks(specs[0].Name, specs[1].Name)
	snap, err := Compile(d, c.resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	z := snap.Zone("example.net.")
	if !z.UsesGeo || !z.UsesClient {
		t.Errorf("UsesGeo %v UsesClient %v", z.UsesGeo, z.UsesClient)
	}
	sydney := located(geo.Location{Continent: "OC", Country: "AU"}, -33.87, 151.21)
	for _, tc := range []struct {
		name string
		in   *Input
		want string
	}{
		{"near.example.net.", from(parisClient), "192.0.2.10"},
		{"near.example.net.", from(iadClient), "198.51.100.10"},
		{"fast.example.net.", from(sydney), "203.0.113.10"},
		{"fast.example.net.", from(iadClient), "198.51.100.10"},
	} {
		got, _ := answer(z.Set(tc.name, dns.TypeA).Tree, tc.in)
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s: %v, want %s", tc.name, got, tc.want)
		}
	}
	app := z.Set("app.example.net.", dns.TypeA).Tree
	if _, r := answer(app, fromSubnet("198.51.100.0/24", nil)); r.ClientBits != 24 {
		t.Errorf("app: ClientBits %d", r.ClientBits)
	}
}
