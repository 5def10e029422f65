package replica

import (
	"slices"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
)

// A refusal names the store keys of the data it refuses, quoted (record set keys
// separate name, type and set identifier with NUL), so an operator finds the value
// another writer (or etcdctl) put there: with the etcd store, the etcd key is the
// store's prefix, "d/", then this key.

// keysOf names the store keys of group g's record sets in zone id.
func (m *mirror) keysOf(id string, g group) string {
	var keys []string
	for _, rs := range m.recordSets(id, g) {
		keys = append(keys, strconv.Quote(catalog.RecordKey(id, rs))) // keys hold NUL separators
	}
	if len(keys) == 1 {
		return "store key " + keys[0]
	}
	return "store keys " + strings.Join(keys, ", ")
}

// culprits names the groups of zone id that do not compile on their own, with their
// store keys: what refused a whole zone. Called with mu held, on refusal only.
func (m *mirror) culprits(id string, pcolls map[string]*policy.CIDRCollection) string {
	z := &m.zones[id].Zone
	ttlOf := route53.GroupTTL(func(name, typ string) []*route53.ResourceRecordSet { return m.recordSets(id, group{name, typ}) })
	var out []string
	for g := range m.sets[id] {
		if g.typ == "SOA" { // compiled with the zone's settings, not as a group
			continue
		}
		recs := m.recordSets(id, g)
		if _, err := m.groupSet(z, recs, ttlOf, pcolls); err != nil {
			out = append(out, g.name+" "+g.typ+" ("+m.keysOf(id, g)+")")
		}
	}
	if len(out) == 0 {
		return ""
	}
	slices.Sort(out)
	return "; refused: " + strings.Join(out, "; ")
}
