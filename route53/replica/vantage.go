package replica

import (
	"time"

	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/vantage"
)

// Vantage is the replica's vantage point, nil when health is decided by this
// server's own probes alone (a store without Presence, or NoVantage).
func (r *Replica) Vantage() *vantage.Point { return r.point }

// Observations answers GetHealthCheckStatus for check id (configured as c):
// this server's own last observation, then every other live checker's as
// published through the store. region names this server's checker when the
// replica has no vantage point (its own name and address otherwise). Nil when
// the check does not run here.
func (r *Replica) Observations(id string, c checks.HealthCheckConfig, region string, now time.Time) []checks.Observation {
	h, ok := r.engine.Handle(id)
	if !ok {
		return nil
	}
	ip := "127.0.0.1"
	if r.point != nil {
		o := r.point.Options()
		region, ip = o.Region, o.IP
	}
	out := []checks.Observation{checks.Observe(region, ip, c, h.Status(), now)}
	if r.point != nil {
		out = append(out, r.point.Peers(id, c)...)
	}
	return out
}

// checkConfigs is every health check's configuration by ID, for the vantage
// point; called with mu held.
func (m *mirror) checkConfigs() map[string]checks.HealthCheckConfig {
	out := make(map[string]checks.HealthCheckConfig, len(m.checks))
	for id, c := range m.checks {
		out[id] = c.HealthCheckConfig
	}
	return out
}
