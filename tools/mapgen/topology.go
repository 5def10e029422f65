package main

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// topology is the part of a TopoJSON document mapgen reads: quantized, delta-encoded
// arcs and geometries that name them (~i for arc i reversed).
type topology struct {
	Transform struct{ Scale, Translate [2]float64 }
	Arcs      [][][2]float64
	Objects   map[string]struct {
		Geometries []geometry
	}
}

type geometry struct {
	Type       string
	ID         json.RawMessage `json:"id"`
	Properties struct{ Name string }
	Arcs       json.RawMessage
}

// Map is what the page loads: outlines as SVG path data in a W×H box.
type Map struct {
	Source    string  `json:"source"`
	W         int     `json:"w"`
	H         int     `json:"h"`
	Countries []Place `json:"countries"`
	States    []Place `json:"states"`
	Graticule string  `json:"graticule"`
	// Views: named boxes (x, y, width, height) to zoom to.
	Views  map[string][4]int `json:"views"`
	Bounds [4]float64        `json:"-"`
}

// Place is one outline: ISO code, English name, SVG path.
type Place struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Path string `json:"d"`
}

// Countries world-atlas leaves without an ISO numeric id, by name.
var unnumbered = map[string]string{"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}

// us-atlas's territories: outlined as countries of their own (PR, GU, VI, AS, MP).
var territories = map[string]bool{"Commonwealth of the Northern Mariana Islands": true, "United States Virgin Islands": true,
	"American Samoa": true, "Guam": true, "Puerto Rico": true}

func build(wt, st *topology, numeric map[string][2]string, subdivisions map[string]string, width float64) (*Map, error) {
	// The box: Natural Earth of the whole globe between 60°S and 84°N (no Antarctica).
	x0, _ := naturalEarth(-180, 0)
	x1, _ := naturalEarth(180, 0)
	_, y0 := naturalEarth(0, 84)
	_, y1 := naturalEarth(0, -60)
	k := width / (x1 - x0)
	proj := func(lon, lat float64) (float64, float64) {
		x, y := naturalEarth(lon, lat)
		return (x - x0) * k, (y0 - y) * k
	}
	m := &Map{W: int(width), H: int(math.Ceil((y0 - y1) * k))}
	merged := map[string]*Place{}
	for _, g := range wt.Objects["countries"].Geometries {
		var id string
		json.Unmarshal(g.ID, &id)
		code, name := numeric[id][0], numeric[id][1]
		if id == "" {
			code, name = unnumbered[g.Properties.Name], g.Properties.Name
		}
		if code == "" {
			return nil, fmt.Errorf("country %q (id %q) has no ISO 3166 alpha-2 code", g.Properties.Name, id)
		}
		if code == "AQ" {
			continue
		}
		d, err := wt.path(g, proj)
		if err != nil {
			return nil, fmt.Errorf("country %s: %v", code, err)
		}
		if p := merged[code]; p != nil {
			p.Path += d
			continue
		}
		merged[code] = &Place{Code: code, Name: shortName(name), Path: d}
	}
	for _, p := range merged {
		m.Countries = append(m.Countries, *p)
	}
	for _, g := range st.Objects["states"].Geometries {
		code := subdivisions[g.Properties.Name]
		if territories[g.Properties.Name] {
			continue
		}
		if code == "" {
			return nil, fmt.Errorf("US state %q has no ISO 3166-2 code", g.Properties.Name)
		}
		d, err := st.path(g, proj)
		if err != nil {
			return nil, fmt.Errorf("state %s: %v", code, err)
		}
		m.States = append(m.States, Place{Code: code, Name: g.Properties.Name, Path: d})
	}
	sort.Slice(m.Countries, func(i, j int) bool { return m.Countries[i].Code < m.Countries[j].Code })
	sort.Slice(m.States, func(i, j int) bool { return m.States[i].Code < m.States[j].Code })
	m.Graticule = graticule(proj)
	m.Views = map[string][4]int{}
	for name, b := range zoomBoxes {
		m.Views[name] = box(proj, b)
	}
	return m, nil
}

// shortName drops the qualifier iso-codes appends after a comma ("Bolivia,
// Plurinational State of" → "Bolivia").
func shortName(n string) string {
	if i := strings.Index(n, ","); i > 0 {
		return n[:i]
	}
	return n
}

// path returns g's rings as SVG path data: absolute move, then relative integer steps,
// repeated points dropped.
func (t *topology) path(g geometry, proj func(lon, lat float64) (float64, float64)) (string, error) {
	var polys [][][]int
	switch g.Type {
	case "Polygon":
		var p [][]int
		if err := json.Unmarshal(g.Arcs, &p); err != nil {
			return "", err
		}
		polys = [][][]int{p}
	case "MultiPolygon":
		if err := json.Unmarshal(g.Arcs, &polys); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("geometry type %q", g.Type)
	}
	var b strings.Builder
	for _, poly := range polys {
		for _, ring := range poly {
			var lonlat [][2]float64
			for _, a := range ring {
				lonlat = append(lonlat, t.arc(a)...)
			}
			for _, part := range cutAntimeridian(lonlat) {
				var pts [][2]int
				for _, ll := range part {
					x, y := proj(ll[0], ll[1])
					p := [2]int{int(math.Round(x)), int(math.Round(y))}
					if n := len(pts); n == 0 || pts[n-1] != p {
						pts = append(pts, p)
					}
				}
				if len(pts) < 3 {
					continue // a ring smaller than a path unit
				}
				writeRing(&b, pts)
			}
		}
	}
	return b.String(), nil
}

// arc decodes arc i (reversed for ~i) into longitude/latitude points.
func (t *topology) arc(i int) [][2]float64 {
	rev := i < 0
	if rev {
		i = ^i
	}
	var x, y float64
	pts := make([][2]float64, 0, len(t.Arcs[i]))
	for _, d := range t.Arcs[i] {
		x += d[0]
		y += d[1]
		pts = append(pts, [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]})
	}
	if rev {
		for a, b := 0, len(pts)-1; a < b; a, b = a+1, b-1 {
			pts[a], pts[b] = pts[b], pts[a]
		}
	}
	return pts
}

func writeRing(b *strings.Builder, pts [][2]int) {
	fmt.Fprintf(b, "M%d %d", pts[0][0], pts[0][1])
	b.WriteByte('l')
	for i := 1; i < len(pts); i++ {
		dx, dy := pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1]
		if i > 1 && dx >= 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(dx))
		if dy >= 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Itoa(dy))
	}
	b.WriteByte('z')
}
