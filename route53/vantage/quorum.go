package vantage

import (
	"slices"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
)

// DefaultThreshold is Route 53's: a check is healthy when more than 18 % of
// its checkers report it healthy.
const DefaultThreshold = 18.0

// Rule is how a replica decides.
type Rule struct {
	// Threshold is the percentage of reporting checkers that must say healthy,
	// strictly exceeded (0 = DefaultThreshold; the highest useful is below 100).
	Threshold float64
	// Stale is how old this replica's own heartbeat, as delivered back by the
	// store, may be before it counts itself cut off and decides alone.
	Stale time.Duration
}

// Quorum decides from reports: healthy when more than threshold percent say
// so, VerdictNone when there are none.
func Quorum(reports []Report, threshold float64) hc.Verdict {
	healthy := 0
	for _, r := range reports {
		if r.Healthy {
			healthy++
		}
	}
	return verdict(healthy, len(reports), threshold)
}

// verdict is Quorum's rule on counts.
func verdict(healthy, n int, threshold float64) hc.Verdict {
	if n == 0 {
		return hc.VerdictNone
	}
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	if float64(healthy)*100 > threshold*float64(n) {
		return hc.VerdictHealthy
	}
	return hc.VerdictUnhealthy
}

// Applies reports whether checkers vote on c: every probed check. Disabled
// checks are healthy without probes; calculated ones follow their children.
func Applies(c checks.HealthCheckConfig) bool {
	return !c.Disabled && c.Type != checks.TypeCalculated
}

// Connected reports whether self's own heartbeat has come back from the store
// within rule.Stale of now.
func (v View) Connected(self string, now time.Time, rule Rule) bool {
	a, ok := v.Alive[self]
	return ok && now.Sub(a.At) <= rule.Stale
}

// Live returns the reports on check id (configured as c) that count: from
// members that are alive, and from its Regions when it lists some.
func (v View) Live(id string, c checks.HealthCheckConfig) []Report {
	var out []Report
	for _, r := range v.Reports[id] {
		if v.counts(r, c) {
			out = append(out, r)
		}
	}
	return out
}

func (v View) counts(r Report, c checks.HealthCheckConfig) bool {
	al, alive := v.Alive[r.Checker]
	return alive && (len(c.Regions) == 0 || slices.Contains(c.Regions, al.Region))
}

// Decide gives every check in cfgs its verdict as replica self sees v at now:
// VerdictNone for checks checkers do not vote on, and for all when self is
// cut off (own probes decide); otherwise Quorum of the live reports.
func (v View) Decide(self string, now time.Time, rule Rule, cfgs map[string]checks.HealthCheckConfig) map[string]hc.Verdict {
	out := make(map[string]hc.Verdict, len(cfgs))
	connected := v.Connected(self, now, rule)
	for id, c := range cfgs {
		d := hc.VerdictNone
		if connected && Applies(c) {
			healthy, n := 0, 0
			for _, r := range v.Reports[id] {
				if v.counts(r, c) {
					n++
					if r.Healthy {
						healthy++
					}
				}
			}
			d = verdict(healthy, n, rule.Threshold)
		}
		out[id] = d
	}
	return out
}
