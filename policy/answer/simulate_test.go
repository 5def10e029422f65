package answer

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const simulateData = `zones:
  example.net:
    ttl: 30
    records:
      www:
        A:
          geolocation:
            - continent: EU
              name: eu
              failover:
                - weighted:
                    - {weight: 50, value: 192.0.2.10, check: fra-1}
                    - {weight: 50, value: 192.0.2.11, check: fra-2}
                - {value: 198.51.100.10, check: iad-1}
            - {country: JP, value: 203.0.113.10, check: nrt-1}
            - {default: true, value: 198.51.100.10, check: iad-1}
      static:
        A: {value: 192.0.2.99}
`

func offline(t *testing.T, data string) *Offline {
	t.Helper()
	f := filepath.Join(t.TempDir(), "data.yaml")
	if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	o, err := NewOffline([]string{f}, []string{"../../geo/testdata/demo-city.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(o.Close)
	return o
}

// Simulate's rows follow the data: Europe leaves Frankfurt for Ashburn when both
// Frankfurt checks die, Japan and the rest do not move, the static record is not a
// row; and every row agrees with explain for the same client and the same failure.
func TestSimulate(t *testing.T) {
	o := offline(t, simulateData)
	classes := o.Classes([]netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")})
	rows, err := o.Simulate(classes, []string{"fra-1", "fra-2"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	byClass := map[string]SimRow{}
	for _, r := range rows {
		if r.Set != "www.example.net./A" {
			t.Errorf("row for %s, which decides nothing", r.Set)
		}
		byClass[r.Class] = r
	}
	for class, want := range map[string]struct {
		before []string
		after  string
		moved  bool
	}{
		"EU":           {[]string{"192.0.2.10", "192.0.2.11"}, "198.51.100.10", true},
		"192.0.2.0/24": {[]string{"192.0.2.10", "192.0.2.11"}, "198.51.100.10", true}, // Frankfurt in the demo database
		"JP":           {[]string{"203.0.113.10"}, "203.0.113.10", false},
		"AS":           {[]string{"198.51.100.10"}, "198.51.100.10", false}, // JP's rule is a country rule
		"NA":           {[]string{"198.51.100.10"}, "198.51.100.10", false},
	} {
		r, ok := byClass[class]
		if !ok {
			t.Errorf("no row for %s in %v", class, rows)
			continue
		}
		var before []string
		for _, s := range r.Before {
			before = append(before, s.Answer)
		}
		slices.Sort(before)
		if !slices.Equal(before, want.before) || len(r.After) != 1 || r.After[0].Answer != want.after || r.Moved != want.moved {
			t.Errorf("%s: %+v, want before %v after %s moved %v", class, r, want.before, want.after, want.moved)
		}
	}
	if s := byClass["EU"].Before; len(s) == 2 && (s[0].Percent < 30 || s[1].Percent < 30) {
		t.Errorf("EU shares %v far from 50/50", s)
	}

	// Simulate checked against explain: each single-answer row is what explain says
	// for the same class and the same failure.
	for _, c := range classes {
		q := Question{Name: "www.example.net", Type: 1, Source: netip.MustParseAddr("127.0.0.1"), Location: c.Location, Down: []string{"fra-1", "fra-2"}}
		if c.ECS.IsValid() {
			q.ECS, q.Source = c.ECS, c.ECS.Addr()
		}
		x, err := o.Explain(q)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := answerKey(x), byClass[c.Name].After[0].Answer; got != want {
			t.Errorf("%s: explain answers %s, simulate %s", c.Name, got, want)
		}
	}

	table := FormatSimulation(rows, []string{"fra-1", "fra-2"}, false)
	if !strings.Contains(table, "EU") || strings.Contains(table, " JP ") || !strings.Contains(table, "← moves") {
		t.Errorf("table of moving rows:\n%s", table)
	}
}

// A whole region by its node name: the eu subtree down sends Europe to the default.
func TestSimulateRegionDown(t *testing.T) {
	o := offline(t, simulateData)
	rows, err := o.Simulate(o.Classes(nil), []string{"eu"}, 20)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Class == "EU" && (len(r.After) != 1 || r.After[0].Answer != "198.51.100.10") {
			t.Errorf("EU with the eu node down: %+v", r)
		}
	}
}

// Explain from data files gives the same reply a server gives: here, the ECS scope
// of the demo database's network and the trace's path.
func TestOfflineExplain(t *testing.T) {
	o := offline(t, simulateData)
	x, err := o.Explain(Question{Name: "www.example.net", Type: 1, Source: netip.MustParseAddr("203.0.113.7"),
		ECS: netip.MustParsePrefix("203.0.113.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	if x.Rcode != "NOERROR" || len(x.Answer) != 1 || !strings.HasSuffix(x.Answer[0], "203.0.113.10") || x.TTL != 30 ||
		x.Scope == nil || *x.Scope != 24 {
		t.Errorf("explanation: %+v", x)
	}
	if text := x.String(); !strings.Contains(text, "(country JP) matches") || !strings.Contains(text, "check nrt-1: up") {
		t.Errorf("text:\n%s", text)
	}
	if _, err := o.Explain(Question{Name: "www.example.org", Type: 1, Source: netip.MustParseAddr("127.0.0.1")}); err == nil {
		t.Error("a name outside the zones was explained")
	}
}

// Explain says what the server does where the answer is not the tree's: zone
// transfers are refused, and a fallthrough NXDOMAIN is the next plugin's; a down key
// that names nothing is refused, not silently ignored (found by review).
func TestExplainEdges(t *testing.T) {
	o := offline(t, simulateData)
	for _, qt := range []uint16{252, 251} { // AXFR, IXFR
		x, err := o.Explain(Question{Name: "example.net.", Type: qt, Source: netip.MustParseAddr("127.0.0.1")})
		if err != nil || x.Rcode != "REFUSED" {
			t.Errorf("type %d: %+v %v, want REFUSED", qt, x, err)
		}
	}
	q := Question{Name: "nope.example.net.", Type: 1, Source: netip.MustParseAddr("127.0.0.1")}
	x, err := Explain(o.d, nil, func(string) bool { return true }, q)
	if err != nil || x.Next == "" || !strings.Contains(x.String(), "fallthrough") {
		t.Errorf("fallthrough NXDOMAIN: %+v %v", x, err)
	}
	if x, _ := Explain(o.d, nil, nil, q); x.Next != "" || x.Rcode != "NXDOMAIN" {
		t.Errorf("NXDOMAIN without fallthrough: %+v", x)
	}
	q.Name, q.Down = "www.example.net.", []string{"fra1"}
	if _, err := o.Explain(q); err == nil || !strings.Contains(err.Error(), `"fra1" names no health check`) {
		t.Errorf("unknown down key: %v", err)
	}
	if _, err := o.Simulate(o.Classes(nil), []string{"fra-1", "fra2"}, 5); err == nil || !strings.Contains(err.Error(), `"fra2"`) {
		t.Errorf("simulate with an unknown down key: %v", err)
	}
	q.Down = []string{"fra-1", "eu", "192.0.2.10"} // a check, a node name, a value
	if _, err := o.Explain(q); err != nil {
		t.Errorf("known down keys refused: %v", err)
	}
}
