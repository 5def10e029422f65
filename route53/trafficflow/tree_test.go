package trafficflow

import (
	"fmt"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// combinedDoc is the format's "failover, latency and geolocation" example with
// value endpoints instead of load balancers, and health checks on them: US clients
// go to the lower-latency coast, each coast fails over between two servers,
// everyone else gets the "denied" server.
func combinedDoc(eastETH string) string {
	return `{
  "AWSPolicyFormatVersion":"2015-10-01",
  "RecordType":"A",
  "StartRule":"geo_restriction",
  "Endpoints":{
    "east_coast_lb1":{"Type":"value","Value":"192.0.2.11"},
    "east_coast_lb2":{"Type":"value","Value":"192.0.2.12"},
    "west_coast_lb1":{"Type":"value","Value":"198.51.100.21"},
    "west_coast_lb2":{"Type":"value","Value":"198.51.100.22"},
    "denied_message":{"Type":"value","Value":"203.0.113.99"}
  },
  "Rules":{
    "geo_restriction":{"RuleType":"geo","Locations":[
      {"EndpointReference":"denied_message","IsDefault":true},
      {"RuleReference":"region_selector","Country":"US"}]},
    "region_selector":{"RuleType":"latency","Regions":[
      {"Region":"us-east-1","RuleReference":"east_coast_region"` + eastETH + `},
      {"Region":"us-west-1","RuleReference":"west_coast_region"}]},
    "east_coast_region":{"RuleType":"failover",
      "Primary":{"EndpointReference":"east_coast_lb1","HealthCheck":"e1"},
      "Secondary":{"EndpointReference":"east_coast_lb2","HealthCheck":"e2"}},
    "west_coast_region":{"RuleType":"failover",
      "Primary":{"EndpointReference":"west_coast_lb1","HealthCheck":"w1"},
      "Secondary":{"EndpointReference":"west_coast_lb2","HealthCheck":"w2"}}
  }
}`
}

type evalCase struct {
	name   string
	down   []string
	client *geo.Location
	want   string
}

func runCases(t *testing.T, tree *policy.Tree, c checks, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		c.set(tc.down...)
		if got := answer(tree, tc.client, 1); got != tc.want {
			t.Errorf("%s (down %v): got %s, want %s", tc.name, tc.down, got, tc.want)
		}
	}
}

func TestTreeCombined(t *testing.T) {
	c := checks{}
	tree := compileDoc(t, combinedDoc(""), c, Options{})
	runCases(t, tree, c, []evalCase{
		{"Ashburn: east primary", nil, ashburn, "192.0.2.11"},
		{"Boston: east (nearer us-east-1)", nil, boston, "192.0.2.11"},
		{"San Jose: west primary", nil, sanJose, "198.51.100.21"},
		{"east primary down: east secondary", []string{"e1"}, ashburn, "192.0.2.12"},
		{"east down: the rule is unhealthy, latency moves west", []string{"e1", "e2"}, ashburn, "198.51.100.21"},
		{"east down, west primary down", []string{"e1", "e2", "w1"}, ashburn, "198.51.100.22"},
		{"every US server down: geo falls to the default (it has no check)", []string{"e1", "e2", "w1", "w2"}, ashburn, "203.0.113.99"},
		{"not in the US: the default", nil, paris, "203.0.113.99"},
		{"unknown client: the default", nil, nil, "203.0.113.99"},
		{"US client without coordinates: first region in list order", nil, &geo.Location{Continent: "NA", Country: "US"}, "192.0.2.11"},
	})
}

// With EvaluateTargetHealth false on the east reference, the latency rule keeps
// sending east clients east when both east servers are down: the east rule answers
// as if its checks were up.
func TestTreeEvaluateTargetHealthOff(t *testing.T) {
	c := checks{}
	tree := compileDoc(t, combinedDoc(`,"EvaluateTargetHealth":false`), c, Options{})
	runCases(t, tree, c, []evalCase{
		{"healthy", nil, ashburn, "192.0.2.11"},
		{"east primary down: still the secondary", []string{"e1"}, ashburn, "192.0.2.12"},
		{"east down: stays east, primary", []string{"e1", "e2"}, ashburn, "192.0.2.11"},
		{"west clients unaffected", []string{"e1", "e2"}, sanJose, "198.51.100.21"},
	})
}

func TestTreeGeoExample(t *testing.T) {
	c := checks{}
	tree := compileDoc(t, geoDoc, c, Options{})
	const en, fr, de = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222", "33333333-3333-3333-3333-333333333333"
	runCases(t, tree, c, []evalCase{
		{"France", nil, paris, "192.0.2.2"},
		{"Belgium", nil, brussels, "192.0.2.2"},
		{"Germany", nil, frankfurt, "192.0.2.3"},
		{"Japan: Country *", nil, tokyo, "192.0.2.1"},
		{"unknown client: Country *", nil, nil, "192.0.2.1"},
		{"German server down: the default", []string{de}, frankfurt, "192.0.2.1"},
		{"all down: fail open, Germany again", []string{en, fr, de}, frankfurt, "192.0.2.3"},
	})
}

func TestTreeGeoSubdivisionContinent(t *testing.T) {
	src := doc(`"StartRule":"g"`, `"va":{"Type":"value","Value":"192.0.2.1"},"us":{"Type":"value","Value":"192.0.2.2"},"eu":{"Type":"value","Value":"192.0.2.3"}`,
		`"g":{"RuleType":"geo","Locations":[{"EndpointReference":"us","Country":"US"},{"EndpointReference":"va","Country":"US","Subdivision":"VA","HealthCheck":"va"},{"EndpointReference":"eu","Continent":"EU"}]}`)
	c := checks{}
	tree := compileDoc(t, src, c, Options{})
	runCases(t, tree, c, []evalCase{
		{"Virginia: the subdivision", nil, ashburn, "192.0.2.1"},
		{"California: the country", nil, sanJose, "192.0.2.2"},
		{"Virginia down: the country", []string{"va"}, ashburn, "192.0.2.2"},
		{"France: the continent", nil, paris, "192.0.2.3"},
		{"Japan: no match, no default", nil, tokyo, "NODATA"},
	})
}

func TestTreeGeoproximity(t *testing.T) {
	src := func(bias string) string {
		return doc(`"StartRule":"g"`, `"sf":{"Type":"value","Value":"192.0.2.1"},"london":{"Type":"value","Value":"192.0.2.2"}`,
			`"g":{"RuleType":"geoproximity","GeoproximityLocations":[
			{"EndpointReference":"sf","Region":"aws:route53:us-west-1","HealthCheck":"sf"},
			{"EndpointReference":"london","Latitude":"51.50","Longitude":"-0.16","Bias":"`+bias+`"}]}`)
	}
	c := checks{}
	tree := compileDoc(t, src("0"), c, Options{})
	runCases(t, tree, c, []evalCase{
		{"Paris: London", nil, paris, "192.0.2.2"},
		{"San Jose: us-west-1", nil, sanJose, "192.0.2.1"},
		{"Boston (4,300 km from San Jose, 5,300 from London): us-west-1", nil, boston, "192.0.2.1"},
		{"San Jose down: London", []string{"sf"}, sanJose, "192.0.2.2"},
	})
	tree = compileDoc(t, src("50"), c, Options{})
	runCases(t, tree, c, []evalCase{
		{"Boston, London's bias 50 halves its distance: London", nil, boston, "192.0.2.2"},
		{"San Jose stays", nil, sanJose, "192.0.2.1"},
	})
}

// A health check on a rule reference gates the whole rule: with it down the
// failover moves to its secondary although the endpoints inside are up.
func TestTreeHealthCheckOnRuleReference(t *testing.T) {
	src := doc(`"StartRule":"top"`, `"a":{"Type":"value","Value":"192.0.2.1"},"b":{"Type":"value","Value":"192.0.2.2"},"c":{"Type":"value","Value":"192.0.2.3"}`,
		`"top":{"RuleType":"failover","Primary":{"RuleReference":"pool","HealthCheck":"site"},"Secondary":{"EndpointReference":"c"}},
		 "pool":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":1,"HealthCheck":"a"},{"EndpointReference":"b","Weight":0}]}`)
	c := checks{}
	tree := compileDoc(t, src, c, Options{})
	runCases(t, tree, c, []evalCase{
		{"all up: the weighted pool, weight 0 unused", nil, nil, "192.0.2.1"},
		{"a down: the weight-0 item", []string{"a"}, nil, "192.0.2.2"},
		{"site down: secondary", []string{"site"}, nil, "192.0.2.3"},
	})
	d, _ := Parse([]byte(src))
	root, _ := ToTree(d, Options{})
	if got := root.Children[0].Children[0].Check; got != "site&a" {
		t.Errorf("gated leaf's check = %q, want site&a", got)
	}
}

func TestTreeWeightedShares(t *testing.T) {
	src := doc(`"StartRule":"w"`, `"a":{"Type":"value","Value":"192.0.2.1"},"b":{"Type":"value","Value":"192.0.2.2"},"c":{"Type":"value","Value":"192.0.2.3"}`,
		`"w":{"RuleType":"weighted","Items":[{"EndpointReference":"a","Weight":"3"},{"EndpointReference":"b","Weight":"1"},{"EndpointReference":"c","Weight":"1","HealthCheck":"c"}]}`)
	c := checks{}
	tree := compileDoc(t, src, c, Options{})
	count := func() map[string]int {
		n := map[string]int{}
		for seed := range uint64(5000) {
			n[answer(tree, nil, seed)]++
		}
		return n
	}
	n := count()
	if a := n["192.0.2.1"]; a < 2800 || a > 3200 {
		t.Errorf("weight 3 of 5: %d of 5000", a)
	}
	if b := n["192.0.2.2"]; b < 850 || b > 1150 {
		t.Errorf("weight 1 of 5: %d of 5000", b)
	}
	c.set("c")
	if n = count(); n["192.0.2.3"] != 0 || n["192.0.2.1"] < 3550 || n["192.0.2.1"] > 3950 {
		t.Errorf("c down: %v", n)
	}
}

func TestTreeMultivalue(t *testing.T) {
	var eps, items []string
	for i := range 10 {
		eps = append(eps, fmt.Sprintf(`"e%d":{"Type":"value","Value":"192.0.2.%d"}`, i, i+1))
		items = append(items, fmt.Sprintf(`{"EndpointReference":"e%d","HealthCheck":"h%d"}`, i, i))
	}
	src := doc(`"StartRule":"m"`, strings.Join(eps, ","), `"m":{"RuleType":"multivalue","Items":[`+strings.Join(items, ",")+`]}`)
	c := checks{}
	tree := compileDoc(t, src, c, Options{})
	if got := strings.Fields(answer(tree, nil, 3)); len(got) != 8 {
		t.Errorf("10 healthy: %d values, want 8", len(got))
	}
	c.set("h0", "h1", "h2", "h3", "h4", "h5", "h6")
	if got := answer(tree, nil, 3); got != "192.0.2.10 192.0.2.8 192.0.2.9" {
		t.Errorf("3 healthy: %s", got)
	}
}

// A rule referenced from two places is copied into each; both copies answer and
// see the same checks.
func TestTreeSharedRule(t *testing.T) {
	src := doc(`"StartRule":"g"`, `"a":{"Type":"value","Value":"192.0.2.1"},"b":{"Type":"value","Value":"192.0.2.2"},"x":{"Type":"value","Value":"192.0.2.9"}`,
		`"g":{"RuleType":"geo","Locations":[{"RuleReference":"fo","Continent":"EU"},{"RuleReference":"fo","Continent":"NA"},{"EndpointReference":"x","IsDefault":"true"}]},
		 "fo":{"RuleType":"failover","Primary":{"EndpointReference":"a","HealthCheck":"a"},"Secondary":{"EndpointReference":"b","HealthCheck":"b"}}`)
	c := checks{}
	tree := compileDoc(t, src, c, Options{})
	runCases(t, tree, c, []evalCase{
		{"EU", nil, paris, "192.0.2.1"},
		{"NA", nil, boston, "192.0.2.1"},
		{"NA, a down", []string{"a"}, boston, "192.0.2.2"},
		{"EU, both down: the default", []string{"a", "b"}, paris, "192.0.2.9"},
		{"Asia", nil, tokyo, "192.0.2.9"},
	})
}

// Latency to regions far apart, from clients on each continent, with the built-in
// estimate; then with a table that says otherwise.
func TestTreeLatency(t *testing.T) {
	src := doc(`"StartRule":"l"`, `"fra":{"Type":"value","Value":"192.0.2.1"},"iad":{"Type":"value","Value":"192.0.2.2"},"syd":{"Type":"value","Value":"192.0.2.3"}`,
		`"l":{"RuleType":"latency","Regions":[{"EndpointReference":"fra","Region":"eu-central-1"},{"EndpointReference":"iad","Region":"us-east-1","HealthCheck":"iad"},{"EndpointReference":"syd","Region":"ap-southeast-2"}]}`)
	c := checks{}
	tree := compileDoc(t, src, c, Options{})
	runCases(t, tree, c, []evalCase{
		{"Paris", nil, paris, "192.0.2.1"},
		{"Boston", nil, boston, "192.0.2.2"},
		{"Sydney", nil, sydney, "192.0.2.3"},
		{"Tokyo: Sydney (7,800 km) before Frankfurt (9,300)", nil, tokyo, "192.0.2.3"},
		{"Boston, iad down: Frankfurt", []string{"iad"}, boston, "192.0.2.1"},
	})
	// A measured table in which Tokyo's region reaches Frankfurt fastest.
	reg := func(code string) *policy.Region {
		r, _ := RegionByCode(code)
		return &policy.Region{Name: code, Lat: r.Lat, Lon: r.Lon}
	}
	table := &policy.LatencyTable{Rows: []policy.LatencyRow{
		{From: reg("ap-northeast-1"), MS: map[string]float64{"eu-central-1": 100, "us-east-1": 150, "ap-southeast-2": 120}},
		{From: reg("us-east-1"), MS: map[string]float64{"eu-central-1": 90, "us-east-1": 2, "ap-southeast-2": 200}},
	}}
	tree = compileDoc(t, src, c, Options{Latency: table})
	runCases(t, tree, c, []evalCase{
		{"Tokyo by the table: Frankfurt", nil, tokyo, "192.0.2.1"},
		{"Boston by the table: us-east-1", nil, boston, "192.0.2.2"},
	})
	d, _ := Parse([]byte(src))
	table.Rows[1].MS = map[string]float64{"eu-central-1": 90}
	table.Rows[0].MS = map[string]float64{"eu-central-1": 90}
	if _, err := ToTree(d, Options{Latency: table}); err == nil || !strings.Contains(err.Error(), `Rules.l.Regions[1].Region: the latency table has no column "us-east-1"`) {
		t.Errorf("table without a column: %v", err)
	}
}

func TestTreeStartEndpointAndRefusals(t *testing.T) {
	c := checks{}
	tree := compileDoc(t, `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"TXT","StartEndpoint":"t","Endpoints":{"t":{"Type":"value","Value":"\"v=spf1 -all\""}}}`, c, Options{})
	if got := answer(tree, nil, 1); got != `"v=spf1 -all"` {
		t.Errorf("TXT: %s", got)
	}
	if _, err := ToTree(&Document{StartEndpoint: "x"}, Options{}); err == nil {
		t.Error("ToTree took a document not made by Parse")
	}
}

func TestResolver(t *testing.T) {
	c := checks{}
	r := Resolver(c.resolve)
	h, ok := r("a&b")
	if !ok || !h.Up() {
		t.Fatal("a&b should resolve up")
	}
	c.set("b")
	if h.Up() {
		t.Error("a&b is up with b down")
	}
	if h, _ := r("a"); !h.Up() {
		t.Error("a alone is down")
	}
	none := Resolver(func(string) (policy.HealthSource, bool) { return nil, false })
	if _, ok := none("a&b"); ok {
		t.Error("unknown parts resolved")
	}
}

func TestEstimatedLatency(t *testing.T) {
	tab := EstimatedLatency()
	if len(tab.Rows) != len(AWSRegions) {
		t.Fatalf("%d rows", len(tab.Rows))
	}
	for _, row := range tab.Rows {
		if row.From.Name == "eu-central-1" {
			// Frankfurt–Ashburn is 6,500 km: about 100 ms measured round trip.
			if ms := row.MS["us-east-1"]; ms < 90 || ms > 110 {
				t.Errorf("eu-central-1 → us-east-1: %v ms", ms)
			}
			if ms := row.MS["eu-central-1"]; ms != 2 {
				t.Errorf("eu-central-1 → itself: %v ms", ms)
			}
		}
		for col, ms := range row.MS {
			if ms < 0 || ms > policy.MaxLatencyMS {
				t.Errorf("%s → %s: %v", row.From.Name, col, ms)
			}
		}
	}
}
