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
}
