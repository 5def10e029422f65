// Package policy is coretraffic's routing model: zones whose record sets answer from
// policy trees (rules as inner nodes, endpoints as leaves), the YAML data format,
// validation, compilation into immutable decision trees and their evaluation.
//
// The package has no CoreDNS imports; plugin/policy is the Corefile and DNS glue.
package policy

import "github.com/coretraffic/coretraffic/policy/cidr"

// Pos is where something was written: file and line, for error messages.
type Pos struct {
	File string
	Line int
}

// Data is one parsed data file (or Corefile policy block): its zones. The file's
// `checks:` section is decoded by package healthcheck and returned beside Data by
// Parse.
type Data struct {
	Zones   []*Zone
	Regions []*Region     // the file's regions: section, in file order
	Latency *LatencyTable // the file's latency: section; nil when it has none
	// CIDRCollections is the file's cidr_collections: section, in file order.
	CIDRCollections []*CIDRCollection
	// Files are the other files the data file read (collection files), each with
	// the checksum of the bytes parsed: a reload watches them with the data file.
	Files []FileSum
	// Where is where the zones are written: the file, and the line of its zones:
	// key (of the top level when it has none; 0 when the file has no content).
	Where Pos
	// Checks is how many health checks the file declares (its checks: section).
	Checks int
}

// FileSum is a file a data file read and the SHA-256 of the content parsed.
type FileSum struct {
	Path string
	Sum  [32]byte
}

// CIDRCollection is a named collection of a data file's cidr_collections: section:
// CIDR blocks by location name, written in the data or read from a separate file.
// ip nodes name it; the parser resolves the name into each node.
type CIDRCollection struct {
	Pos  Pos
	Name string
	File string // the collection file, as resolved; "" when written in the data
	Set  *cidr.Collection
	locs map[string]int // location name → index in Set.Locations()
}

// LatencyTable is a data file's latency: section: for clients in a region (a row),
// the latency in milliseconds to endpoints in each region (its columns). A latency
// node's client region is the row region nearest to the client.
type LatencyTable struct {
	Pos  Pos
	Rows []LatencyRow
}

// LatencyRow is the latency from clients in From to endpoints by region name.
type LatencyRow struct {
	Pos  Pos
	From *Region
	MS   map[string]float64 // endpoint region name → milliseconds
}

// LatencySource says where a latency node takes each child's latency from.
type LatencySource uint8

const (
	SourceAuto     LatencySource = iota // measured, else the table, else unknown
	SourceTable                         // the table only
	SourceMeasured                      // the child's health check's measured round trips only
)

var latencySourceNames = [...]string{"auto", "table", "measured"}

func (s LatencySource) String() string {
	if int(s) < len(latencySourceNames) {
		return latencySourceNames[s]
	}
	return "unknown"
}

// Hysteresis keeps a latency node on its current child until another is better by
// more than the larger of MS milliseconds and Percent of the current latency.
type Hysteresis struct {
	Percent int     // 0..100
	MS      float64 // 0..MaxLatencyMS
}

// Region is a named place of a data file's regions: section. Children of
// geoproximity name it instead of writing coordinates. The parser resolves region
// names into each Place, so compiled trees do not refer back to it.
type Region struct {
	Pos      Pos
	Name     string
	Lat, Lon float64 // WGS 84 degrees
}

// Place is where a child of geoproximity or latency is: coordinates written on the
// child or those of a region (a latency child always names a region).
type Place struct {
	Region   string  // the region's name; "" when lat/lon are written on the child
	Lat, Lon float64 // WGS 84 degrees, resolved from the region when Region is set
	Bias     int     // geoproximity: −99..99, grows (>0) or shrinks (<0) the child's area
}

// Zone is an authoritative zone served by the policy plugin.
type Zone struct {
	Pos     Pos
	Origin  string // lower-case FQDN: "example.net."
	TTL     uint32 // default TTL for record sets without one
	SOA     *SOA   // nil: a default SOA is generated
	Records []*RecordSet
	// Placeholder: made by EmptyZones for a zone the server must serve that the
	// data lacks, not written anywhere.
	Placeholder bool
}

// SOA holds the zone's SOA fields; the owner is the origin.
type SOA struct {
	Pos     Pos
	MName   string
	RName   string
	Serial  uint32 // 0: derived from the load time
	Refresh uint32
	Retry   uint32
	Expire  uint32
	Minimum uint32 // negative-caching TTL (RFC 2308)
}

// RecordSet is a (name, type) with its TTL and the tree that chooses its answer.
type RecordSet struct {
	Pos  Pos
	Name string // lower-case FQDN, may start with "*." (wildcard)
	Type uint16 // dns.Type*
	TTL  uint32 // seconds, resolved: the parser applies the zone default; 0 means 0
	Root *Node
}

// Rule says how an inner node chooses among its children.
type Rule uint8

const (
	RuleLeaf         Rule = iota // an endpoint: Value
	RuleSimple                   // every healthy child
	RuleWeighted                 // one healthy child, random by Weight
	RuleFailover                 // the first healthy child, in order
	RuleGeolocation              // the most specific matching healthy child
	RuleMultivalue               // up to Max healthy children, shuffled
	RuleGeoproximity             // the nearest healthy child by biased great-circle distance
	RuleLatency                  // the healthy child with the lowest latency for the client
	RuleIP                       // the child of the client's CIDR location, else the "*" default
	RuleAlias                    // another record set of the zone: its tree, inlined (Alias)
	// New Rule values are appended here, with new Node fields; the format of the
	// rules above does not change.
)

var ruleNames = [...]string{"leaf", "simple", "weighted", "failover", "geolocation", "multivalue", "geoproximity", "latency", "ip", "alias"}

func (r Rule) String() string {
	if int(r) < len(ruleNames) {
		return ruleNames[r]
	}
	return "unknown"
}

// AllDown is what a node does when none of its children is healthy: open (it is
// down and its parent moves on) or closed with an answer of its own (see Evaluate).
type AllDown uint8

const (
	AllDownOpen     AllDown = iota // answer as if all were healthy (Route 53)
	AllDownNoData                  // NOERROR, no answer
	AllDownServFail                // SERVFAIL
	AllDownRefused                 // REFUSED
	AllDownNXDomain                // NXDOMAIN
	AllDownValue                   // the node's Fallback value
)

// GeoMatch is what a geolocation child matches. Empty fields match anything; a
// child with every field empty and Default set matches every client.
type GeoMatch struct {
	Continent   string // "EU"
	Country     string // "DE"
	Subdivision string // ISO 3166-2, country-prefixed: "US-VA", "DE-HE"
	City        string // English name as in the database: "Frankfurt am Main"
	Default     bool
}

// Node is one node of a policy tree, as written. Only the fields of its Rule and of
// its parent's rule are meaningful; the parser rejects the others.
type Node struct {
	Pos  Pos
	Rule Rule
	Name string // optional label, for metrics and explain; default: derived from the path

	// Leaf.
	Value  string // presentation-format RDATA: "192.0.2.1", "10 mail.example.org."
	Check  string // health check name; "" = always healthy
	Listed bool   // written as an item of values: (for the field paths of errors)

	// Inner nodes.
	Children []*Node
	// Kube: a simple node whose children are a Kubernetes Service's addresses,
	// filled in by ExpandKube before Compile (none until then).
	Kube *KubeSource
	Max  int // multivalue: at most this many values (default 8)

	// Weighted: choose by weighted rendezvous hashing of the client subnet instead of
	// at random, hashing the leading StickyBits4 (IPv4) or StickyBits6 (IPv6) bits.
	Sticky      bool
	StickyBits4 int
	StickyBits6 int

	// Alias: the owner (lower-case FQDN in the zone) of the record set of the same
	// type whose answer this node gives. With EvaluateTargetHealth the node is down
	// when the target has no healthy answer (Route 53's evaluate-target-health);
	// without, it always answers, as the target alone would (fail-open included).
	Alias                string
	EvaluateTargetHealth bool

	// Latency.
	Source     LatencySource
	Hysteresis Hysteresis
	Table      *LatencyTable // the data file's latency: section; nil when it has none

	// IP: the collection the client subnet is matched against.
	Collection *CIDRCollection

	// What this node is to its parent.
	Weight int      // weighted parent: 0..255
	Geo    GeoMatch // geolocation parent
	Place  Place    // geoproximity or latency parent
	// ip parent: a location of the parent's collection, or DefaultLocation.
	Location string

	AllDown  AllDown
	Fallback string // AllDownValue: presentation-format RDATA
}

// Defaults of the format.
const (
	DefaultTTL           = 60
	DefaultMultivalueMax = 8
	MaxWeight            = 255
	DefaultNegativeTTL   = 60
	DefaultStickyBits4   = 24
	DefaultStickyBits6   = 56
	MaxBias              = 99
	MaxLatencyMS         = 60000
	// DefaultLocation is the location of an ip child that answers clients in no
	// location of the collection, and those whose location's child is down.
	DefaultLocation = "*"
)
