package main

import (
	"fmt"
	"math"
	"strings"
)

// Projection: Natural Earth, the antimeridian cut, the graticule and the zoom views.

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
