package console

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/coretraffic/coretraffic/route53/replica"
)

// Map sampling: each place is asked this many times (random choices measured as
// shares), as simulate's -samples.
const (
	defaultSamples = 16
	maxSamples     = 64
)

// placeDocM is one place of GET /api/map.
type placeDocM struct {
	Code   string         `json:"code"`
	Level  string         `json:"level"`
	Name   string         `json:"name"`
	Now    []answer.Share `json:"now"`
	WhatIf []answer.Share `json:"whatif"`
	Moved  bool           `json:"moved"`
}

// liveData is the answer.Data of one published snapshot, kept so that its down
// keys (a walk of every tree) are computed once per revision, not per request.
type liveData struct {
	mu   sync.Mutex
	pub  *replica.Published
	data *answer.Data
}

func (l *liveData) of(p *replica.Published) *answer.Data {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pub != p {
		l.pub, l.data = p, &answer.Data{Snap: p.Snap}
	}
	return l.data
}

// places are the map's places for a tree: every country, then the continents,
// subdivisions and cities its geolocation rules name.
func places(t *policy.Tree) ([]answer.Class, []placeDocM) {
	countries := policy.Countries()
	classes := make([]answer.Class, 0, len(countries)+8)
	docs := make([]placeDocM, 0, len(countries)+8)
	for _, c := range countries {
		classes = append(classes, answer.Class{Name: c.Code, Location: &geo.Location{Country: c.Code, Continent: geo.ContinentOf(c.Code)}})
		docs = append(docs, placeDocM{Code: c.Code, Level: "country", Name: c.Name})
	}
	seen := map[policy.GeoMatch]bool{}
	for _, m := range t.GeoMatches() {
		level := ""
		switch {
		case m.City != "":
			level = "city"
		case m.Subdivision != "":
			level = "subdivision"
		case m.Country == "" && m.Continent != "":
			level = "continent"
		}
		if level == "" || seen[m] {
			continue
		}
		seen[m] = true
		c := answer.PlaceClass(m)
		classes = append(classes, c)
		docs = append(docs, placeDocM{Code: c.Name, Level: level, Name: c.Name})
	}
	return classes, docs
}

func (s *Server) worldMap(w http.ResponseWriter, r *http.Request) {
	p, ok := s.current(w)
	if !ok {
		return
	}
	set, _, ok := findSet(w, r, p.Snap)
	if !ok {
		return
	}
	q := r.URL.Query()
	samples := defaultSamples
	if v := q.Get("samples"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSamples {
			writeError(w, http.StatusBadRequest, "bad_request", "samples: want 1.."+strconv.Itoa(maxSamples))
			return
		}
		samples = n
	}
	var down []string
	if v := q.Get("down"); v != "" {
		down = strings.Split(v, ",")
	}
	d := s.live.of(p)
	if err := answer.CheckDown(d.DownKeys(), down); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	classes, docs := places(set.Tree)
	sim := answer.NewLive(d, nil)
	var rows []answer.SimRow
	var err error
	if set.Tree.UsesGeo() {
		rows, err = sim.SimulateSet(set, classes, down, samples)
	} else {
		// The answer cannot depend on the place: ask once, for everyone.
		rows, err = sim.SimulateSet(set, classes[:1], down, samples)
		for len(rows) < len(classes) {
			rows = append(rows, rows[0])
		}
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	for i := range docs {
		docs[i].Now, docs[i].WhatIf, docs[i].Moved = rows[i].Before, rows[i].After, rows[i].Moved
	}
	if down == nil {
		down = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"set": set.Label, "revision": p.Revision, "down": down,
		"endpoints": endpointValues(set.Tree), "places": docs})
}

// endpointValues are the values a tree can answer with, in tree order, once each.
func endpointValues(t *policy.Tree) []string {
	seen := map[string]bool{}
	out := []string{}
	for _, e := range t.Endpoints {
		if !seen[e.Value] {
			seen[e.Value] = true
			out = append(out, e.Value)
		}
	}
	return out
}
