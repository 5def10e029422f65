package policy

import (
	"strings"
	"testing"
)

func TestGeoCodes(t *testing.T) {
	tests := []struct {
		name  string
		check func(string) error
		code  string
		want  string // "" = valid; else in the error
	}{
		{"country", CheckCountry, "DE", ""},
		{"country Ukraine", CheckCountry, "UA", ""},
		{"country Kosovo (MaxMind)", CheckCountry, "XK", ""},
		{"country unknown", CheckCountry, "XX", `unknown country code "XX": not in ISO 3166-1 alpha-2 (did you mean one of XK, AX, CX?)`},
		{"country swapped", CheckCountry, "ED", "did you mean one of DE,"},
		{"country reserved UK", CheckCountry, "UK", "(did you mean GB?)"},
		{"country alpha-3", CheckCountry, "FRA", "(did you mean FR?)"},
		{"country by name", CheckCountry, "GERMANY", "(did you mean DE?)"},
		{"country no guess", CheckCountry, "Q", `unknown country code "Q": not in ISO 3166-1 alpha-2`},
		{"continent", CheckContinent, "OC", ""},
		{"continent typo", CheckContinent, "EO", "(did you mean EU?)"},
		{"continent by name", CheckContinent, "EUROPE", "(did you mean EU?)"},
		{"continent unknown", CheckContinent, "XY", `unknown continent code "XY" (want AF AN AS EU NA OC SA)`},
		{"subdivision", CheckSubdivision, "US-VA", ""},
		{"subdivision Germany", CheckSubdivision, "DE-HE", ""},
		{"subdivision three characters", CheckSubdivision, "GB-LND", ""},
		{"subdivision typo", CheckSubdivision, "DE-HX", "not in ISO 3166-2 for Germany (did you mean one of DE-HB, DE-HE, DE-HH?)"},
		{"subdivision dropped letter", CheckSubdivision, "GB-LD", "did you mean one of"},
		{"subdivision country unknown", CheckSubdivision, "UK-LND", `unknown country "UK" in subdivision code "UK-LND" (did you mean GB-LND?)`},
		{"subdivision of a country without", CheckSubdivision, "AQ-01", "ISO 3166-2 lists no subdivisions of AQ"},
		{"subdivision without country", CheckSubdivision, "VA", "with its country like US-VA"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check(tc.code)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("%s: %v", tc.code, err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("%s: got %v, want %q", tc.code, err, tc.want)
			}
		})
	}
}

// TestGeoCodesTable: the generated table holds the whole standard, not a subset.
func TestGeoCodesTable(t *testing.T) {
	if n := len(isoCountries); n < 249 {
		t.Errorf("%d ISO 3166-1 countries, want 249 or more", n)
	}
	subs := 0
	for _, l := range isoSubdivisions {
		subs += len(strings.Fields(l))
	}
	if subs < 5000 {
		t.Errorf("%d ISO 3166-2 subdivisions, want 5000 or more", subs)
	}
	if n := len(strings.Fields(usStates)); n != 51 {
		t.Errorf("%d US states and districts, want 51", n)
	}
}

func TestRoute53GeoLocation(t *testing.T) {
	tests := []struct {
		continent, country, subdivision string
		want                            string
	}{
		{"EU", "", "", ""},
		{"", "DE", "", ""},
		{"", "*", "", ""},
		{"", "US", "VA", ""},
		{"", "US", "DC", ""},
		{"EU", "DE", "", "ContinentCode cannot be given with CountryCode"},
		{"XX", "", "", `unknown continent code "XX"`},
		{"", "", "", "needs ContinentCode or CountryCode"},
		{"", "ZZ", "", `unknown country code "ZZ"`},
		{"", "DE", "HE", "needs CountryCode US"},
		{"", "US", "GU", `unknown SubdivisionCode "GU": not a state of the United States (did you mean GA?)`},
		{"", "US", "VX", "(did you mean one of TX, VA, VT?)"},
	}
	for _, tc := range tests {
		err := CheckRoute53GeoLocation(tc.continent, tc.country, tc.subdivision)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q/%q/%q: %v", tc.continent, tc.country, tc.subdivision, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q/%q/%q: got %v, want %q", tc.continent, tc.country, tc.subdivision, err, tc.want)
		}
	}
}
