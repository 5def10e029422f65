package policy

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// schemaValidator checks instances against data.schema.json. It knows the subset of
// JSON Schema 2020-12 the schema uses and fails the test on any other keyword, so
// that the schema cannot quietly grow beyond what is tested here.
type schemaValidator struct {
	t    *testing.T
	defs map[string]any
}

func loadSchema(t *testing.T) (*schemaValidator, any) {
	b, err := os.ReadFile("data.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	defs, _ := s["$defs"].(map[string]any)
	return &schemaValidator{t: t, defs: defs}, s
}

func (v *schemaValidator) valid(schema, x any) bool {
	switch s := schema.(type) {
	case bool:
		return s
	case map[string]any:
		for kw, arg := range s {
			if !v.keyword(s, kw, arg, x) {
				return false
			}
		}
		return true
	}
	v.t.Fatalf("schema %v is neither an object nor a boolean", schema)
	return false
}

func (v *schemaValidator) keyword(s map[string]any, kw string, arg, x any) bool {
	m, isObj := x.(map[string]any)
	switch kw {
	case "$ref":
		return v.valid(v.defs[strings.TrimPrefix(arg.(string), "#/$defs/")], x)
	case "type":
		return slices.ContainsFunc(asList(arg), func(t any) bool { return jsonType(x, t.(string)) })
	case "properties":
		for k, ps := range arg.(map[string]any) {
			if val, has := m[k]; isObj && has && !v.valid(ps, val) {
				return false
			}
		}
	case "additionalProperties":
		props, _ := s["properties"].(map[string]any)
		for k, val := range m {
			if _, listed := props[k]; !listed && !v.valid(arg, val) {
				return false
			}
		}
	case "propertyNames":
		for k := range m {
			if !v.valid(arg, k) {
				return false
			}
		}
	case "required":
		for _, k := range asList(arg) {
			if _, has := m[k.(string)]; isObj && !has {
				return false
			}
		}
	case "oneOf", "anyOf":
		n := 0
		for _, b := range asList(arg) {
			if v.valid(b, x) {
				n++
			}
		}
		return n == 1 || kw == "anyOf" && n > 1
	default:
		return v.scalarKeyword(kw, arg, x)
	}
	return true
}

func (v *schemaValidator) scalarKeyword(kw string, arg, x any) bool {
	list, isList := x.([]any)
	str, isStr := x.(string)
	num, isNum := number(x)
	switch kw {
	case "items":
		return !isList || !slices.ContainsFunc(list, func(e any) bool { return !v.valid(arg, e) })
	case "minItems":
		return !isList || float64(len(list)) >= arg.(float64)
	case "maxItems":
		return !isList || float64(len(list)) <= arg.(float64)
	case "minLength":
		return !isStr || float64(len(str)) >= arg.(float64)
	case "pattern":
		return !isStr || regexp.MustCompile(arg.(string)).MatchString(str)
	case "minimum":
		return !isNum || num >= arg.(float64)
	case "maximum":
		return !isNum || num <= arg.(float64)
	case "const":
		return x == arg
	case "description", "title", "$schema", "$id", "$defs":
		return true
	}
	v.t.Fatalf("schema keyword %q is not supported by the test validator", kw)
	return false
}

func asList(a any) []any {
	if l, ok := a.([]any); ok {
		return l
	}
	return []any{a}
}

func number(x any) (float64, bool) {
	switch n := x.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func jsonType(x any, t string) bool {
	switch t {
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "string":
		_, ok := x.(string)
		return ok
	case "integer":
		n, ok := number(x)
		return ok && n == math.Trunc(n)
	case "number":
		_, ok := number(x)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "null":
		return x == nil
	}
	return false
}

// yamlInstance reads YAML as an editor would hand it to a JSON Schema validator.
func yamlInstance(t *testing.T, in string) any {
	var x any
	if err := yaml.Unmarshal([]byte(in), &x); err != nil {
		t.Fatal(err)
	}
	return stringKeys(x)
}

func stringKeys(x any) any {
	switch x := x.(type) {
	case map[string]any:
		for k, v := range x {
			x[k] = stringKeys(v)
		}
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, v := range x {
			m[fmt.Sprint(k)] = stringKeys(v)
		}
		return m
	case []any:
		for i, v := range x {
			x[i] = stringKeys(v)
		}
	}
	return x
}

func TestSchemaAcceptsTestdata(t *testing.T) {
	v, root := loadSchema(t)
	files, _ := filepath.Glob("testdata/*.yaml")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !v.valid(root, yamlInstance(t, string(b))) {
			t.Errorf("%s: the schema rejects a good file", f)
		}
	}
}

// schemaRejects are rows of badFiles whose error the schema also catches.
var schemaRejects = []string{
	"top not a mapping", "bad check", "soa bad refresh", "unknown top key", "zones not a mapping", "unknown zone key", "zone not a mapping", "negative ttl",
	"ttl too large", "ttl word", "ttl list", "unknown soa key", "soa serial range", "records not a mapping",
	"owner not a mapping", "unknown type", "node not a mapping", "no rule key", "two rule keys",
	"unknown node key", "empty children", "children not a list", "child not a mapping", "too many children",
	"weight at the top", "weight under failover", "match key under weighted", "max on simple",
	"check on values", "check on an inner node", "all_down on a leaf", "ttl below the top",
	"missing weight", "weight too large", "weight negative", "weight not a number", "max zero", "max too large",
	"empty check", "check not a string", "empty name", "all_down unknown", "all_down other mapping",
	"no match", "two matches", "city with subdivision", "default false", "default not a bool",
	"unknown continent", "bad country", "bad subdivision", "empty value", "null value", "value list",
	"values empty", "values scalar", "values item a list", "two lines",
	"sticky on failover", "sticky on a leaf", "sticky not a bool", "sticky_prefix one number",
	"sticky_prefix IPv4 too long", "sticky_prefix IPv6 too long", "sticky under weighted child",
	"regions not a mapping", "region without lon", "region lat out of range", "region lon out of range",
	"region lat a word", "region lat quoted", "region unknown key", "region bad name", "geoproximity no place",
	"geoproximity lat without lon", "geoproximity region and lat", "geoproximity lat out of range",
	"geoproximity lon out of range", "bias too large", "bias too small", "bias fraction", "bias under weighted",
	"lat at the top", "geoproximity empty",
	"latency table not a mapping", "latency table negative", "latency table too large", "latency table word",
	"latency table row a list", "latency child without region", "latency child with lat", "latency child with bias",
	"region under weighted", "source unknown", "source on weighted", "hysteresis on failover", "hysteresis unknown key",
	"hysteresis percent too large", "hysteresis ms negative", "hysteresis empty", "hysteresis scalar", "latency empty",
	"collections not a mapping", "collection both forms", "collection unknown key", "collection bad name",
	"collection location bad name", "collection location star", "collection block without length", "collection empty list",
	"ip without collection", "ip child without location", "location outside ip", "collection outside ip", "ip empty",
}

func TestSchemaRejects(t *testing.T) {
	v, root := loadSchema(t)
	n := 0
	for _, tc := range badFiles {
		if !slices.Contains(schemaRejects, tc.name) {
			continue
		}
		n++
		if v.valid(root, yamlInstance(t, tc.in)) {
			t.Errorf("%s: the schema accepts it", tc.name)
		}
	}
	if n != len(schemaRejects) {
		t.Errorf("schemaRejects names %d rows of badFiles, found %d", len(schemaRejects), n)
	}
}
