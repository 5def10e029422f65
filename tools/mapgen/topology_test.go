package main

import (
	"encoding/json"
	"math"
	"os"
	"regexp"
	"strconv"
	"testing"
)

func TestCutAntimeridian(t *testing.T) {
	tests := []struct {
		name  string
		ring  [][2]float64
		parts int
	}{
		{"inland", [][2]float64{{10, 50}, {12, 50}, {12, 52}, {10, 52}, {10, 50}}, 1},
		{"across once there and back", [][2]float64{{170, 60}, {-170, 60}, {-170, 65}, {170, 65}, {170, 60}}, 2},
		{"starting west", [][2]float64{{-175, -17}, {178, -17}, {178, -16}, {-175, -16}, {-175, -17}}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts := cutAntimeridian(tt.ring)
			if len(parts) != tt.parts {
				t.Fatalf("%d parts, want %d: %v", len(parts), tt.parts, parts)
			}
			for _, p := range parts {
				east := p[len(p)/2][0] >= 0
				for _, pt := range p {
					if (pt[0] >= 0) != east && math.Abs(pt[0]) != 180 {
						t.Errorf("part %v mixes the hemispheres at %v", p, pt)
					}
				}
			}
		})
	}
}

func TestNaturalEarth(t *testing.T) {
	if x, y := naturalEarth(0, 0); x != 0 || y != 0 {
		t.Errorf("(0, 0) → (%v, %v)", x, y)
	}
	// d3-geo's geoNaturalEarth1 raw projection of (180°, 0) and (0, 90°).
	if x, _ := naturalEarth(180, 0); math.Abs(x-math.Pi*0.8707) > 1e-9 {
		t.Errorf("x(180°, 0) = %v", x)
	}
	if _, y := naturalEarth(0, 90); math.Abs(y-1.4224) > 1e-3 {
		t.Errorf("y(0, 90°) = %v", y)
	}
	if x1, _ := naturalEarth(-100, 40); func() bool { x2, _ := naturalEarth(100, 40); return x1 != -x2 }() {
		t.Errorf("not symmetric")
	}
}

// The committed map: ISO codes, the places the console's tests look for, zoom views,
// and no ring spanning the map (a polygon across the antimeridian left uncut draws a
// band across the whole world).
func TestCommittedMap(t *testing.T) {
	b, err := os.ReadFile("../../plugin/console/web/map.json")
	if err != nil {
		t.Fatal(err)
	}
	var m Map
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	iso := regexp.MustCompile(`^[A-Z]{2}$`)
	for _, c := range m.Countries {
		if !iso.MatchString(c.Code) || codes[c.Code] {
			t.Errorf("country code %q bad or repeated", c.Code)
		}
		codes[c.Code] = true
		checkPath(t, c.Code, c.Path, m.W)
	}
	for _, c := range []string{"DE", "FR", "US", "JP", "BR", "NA", "RU", "FJ", "XK"} {
		if !codes[c] {
			t.Errorf("no outline for %s", c)
		}
	}
	states := map[string]bool{}
	for _, s := range m.States {
		states[s.Code] = true
		checkPath(t, s.Code, s.Path, m.W)
	}
	if len(m.States) != 51 || !states["US-CA"] || !states["US-DC"] {
		t.Errorf("%d US states (US-CA %v, US-DC %v), want the 50 and DC", len(m.States), states["US-CA"], states["US-DC"])
	}
	if len(m.Views) != len(zoomBoxes) {
		t.Errorf("views %v", m.Views)
	}
}

var ringRe = regexp.MustCompile(`M(-?\d+) (-?\d+)l([^z]*)z`)
var numRe = regexp.MustCompile(`-?\d+`)

// checkPath decodes each ring (absolute move, relative steps) and refuses one wider
// than 80 % of the map.
func checkPath(t *testing.T, code, d string, w int) {
	t.Helper()
	rings := ringRe.FindAllStringSubmatch(d, -1)
	if len(rings) == 0 {
		t.Errorf("%s: no ring in %.40q", code, d)
	}
	for _, r := range rings {
		x, _ := strconv.Atoi(r[1])
		lo, hi := x, x
		nums := numRe.FindAllString(r[3], -1)
		for i := 0; i+1 < len(nums); i += 2 {
			dx, _ := strconv.Atoi(nums[i])
			x += dx
			lo, hi = min(lo, x), max(hi, x)
		}
		if hi-lo > w*8/10 || lo < -1 || hi > w+1 {
			t.Errorf("%s: a ring spans x %d..%d of a %d-wide map", code, lo, hi, w)
		}
	}
}
