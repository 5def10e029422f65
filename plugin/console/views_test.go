package console

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy/answer"
)

type treeAnswer struct {
	Set   string    `json:"set"`
	Root  string    `json:"root"`
	Nodes []nodeDoc `json:"nodes"`
	Edges []edgeDoc `json:"edges"`
}

func (ta *treeAnswer) node(t *testing.T, id string) nodeDoc {
	t.Helper()
	for _, n := range ta.Nodes {
		if n.ID == id {
			return n
		}
	}
	t.Fatalf("no node %q in %+v", id, ta.Nodes)
	return nodeDoc{}
}

func TestTree(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()

	var w treeAnswer
	b.get("/api/tree?set=w.example.net./A", &w)
	if w.Root != "w.example.net./A" || len(w.Nodes) != 3 || len(w.Edges) != 2 {
		t.Fatalf("weighted tree %+v", w)
	}
	if r := w.node(t, w.Root); r.Rule != "weighted" || r.Parent != "" || !r.Up {
		t.Fatalf("root %+v", r)
	}
	a, bb := w.node(t, "a"), w.node(t, "b")
	if a.Rule != "leaf" || a.Value != "192.0.2.1" || *a.Weight != 200 || *a.Share != 0.8 || *bb.Share != 0.2 || a.Parent != w.Root {
		t.Fatalf("weighted children %+v %+v", a, bb)
	}
	if w.Edges[0].Label != "200 (80.0%)" {
		t.Fatalf("edge %+v", w.Edges[0])
	}

	var fo treeAnswer
	b.get("/api/tree?name=fo.example.net&type=A", &fo)
	fra, bak := fo.node(t, "fra"), fo.node(t, "bak")
	if fra.Tier != 1 || bak.Tier != 2 || fra.Check != f.checkID || !fra.Up || bak.Check != "" {
		t.Fatalf("failover children %+v %+v", fra, bak)
	}

	var g treeAnswer
	b.get("/api/tree?set=geo.example.net./A", &g)
	de, va, anyN := g.node(t, "de"), g.node(t, "us-va"), g.node(t, "any")
	if de.Rule != "alias" || de.Alias != "fo.example.net." || de.Geo == nil || de.Geo.Country != "DE" {
		t.Fatalf("de %+v", de)
	}
	if va.Geo == nil || va.Geo.Subdivision != "US-VA" || va.Value != "192.0.2.30" {
		t.Fatalf("us-va %+v", va)
	}
	if anyN.Geo == nil || !anyN.Geo.Default {
		t.Fatalf("any %+v", anyN)
	}
	// The alias inlines its target: fra is below de, with its check.
	if n := g.node(t, "fra"); n.Check != f.checkID || n.Tier != 1 {
		t.Fatalf("fra under de %+v", n)
	}
	// Each node names the Route 53 record set the editor changes for it.
	recs := []struct {
		id  string
		ref *recordRef
	}{
		{"geo.example.net./A", nil},
		{"de", &recordRef{"geo.example.net.", "A", "de"}},
		{"geo.example.net./A/1/0", nil}, // the failover target's routing node
		{"fra", &recordRef{"fo.example.net.", "A", "fra"}},
		{"us-va", &recordRef{"geo.example.net.", "A", "us-va"}},
		{"a", &recordRef{"w.example.net.", "A", "a"}},
	}
	for _, rc := range recs {
		n := g.node(t, rc.id)
		if (n.Record == nil) != (rc.ref == nil) || n.Record != nil && *n.Record != *rc.ref {
			t.Errorf("%s: record %+v, want %+v", rc.id, n.Record, rc.ref)
		}
	}
	if n := g.node(t, "fra"); n.CheckName != "fra" {
		t.Errorf("fra's check name %q, want its CallerReference", n.CheckName)
	}
	for _, e := range g.Edges {
		if e.From == "" || e.To == "" {
			t.Fatalf("edge %+v", e)
		}
	}

	// A check going down turns its leaf and, with nothing else up, its parent red.
	f.engine.SetOverride(f.checkID, hc.OverrideDown)
	b.get("/api/tree?name=fo.example.net&type=A", &fo)
	if fo.node(t, "fra").Up || !fo.node(t, "bak").Up || !fo.node(t, fo.Root).Up {
		t.Fatalf("after fra down: %+v", fo.Nodes)
	}

	if resp, body := b.do("GET", "/api/tree?set=nope.example.net./A", "", nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("missing set: %d %s", resp.StatusCode, body)
	}
}

type mapAnswer struct {
	Down      []string    `json:"down"`
	Endpoints []string    `json:"endpoints"`
	Places    []placeDocM `json:"places"`
}

func (m *mapAnswer) place(t *testing.T, code string) placeDocM {
	t.Helper()
	for _, p := range m.Places {
		if p.Code == code {
			return p
		}
	}
	t.Fatalf("no place %s", code)
	return placeDocM{}
}

func TestMapWhatIf(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	var m mapAnswer
	b.get("/api/map?set=geo.example.net./A", &m)
	if len(m.Places) < 240 {
		t.Fatalf("%d places", len(m.Places))
	}
	want := func(p placeDocM, now, whatif string, moved bool) {
		t.Helper()
		if len(p.Now) != 1 || p.Now[0].Answer != now || len(p.WhatIf) != 1 || p.WhatIf[0].Answer != whatif || p.Moved != moved {
			t.Errorf("%s: now %+v whatif %+v moved %v; want %s → %s", p.Code, p.Now, p.WhatIf, p.Moved, now, whatif)
		}
	}
	want(m.place(t, "DE"), "192.0.2.10", "192.0.2.10", false)
	want(m.place(t, "US-VA"), "192.0.2.30", "192.0.2.30", false)
	if va := m.place(t, "US-VA"); va.Level != "subdivision" {
		t.Errorf("US-VA level %q", va.Level)
	}
	fr := m.place(t, "FR") // the default: weighted 200/50 between .1 and .2
	if len(fr.Now) == 0 || fr.Now[0].Answer != "192.0.2.1" && fr.Now[0].Answer != "192.0.2.2" {
		t.Errorf("FR %+v", fr.Now)
	}
	if !slices.Contains(m.Endpoints, "192.0.2.20") {
		t.Errorf("endpoints %v", m.Endpoints)
	}

	// What if Frankfurt's check dies: Germany moves to the secondary, nobody else moves.
	b.get("/api/map?set=geo.example.net./A&down="+f.checkID, &m)
	want(m.place(t, "DE"), "192.0.2.10", "192.0.2.20", true)
	for _, p := range m.Places {
		if p.Moved && p.Code != "DE" {
			t.Errorf("%s moved: %+v → %+v", p.Code, p.Now, p.WhatIf)
		}
	}
	// A what-if changes nothing that serves.
	if h, _ := f.engine.Handle(f.checkID); !h.Up() {
		t.Fatal("the what-if took the check down")
	}
	// The same by node name.
	b.get("/api/map?set=geo.example.net./A&down=fra", &m)
	want(m.place(t, "DE"), "192.0.2.10", "192.0.2.20", true)

	if resp, body := b.do("GET", "/api/map?set=geo.example.net./A&down=fra1", "", nil); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "fra1") {
		t.Fatalf("unknown down key: %d %s", resp.StatusCode, body)
	}
}

func TestExplain(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	var x struct {
		Set       string   `json:"set"`
		Path      []string `json:"path"`
		Highlight []string `json:"highlight"`
		Answer    []string `json:"answer"`
		TTL       uint32   `json:"ttl"`
		Scope     *int     `json:"scope"`
	}
	b.get("/api/explain?name=geo.example.net&type=A&ecs=192.0.2.0/24", &x)
	if x.Set != "geo.example.net./A" || !slices.Equal(x.Answer, []string{"192.0.2.10"}) || x.TTL != 60 || x.Scope == nil || *x.Scope != 24 {
		t.Fatalf("explain Frankfurt: %+v", x)
	}
	wantHL := []string{"geo.example.net./A", "de", "geo.example.net./A/1/0", "fra"}
	if !slices.Equal(x.Highlight, wantHL) {
		t.Fatalf("highlight %v, want %v (path %v)", x.Highlight, wantHL, x.Path)
	}
	// Every highlighted id is a node of the tree the page draws.
	var g treeAnswer
	b.get("/api/tree?set=geo.example.net./A", &g)
	for _, id := range x.Highlight {
		g.node(t, id)
	}
	// With Frankfurt down (forced, for this question only) the path goes to bak.
	b.get("/api/explain?name=geo.example.net&type=A&ecs=192.0.2.0/24&down=fra", &x)
	if !slices.Equal(x.Answer, []string{"192.0.2.20"}) || !slices.Contains(x.Highlight, "bak") || slices.Contains(x.Highlight, "fra") {
		t.Fatalf("explain with fra down: %+v", x)
	}
	if resp, _ := b.do("GET", "/api/explain?type=A", "", nil); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("no name: %d", resp.StatusCode)
	}
}

func TestHealthView(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	f.engine.SetOverride(f.checkID, hc.OverrideDown)
	var h struct {
		Checks      []checkDoc      `json:"checks"`
		Transitions []transitionDoc `json:"transitions"`
	}
	b.get("/api/health", &h)
	if len(h.Checks) != 1 || h.Checks[0].Name != f.checkID || h.Checks[0].Up || h.Checks[0].CallerReference != "fra" || len(h.Checks[0].Checkers) != 1 || len(h.Checks[0].LastResults) == 0 {
		t.Fatalf("checks %+v", h.Checks)
	}
	if len(h.Transitions) == 0 || h.Transitions[0].Check != f.checkID || h.Transitions[0].Up || h.Transitions[0].Override != "down" {
		t.Fatalf("transitions %+v", h.Transitions)
	}
}

func TestStats(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	time.Sleep(350 * time.Millisecond) // a few samples of 100 ms
	var s struct {
		T       []int64 `json:"t"`
		Latency []struct {
			Check string     `json:"check"`
			MS    []*float64 `json:"ms"`
		} `json:"latency"`
	}
	b.get("/api/stats?window=1h", &s)
	if len(s.T) < 3 || len(s.Latency) != 1 || len(s.Latency[0].MS) != len(s.T) || s.Latency[0].MS[len(s.T)-1] == nil {
		raw, _ := json.Marshal(s)
		t.Fatalf("stats %s", raw)
	}
}

// TestMapGroupingExact: the map simulates one country per group of countries no
// rule names; every place still gets exactly what simulating it alone gives.
func TestMapGroupingExact(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	for _, set := range []string{"geo.example.net./A", "w.example.net./A"} {
		var m mapAnswer
		b.get("/api/map?set="+set+"&down=fra", &m)
		p := f.replica.Current()
		z := p.Snap.Zone(strings.Split(set, "/")[0])
		s := z.Set(strings.Split(set, "/")[0], 1)
		classes, _ := places(s.Tree)
		rows, err := answer.NewLive(&answer.Data{Snap: p.Snap}, nil).SimulateSet(s, classes, []string{"fra"}, defaultSamples)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(m.Places) {
			t.Fatalf("%s: %d rows, %d places", set, len(rows), len(m.Places))
		}
		for i, r := range rows {
			got := m.Places[i]
			if r.Class != got.Code || !reflect.DeepEqual(r.Before, got.Now) || !reflect.DeepEqual(r.After, got.WhatIf) || r.Moved != got.Moved {
				t.Errorf("%s %s: map %+v → %+v, alone %+v → %+v", set, r.Class, got.Now, got.WhatIf, r.Before, r.After)
			}
		}
	}
}

// API answers over 1 kB are gzipped for clients that accept it (the map is the
// largest thing a page fetches).
func TestGzipAnswers(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	resp, body := b.do("GET", "/api/map?set=geo.example.net./A", "", map[string]string{"Accept-Encoding": "gzip"})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil || !json.Valid(plain) {
		t.Fatalf("%v", err)
	}
	t.Logf("map: %d bytes of JSON, %d gzipped", len(plain), len(body))
	if resp, body := b.do("GET", "/api/session", "", map[string]string{"Accept-Encoding": "gzip"}); resp.Header.Get("Content-Encoding") != "" || !json.Valid(body) {
		t.Fatalf("a small answer was compressed: %q", resp.Header.Get("Content-Encoding"))
	}
}
