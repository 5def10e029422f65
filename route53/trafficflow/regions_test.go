package trafficflow

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// Every region Route 53's model names, in any of its region enums, has coordinates.
func TestAWSRegionsCoverModel(t *testing.T) {
	var model []string
	for _, v := range types.ResourceRecordSetRegion("").Values() {
		model = append(model, string(v))
	}
	for _, v := range types.CloudWatchRegion("").Values() {
		model = append(model, string(v))
	}
	for _, v := range types.VPCRegion("").Values() {
		model = append(model, string(v))
	}
	for _, v := range types.HealthCheckRegion("").Values() {
		model = append(model, string(v))
	}
	if len(model) < 100 {
		t.Fatalf("only %d enum values: the SDK's enums changed shape", len(model))
	}
	for _, code := range model {
		if _, ok := RegionByCode(code); !ok {
			t.Errorf("region %q of Route 53's model has no coordinates", code)
		}
	}
}

func TestAWSRegionsTable(t *testing.T) {
	seen := map[string]bool{}
	for i, r := range AWSRegions {
		if seen[r.Code] {
			t.Errorf("%s twice", r.Code)
		}
		seen[r.Code] = true
		if i > 0 && AWSRegions[i-1].Code >= r.Code {
			t.Errorf("%s is out of order", r.Code)
		}
		if r.Lat < -90 || r.Lat > 90 || r.Lon < -180 || r.Lon > 180 || r.Lat == 0 && r.Lon == 0 || r.Place == "" {
			t.Errorf("%+v", r)
		}
	}
	if r, ok := RegionByCode("eu-central-1"); !ok || r.Place != "Frankfurt" {
		t.Errorf("RegionByCode(eu-central-1) = %+v, %v", r, ok)
	}
	if _, ok := RegionByCode("EU-CENTRAL-1"); ok {
		t.Error("region codes are lower case")
	}
}

func TestGeoCodes(t *testing.T) {
	if len(countries) != 249 {
		t.Errorf("%d ISO 3166-1 country codes, want 249", len(countries))
	}
	if len(usSubdivisions) != 62 {
		t.Errorf("%d US subdivision codes, want 62 (50 states, DC, 8 possessions, 3 military)", len(usSubdivisions))
	}
	for _, c := range []string{"DE", "US", "UA", "GB", "SS", "XK"} {
		if IsCountry(c) != (c != "XK") {
			t.Errorf("IsCountry(%s) = %v", c, IsCountry(c))
		}
	}
	if !IsUSSubdivision("VA") || IsUSSubdivision("HE") || len(continents) != 7 || ContinentName("EU") != "Europe" {
		t.Error("subdivisions or continents")
	}
}
