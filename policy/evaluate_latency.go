package policy

import (
	"math"
	"sync/atomic"
	"time"
)

// MeasuredLatency is a health check that measures round trips (healthcheck.Handle:
// the EWMA of successful probes, 0 while unknown). A latency node reads it for
// leaf children whose check has it.
type MeasuredLatency interface {
	Latency() time.Duration
}

// noLatency marks a latency the node does not know.
const noLatency = math.MaxUint32

// clatency is a compiled latency node.
type clatency struct {
	source  LatencySource
	margin  uint32            // hysteresis ms, in µs
	percent uint32            // hysteresis percent of the current latency
	rows    []vec3            // client regions: the table's rows
	tab     []uint32          // rows × children: µs, noLatency where the table has none
	meas    []MeasuredLatency // per child: its check's measurements, or nil
	// state holds the current child + 1 per client region (index 0: clients without
	// one), 0 for none yet; only with hysteresis.
	state []atomic.Int32
	// regions are the children's regions (Place.Region), for Tree.View.
	regions []string
}

// latency compiles a latency node's table and measurement sources and returns its
// index in the tree's lats.
func (c *treeCompiler) latency(n *Node, path string) (int32, error) {
	lt := clatency{source: n.Source, margin: uint32(math.Round(n.Hysteresis.MS * 1000)), percent: uint32(n.Hysteresis.Percent)}
	if n.Source != SourceMeasured && n.Table != nil && len(n.Table.Rows) > 0 {
		lt.tab = make([]uint32, len(n.Table.Rows)*len(n.Children))
		for r, row := range n.Table.Rows {
			lt.rows = append(lt.rows, unitVec(row.From.Lat, row.From.Lon))
			for j, ch := range n.Children {
				lt.tab[r*len(n.Children)+j] = noLatency
				if ms, ok := row.MS[ch.Place.Region]; ok {
					lt.tab[r*len(n.Children)+j] = uint32(math.Round(ms * 1000))
				}
			}
		}
		c.t.usesGeo = true
	}
	if n.Source == SourceTable && len(lt.rows) == 0 {
		return 0, posErr(n.Pos, join(c.fieldPath(path), "source"), "source: table, but there is no latency: table")
	}
	for _, ch := range n.Children {
		lt.regions = append(lt.regions, ch.Place.Region)
	}
	lt.meas = make([]MeasuredLatency, len(n.Children))
	if n.Source != SourceTable {
		for j, ch := range n.Children {
			if ch.Rule != RuleLeaf || ch.Check == "" {
				continue
			}
			if h, ok := c.resolve(ch.Check); ok {
				lt.meas[j], _ = h.(MeasuredLatency)
			}
		}
	}
	if lt.margin > 0 || lt.percent > 0 {
		lt.state = make([]atomic.Int32, len(lt.rows)+1)
	}
	c.t.lats = append(c.t.lats, lt)
	return int32(len(c.t.lats) - 1), nil
}

// latencyOf is child j's latency in µs for clients in row (−1: no region).
func (lt *clatency) latencyOf(j, row, n int) uint32 {
	if m := lt.meas[j]; m != nil {
		if d := m.Latency(); d > 0 {
			return uint32(min(d/time.Microsecond, noLatency-1))
		}
	}
	if row >= 0 {
		return lt.tab[row*n+j]
	}
	return noLatency
}

// nearestRow is the client region: the row region nearest to cv (largest dot
// product of unit vectors: smallest angle).
func nearestRow(rows []vec3, cv vec3) int {
	best, bestDot := 0, math.Inf(-1)
	for r, v := range rows {
		if d := v.x*cv.x + v.y*cv.y + v.z*cv.z; d > bestDot {
			best, bestDot = r, d
		}
	}
	return best
}

// latency answers from the healthy child with the lowest latency, unknown latencies
// last and ties to the earlier child. With hysteresis it stays with its current child
// for the client's region until another healthy one is better by more than the
// margin.
func (e *evaluation) latency(nd *cnode) bool {
	lt := &e.t.lats[nd.param]
	kids := e.kids(nd)
	row := -1
	if len(lt.rows) > 0 {
		// The answer depends on the location even when it has no coordinates: other
		// clients get another one (ECS scope).
		e.geo = true
		if cv, ok := e.clientVec(); ok {
			row = nearestRow(lt.rows, cv)
		}
	}
	cur, curLat := -1, uint32(noLatency)
	var slot *atomic.Int32
	if lt.state != nil {
		slot = &lt.state[row+1]
		if cur = int(slot.Load()) - 1; cur >= 0 && cur < len(kids) {
			curLat = lt.latencyOf(cur, row, len(kids))
		} else {
			cur = -1
		}
	}
	var tried [MaxChildren / 64]uint64
	for {
		best, bestLat := -1, uint64(math.MaxUint64)
		for j := range kids {
			if tried[j/64]&(1<<(j%64)) != 0 {
				continue
			}
			if l := uint64(lt.latencyOf(j, row, len(kids))); l < bestLat {
				best, bestLat = j, l
			}
		}
		if best < 0 {
			return false
		}
		if cur >= 0 && best != cur && tried[cur/64]&(1<<(cur%64)) == 0 && !lt.better(bestLat, curLat) {
			best = cur
		}
		if e.eval(kids[best]) {
			if slot != nil && best != cur && !e.ignoreHealth && !e.hypothetical() {
				slot.Store(int32(best + 1))
			}
			return true
		}
		tried[best/64] |= 1 << (best % 64)
	}
}

// better reports whether latency l beats the current cur by more than the margin:
// the larger of the hysteresis ms and percent of cur. A known latency always beats an
// unknown one.
func (lt *clatency) better(l uint64, cur uint32) bool {
	if cur == noLatency {
		return l != noLatency
	}
	margin := max(uint64(lt.margin), uint64(cur)*uint64(lt.percent)/100)
	return uint64(cur) > l+margin
}
