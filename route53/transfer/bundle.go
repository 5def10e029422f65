package transfer

import (
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// Zone is one hosted zone's record sets, as list-resource-record-sets prints them.
type Zone struct {
	Name       string // lower-case FQDN, "example.org."
	ID         string // the zone's ID where it came from, when known ("Z…")
	RecordSets []route53.ResourceRecordSet
}

// Bundle is everything one import or export moves.
type Bundle struct {
	Zones     []Zone
	Checks    []checks.HealthCheck
	Policies  []*trafficflow.Policy
	Instances []*trafficflow.TrafficPolicyInstance
	// Collections are the CIDR collections IP-based record sets use.
	Collections []*route53.CidrCollection
}

// zoneOf returns the zone of b whose name is name or an ancestor of it (the
// longest), or nil.
func (b *Bundle) zoneOf(name string) *Zone {
	var best *Zone
	for i := range b.Zones {
		z := &b.Zones[i]
		if inZone(name, z.Name) && (best == nil || len(z.Name) > len(best.Name)) {
			best = z
		}
	}
	return best
}

// inZone reports whether name (normalized) is zone or below it.
func inZone(name, zone string) bool {
	return name == zone || zone == "." || strings.HasSuffix(name, "."+zone)
}
