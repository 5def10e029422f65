package route53

import (
	"math"
	"slices"
	"sync"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// awsPlace is where an AWS Region or Local Zone group is: the coordinates of the
// metropolitan area it serves (public information; a city's centre, two decimals).
type awsPlace struct {
	Name     string
	Lat, Lon float64
	Local    bool // a Local Zone group (GeoProximityLocation.LocalZoneGroup), not a Region
}

// awsPlaces lists every Region of the API model's ResourceRecordSetRegion enum and
// the Local Zone groups this server knows. Latency records are placed at their
// Region; geoproximity records at their AWSRegion or LocalZoneGroup.
var awsPlaces = []awsPlace{
	{Name: "us-east-1", Lat: 38.95, Lon: -77.45},       // N. Virginia
	{Name: "us-east-2", Lat: 39.96, Lon: -83.00},       // Ohio
	{Name: "us-west-1", Lat: 37.35, Lon: -121.96},      // N. California
	{Name: "us-west-2", Lat: 45.84, Lon: -119.70},      // Oregon
	{Name: "ca-central-1", Lat: 45.50, Lon: -73.57},    // Montreal
	{Name: "ca-west-1", Lat: 51.05, Lon: -114.07},      // Calgary
	{Name: "eu-west-1", Lat: 53.35, Lon: -6.26},        // Dublin
	{Name: "eu-west-2", Lat: 51.51, Lon: -0.13},        // London
	{Name: "eu-west-3", Lat: 48.86, Lon: 2.35},         // Paris
	{Name: "eu-central-1", Lat: 50.11, Lon: 8.68},      // Frankfurt
	{Name: "eu-central-2", Lat: 47.37, Lon: 8.54},      // Zurich
	{Name: "eu-north-1", Lat: 59.33, Lon: 18.07},       // Stockholm
	{Name: "eu-south-1", Lat: 45.46, Lon: 9.19},        // Milan
	{Name: "eu-south-2", Lat: 41.65, Lon: -0.88},       // Aragón
	{Name: "eusc-de-east-1", Lat: 52.39, Lon: 13.06},   // Brandenburg
	{Name: "ap-southeast-1", Lat: 1.35, Lon: 103.82},   // Singapore
	{Name: "ap-southeast-2", Lat: -33.87, Lon: 151.21}, // Sydney
	{Name: "ap-southeast-3", Lat: -6.21, Lon: 106.85},  // Jakarta
	{Name: "ap-southeast-4", Lat: -37.81, Lon: 144.96}, // Melbourne
	{Name: "ap-southeast-5", Lat: 3.14, Lon: 101.69},   // Malaysia
	{Name: "ap-southeast-6", Lat: -36.85, Lon: 174.76}, // New Zealand
	{Name: "ap-southeast-7", Lat: 13.76, Lon: 100.50},  // Thailand
	{Name: "ap-northeast-1", Lat: 35.68, Lon: 139.69},  // Tokyo
	{Name: "ap-northeast-2", Lat: 37.57, Lon: 126.98},  // Seoul
	{Name: "ap-northeast-3", Lat: 34.69, Lon: 135.50},  // Osaka
	{Name: "ap-east-1", Lat: 22.32, Lon: 114.17},       // Hong Kong
	{Name: "ap-east-2", Lat: 25.03, Lon: 121.57},       // Taipei
	{Name: "ap-south-1", Lat: 19.08, Lon: 72.88},       // Mumbai
	{Name: "ap-south-2", Lat: 17.39, Lon: 78.49},       // Hyderabad
	{Name: "sa-east-1", Lat: -23.55, Lon: -46.63},      // São Paulo
	{Name: "mx-central-1", Lat: 20.59, Lon: -100.39},   // Mexico
	{Name: "cn-north-1", Lat: 39.90, Lon: 116.41},      // Beijing
	{Name: "cn-northwest-1", Lat: 38.49, Lon: 106.23},  // Ningxia
	{Name: "me-south-1", Lat: 26.07, Lon: 50.56},       // Bahrain
	{Name: "me-central-1", Lat: 24.45, Lon: 54.38},     // UAE
	{Name: "il-central-1", Lat: 32.09, Lon: 34.78},     // Tel Aviv
	{Name: "af-south-1", Lat: -33.92, Lon: 18.42},      // Cape Town
	{Name: "us-gov-east-1", Lat: 39.96, Lon: -83.00},   // GovCloud (US-East), Ohio
	{Name: "us-gov-west-1", Lat: 45.84, Lon: -119.70},  // GovCloud (US-West), Oregon

	{Name: "us-east-1-atl-1", Lat: 33.75, Lon: -84.39, Local: true},
	{Name: "us-east-1-bos-1", Lat: 42.36, Lon: -71.06, Local: true},
	{Name: "us-east-1-dfw-1", Lat: 32.78, Lon: -96.80, Local: true},
	{Name: "us-east-1-iah-1", Lat: 29.76, Lon: -95.37, Local: true},
	{Name: "us-east-1-mci-1", Lat: 39.10, Lon: -94.58, Local: true},
	{Name: "us-east-1-mia-1", Lat: 25.76, Lon: -80.19, Local: true},
	{Name: "us-east-1-msp-1", Lat: 44.98, Lon: -93.27, Local: true},
	{Name: "us-east-1-nyc-1", Lat: 40.71, Lon: -74.01, Local: true},
	{Name: "us-east-1-phl-1", Lat: 39.95, Lon: -75.17, Local: true},
	{Name: "us-east-1-bue-1", Lat: -34.60, Lon: -58.38, Local: true},
	{Name: "us-east-1-lim-1", Lat: -12.05, Lon: -77.04, Local: true},
	{Name: "us-east-1-scl-1", Lat: -33.45, Lon: -70.67, Local: true},
	{Name: "us-west-2-den-1", Lat: 39.74, Lon: -104.99, Local: true},
	{Name: "us-west-2-las-1", Lat: 36.17, Lon: -115.14, Local: true},
	{Name: "us-west-2-lax-1", Lat: 34.05, Lon: -118.24, Local: true},
	{Name: "us-west-2-pdx-1", Lat: 45.52, Lon: -122.68, Local: true},
	{Name: "us-west-2-phx-2", Lat: 33.45, Lon: -112.07, Local: true},
	{Name: "us-west-2-sea-1", Lat: 47.61, Lon: -122.33, Local: true},
	{Name: "eu-central-1-ham-1", Lat: 53.55, Lon: 9.99, Local: true},
	{Name: "eu-central-1-waw-1", Lat: 52.23, Lon: 21.01, Local: true},
	{Name: "eu-north-1-cph-1", Lat: 55.68, Lon: 12.57, Local: true},
	{Name: "eu-north-1-hel-1", Lat: 60.17, Lon: 24.94, Local: true},
	{Name: "ap-south-1-ccu-1", Lat: 22.57, Lon: 88.36, Local: true},
	{Name: "ap-south-1-del-1", Lat: 28.61, Lon: 77.21, Local: true},
	{Name: "ap-southeast-1-bkk-1", Lat: 13.76, Lon: 100.50, Local: true},
	{Name: "ap-southeast-1-mnl-1", Lat: 14.60, Lon: 120.98, Local: true},
	{Name: "ap-southeast-2-akl-1", Lat: -36.85, Lon: 174.76, Local: true},
	{Name: "ap-southeast-2-per-1", Lat: -31.95, Lon: 115.86, Local: true},
	{Name: "ap-northeast-1-tpe-1", Lat: 25.03, Lon: 121.57, Local: true},
	{Name: "me-south-1-mct-1", Lat: 23.59, Lon: 58.41, Local: true},
	{Name: "af-south-1-los-1", Lat: 6.52, Lon: 3.38, Local: true},
	{Name: "af-south-1-nbo-1", Lat: -1.29, Lon: 36.82, Local: true},
}

// awsPlaceByName finds a Region (local false) or a Local Zone group (local true).
func awsPlaceByName(name string, local bool) (awsPlace, bool) {
	for _, p := range awsPlaces {
		if p.Name == name && p.Local == local {
			return p, true
		}
	}
	return awsPlace{}, false
}

func latencyRegionNames() []string {
	var names []string
	for _, p := range awsPlaces {
		if !p.Local {
			names = append(names, p.Name)
		}
	}
	return names
}

// Latency between regions is estimated from their great-circle distance: light in
// fibre covers about 200 km per millisecond, and a round trip is twice the way, so
// one millisecond per 100 km, plus a floor for the last mile.
const (
	kmPerRTTms    = 100
	lastMileRTTms = 1
)

var regionTable = sync.OnceValues(func() ([]*policy.Region, *policy.LatencyTable) {
	var regions, latency []*policy.Region
	for _, p := range awsPlaces {
		r := &policy.Region{Name: p.Name, Lat: p.Lat, Lon: p.Lon}
		regions = append(regions, r)
		if !p.Local {
			latency = append(latency, r)
		}
	}
	t := &policy.LatencyTable{}
	for _, from := range latency {
		row := policy.LatencyRow{From: from, MS: make(map[string]float64, len(latency))}
		for _, to := range latency {
			km := geo.Distance(from.Lat, from.Lon, to.Lat, to.Lon)
			row.MS[to.Name] = math.Round(km/kmPerRTTms) + lastMileRTTms
		}
		t.Rows = append(t.Rows, row)
	}
	return regions, t
})

// Regions returns the AWS Regions and Local Zone groups as policy regions, in the
// table's order: the regions: section an exported data file needs for its latency
// and geoproximity nodes. The caller must not modify them.
func Regions() []*policy.Region {
	r, _ := regionTable()
	return slices.Clone(r)
}

// LatencyTable returns the latency table every latency node of a translated zone
// uses: from clients at each AWS Region (a client belongs to the nearest; Local
// Zone groups are not rows or columns) to
// endpoints at each Region, estimated from the great-circle distance. So a latency
// record set answers with the record of the Region nearest to the client's nearest
// Region, as Route 53's latency measurements between its Regions mostly do. The
// caller must not modify it.
func LatencyTable() *policy.LatencyTable {
	_, t := regionTable()
	return t
}
