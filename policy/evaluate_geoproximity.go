package policy

import (
	"math"

	"github.com/coretraffic/coretraffic/geo"
)

// vec3 is a point on the unit sphere. Distances between points come from the chord
// between them, 2R·asin(|a−b|/2): the haversine distance of geo.Distance, with the
// trigonometry of fixed points done at compile time.
type vec3 struct{ x, y, z float64 }

func unitVec(lat, lon float64) vec3 {
	const rad = math.Pi / 180
	sφ, cφ := math.Sincos(lat * rad)
	sλ, cλ := math.Sincos(lon * rad)
	return vec3{cφ * cλ, cφ * sλ, sφ}
}

// distanceKm is the great-circle distance between two unit vectors, in kilometres.
func distanceKm(a, b vec3) float64 {
	return 2 * geo.EarthRadiusKm * math.Asin(halfChord(a, b))
}

// halfChord is half the straight-line distance between two unit vectors, in 0..1:
// the sine of half the angle between them.
func halfChord(a, b vec3) float64 {
	dx, dy, dz := a.x-b.x, a.y-b.y, a.z-b.z
	return min(math.Sqrt(dx*dx+dy*dy+dz*dz)/2, 1)
}

// cplace is a compiled child of geoproximity: where it is and its bias as a factor
// on the distance.
type cplace struct {
	v      vec3
	factor float64
	src    Place // as written, for Tree.View
}

// placeOf compiles a Place: the bias becomes the factor that multiplies distances,
// 1 − bias/100 for bias ≥ 0 and 1 / (1 + bias/100) below 0.
func placeOf(p Place) cplace {
	return cplace{v: unitVec(p.Lat, p.Lon), factor: biasFactor(p.Bias), src: p}
}

func biasFactor(bias int) float64 {
	if bias >= 0 {
		return 1 - float64(bias)/100
	}
	return 1 / (1 + float64(bias)/100)
}

// clientVec returns the client's unit vector; false when its location is unknown or
// has no coordinates. It is computed where needed, not cached in the evaluation:
// a bigger evaluation struct costs every decision, a second Sincos pair only trees
// with two location rules on one path.
func (e *evaluation) clientVec() (vec3, bool) {
	if e.in != nil && e.in.Loc != nil && e.in.Loc.HasCoords {
		return unitVec(e.in.Loc.Lat, e.in.Loc.Lon), true
	}
	return vec3{}, false
}

// geoproximity answers from the healthy child nearest to the client by biased
// distance; ties go to the earlier child. A client without coordinates gets the
// first healthy child in list order, as failover does.
func (e *evaluation) geoproximity(nd *cnode) bool {
	e.geo = true
	cv, ok := e.clientVec()
	if !ok {
		return e.failover(nd)
	}
	kids := e.kids(nd)
	var tried [MaxChildren / 64]uint64
	for {
		best := e.nearest(kids, cv, &tried)
		if best < 0 {
			return false
		}
		if e.eval(kids[best]) {
			return true
		}
		tried[best/64] |= 1 << (best % 64)
	}
}

// nearest returns the position of the untried child with the smallest biased
// distance, −1 when none is left. Distances are compared as factor·asin(h), h half
// the chord (the great-circle distance over 2R). asin is most of the cost, so it is
// taken only for children whose lower bound factor·(h + h³/6) ≤ factor·asin(h) does
// not already lose to the best exact value found, starting from the child with the
// smallest bound.
func (e *evaluation) nearest(kids []int32, cv vec3, tried *[MaxChildren / 64]uint64) int {
	first, firstLB := -1, math.Inf(1)
	for j, c := range kids {
		if tried[j/64]&(1<<(j%64)) != 0 {
			continue
		}
		pl := &e.t.places[e.t.nodes[c].aux]
		h := halfChord(cv, pl.v)
		if lb := pl.factor * (h + h*h*h/6); lb < firstLB {
			first, firstLB = j, lb
		}
	}
	if first < 0 {
		return -1
	}
	pl := &e.t.places[e.t.nodes[kids[first]].aux]
	best, bestD := first, pl.factor*math.Asin(halfChord(cv, pl.v))
	for j, c := range kids {
		if j == first || tried[j/64]&(1<<(j%64)) != 0 {
			continue
		}
		pl := &e.t.places[e.t.nodes[c].aux]
		h := halfChord(cv, pl.v)
		if pl.factor*(h+h*h*h/6) > bestD {
			continue
		}
		if d := pl.factor * math.Asin(h); d < bestD || d == bestD && j < best {
			best, bestD = j, d
		}
	}
	return best
}
