package policy

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/healthcheck"
)

var updateSchema = flag.Bool("update", false, "rewrite data.schema.json from the parser's tables")

type obj = map[string]any

// TestSchema keeps data.schema.json equal to the schema generated from the parser's
// key tables (go test ./policy -run TestSchema -update rewrites it) and checks that
// it is valid JSON whose node definitions list exactly the keys the parser accepts.
func TestSchema(t *testing.T) {
	want, err := json.MarshalIndent(dataSchema(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, '\n')
	if *updateSchema {
		if err := os.WriteFile("data.schema.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile("data.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("data.schema.json is stale: go test ./policy -run TestSchema -update")
	}
	var s struct {
		Schema string         `json:"$schema"`
		Defs   map[string]obj `json:"$defs"`
	}
	if err := json.Unmarshal(got, &s); err != nil {
		t.Fatal(err)
	}
	if s.Schema != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("$schema %q", s.Schema)
	}
	var keys []string
	for _, def := range []string{"recordSet", "node", "weightedChild", "geolocationChild", "geoproximityChild", "latencyChild", "ipChild"} {
		props, _ := s.Defs[def]["properties"].(obj)
		for k := range props {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	slices.Sort(keys)
	names := nodeKeyNames()
	slices.Sort(names)
	if !slices.Equal(keys, names) {
		t.Errorf("schema node keys %v, parser %v", keys, names)
	}
}

// dataSchema is the JSON Schema of a data file.
func dataSchema(t *testing.T) obj {
	defs := obj{
		"ttl": obj{"description": "seconds, or a Go duration in whole seconds: 30s, 5m, 1h", "oneOf": []any{
			obj{"type": "integer", "minimum": 0, "maximum": MaxTTL},
			obj{"type": "string", "pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`},
		}},
		"rdata": obj{"description": "presentation-format RDATA of the record type; names end with \".\"",
			"type": "string", "pattern": `^[^\n\r]*[^\s][^\n\r]*$`},
		"domainName": obj{"type": "string", "minLength": 1},
		"allDown": obj{"oneOf": []any{
			obj{"type": "string", "pattern": caseless(sortedKeys(allDownNames))},
			obj{"type": "object", "required": []string{"value"}, "additionalProperties": false,
				"properties": obj{"value": ref("rdata")}},
		}},
		"zone":            zoneSchema(),
		"soa":             soaSchema(),
		"owner":           ownerSchema(),
		"checks":          checksSchema(),
		"regions":         regionsSchema(),
		"latency":         latencySchema(),
		"cidrCollections": cidrCollectionsSchema(),
		"ms":              obj{"type": "number", "minimum": 0, "maximum": MaxLatencyMS, "description": "milliseconds"},
	}
	for name, c := range nodeContexts {
		defs[name] = nodeSchema(t, c)
	}
	return obj{
		"$schema":     "https://json-schema.org/draft/2020-12/schema",
		"$id":         "https://github.com/coretraffic/coretraffic/policy/data.schema.json",
		"title":       "coretraffic data file",
		"description": "Zones with routing policies, and health checks. See policy/FORMAT.md.",
		"type":        []string{"object", "null"}, "additionalProperties": false,
		"properties": obj{
			"checks":           ref("checks"),
			"regions":          ref("regions"),
			"latency":          ref("latency"),
			"cidr_collections": ref("cidrCollections"),
			"zones": obj{"description": "zone origin (trailing dot optional) to zone", "type": []string{"object", "null"},
				"additionalProperties": ref("zone")},
		},
		"$defs": defs,
	}
}

func ref(def string) obj { return obj{"$ref": "#/$defs/" + def} }

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// caseless is a pattern matching any of words, in any case.
func caseless(words []string) string {
	alts := make([]string, len(words))
	for i, w := range words {
		var b strings.Builder
		for _, r := range w {
			if lo, up := strings.ToLower(string(r)), strings.ToUpper(string(r)); lo != up {
				b.WriteString("[" + up + lo + "]")
			} else {
				b.WriteRune(r)
			}
		}
		alts[i] = b.String()
	}
	return "^(" + strings.Join(alts, "|") + ")$"
}

func degrees(limit float64, doc string) obj {
	return obj{"type": "number", "minimum": -limit, "maximum": limit, "description": doc}
}

func regionsSchema() obj {
	props := obj{"lat": degrees(90, "latitude, WGS 84 degrees"), "lon": degrees(180, "longitude, WGS 84 degrees")}
	mustHave(props, regionKeys)
	return obj{"description": "region name to its coordinates, named by geoproximity children",
		"type": []string{"object", "null"}, "propertyNames": obj{"pattern": regionName.String()},
		"additionalProperties": obj{"type": "object", "required": regionKeys, "additionalProperties": false, "properties": props}}
}

func latencySchema() obj {
	return obj{"description": "client region to {endpoint region: milliseconds}; every name a region of regions:",
		"type": []string{"object", "null"}, "propertyNames": obj{"pattern": regionName.String()},
		"additionalProperties": obj{"type": []string{"object", "null"}, "propertyNames": obj{"pattern": regionName.String()},
			"additionalProperties": ref("ms")}}
}

func cidrCollectionsSchema() obj {
	block := obj{"type": "string", "pattern": `^[^\s/]+/[0-9]{1,3}$`, "description": "a CIDR block: 203.0.113.0/24, 2001:db8::/32"}
	props := obj{
		"locations": obj{"description": "location name to its CIDR blocks", "type": "object",
			"propertyNames":        obj{"pattern": regionName.String()},
			"additionalProperties": obj{"oneOf": []any{block, obj{"type": "array", "minItems": 1, "items": block}}}},
		"file": obj{"type": "string", "minLength": 1,
			"description": "a collection file, one \"CIDR LOCATION\" a line, relative to the data file; reloaded with it"},
	}
	mustHave(props, collectionKeys)
	return obj{"description": "collection name to its blocks by location, or a collection file; named by ip nodes",
		"type": []string{"object", "null"}, "propertyNames": obj{"pattern": regionName.String()},
		"additionalProperties": obj{"type": "object", "additionalProperties": false, "properties": props,
			"oneOf": []any{obj{"required": []string{"locations"}}, obj{"required": []string{"file"}}}}}
}

func zoneSchema() obj {
	props := obj{"ttl": ref("ttl"), "soa": ref("soa"), "records": obj{
		"description": `owner name ("@", relative, absolute with a trailing dot, "*.x" wildcard) to record sets`,
		"type":        []string{"object", "null"}, "additionalProperties": ref("owner")}}
	mustHave(props, zoneKeys)
	return obj{"type": []string{"object", "null"}, "additionalProperties": false, "properties": props}
}

func soaSchema() obj {
	props := obj{"mname": ref("domainName"), "rname": ref("domainName"),
		"serial":  obj{"type": "integer", "minimum": 0, "maximum": uint32(1<<32 - 1)},
		"refresh": ref("ttl"), "retry": ref("ttl"), "expire": ref("ttl"), "minimum": ref("ttl")}
	mustHave(props, soaKeys)
	return obj{"type": []string{"object", "null"}, "additionalProperties": false, "properties": props}
}

func ownerSchema() obj {
	return obj{"description": "record type to record set", "type": "object",
		"propertyNames": obj{"pattern": caseless(recordTypeNames)}, "additionalProperties": ref("recordSet")}
}

// checksSchema describes checks: by each type's fields (see package healthcheck).
func checksSchema() obj {
	types := []healthcheck.Type{healthcheck.TypeHTTP, healthcheck.TypeHTTPS, healthcheck.TypeTCP,
		healthcheck.TypeDNS, healthcheck.TypeGRPC, healthcheck.TypeCalculated}
	var branches []any
	for _, typ := range types {
		props := obj{"type": obj{"pattern": caseless([]string{string(typ)})}}
		for _, f := range healthcheck.FieldNames(typ) {
			props[f] = true
		}
		branches = append(branches, obj{"properties": props, "additionalProperties": false})
	}
	check := obj{"type": "object", "required": []string{"type"}, "oneOf": branches}
	return obj{"description": "check name to check, see healthcheck", "type": []string{"object", "null"},
		"additionalProperties": check}
}

func mustHave(props obj, keys []string) {
	if len(props) != len(keys) {
		panic("schema and key table differ")
	}
	for _, k := range keys {
		if props[k] == nil {
			panic("schema lacks " + k)
		}
	}
}

// nodeContexts are the places a node can be, one schema definition each.
var nodeContexts = map[string]nodeCtx{
	"recordSet":         {top: true},
	"node":              {parent: RuleSimple}, // child of simple, failover, multivalue
	"weightedChild":     {parent: RuleWeighted},
	"geolocationChild":  {parent: RuleGeolocation},
	"geoproximityChild": {parent: RuleGeoproximity},
	"latencyChild":      {parent: RuleLatency},
	"ipChild":           {parent: RuleIP},
}

// nodeSchema describes a node at c: the keys allowed there, exactly one rule key,
// and for each rule key the keys it excludes (as the parser's allowed decides).
func nodeSchema(t *testing.T, c nodeCtx) obj {
	props := obj{}
	var rules []*nodeKey
	for i := range nodeKeys {
		if nodeKeys[i].scope == isRuleKey {
			rules = append(rules, &nodeKeys[i])
		}
	}
	for _, k := range nodeKeys {
		if slices.ContainsFunc(rules, func(rk *nodeKey) bool { return allowed(k.scope, c, rk) }) {
			props[k.name] = keySchema(t, k)
		}
	}
	var branches []any
	for _, rk := range rules {
		forbid := obj{}
		for _, k := range nodeKeys {
			if k.name != rk.name && props[k.name] != nil && !allowed(k.scope, c, rk) {
				forbid[k.name] = false
			}
		}
		b := obj{"required": []string{rk.name}}
		if rk.rule == RuleIP {
			b["required"] = []string{rk.name, "collection"}
		}
		if len(forbid) > 0 {
			b["properties"] = forbid
		}
		branches = append(branches, b)
	}
	s := obj{"type": "object", "properties": props, "additionalProperties": false, "oneOf": branches}
	switch {
	case !c.top && c.parent == RuleWeighted:
		s["required"] = []string{"weight"}
	case !c.top && c.parent == RuleGeolocation:
		s["anyOf"] = matchBranches()
	case !c.top && c.parent == RuleLatency:
		s["required"] = []string{"region"}
	case !c.top && c.parent == RuleIP:
		s["required"] = []string{"location"}
	case !c.top && c.parent == RuleGeoproximity:
		s["anyOf"] = []any{
			obj{"required": []string{"region"}, "properties": obj{"lat": false, "lon": false}},
			obj{"required": []string{"lat", "lon"}, "properties": obj{"region": false}},
		}
	}
	return s
}

// matchBranches: one match key per child, except that city may come with country.
func matchBranches() []any {
	var match []string
	for _, k := range nodeKeys {
		if k.scope == underGeolocation {
			match = append(match, k.name)
		}
	}
	var branches []any
	for _, m := range match {
		forbid := obj{}
		for _, o := range match {
			if o != m && !(m == "city" && o == "country" || m == "country" && o == "city") {
				forbid[o] = false
			}
		}
		branches = append(branches, obj{"required": []string{m}, "properties": forbid})
	}
	return branches
}

// keySchema is the schema of the value of node key k.
func keySchema(t *testing.T, k nodeKey) obj {
	list := func(item obj) obj {
		return obj{"type": "array", "minItems": 1, "maxItems": MaxChildren, "items": item}
	}
	var s obj
	switch k.name {
	case "value":
		s = ref("rdata")
	case "values":
		s = list(ref("rdata"))
	case "simple", "failover", "multivalue":
		s = list(ref("node"))
	case "weighted":
		s = list(ref("weightedChild"))
	case "geolocation":
		s = list(ref("geolocationChild"))
	case "geoproximity":
		s = list(ref("geoproximityChild"))
	case "latency":
		s = list(ref("latencyChild"))
	case "ip":
		s = list(ref("ipChild"))
	case "collection":
		s = obj{"type": "string", "pattern": regionName.String()}
	case "location":
		s = obj{"type": "string", "pattern": `^(\*|` + strings.Trim(regionName.String(), "^$") + `)$`}
	case "source":
		s = obj{"type": "string", "pattern": caseless(latencySourceNames[:])}
	case "hysteresis":
		props := obj{"percent": obj{"type": "integer", "minimum": 0, "maximum": 100}, "ms": ref("ms")}
		mustHave(props, hysteresisKeys)
		s = obj{"type": "object", "additionalProperties": false, "properties": props,
			"anyOf": []any{obj{"required": []string{"percent"}}, obj{"required": []string{"ms"}}}}
	case "region":
		s = obj{"type": "string", "pattern": regionName.String()}
	case "lat":
		s = degrees(90, "")
	case "lon":
		s = degrees(180, "")
	case "bias":
		s = obj{"type": "integer", "minimum": -MaxBias, "maximum": MaxBias}
	case "name", "check", "city":
		s = obj{"type": "string", "pattern": `[^\s]`}
	case "all_down":
		s = ref("allDown")
	case "max":
		s = obj{"type": "integer", "minimum": 1, "maximum": MaxMultivalueMax}
	case "weight":
		s = obj{"type": "integer", "minimum": 0, "maximum": MaxWeight}
	case "continent":
		s = obj{"type": "string", "pattern": caseless(continents)}
	case "country":
		s = obj{"type": "string", "pattern": `^[A-Za-z]{2}$`}
	case "subdivision":
		s = obj{"type": "string", "pattern": `^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$`}
	case "default":
		s = obj{"const": true}
	case "sticky", "evaluate_target_health":
		s = obj{"type": "boolean"}
	case "alias":
		s = obj{"type": "string", "pattern": `[^\s]`}
	case "kubernetes":
		props := obj{}
		for _, key := range kubeKeys {
			props[key] = obj{"type": "string", "pattern": `[^\s]`}
		}
		props["service"] = obj{"type": "string", "pattern": `^[a-z0-9]([-a-z0-9]*[a-z0-9])?/[a-z0-9]([-a-z0-9]*[a-z0-9])?$`}
		props["from"] = obj{"enum": []string{KubeFromLoadBalancer, KubeFromEndpoints}}
		s = obj{"type": "object", "additionalProperties": false, "required": []string{"service", "from"}, "properties": props}
	case "sticky_prefix":
		s = obj{"type": "string", "pattern": `^([0-9]|[12][0-9]|3[0-2])/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8])$`}
	case "ttl":
		s = ref("ttl")
	default:
		t.Fatalf("no schema for node key %q", k.name)
	}
	s["description"] = k.doc
	return s
}
