package policy

import (
	"testing"

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
	if len(d.Regions) != 3 || *d.Regions[1] != (Region{Pos: Pos{File: "testdata/steering.yaml", Line: 37}, Name: "iad", Lat: 38.95, Lon: -77.45}) {
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
}
