package policy

import (
	"github.com/miekg/dns"
)

// HealthSource is the read side of a health check, as the hot path sees it: one
// atomic load, no allocation (healthcheck.Handle implements it).
type HealthSource interface {
	Up() bool
}

// Endpoint is one answer value with its record prebuilt at compile time. The RR is
// shared by every response that carries it: never mutate it, copy first.
type Endpoint struct {
	RR    dns.RR
	Value string // RDATA as written
	Label string // node label for metrics and explain
}

// Tree is the compiled, immutable decision tree of one record set: nodes in flat
// arrays indexed by int32, children as ranges of one shared slice.
type Tree struct {
	nodes      []cnode
	children   []int32
	places     []cplace   // children of geoproximity, by cnode.aux
	lats       []clatency // latency nodes, by cnode.param
	ips        []cip      // ip nodes, by cnode.param
	Endpoints  []Endpoint
	root       int32
	maxOut     int  // most endpoints one evaluation can return
	usesGeo    bool // some decision depends on the client's location
	usesClient bool // some decision depends on the client subnet itself (sticky, ip)
}

// cnode is a compiled Node.
type cnode struct {
	rule     Rule
	allDown  AllDown
	sticky   bool  // weighted: rendezvous hashing of the client subnet
	bits4    uint8 // sticky: leading bits of an IPv4 client hashed
	first    int32 // children[first : first+n]
	n        int32
	endpoint int32 // leaf: index into Endpoints; AllDownValue: the fallback
	health   HealthSource
	check    string // the health check's name, for explain
	eth      bool   // alias: evaluate target health
	alias    string // alias: the target's owner, for explain
	weight   uint32 // as a child of weighted
	max      int32  // multivalue
	geoLevel int8   // as a child of geolocation: specificity, see geoLevelOf
	bits6    uint8  // sticky: leading bits of an IPv6 client hashed
	seed     uint64 // as a child of weighted: its rendezvous hashing key
	aux      int32  // as a child of geoproximity: index into places
	param    int32  // latency: index into lats; ip: index into ips
	geo      GeoMatch
	label    string
}

// MaxAnswers is the size an Evaluate out buffer needs.
func (t *Tree) MaxAnswers() int { return t.maxOut }

// UsesGeo reports whether the tree's answers can depend on the client's location.
func (t *Tree) UsesGeo() bool { return t.usesGeo }

// UsesClient reports whether the tree's answers can depend on the client subnet
// itself (sticky weighted, ip), so that one client's answer must not be served to others.
func (t *Tree) UsesClient() bool { return t.usesClient }

// Geolocation specificity levels: the most specific matching child wins.
const (
	geoDefault int8 = iota
	geoContinent
	geoCountry
	geoSubdivision
	geoCity
	geoLevels
)

func geoLevelOf(m GeoMatch) int8 {
	switch {
	case m.City != "":
		return geoCity
	case m.Subdivision != "":
		return geoSubdivision
	case m.Country != "":
		return geoCountry
	case m.Continent != "":
		return geoContinent
	}
	return geoDefault
}
