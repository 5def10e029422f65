package policy

// The vocabulary of the data format. The parser and the JSON Schema
// (data.schema.json, generated from these tables by parse_schema_test.go) share it,
// so both accept exactly the same keys.

import "strings"

// keyScope says where a node key may appear.
type keyScope uint8

const (
	onAnyNode         keyScope = iota // name
	isRuleKey                         // value, values, simple, weighted, …: exactly one per node
	onLeaf                            // check
	onInnerNode                       // all_down
	onMultivalue                      // max
	onWeighted                        // sticky, sticky_prefix
	onLatency                         // source, hysteresis
	onIP                              // collection
	underIP                           // location
	underWeighted                     // weight
	underGeolocation                  // continent, country, subdivision, city, default
	underGeoproximity                 // lat, lon, bias
	underPlaced                       // region: child of geoproximity or latency
	onRecordSet                       // ttl: the record set's top node only
	onAlias                           // evaluate_target_health
)

// where is the "where it is allowed" half of a misplaced-key error.
var where = [...]string{
	onAnyNode:         "allowed on any node",
	isRuleKey:         "a rule key",
	onLeaf:            "only allowed on a leaf (a node with value:)",
	onInnerNode:       "only allowed on an inner node (not on a value: leaf)",
	onMultivalue:      "only allowed on a multivalue node",
	onWeighted:        "only allowed on a weighted node",
	onLatency:         "only allowed on a latency node",
	onIP:              "only allowed on an ip node",
	underIP:           "only allowed on a child of ip",
	underWeighted:     "only allowed on a child of weighted",
	underGeolocation:  "only allowed on a child of geolocation",
	underGeoproximity: "only allowed on a child of geoproximity",
	underPlaced:       "only allowed on a child of geoproximity or latency",
	onRecordSet:       "only allowed on the record set itself (its top node)",
	onAlias:           "only allowed on an alias node",
}

// nodeKey is one key a node mapping may hold.
type nodeKey struct {
	name  string
	scope keyScope
	rule  Rule   // rule keys: the rule of the node
	doc   string // one line, for the schema
}

// nodeKeys is every key of a node, in the order the schema lists them.
var nodeKeys = []nodeKey{
	{"value", isRuleKey, RuleLeaf, "an endpoint: presentation-format RDATA of the record type"},
	{"values", isRuleKey, RuleSimple, "shorthand: a simple rule over plain endpoints (RDATA strings)"},
	{"simple", isRuleKey, RuleSimple, "every healthy child"},
	{"weighted", isRuleKey, RuleWeighted, "one healthy child, at random by weight"},
	{"failover", isRuleKey, RuleFailover, "the first healthy child, in list order"},
	{"geolocation", isRuleKey, RuleGeolocation, "the most specific healthy child that matches the client"},
	{"multivalue", isRuleKey, RuleMultivalue, "up to max healthy children, shuffled"},
	{"geoproximity", isRuleKey, RuleGeoproximity, "the nearest healthy child to the client, by great-circle distance with bias"},
	{"latency", isRuleKey, RuleLatency, "the healthy child with the lowest latency for the client (measured or from the latency: table)"},
	{"alias", isRuleKey, RuleAlias, "another record set of the zone, same type (owner name, relative to the zone or \"@\"): its answer, under this owner"},
	{"kubernetes", isRuleKey, RuleSimple, "every address of a Kubernetes Service, watched: {service: namespace/name, from: loadbalancer|endpoints, port, kubeconfig, context, endpoint} (A and AAAA)"},
	{"ip", isRuleKey, RuleIP, "the child of the client subnet's location in a CIDR collection (longest match), else the \"*\" default"},
	{"name", onAnyNode, 0, "a label for metrics and explain (default: the path)"},
	{"check", onLeaf, 0, "name of the health check that says whether this leaf is healthy"},
	{"all_down", onInnerNode, 0, "the answer when no child is healthy and the search ends here"},
	{"max", onMultivalue, 0, "at most this many values"},
	{"sticky", onWeighted, 0, "true: choose by weighted rendezvous hashing of the client subnet, not at random"},
	{"sticky_prefix", onWeighted, 0, "sticky: leading bits of the client address hashed, IPv4/IPv6 (default 24/56)"},
	{"weight", underWeighted, 0, "the weight of this child; 0: used only when every non-zero child is down"},
	{"continent", underGeolocation, 0, "continent code: AF AN AS EU NA OC SA"},
	{"country", underGeolocation, 0, "ISO 3166-1 alpha-2 country code: DE"},
	{"subdivision", underGeolocation, 0, "ISO 3166-2 subdivision code, country-prefixed: US-VA"},
	{"city", underGeolocation, 0, "city name as in the database (may be combined with country)"},
	{"default", underGeolocation, 0, "true: matches every client"},
	{"region", underPlaced, 0, "where the child is: a region of the file's regions: section (required under latency)"},
	{"lat", underGeoproximity, 0, "where the child is: latitude, WGS 84 degrees −90..90 (with lon)"},
	{"lon", underGeoproximity, 0, "where the child is: longitude, WGS 84 degrees −180..180 (with lat)"},
	{"bias", underGeoproximity, 0, "−99..99: biased distance = distance × (1 − bias/100) for bias ≥ 0, distance ÷ (1 + bias/100) below 0"},
	{"source", onLatency, 0, "where latencies come from: auto (measured, else the table), table or measured"},
	{"hysteresis", onLatency, 0, "switch only to a child better by more than the larger of ms and percent of the current latency"},
	{"evaluate_target_health", onAlias, 0, "true: the alias is down when its target has no healthy answer (Route 53's evaluate-target-health); default false"},
	{"collection", onIP, 0, "the CIDR collection of cidr_collections: that the client subnet is matched against"},
	{"location", underIP, 0, "a location of the parent's collection, or \"*\": clients in no location and those whose location's child is down"},
	{"ttl", onRecordSet, 0, "TTL of the record set (default: the zone's)"},
}

var nodeKeyByName = func() map[string]*nodeKey {
	m := make(map[string]*nodeKey, len(nodeKeys))
	for i := range nodeKeys {
		m[nodeKeys[i].name] = &nodeKeys[i]
	}
	return m
}()

// Keys of the other mappings.
var (
	topKeys        = []string{"checks", "cidr_collections", "latency", "regions", "zones"}
	collectionKeys = []string{"locations", "file"}
	regionKeys     = []string{"lat", "lon"}
	hysteresisKeys = []string{"percent", "ms"}
	kubeKeys       = []string{"service", "from", "port", "kubeconfig", "context", "endpoint"}
	zoneKeys       = []string{"ttl", "soa", "records"}
	soaKeys        = []string{"mname", "rname", "serial", "refresh", "retry", "expire", "minimum"}
)

// allDownNames maps the scalar forms of all_down to their value.
var allDownNames = map[string]AllDown{
	"open":     AllDownOpen,
	"nodata":   AllDownNoData,
	"servfail": AllDownServFail,
	"refused":  AllDownRefused,
	"nxdomain": AllDownNXDomain,
}

// continents are the continent codes of the geolocation rule.
var continents = []string{"AF", "AN", "AS", "EU", "NA", "OC", "SA"}

// Limits of the format.
const (
	MaxMultivalueMax = 64
	MaxTTL           = 1<<31 - 1 // RFC 2181 §8
	maxDepth         = 64        // nesting of rules in one record set
	maxAliasedNodes  = 100000    // nodes reached through YAML aliases, per file
)

// ruleKeyList is the rule keys for error messages, and wantNode the message for
// a node that is not a mapping: made once, not per node parsed.
var (
	ruleKeyList = strings.Join(ruleKeyNames(), ", ")
	wantNode    = "want a node: a mapping with one of " + ruleKeyList
)

// ruleKeyNames are the rule keys, in table order.
func ruleKeyNames() []string {
	var names []string
	for _, k := range nodeKeys {
		if k.scope == isRuleKey {
			names = append(names, k.name)
		}
	}
	return names
}

// nodeKeyNames are every node key, in table order.
func nodeKeyNames() []string {
	names := make([]string, len(nodeKeys))
	for i, k := range nodeKeys {
		names[i] = k.name
	}
	return names
}
