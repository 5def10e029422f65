package policy

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// inZone wraps record lines (indented by 6) into a data file whose zone is
// example.net; the first line of records is line 4.
func inZone(records ...string) string {
	return "zones:\n  example.net:\n    records:\n" + strings.Join(records, "\n") + "\n"
}

// aRecord is www A with the given node lines (indented by 10); they start at line 6.
func aRecord(node ...string) string {
	return inZone(append([]string{"      www:", "        A:"}, node...)...)
}

// deepFailover is a chain of failover nodes nested n levels deep.
func deepFailover(n int) string {
	return inZone("      www:", "        A: "+strings.Repeat("{failover: [", n)+"{value: 192.0.2.1}"+strings.Repeat("]}", n))
}

// regions3 is a regions: section of three regions, lines 1 to 4.
const regions3 = "regions:\n  fra: {lat: 50.11, lon: 8.68}\n  iad: {lat: 38.95, lon: -77.45}\n  nrt: {lat: 35.77, lon: 140.39}\n"

// latencyRecord is www A with a latency node: its children (indented by 12) start
// at line 6 of the record (line 10 after regions3), then its other keys.
func latencyRecord(lines ...string) string {
	return "zones:\n  example.net:\n    records:\n      www:\n        A:\n          latency:\n" + strings.Join(lines, "\n") + "\n"
}

// corp is a cidr_collections: section with collection corp (eu, us), lines 1 to 5.
const corp = "cidr_collections:\n  corp:\n    locations:\n      eu: [192.0.2.0/24, \"2001:db8:1::/48\"]\n      us: 198.51.100.0/24\n"

// ipRecord is www A with an ip node over collection corp: its children (indented by
// 12) start at line 8 of the record (line 13 after corp), then its other keys.
func ipRecord(lines ...string) string {
	return "zones:\n  example.net:\n    records:\n      www:\n        A:\n          collection: corp\n          ip:\n" + strings.Join(lines, "\n") + "\n"
}

var badFiles = []struct {
	name, in, want string
}{
	// The file as a whole.
	{"invalid YAML", "zones:\n  a: [\n", "bad.yaml:2: invalid YAML: did not find expected node content"},
	{"two documents", "zones: {}\n---\nzones: {}\n", "bad.yaml:2: a data file holds one YAML document"},
	{"top not a mapping", "- zones\n", "bad.yaml:1: the top level must be a mapping"},
	{"unknown top key", "zone: {}\n", "bad.yaml:1: zone: unknown top-level key (want checks, cidr_collections, latency, regions, zones)"},
	{"duplicate YAML key", "zones: {}\nzones: {}\n", "bad.yaml:2: zones: set twice (first at line 1)"},
	{"merge key", "zones:\n  <<: {}\n", "bad.yaml:2: zones.<<: merge keys (<<) are not supported"},
	{"key not a string", "zones:\n  [a]: {}\n", "bad.yaml:2: zones: keys must be strings"},
	{"bad check", "checks:\n  web: {type: smtp}\n", "bad.yaml:2: checks.web.type"},

	// Zones.
	{"zones not a mapping", "zones: [example.net]\n", "bad.yaml:1: zones: must be a mapping of zone origin to zone"},
	{"bad origin", "zones:\n  exa..mple.net: {}\n", `bad.yaml:2: zones.exa..mple.net: "exa..mple.net" is not a valid zone origin`},
	{"wildcard origin", "zones:\n  \"*.example.net\": {}\n", `bad.yaml:2: zones.*.example.net: "*.example.net" is not a valid zone origin`},
	{"duplicate zone", "zones:\n  example.net: {}\n  EXAMPLE.net.: {}\n", "bad.yaml:3: zones.EXAMPLE.net.: zone example.net. defined twice (first at line 2)"},
	{"unknown zone key", "zones:\n  example.net:\n    record: {}\n", "bad.yaml:3: zones.example.net.record: unknown key (want ttl, soa, records)"},
	{"zone not a mapping", "zones:\n  example.net: 60\n", "bad.yaml:2: zones.example.net: must be a mapping"},
	{"negative ttl", "zones:\n  example.net: {ttl: -1}\n", "bad.yaml:2: zones.example.net.ttl: must be 0..2147483647 seconds, not -1"},
	{"ttl too large", "zones:\n  example.net: {ttl: 2147483648}\n", "bad.yaml:2: zones.example.net.ttl: must be 0..2147483647 seconds"},
	{"ttl duration too large", "zones:\n  example.net: {ttl: 600000h}\n", "bad.yaml:2: zones.example.net.ttl: must be 0..2147483647 seconds, not 600000h"},
	{"ttl fraction", "zones:\n  example.net: {ttl: 1.5s}\n", "bad.yaml:2: zones.example.net.ttl: must be whole seconds, not 1.5s"},
	{"ttl word", "zones:\n  example.net: {ttl: soon}\n", `bad.yaml:2: zones.example.net.ttl: want a TTL: seconds 0..2147483647 or a duration like 30s or 5m, not "soon"`},
	{"ttl list", "zones:\n  example.net: {ttl: [1]}\n", "bad.yaml:2: zones.example.net.ttl: want a TTL"},
	{"unknown soa key", "zones:\n  example.net:\n    soa: {serials: 1}\n", "bad.yaml:3: zones.example.net.soa.serials: unknown key (want mname, rname, serial, refresh, retry, expire, minimum)"},
	{"soa serial range", "zones:\n  example.net:\n    soa:\n      serial: 4294967296\n", "bad.yaml:4: zones.example.net.soa.serial: must be 0..4294967295"},
	{"soa bad mname", "zones:\n  example.net:\n    soa: {mname: ns1..example.net}\n", `bad.yaml:3: zones.example.net.soa.mname: "ns1..example.net" is not a valid domain name`},
	{"soa bad refresh", "zones:\n  example.net:\n    soa: {refresh: often}\n", "bad.yaml:3: zones.example.net.soa.refresh: want a TTL"},
	{"records not a mapping", "zones:\n  example.net:\n    records: [www]\n", "bad.yaml:3: zones.example.net.records: must be a mapping of owner name to record sets"},

	// Owner names.
	{"owner outside zone", inZone("      www.example.org.: {A: {value: 192.0.2.1}}"), "bad.yaml:4: zones.example.net.records.www.example.org.: www.example.org. is not inside the zone example.net."},
	{"owner suffix is not a subdomain", inZone("      badexample.net.: {A: {value: 192.0.2.1}}"), "bad.yaml:4: zones.example.net.records.badexample.net.: badexample.net. is not inside the zone example.net."},
	{"wildcard inside", inZone("      a.*.b: {A: {value: 192.0.2.1}}"), `bad.yaml:4: zones.example.net.records.a.*.b: "a.*.b": a wildcard is "*" as the leftmost label only`},
	{"wildcard partial label", inZone("      foo*: {A: {value: 192.0.2.1}}"), `bad.yaml:4: zones.example.net.records.foo*: "foo*": a wildcard`},
	{"empty owner", inZone(`      "": {A: {value: 192.0.2.1}}`), `bad.yaml:4: zones.example.net.records.: empty owner name (use "@" for the origin)`},
	{"owner with a space", inZone(`      "a b": {A: {value: 192.0.2.1}}`), `bad.yaml:4: zones.example.net.records.a b: "a b" is not a valid owner name`},
	{"owner with zone file syntax", inZone(`      "a;b": {A: {value: 192.0.2.1}}`), `bad.yaml:4: zones.example.net.records.a;b: "a;b" is not a valid owner name`},
	{"owner not a mapping", inZone("      www: 192.0.2.1"), "bad.yaml:4: zones.example.net.records.www: must be a mapping of record type"},

	// Record sets.
	{"unknown type", inZone("      www: {AXFR: {value: x}}"), `bad.yaml:4: zones.example.net.records.www.AXFR: unknown record type "AXFR" (want A AAAA CNAME MX TXT SRV CAA NS PTR SVCB HTTPS NAPTR SPF DS TLSA SSHFP)`},
	{"duplicate record set", inZone("      www: {A: {value: 192.0.2.1}}", "      www.example.net.: {A: {value: 192.0.2.2}}"), "bad.yaml:5: zones.example.net.records.www.example.net..A: record set www.example.net. A defined twice (first at line 4)"},
	{"duplicate type spelling", inZone("      www:", "        A: {value: 192.0.2.1}", "        a: {value: 192.0.2.2}"), "bad.yaml:6: zones.example.net.records.www.a: record set www.example.net. A defined twice (first at line 5)"},
	{"duplicate owner key", inZone("      www: {A: {value: 192.0.2.1}}", "      www: {AAAA: {value: '2001:db8::1'}}"), "bad.yaml:5: zones.example.net.records.www: set twice (first at line 4)"},
	{"CNAME and another type", inZone("      www:", "        CNAME: {value: web.example.org.}", "        TXT: {value: hello}"), "bad.yaml:6: zones.example.net.records.www.TXT: a CNAME owner holds no other type: www.example.net. has CNAME (line 5) and TXT"},
	{"another type and CNAME", inZone("      www: {A: {value: 192.0.2.1}}", "      WWW.example.net.: {CNAME: {value: web.example.org.}}"), "bad.yaml:5: zones.example.net.records.WWW.example.net..CNAME: a CNAME owner holds no other type"},
	{"CNAME at the origin", inZone(`      "@": {CNAME: {value: web.example.org.}}`), "bad.yaml:4: zones.example.net.records.@.CNAME: a CNAME cannot be at the zone origin"},
	{"CNAME values", inZone("      www: {CNAME: {values: [a.example.org., b.example.org.]}}"), "bad.yaml:4: zones.example.net.records.www.CNAME.values: a CNAME record set answers one value, this values has 2"},
	{"CNAME simple", inZone("      www:", "        CNAME:", "          failover:", "            - simple: [{value: a.example.org.}, {value: b.example.org.}]"), "bad.yaml:7: zones.example.net.records.www.CNAME.failover[0].simple: a CNAME record set answers one value, this simple has 2"},
	{"CNAME multivalue", inZone("      www: {CNAME: {multivalue: [{value: a.example.org.}, {value: b.example.org.}]}}"), "bad.yaml:4: zones.example.net.records.www.CNAME.multivalue: a CNAME record set answers one value, this multivalue has 2"},

	// Nodes: shape and rule keys.
	{"node not a mapping", inZone("      www: {A: 192.0.2.1}"), "bad.yaml:4: zones.example.net.records.www.A: want a node: a mapping with one of value, values, simple, weighted, failover, geolocation, multivalue"},
	{"no rule key", aRecord("          name: web"), "bad.yaml:6: zones.example.net.records.www.A: no rule key: want one of value, values"},
	{"two rule keys", aRecord("          value: 192.0.2.1", "          values: [192.0.2.2]"), "bad.yaml:7: zones.example.net.records.www.A.values: a node has exactly one rule key, this one also has value (line 6)"},
	{"unknown node key", aRecord("          value: 192.0.2.1", "          wieght: 1"), "bad.yaml:7: zones.example.net.records.www.A.wieght: unknown key (a node has value, values, simple"},
	{"duplicate node key", aRecord("          value: 192.0.2.1", "          value: 192.0.2.2"), "bad.yaml:7: zones.example.net.records.www.A.value: set twice (first at line 6)"},
	{"empty children", aRecord("          failover: []"), "bad.yaml:6: zones.example.net.records.www.A.failover: want a non-empty list of nodes"},
	{"children not a list", aRecord("          weighted: {value: 192.0.2.1}"), "bad.yaml:6: zones.example.net.records.www.A.weighted: want a non-empty list of nodes"},
	{"child not a mapping", aRecord("          failover: [192.0.2.1]"), "bad.yaml:6: zones.example.net.records.www.A.failover[0]: want a node"},
	{"too deep", deepFailover(maxDepth + 2), "bad.yaml:5: zones.example.net.records.www.A.failover[0]" + strings.Repeat(".failover[0]", maxDepth) + ": rules nested deeper than 64 levels"},
	{"too many children", aRecord("          values: [" + strings.Repeat("192.0.2.1, ", MaxChildren) + "192.0.2.1]"), "bad.yaml:6: zones.example.net.records.www.A.values: 257 values, at most 256"},

	// Keys in the wrong place.
	{"weight at the top", aRecord("          value: 192.0.2.1", "          weight: 1"), "bad.yaml:7: zones.example.net.records.www.A.weight: only allowed on a child of weighted"},
	{"weight under failover", aRecord("          failover: [{value: 192.0.2.1, weight: 1}]"), "bad.yaml:6: zones.example.net.records.www.A.failover[0].weight: only allowed on a child of weighted"},
	{"match key under weighted", aRecord("          weighted: [{weight: 1, country: DE, value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.weighted[0].country: only allowed on a child of geolocation"},
	{"max on simple", aRecord("          simple: [{value: 192.0.2.1}]", "          max: 2"), "bad.yaml:7: zones.example.net.records.www.A.max: only allowed on a multivalue node"},
	{"check on values", aRecord("          values: [192.0.2.1]", "          check: web"), "bad.yaml:7: zones.example.net.records.www.A.check: only allowed on a leaf (a node with value:)"},
	{"check on an inner node", aRecord("          failover: [{value: 192.0.2.1}]", "          check: web"), "bad.yaml:7: zones.example.net.records.www.A.check: only allowed on a leaf"},
	{"all_down on a leaf", aRecord("          value: 192.0.2.1", "          all_down: servfail"), "bad.yaml:7: zones.example.net.records.www.A.all_down: only allowed on an inner node (not on a value: leaf)"},
	{"ttl below the top", aRecord("          failover: [{value: 192.0.2.1, ttl: 5}]"), "bad.yaml:6: zones.example.net.records.www.A.failover[0].ttl: only allowed on the record set itself"},

	// Values of node keys.
	{"missing weight", aRecord("          weighted:", "            - {weight: 1, value: 192.0.2.1}", "            - {value: 192.0.2.2}"), "bad.yaml:8: zones.example.net.records.www.A.weighted[1]: missing weight: (0..255) on a child of weighted"},
	{"weight too large", aRecord("          weighted: [{weight: 256, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.weighted[0].weight: must be 0..255, not "256"`},
	{"weight negative", aRecord("          weighted: [{weight: -1, value: 192.0.2.1}]"), "zones.example.net.records.www.A.weighted[0].weight: must be 0..255"},
	{"weight not a number", aRecord("          weighted: [{weight: heavy, value: 192.0.2.1}]"), `weighted[0].weight: must be 0..255, not "heavy"`},
	{"max zero", aRecord("          multivalue: [{value: 192.0.2.1}]", "          max: 0"), `bad.yaml:7: zones.example.net.records.www.A.max: must be 1..64, not "0"`},
	{"max too large", aRecord("          multivalue: [{value: 192.0.2.1}]", "          max: 65"), `bad.yaml:7: zones.example.net.records.www.A.max: must be 1..64, not "65"`},
	{"record set ttl", aRecord("          value: 192.0.2.1", "          ttl: 1ms"), "bad.yaml:7: zones.example.net.records.www.A.ttl: must be whole seconds"},
	{"empty check", aRecord(`          value: 192.0.2.1`, `          check: ""`), "bad.yaml:7: zones.example.net.records.www.A.check: want a health check name, not an empty string"},
	{"check not a string", aRecord(`          value: 192.0.2.1`, `          check: [a, b]`), "bad.yaml:7: zones.example.net.records.www.A.check: want a health check name"},
	{"empty name", aRecord(`          value: 192.0.2.1`, `          name: " "`), "bad.yaml:7: zones.example.net.records.www.A.name: want a name, not an empty string"},
	{"all_down unknown", aRecord("          failover: [{value: 192.0.2.1}]", "          all_down: panic"), `bad.yaml:7: zones.example.net.records.www.A.all_down: want open, nodata, servfail, refused, nxdomain or {value: RDATA}, not "panic"`},
	{"all_down other mapping", aRecord("          failover: [{value: 192.0.2.1}]", "          all_down: {values: [192.0.2.2]}"), "bad.yaml:7: zones.example.net.records.www.A.all_down.values: unknown key (all_down's mapping is {value: RDATA})"},
	// Unknown keys beside value: at their own line, by name (issue 15).
	{"all_down value and unknown key", aRecord("          failover: [{value: 192.0.2.1}]", "          all_down:\n            value: 192.0.2.2\n            bogus: 1"), "bad.yaml:9: zones.example.net.records.www.A.all_down.bogus: unknown key (all_down's mapping is {value: RDATA})"},
	{"all_down empty mapping", aRecord("          failover: [{value: 192.0.2.1}]", "          all_down: {}"), "bad.yaml:7: zones.example.net.records.www.A.all_down: want open, nodata"},
	{"all_down bad value", aRecord("          failover: [{value: 192.0.2.1}]", "          all_down: {value: 2001:db8::1}"), `bad.yaml:7: zones.example.net.records.www.A.all_down.value: not valid A RDATA "2001:db8::1"`},

	// Geolocation.
	{"no match", aRecord("          geolocation: [{value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.geolocation[0]: a child of geolocation needs a match"},
	{"two matches", aRecord("          geolocation: [{continent: EU, country: DE, value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.geolocation[0]: one match per child"},
	{"city with subdivision", aRecord("          geolocation: [{city: Richmond, subdivision: US-VA, value: 192.0.2.1}]"), "geolocation[0]: one match per child"},
	{"duplicate match", aRecord("          geolocation:", "            - {country: DE, value: 192.0.2.1}", "            - {country: de, value: 192.0.2.2}"), "bad.yaml:8: zones.example.net.records.www.A.geolocation[1]: same match as zones.example.net.records.www.A.geolocation[0] (line 7)"},
	{"duplicate default", aRecord("          geolocation:", "            - {default: true, value: 192.0.2.1}", "            - {default: true, value: 192.0.2.2}"), "bad.yaml:8: zones.example.net.records.www.A.geolocation[1]: same match as"},
	{"duplicate city", aRecord("          geolocation:", "            - {city: Paris, value: 192.0.2.1}", "            - {city: PARIS, value: 192.0.2.2}"), "geolocation[1]: same match as"},
	{"nested duplicate match", aRecord("          failover:", "            - geolocation:", "                - {continent: EU, value: 192.0.2.1}", "                - {continent: EU, value: 192.0.2.2}"), "bad.yaml:9: zones.example.net.records.www.A.failover[0].geolocation[1]: same match as"},
	{"default false", aRecord("          geolocation: [{default: false, value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.geolocation[0].default: default: false is not allowed, leave default out"},
	{"default not a bool", aRecord("          geolocation: [{default: yes please, value: 192.0.2.1}]"), `geolocation[0].default: want true or false, not "yes please"`},
	{"unknown continent", aRecord("          geolocation: [{continent: XX, value: 192.0.2.1}]"), `geolocation[0].continent: unknown continent code "XX" (want AF AN AS EU NA OC SA)`},
	{"bad country", aRecord("          geolocation: [{country: DEU, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.geolocation[0].country: unknown country code "DEU": not in ISO 3166-1 alpha-2 (did you mean DE?)`},
	// Codes of the right shape that no standard has (issue 15), at their own line.
	{"unknown country", aRecord("          geolocation:", "            - {default: true, value: 192.0.2.2}", "            - {country: XX, value: 192.0.2.1}"), `bad.yaml:8: zones.example.net.records.www.A.geolocation[1].country: unknown country code "XX": not in ISO 3166-1 alpha-2 (did you mean one of XK, AX, CX?)`},
	{"continent typo", aRecord("          geolocation: [{continent: ER, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.geolocation[0].continent: unknown continent code "ER" (want AF AN AS EU NA OC SA) (did you mean EU?)`},
	{"unknown subdivision", aRecord("          geolocation: [{subdivision: US-VX, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.geolocation[0].subdivision: unknown subdivision code "US-VX": not in ISO 3166-2 for United States (did you mean one of US-TX, US-VA, US-VI, US-VT?)`},
	{"bad subdivision", aRecord("          geolocation: [{subdivision: VA, value: 192.0.2.1}]"), `geolocation[0].subdivision: want an ISO 3166-2 code with its country like US-VA, not "VA"`},

	// Sticky weighted.
	{"sticky on failover", aRecord("          failover: [{value: 192.0.2.1}]", "          sticky: true"), "bad.yaml:7: zones.example.net.records.www.A.sticky: only allowed on a weighted node"},
	{"sticky on a leaf", aRecord("          value: 192.0.2.1", "          sticky: true"), "bad.yaml:7: zones.example.net.records.www.A.sticky: only allowed on a weighted node"},
	{"sticky not a bool", aRecord("          weighted: [{weight: 1, value: 192.0.2.1}]", "          sticky: yes please"), `bad.yaml:7: zones.example.net.records.www.A.sticky: want true or false, not "yes please"`},
	{"sticky_prefix without sticky", aRecord("          weighted: [{weight: 1, value: 192.0.2.1}]", "          sticky_prefix: 24/56"), "bad.yaml:7: zones.example.net.records.www.A.sticky_prefix: sticky_prefix without sticky: true"},
	{"sticky_prefix one number", aRecord("          weighted: [{weight: 1, value: 192.0.2.1}]", "          sticky: true", "          sticky_prefix: 24"), `bad.yaml:8: zones.example.net.records.www.A.sticky_prefix: want IPv4/IPv6 prefix lengths like 24/56 (0..32/0..128), not "24"`},
	{"sticky_prefix IPv4 too long", aRecord("          weighted: [{weight: 1, value: 192.0.2.1}]", "          sticky: true", "          sticky_prefix: 33/56"), `sticky_prefix: want IPv4/IPv6 prefix lengths like 24/56 (0..32/0..128), not "33/56"`},
	{"sticky_prefix IPv6 too long", aRecord("          weighted: [{weight: 1, value: 192.0.2.1}]", "          sticky: true", "          sticky_prefix: 24/129"), `not "24/129"`},
	{"sticky under weighted child", aRecord("          weighted: [{weight: 1, sticky: true, value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.weighted[0].sticky: only allowed on a weighted node"},

	// Regions and geoproximity.
	{"regions not a mapping", "regions: [fra]\n", "bad.yaml:1: regions: must be a mapping of region name to {lat: …, lon: …}"},
	{"region without lon", "regions:\n  fra: {lat: 50.1}\n", "bad.yaml:2: regions.fra: a region needs lat: and lon:"},
	{"region lat out of range", "regions:\n  fra:\n    lat: 91\n    lon: 8.7\n", `bad.yaml:3: regions.fra.lat: must be a number of degrees −90..90, not "91"`},
	{"region lon out of range", "regions:\n  fra: {lat: 50.1, lon: -180.5}\n", `bad.yaml:2: regions.fra.lon: must be a number of degrees −180..180, not "-180.5"`},
	{"region lat a word", "regions:\n  fra: {lat: north, lon: 8}\n", `bad.yaml:2: regions.fra.lat: must be a number of degrees −90..90, not "north"`},
	{"region lat quoted", "regions:\n  fra: {lat: \"50\", lon: 8}\n", `bad.yaml:2: regions.fra.lat: must be a number of degrees −90..90, not "50"`},
	{"region unknown key", "regions:\n  fra: {lat: 50, lon: 8, alt: 100}\n", "bad.yaml:2: regions.fra.alt: unknown key (want lat, lon)"},
	{"region bad name", "regions:\n  \"eu central\": {lat: 50, lon: 8}\n", `bad.yaml:2: regions.eu central: a region name is letters, digits`},
	{"geoproximity unknown region", "regions:\n  fra: {lat: 50.1, lon: 8.7}\n" + "zones:\n  example.net:\n    records:\n      www:\n        A:\n          geoproximity:\n            - {region: fra, value: 192.0.2.1}\n            - {region: iad, value: 192.0.2.2}\n",
		`bad.yaml:10: zones.example.net.records.www.A.geoproximity[1].region: unknown region "iad" (regions: defines fra)`},
	{"geoproximity region without regions", aRecord("          geoproximity: [{region: fra, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.geoproximity[0].region: unknown region "fra": the file has no regions: section`},
	{"geoproximity no place", aRecord("          geoproximity: [{value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.geoproximity[0]: a child of geoproximity needs a place: region: or lat: and lon:"},
	{"geoproximity lat without lon", aRecord("          geoproximity: [{lat: 50, value: 192.0.2.1}]"), "geoproximity[0]: a child of geoproximity needs a place"},
	{"geoproximity region and lat", "regions:\n  fra: {lat: 50.1, lon: 8.7}\n" + "zones:\n  example.net:\n    records:\n      www:\n        A:\n          geoproximity: [{region: fra, lat: 50, value: 192.0.2.1}]\n",
		"bad.yaml:8: zones.example.net.records.www.A.geoproximity[0]: a child of geoproximity has region: or lat: and lon:, not both"},
	{"geoproximity lat out of range", aRecord("          geoproximity: [{lat: -90.01, lon: 0, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.geoproximity[0].lat: must be a number of degrees −90..90, not "-90.01"`},
	{"geoproximity lon out of range", aRecord("          geoproximity: [{lat: 0, lon: 181, value: 192.0.2.1}]"), `geoproximity[0].lon: must be a number of degrees −180..180, not "181"`},
	{"bias too large", aRecord("          geoproximity: [{lat: 50, lon: 8, bias: 100, value: 192.0.2.1}]"), `bad.yaml:6: zones.example.net.records.www.A.geoproximity[0].bias: must be -99..99, not "100"`},
	{"bias too small", aRecord("          geoproximity: [{lat: 50, lon: 8, bias: -100, value: 192.0.2.1}]"), `geoproximity[0].bias: must be -99..99, not "-100"`},
	{"bias fraction", aRecord("          geoproximity: [{lat: 50, lon: 8, bias: 1.5, value: 192.0.2.1}]"), `geoproximity[0].bias: must be -99..99, not "1.5"`},
	{"bias under weighted", aRecord("          weighted: [{weight: 1, bias: 10, value: 192.0.2.1}]"), "bad.yaml:6: zones.example.net.records.www.A.weighted[0].bias: only allowed on a child of geoproximity"},
	{"lat at the top", aRecord("          value: 192.0.2.1", "          lat: 50"), "bad.yaml:7: zones.example.net.records.www.A.lat: only allowed on a child of geoproximity"},
	{"geoproximity empty", aRecord("          geoproximity: []"), "bad.yaml:6: zones.example.net.records.www.A.geoproximity: want a non-empty list of nodes"},

	// Latency.
	{"latency table not a mapping", regions3 + "latency: [fra]\n", "bad.yaml:5: latency: must be a mapping of client region to {endpoint region: milliseconds}"},
	{"latency table unknown client region", regions3 + "latency:\n  fra: {fra: 5}\n  sfo: {fra: 150}\n", `bad.yaml:7: latency.sfo: unknown region "sfo" (regions: defines fra, iad, nrt)`},
	{"latency table unknown endpoint region", regions3 + "latency:\n  fra: {fra: 5, sfo: 150}\n", `bad.yaml:6: latency.fra.sfo: unknown region "sfo" (regions: defines fra, iad, nrt)`},
	{"latency table without regions", "latency:\n  fra: {fra: 5}\n", `bad.yaml:2: latency.fra: unknown region "fra": the file has no regions: section`},
	{"latency table negative", regions3 + "latency:\n  fra: {fra: -1}\n", `bad.yaml:6: latency.fra.fra: must be milliseconds 0..60000, not "-1"`},
	{"latency table too large", regions3 + "latency:\n  fra: {fra: 60001}\n", `latency.fra.fra: must be milliseconds 0..60000, not "60001"`},
	{"latency table word", regions3 + "latency:\n  fra: {fra: fast}\n", `latency.fra.fra: must be milliseconds 0..60000, not "fast"`},
	{"latency table row a list", regions3 + "latency:\n  fra: [5]\n", "bad.yaml:6: latency.fra: must be a mapping of endpoint region to milliseconds"},
	{"collections not a mapping", "cidr_collections: [corp]\n", "bad.yaml:1: cidr_collections: must be a mapping of collection name to {locations: …} or {file: …}"},
	{"collection both forms", "cidr_collections:\n  corp: {file: a.txt, locations: {eu: 192.0.2.0/24}}\n", "bad.yaml:2: cidr_collections.corp: a collection has locations: (blocks by location) or file: (a collection file), one of them"},
	{"collection unknown key", "cidr_collections:\n  corp: {blocks: {eu: 192.0.2.0/24}}\n", "bad.yaml:2: cidr_collections.corp.blocks: unknown key (a collection has locations or file)"},
	// The issue 15 case: the unknown key beside a good one, at its own line.
	{"collection unknown key beside locations", "cidr_collections:\n  corp:\n    locations: {eu: 198.51.100.0/24}\n    bogus: 1\n", "bad.yaml:4: cidr_collections.corp.bogus: unknown key (a collection has locations or file)"},
	{"collection empty", "cidr_collections:\n  corp: {}\n", "bad.yaml:2: cidr_collections.corp: a collection has locations: (blocks by location) or file: (a collection file), one of them"},
	{"collection bad name", "cidr_collections:\n  \"my corp\": {locations: {eu: 192.0.2.0/24}}\n", `bad.yaml:2: cidr_collections.my corp: a collection name is letters`},
	{"collection location bad name", "cidr_collections:\n  corp: {locations: {\"eu west\": 192.0.2.0/24}}\n", `bad.yaml:2: cidr_collections.corp.locations.eu west: a location name is letters`},
	{"collection location star", "cidr_collections:\n  corp: {locations: {\"*\": 0.0.0.0/0}}\n", `cidr_collections.corp.locations.*: a location name is letters`},
	{"collection malformed block", "cidr_collections:\n  corp:\n    locations:\n      eu: [192.0.2.0/24, 198.51.100.0/33]\n", `bad.yaml:4: cidr_collections.corp.locations.eu[1]: malformed CIDR block "198.51.100.0/33": want an address/prefix-length`},
	{"collection block without length", "cidr_collections:\n  corp:\n    locations:\n      eu: 192.0.2.1\n", `bad.yaml:4: cidr_collections.corp.locations.eu: malformed CIDR block "192.0.2.1": no prefix length; did you mean 192.0.2.1/32?`},
	{"collection host bits", "cidr_collections:\n  corp:\n    locations:\n      eu:\n        - 192.0.2.0/24\n        - 10.1.0.0/8\n", `bad.yaml:6: cidr_collections.corp.locations.eu[1]: 10.1.0.0/8 has host bits set; did you mean 10.0.0.0/8?`},
	{"collection duplicate block", "cidr_collections:\n  corp:\n    locations:\n      eu: [192.0.2.0/24]\n      us: [192.0.2.0/24]\n", `bad.yaml:5: cidr_collections.corp.locations.us[0]: 192.0.2.0/24 is in two locations of collection "corp": eu (line 4) and us`},
	{"collection empty list", "cidr_collections:\n  corp:\n    locations:\n      eu: []\n", `bad.yaml:4: cidr_collections.corp.locations.eu: want a non-empty list of CIDR blocks`},
	{"collection file missing", "cidr_collections:\n  bgp: {file: testdata/no-such.cidr}\n", `bad.yaml:2: cidr_collections.bgp.file: collection file: open testdata/no-such.cidr: no such file or directory`},
	{"collection file broken", "cidr_collections:\n  bgp: {file: testdata/broken.cidr}\n", `bad.yaml:2: cidr_collections.bgp.file: testdata/broken.cidr:3: cidr: 198.51.100.1/24 has host bits set; did you mean 198.51.100.0/24?`},
	{"collection file star location", "cidr_collections:\n  bgp: {file: testdata/star.cidr}\n", `bad.yaml:2: cidr_collections.bgp.file: location "*" is the default of the ip rule`},
	{"ip unknown collection", corp + strings.Replace(ipRecord("            - {location: eu, value: 192.0.2.1}"), "collection: corp", "collection: crop", 1), `bad.yaml:11: zones.example.net.records.www.A.collection: unknown collection "crop" (cidr_collections: defines corp)`},
	{"ip collection without section", ipRecord("            - {location: eu, value: 192.0.2.1}"), `bad.yaml:6: zones.example.net.records.www.A.collection: unknown collection "corp": the file has no cidr_collections: section`},
	{"ip without collection", corp + aRecord("          ip: [{location: eu, value: 192.0.2.1}]"), `bad.yaml:11: zones.example.net.records.www.A: an ip node needs collection:`},
	{"ip unknown location", corp + ipRecord("            - {location: eu, value: 192.0.2.1}", "            - {location: asia, value: 192.0.2.2}"), `bad.yaml:14: zones.example.net.records.www.A.ip[1].location: collection corp has no location "asia" (it has eu, us; "*" is the default)`},
	{"ip two children for a location", corp + ipRecord("            - {location: eu, value: 192.0.2.1}", "            - {location: us, value: 192.0.2.2}", "            - {location: eu, value: 192.0.2.3}"), `bad.yaml:15: zones.example.net.records.www.A.ip[2].location: location "eu" has two children: also zones.example.net.records.www.A.ip[0] (line 13)`},
	{"ip two defaults", corp + ipRecord(`            - {location: "*", value: 192.0.2.1}`, `            - {location: "*", value: 192.0.2.2}`), `bad.yaml:14: zones.example.net.records.www.A.ip[1].location: location "*" has two children`},
	{"ip child without location", corp + ipRecord("            - {value: 192.0.2.1}"), `bad.yaml:13: zones.example.net.records.www.A.ip[0]: a child of ip needs location:`},
	{"location outside ip", corp + aRecord("          failover: [{location: eu, value: 192.0.2.1}]"), `bad.yaml:11: zones.example.net.records.www.A.failover[0].location: only allowed on a child of ip`},
	{"collection outside ip", corp + aRecord("          failover: [{value: 192.0.2.1}]", "          collection: corp"), `bad.yaml:12: zones.example.net.records.www.A.collection: only allowed on an ip node`},
	{"ip empty", corp + strings.Replace(ipRecord(), "ip:\n", "ip: []", 1), `bad.yaml:12: zones.example.net.records.www.A.ip: want a non-empty list of nodes`},
	{"latency child without region", regions3 + latencyRecord("            - {value: 192.0.2.1}"), "bad.yaml:11: zones.example.net.records.www.A.latency[0]: a child of latency needs region:"},
	{"latency child unknown region", regions3 + latencyRecord("            - {region: sfo, value: 192.0.2.1}"), `bad.yaml:11: zones.example.net.records.www.A.latency[0].region: unknown region "sfo"`},
	{"latency child with lat", regions3 + latencyRecord("            - {region: fra, lat: 50, value: 192.0.2.1}"), "bad.yaml:11: zones.example.net.records.www.A.latency[0].lat: only allowed on a child of geoproximity"},
	{"latency child with bias", regions3 + latencyRecord("            - {region: fra, bias: 5, value: 192.0.2.1}"), "latency[0].bias: only allowed on a child of geoproximity"},
	{"region under weighted", regions3 + "zones:\n  example.net:\n    records:\n      www:\n        A:\n          weighted: [{weight: 1, region: fra, value: 192.0.2.1}]\n", "bad.yaml:10: zones.example.net.records.www.A.weighted[0].region: only allowed on a child of geoproximity or latency"},
	{"source unknown", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          source: ping"), `bad.yaml:12: zones.example.net.records.www.A.source: want auto, table or measured, not "ping"`},
	{"source table without a table", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          source: table"), "bad.yaml:12: zones.example.net.records.www.A.source: source: table, but the file has no latency: section"},
	{"source table, region without a column", regions3 + "latency:\n  fra: {fra: 5}\n" + latencyRecord("            - {region: fra, value: 192.0.2.1}", "            - {region: iad, value: 192.0.2.2}", "          source: table"),
		"bad.yaml:14: zones.example.net.records.www.A.latency[1].region: source: table, but no row of the latency: table (line 5) has a column iad"},
	{"source on weighted", aRecord("          weighted: [{weight: 1, value: 192.0.2.1}]", "          source: table"), "bad.yaml:7: zones.example.net.records.www.A.source: only allowed on a latency node"},
	{"hysteresis on failover", aRecord("          failover: [{value: 192.0.2.1}]", "          hysteresis: {ms: 5}"), "bad.yaml:7: zones.example.net.records.www.A.hysteresis: only allowed on a latency node"},
	{"hysteresis unknown key", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          hysteresis: {seconds: 5}"), "bad.yaml:12: zones.example.net.records.www.A.hysteresis.seconds: unknown key (want percent, ms)"},
	{"hysteresis percent too large", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          hysteresis: {percent: 101}"), `bad.yaml:12: zones.example.net.records.www.A.hysteresis.percent: must be 0..100, not "101"`},
	{"hysteresis ms negative", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          hysteresis: {ms: -5}"), `hysteresis.ms: must be milliseconds 0..60000, not "-5"`},
	{"hysteresis empty", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          hysteresis: {}"), "bad.yaml:12: zones.example.net.records.www.A.hysteresis: want a mapping with percent: and/or ms:"},
	{"hysteresis scalar", regions3 + latencyRecord("            - {region: fra, value: 192.0.2.1}", "          hysteresis: 10"), "bad.yaml:12: zones.example.net.records.www.A.hysteresis: want a mapping with percent: and/or ms:"},
	{"latency empty", aRecord("          latency: []"), "bad.yaml:6: zones.example.net.records.www.A.latency: want a non-empty list of nodes"},

	// RDATA.
	{"bad A", aRecord("          value: 192.0.2.300"), `bad.yaml:6: zones.example.net.records.www.A.value: not valid A RDATA "192.0.2.300": bad A A`},
	{"garbage after A", aRecord("          value: 192.0.2.1 192.0.2.2"), `bad.yaml:6: zones.example.net.records.www.A.value: not valid A RDATA "192.0.2.1 192.0.2.2": garbage after rdata`},
	{"AAAA holding IPv4", inZone("      www: {AAAA: {value: 192.0.2.1}}"), `bad.yaml:4: zones.example.net.records.www.AAAA.value: not valid AAAA RDATA "192.0.2.1"`},
	{"bad item of values", aRecord("          values:", "            - 192.0.2.1", "            - 192.0.2"), `bad.yaml:8: zones.example.net.records.www.A.values[1]: not valid A RDATA "192.0.2"`},
	{"bad leaf deep", aRecord("          geolocation:", "            - country: DE", "              failover:", "                - {value: 192.0.2.1}", "                - weighted: [{weight: 1, value: 192.0.2.x}]"), `bad.yaml:10: zones.example.net.records.www.A.geolocation[0].failover[1].weighted[0].value: not valid A RDATA "192.0.2.x"`},
	{"empty value", aRecord(`          value: ""`), "bad.yaml:6: zones.example.net.records.www.A.value: want RDATA (use values: for a list), not an empty string"},
	{"null value", aRecord(`          value:`), "bad.yaml:6: zones.example.net.records.www.A.value: want RDATA (use values: for a list)"},
	{"value list", aRecord(`          value: [192.0.2.1]`), "bad.yaml:6: zones.example.net.records.www.A.value: want RDATA (use values: for a list)"},
	{"values empty", aRecord(`          values: []`), "bad.yaml:6: zones.example.net.records.www.A.values: want a non-empty list of RDATA strings"},
	{"values scalar", aRecord(`          values: 192.0.2.1`), "bad.yaml:6: zones.example.net.records.www.A.values: want a non-empty list of RDATA strings (use value: for one)"},
	{"values item a list", aRecord(`          values: [[192.0.2.1]]`), "bad.yaml:6: zones.example.net.records.www.A.values[0]: want RDATA"},
	{"comment only", aRecord(`          value: "; nothing"`), `zones.example.net.records.www.A.value: not valid A RDATA "; nothing"`},
	{"two lines", aRecord(`          value: "192.0.2.1\nwww.example.net. 60 IN A 192.0.2.2"`), "bad.yaml:6: zones.example.net.records.www.A.value: A RDATA must be on one line"},
	{"relative MX", inZone(`      "@": {MX: {value: 10 mail}}`), `bad.yaml:4: zones.example.net.records.@.MX.value: MX RDATA "10 mail" has a relative name: end names with "."`},
	{"relative CNAME", inZone("      www: {CNAME: {value: web}}"), `zones.example.net.records.www.CNAME.value: CNAME RDATA "web" has a relative name`},
	{"unquoted TXT", inZone("      www: {TXT: {value: v=spf1 -all}}"), `bad.yaml:4: zones.example.net.records.www.TXT.value: TXT text with spaces must be quoted (RFC 1035): '"v=spf1 -all"'`},
	{"bad CAA", inZone("      www: {CAA: {value: issue letsencrypt.org}}"), `zones.example.net.records.www.CAA.value: not valid CAA RDATA`},
	{"bad SRV", inZone("      _sip._tcp: {SRV: {value: 10 sip.example.net.}}"), `zones.example.net.records._sip._tcp.SRV.value: not valid SRV RDATA`},
	{"bad DS digest", inZone("      child: {DS: {value: 12345 13 2 ABC}}"), `bad.yaml:4: zones.example.net.records.child.DS.value: not valid DS RDATA "12345 13 2 ABC": the digest "ABC" is not hexadecimal`},
	{"bad TLSA", inZone("      _443._tcp: {TLSA: {value: 3 1 1}}"), `zones.example.net.records._443._tcp.TLSA.value: not valid TLSA RDATA "3 1 1": no certificate association data`},
	{"bad SSHFP", inZone("      host: {SSHFP: {value: 4 2 0000}}"), `zones.example.net.records.host.SSHFP.value: not valid SSHFP RDATA "4 2 0000": the fingerprint has 4 hex digits, fingerprint type 2 has 64`},
	{"bad NAPTR", inZone(`      sip: {NAPTR: {value: '100 10 "S" "SIP+D2U" "" relative'}}`), `zones.example.net.records.sip.NAPTR.value: NAPTR RDATA "100 10 \"S\" \"SIP+D2U\" \"\" relative" has a relative name`},
	{"unquoted SPF", inZone("      www: {SPF: {value: v=spf1 -all}}"), `zones.example.net.records.www.SPF.value: SPF text with spaces must be quoted`},
}

func TestParseBad(t *testing.T) {
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse("bad.yaml", strings.NewReader(tc.in))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got  %q\nwant %q", err, tc.want)
			}
		})
	}
}

func TestParseRecordTypes(t *testing.T) {
	for name, typ := range recordTypes {
		lower := strings.ToLower(name)
		if got := recordTypes[strings.ToUpper(lower)]; got != typ || dns.TypeToString[typ] != name {
			t.Errorf("%s: %d", name, got)
		}
	}
	if len(recordTypeNames) != len(recordTypes) {
		t.Errorf("recordTypeNames has %d names, recordTypes %d", len(recordTypeNames), len(recordTypes))
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "# comment\n", "~\n", "zones:\n", "zones: {}\nchecks:\n"} {
		d, specs, err := Parse("empty.yaml", strings.NewReader(in))
		if err != nil || d == nil || len(d.Zones) != 0 || len(specs) != 0 {
			t.Errorf("%q: %v, %v, %v", in, d, specs, err)
		}
	}
	d, _, err := Parse("z.yaml", strings.NewReader("zones:\n  example.net:\n"))
	if err != nil || len(d.Zones) != 1 || d.Zones[0].TTL != DefaultTTL || d.Zones[0].SOA != nil || len(d.Zones[0].Records) != 0 {
		t.Errorf("zone without fields: %+v, %v", d, err)
	}
}

func TestParseAliases(t *testing.T) {
	in := inZone(
		"      www:",
		"        A: &web {failover: [{value: 192.0.2.1}, {value: 192.0.2.2}]}",
		"      web:",
		"        A: *web",
	)
	d, _, err := Parse("alias.yaml", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	checkData(t, d)
	if r := d.Zones[0].Records; len(r) != 2 || r[1].Root.Rule != RuleFailover || len(r[1].Root.Children) != 2 {
		t.Errorf("aliased record set: %+v", r[1].Root)
	}
	// A cycle through an alias and an alias bomb end with an error, not a hang.
	cycle := inZone("      www:", "        A: &n {failover: [*n]}")
	if _, _, err := Parse("cycle.yaml", strings.NewReader(cycle)); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("cycle: %v", err)
	}
	bomb := []string{"      l0: {A: &l0 {value: 192.0.2.1}}"}
	for i := 1; i < 10; i++ {
		p := "*l" + string(rune('0'+i-1))
		bomb = append(bomb, "      l"+string(rune('0'+i))+": {A: &l"+string(rune('0'+i))+" {simple: ["+strings.Repeat(p+", ", 9)+p+"]}}")
	}
	if _, _, err := Parse("bomb.yaml", strings.NewReader(inZone(bomb...))); err == nil || !strings.Contains(err.Error(), "YAML aliases") {
		t.Errorf("bomb: %v", err)
	}
}

func TestParseZoneTTLAfterRecords(t *testing.T) {
	in := "zones:\n  example.net:\n    records:\n      www: {A: {value: 192.0.2.1}}\n    ttl: 5m\n"
	d, _, err := Parse("order.yaml", strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if rs := d.Zones[0].Records[0]; rs.TTL != 300 || d.Zones[0].TTL != 300 {
		t.Errorf("record set TTL %d, zone TTL %d, want 300", rs.TTL, d.Zones[0].TTL)
	}
}
