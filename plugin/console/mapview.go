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
	"github.com/miekg/dns"
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
	reps, of := representatives(set, classes)
	rows, err := answer.NewLive(d, nil).SimulateSet(set, reps, down, samples)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	for i := range docs {
		r := rows[of[i]]
		docs[i].Now, docs[i].WhatIf, docs[i].Moved = r.Before, r.After, r.Moved
	}
	if down == nil {
		down = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"set": set.Label, "revision": p.Revision, "down": down,
		"endpoints": endpointValues(set.Tree), "places": docs})
}

// representatives picks the places that can be answered differently: a country no
// rule of the tree names is answered as every other such country of its continent
// (its location differs from theirs only by a code nothing compares), and a tree
// without a geographic rule answers everyone alike. Simulating one country per
// group instead of ~250 makes a map ~20 times cheaper. of maps each class to its
// representative's index. A CNAME set is not grouped: its chase may reach trees
// that name other countries.
func representatives(set *policy.Set, classes []answer.Class) (reps []answer.Class, of []int) {
	named := map[string]bool{}
	for _, m := range set.Tree.GeoMatches() {
		named[m.Country] = true
		if cc, _, ok := strings.Cut(m.Subdivision, "-"); ok {
			named[cc] = true
		}
	}
	grouped := set.Type != dns.TypeCNAME
	byKey := map[string]int{}
	of = make([]int, len(classes))
	for i, c := range classes {
		key := c.Name
		if l := c.Location; grouped && l != nil && l.Subdivisions[0] == "" && l.City == "" && !named[l.Country] {
			key = "~" + l.Continent // every unnamed country of a continent
			if !set.Tree.UsesGeo() {
				key = "~"
			}
		}
		j, ok := byKey[key]
		if !ok {
			j = len(reps)
			byKey[key] = j
			reps = append(reps, c)
		}
		of[i] = j
	}
	return reps, of
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
