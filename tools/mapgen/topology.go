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

// zoomBoxes are the map's zoom views: west, south, east, north in degrees.
var zoomBoxes = map[string][4]float64{
	"Europe":        {-25, 34, 45, 71},
	"Americas":      {-170, -56, -30, 72},
	"Asia":          {25, -11, 150, 60},
	"United States": {-126, 23, -65, 50},
}

// box is the projected bounding box of a longitude/latitude box, sampled along its
// edges (meridians curve in Natural Earth).
func box(proj func(lon, lat float64) (float64, float64), b [4]float64) [4]int {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i <= 20; i++ {
		f := float64(i) / 20
		for _, p := range [][2]float64{{b[0], b[1] + f*(b[3]-b[1])}, {b[2], b[1] + f*(b[3]-b[1])}, {b[0] + f*(b[2]-b[0]), b[1]}, {b[0] + f*(b[2]-b[0]), b[3]}} {
			x, y := proj(p[0], p[1])
			x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
		}
	}
	return [4]int{int(x0), int(y0), int(math.Ceil(x1 - x0)), int(math.Ceil(y1 - y0))}
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

// cutAntimeridian splits a ring that crosses the ±180° meridian (Russia's and Fiji's
// do in world-atlas, which leaves the cut to d3's projection) into the parts on each
// side, each ending and starting on the meridian, so that no part runs across the
// whole map. A ring that does not cross comes back as it is.
func cutAntimeridian(ring [][2]float64) [][][2]float64 {
	var parts [][][2]float64
	var cur [][2]float64
	for i, p := range ring {
		if i > 0 {
			q := ring[i-1]
			if d := p[0] - q[0]; d > 180 || d < -180 {
				// Crossing: the latitude where the segment meets the meridian.
				side := 180.0
				if q[0] < 0 {
					side = -180
				}
				span := (180 - math.Abs(q[0])) + (180 - math.Abs(p[0]))
				lat := q[1]
				if span > 0 {
					lat = q[1] + (p[1]-q[1])*(180-math.Abs(q[0]))/span
				}
				cur = append(cur, [2]float64{side, lat})
				parts = append(parts, cur)
				cur = [][2]float64{{-side, lat}}
			}
		}
		cur = append(cur, p)
	}
	if len(parts) == 0 {
		return [][][2]float64{cur}
	}
	// The ring's last part continues into its first.
	parts[0] = append(cur, parts[0]...)
	// Join the parts on each side into one polygon per side, in ring order: each part
	// runs from the meridian to the meridian, so their concatenation is closed along it.
	var east, west [][2]float64
	for _, part := range parts {
		if part[len(part)/2][0] >= 0 {
			east = append(east, part...)
		} else {
			west = append(west, part...)
		}
	}
	var out [][][2]float64
	for _, side := range [][][2]float64{east, west} {
		if len(side) > 0 {
			out = append(out, side)
		}
	}
	return out
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

// graticule draws meridians and parallels every 30°.
func graticule(proj func(lon, lat float64) (float64, float64)) string {
	var b strings.Builder
	line := func(pts [][2]float64) {
		var ip [][2]int
		for _, p := range pts {
			x, y := proj(p[0], p[1])
			ip = append(ip, [2]int{int(math.Round(x)), int(math.Round(y))})
		}
		fmt.Fprintf(&b, "M%d %d", ip[0][0], ip[0][1])
		for _, p := range ip[1:] {
			fmt.Fprintf(&b, "L%d %d", p[0], p[1])
		}
	}
	for lon := -180.0; lon <= 180; lon += 30 {
		var pts [][2]float64
		for lat := -60.0; lat <= 84; lat += 4 {
			pts = append(pts, [2]float64{lon, lat})
		}
		line(pts)
	}
	for lat := -60.0; lat <= 84; lat += 30 {
		line([][2]float64{{-180, lat}, {180, lat}})
	}
	return b.String()
}

// naturalEarth is the Natural Earth I projection (Šavrič, Jenny, Patterson, Petrovič,
// Hurni 2011), as d3-geo's geoNaturalEarth1, of degrees, in radians of the unit sphere.
func naturalEarth(lon, lat float64) (float64, float64) {
	l, p := lon*math.Pi/180, lat*math.Pi/180
	p2 := p * p
	p4 := p2 * p2
	x := l * (0.8707 - 0.131979*p2 + p4*(-0.013791+p4*(0.003971*p2-0.001529*p4)))
	y := p * (1.007226 + p2*(0.015085+p4*(-0.044475+0.028874*p2-0.005916*p4)))
	return x, y
}
