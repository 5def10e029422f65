package policy

import (
	"strings"
	"testing"
)

// TestServeRules: what a server refuses before data replaces what it serves
// (issue 15): files that define nothing, data without zones and reloads that drop
// a running zone, each unless allowed, with file, line and field.
func TestServeRules(t *testing.T) {
	const good = "zones:\n  example.net:\n    records:\n      www: {A: {value: 192.0.2.1}}\n"
	running := map[string]Pos{"example.net.": {File: "a.yaml", Line: 2}}
	tests := []struct {
		name    string
		files   []string // a.yaml, b.yaml, …
		rules   ServeRules
		running map[string]Pos
		want    string // "" = accepted
	}{
		{"good", []string{good}, ServeRules{}, nil, ""},
		{"empty file", []string{""}, ServeRules{}, nil, "a.yaml:1: zones: the file defines no zones and no checks (the file is empty or only comments)"},
		{"only comments", []string{"# nothing here\n\n# at all\n"}, ServeRules{}, nil, "a.yaml:1: zones: the file defines no zones and no checks (the file is empty or only comments); a data file that serves nothing is refused"},
		{"null document", []string{"---\n~\n"}, ServeRules{}, nil, "a.yaml:1: zones: the file defines no zones"},
		{"empty mapping", []string{"{}\n"}, ServeRules{}, nil, "a.yaml:1: zones: the file defines no zones and no checks ({} or zones: {})"},
		{"empty zones", []string{"# header\nzones: {}\n"}, ServeRules{}, nil, "a.yaml:2: zones: the file defines no zones and no checks ({} or zones: {}); a data file that serves nothing is refused, so that a truncated file cannot take zones down: set allow_empty to serve it"},
		{"null zones", []string{"zones:\n"}, ServeRules{}, nil, "a.yaml:1: zones: the file defines no zones"},
		{"second file empty", []string{good, ""}, ServeRules{}, nil, "b.yaml:1: zones: the file defines no zones"},
		{"empty allowed", []string{""}, ServeRules{AllowEmpty: true}, nil, ""},
		{"checks beside zones in another file", []string{"checks:\n  web: {type: tcp, target: 192.0.2.1:80}\n", good}, ServeRules{}, nil, ""},
		{"only checks anywhere", []string{"checks:\n  web: {type: tcp, target: 192.0.2.1:80}\n"}, ServeRules{}, nil, "a.yaml:1: zones: no data file defines a zone (only checks); set allow_empty"},
		{"reload keeps the zone", []string{good}, ServeRules{}, running, ""},
		{"reload drops the zone", []string{"zones:\n  example.org: {}\n"}, ServeRules{}, running, "a.yaml:1: zones.example.net: zone example.net. is gone from the data (it was at line 2); a reload does not stop serving a zone unless allow_zone_removal is set"},
		{"reload drops two zones", []string{"zones:\n  example.org: {}\n"}, ServeRules{}, map[string]Pos{"example.net.": {File: "a.yaml", Line: 2}, "example.com.": {File: "a.yaml", Line: 9}},
			"a.yaml:1: zones.example.com: zone example.com. (and 1 more zones) is gone from the data (it was at line 9)"},
		{"reload empties the file", []string{""}, ServeRules{AllowEmpty: true}, running, "a.yaml:1: zones.example.net: zone example.net. is gone from the data"},
		{"removal allowed", []string{"zones:\n  example.org: {}\n"}, ServeRules{AllowZoneRemoval: true}, running, ""},
		{"zone moved to another file", []string{"zones:\n  example.org: {}\n", good}, ServeRules{}, running, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var sources []*Data
			merged := &Data{}
			for i, f := range tc.files {
				d, _, err := Parse(string(rune('a'+i))+".yaml", strings.NewReader(f))
				if err != nil {
					t.Fatal(err)
				}
				sources = append(sources, d)
				merged.Zones = append(merged.Zones, d.Zones...)
			}
			err := tc.rules.Check(sources, merged, tc.running)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// TestEmptyZones: a zone the server must serve that the data lacks is compiled as
// an empty zone (SOA, NXDOMAIN); one the data holds or covers, and the root, are not.
func TestEmptyZones(t *testing.T) {
	d, _, err := Parse("a.yaml", strings.NewReader("zones:\n  example.net:\n    records:\n      www: {A: {value: 192.0.2.1}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	add := EmptyZones(d, []string{"example.net.", "sub.example.net.", "Example.ORG", "."})
	if len(add) != 1 || add[0].Origin != "example.org." || !add[0].Placeholder {
		t.Fatalf("placeholders %v, want example.org. only", add)
	}
	d.Zones = append(d.Zones, add...)
	if _, ok := ZoneSites(d)["example.org."]; ok {
		t.Errorf("ZoneSites lists the placeholder")
	}
	snap, err := Compile(d, newChecks().resolve, epoch)
	if err != nil {
		t.Fatal(err)
	}
	z := snap.Zone("www.example.org.")
	if z == nil || !z.Placeholder || z.Origin != "example.org." || z.SOA == nil {
		t.Fatalf("zone of www.example.org.: %+v", z)
	}
	if m := z.Lookup("www.example.org.", 1); m.Kind != NXDomain {
		t.Errorf("www.example.org. A: kind %v, want NXDOMAIN", m.Kind)
	}
	if m := z.Lookup("example.org.", 6); m.Kind != Found {
		t.Errorf("example.org. SOA: kind %v, want the SOA", m.Kind)
	}
	if m := z.Lookup("example.org.", 1); m.Kind != NoRecords {
		t.Errorf("example.org. A: kind %v, want NODATA", m.Kind)
	}
	if z := snap.Zone("www.example.net."); z == nil || z.Placeholder {
		t.Errorf("example.net. is a placeholder")
	}
}
