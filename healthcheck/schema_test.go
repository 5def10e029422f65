package healthcheck

import (
	"encoding/json"
	"os"
	"slices"
	"testing"
)

// TestSchemaMatchesFields keeps checks.schema.json in step with the field table.
func TestSchemaMatchesFields(t *testing.T) {
	b, err := os.ReadFile("checks.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		AdditionalProperties struct {
			OneOf []struct {
				Properties map[string]struct {
					Const string `json:"const"`
				} `json:"properties"`
			} `json:"oneOf"`
		} `json:"additionalProperties"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, alt := range schema.AdditionalProperties.OneOf {
		typ := Type(alt.Properties["type"].Const)
		var names []string
		for n := range alt.Properties {
			if n != "type" {
				names = append(names, n)
			}
		}
		slices.Sort(names)
		if want := FieldNames(typ); !slices.Equal(names, want) {
			t.Errorf("schema fields of %s: %v, code: %v", typ, names, want)
		}
		seen++
	}
	if seen != len(allTypes) {
		t.Errorf("schema describes %d types, want %d", seen, len(allTypes))
	}
}
