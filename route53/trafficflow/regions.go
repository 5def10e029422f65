package trafficflow

// AWSRegion is where an AWS region is, for latency and geoproximity rules.
type AWSRegion struct {
	Code     string  // "eu-central-1"
	Place    string  // the metro area AWS names for the region
	Lat, Lon float64 // WGS 84 degrees, to about 0.1° (a metro area, not a building)
	// Approximate is true for the isolated (ISO) regions, whose locations AWS does
	// not publish: they are placed in the part of their country their name says.
	Approximate bool
}

// AWSRegions lists every region of Route 53's API model (the ResourceRecordSetRegion,
// CloudWatchRegion and VPCRegion enums of the 2013-04-01 model, aws-sdk-go-v2
// route53 v1.70.2) with the coordinates of the metro area AWS names for it.
var AWSRegions = []AWSRegion{
	{Code: "af-south-1", Place: "Cape Town", Lat: -33.92, Lon: 18.42},
	{Code: "ap-east-1", Place: "Hong Kong", Lat: 22.32, Lon: 114.17},
	{Code: "ap-east-2", Place: "Taipei", Lat: 25.03, Lon: 121.57},
	{Code: "ap-northeast-1", Place: "Tokyo", Lat: 35.68, Lon: 139.69},
	{Code: "ap-northeast-2", Place: "Seoul", Lat: 37.57, Lon: 126.98},
	{Code: "ap-northeast-3", Place: "Osaka", Lat: 34.69, Lon: 135.50},
	{Code: "ap-south-1", Place: "Mumbai", Lat: 19.08, Lon: 72.88},
	{Code: "ap-south-2", Place: "Hyderabad", Lat: 17.39, Lon: 78.49},
	{Code: "ap-southeast-1", Place: "Singapore", Lat: 1.35, Lon: 103.82},
	{Code: "ap-southeast-2", Place: "Sydney", Lat: -33.87, Lon: 151.21},
	{Code: "ap-southeast-3", Place: "Jakarta", Lat: -6.21, Lon: 106.85},
	{Code: "ap-southeast-4", Place: "Melbourne", Lat: -37.81, Lon: 144.96},
	{Code: "ap-southeast-5", Place: "Kuala Lumpur", Lat: 3.14, Lon: 101.69},
	{Code: "ap-southeast-6", Place: "Auckland", Lat: -36.85, Lon: 174.76},
	{Code: "ap-southeast-7", Place: "Bangkok", Lat: 13.76, Lon: 100.50},
	{Code: "ca-central-1", Place: "Montréal", Lat: 45.50, Lon: -73.57},
	{Code: "ca-west-1", Place: "Calgary", Lat: 51.05, Lon: -114.07},
	{Code: "cn-north-1", Place: "Beijing", Lat: 39.90, Lon: 116.41},
	{Code: "cn-northwest-1", Place: "Ningxia (Zhongwei)", Lat: 37.50, Lon: 105.19},
	{Code: "eu-central-1", Place: "Frankfurt", Lat: 50.11, Lon: 8.68},
	{Code: "eu-central-2", Place: "Zurich", Lat: 47.38, Lon: 8.54},
	{Code: "eu-isoe-west-1", Place: "western Europe (not published)", Lat: 48.86, Lon: 2.35, Approximate: true},
	{Code: "eu-north-1", Place: "Stockholm", Lat: 59.33, Lon: 18.07},
	{Code: "eu-south-1", Place: "Milan", Lat: 45.46, Lon: 9.19},
	{Code: "eu-south-2", Place: "Aragón (Zaragoza)", Lat: 41.65, Lon: -0.88},
	{Code: "eu-west-1", Place: "Dublin", Lat: 53.35, Lon: -6.26},
	{Code: "eu-west-2", Place: "London", Lat: 51.51, Lon: -0.13},
	{Code: "eu-west-3", Place: "Paris", Lat: 48.86, Lon: 2.35},
	{Code: "eusc-de-east-1", Place: "Brandenburg (European Sovereign Cloud)", Lat: 52.40, Lon: 13.07},
	{Code: "il-central-1", Place: "Tel Aviv", Lat: 32.09, Lon: 34.78},
	{Code: "me-central-1", Place: "United Arab Emirates (Dubai)", Lat: 25.20, Lon: 55.27},
	{Code: "me-south-1", Place: "Bahrain (Manama)", Lat: 26.23, Lon: 50.59},
	{Code: "mx-central-1", Place: "Querétaro", Lat: 20.59, Lon: -100.39},
	{Code: "sa-east-1", Place: "São Paulo", Lat: -23.55, Lon: -46.63},
	{Code: "us-east-1", Place: "Northern Virginia (Ashburn)", Lat: 39.04, Lon: -77.49},
	{Code: "us-east-2", Place: "Ohio (Columbus)", Lat: 39.96, Lon: -83.00},
	{Code: "us-gov-east-1", Place: "GovCloud US-East, Ohio", Lat: 39.96, Lon: -83.00},
	{Code: "us-gov-west-1", Place: "GovCloud US-West, Oregon", Lat: 45.84, Lon: -119.70},
	{Code: "us-iso-east-1", Place: "eastern US (not published)", Lat: 39.04, Lon: -77.49, Approximate: true},
	{Code: "us-iso-west-1", Place: "western US (not published)", Lat: 39.74, Lon: -104.99, Approximate: true},
	{Code: "us-isob-east-1", Place: "eastern US (not published)", Lat: 39.04, Lon: -77.49, Approximate: true},
	{Code: "us-isob-west-1", Place: "western US (not published)", Lat: 39.74, Lon: -104.99, Approximate: true},
	{Code: "us-isof-east-1", Place: "eastern US (not published)", Lat: 39.04, Lon: -77.49, Approximate: true},
	{Code: "us-isof-south-1", Place: "southern US (not published)", Lat: 32.78, Lon: -96.80, Approximate: true},
	{Code: "us-west-1", Place: "Northern California (San Jose)", Lat: 37.34, Lon: -121.89},
	{Code: "us-west-2", Place: "Oregon (Boardman)", Lat: 45.84, Lon: -119.70},
}

var regionIndex = func() map[string]int {
	m := make(map[string]int, len(AWSRegions))
	for i, r := range AWSRegions {
		m[r.Code] = i
	}
	return m
}()

// RegionByCode finds an AWS region by its code ("us-east-1").
func RegionByCode(code string) (AWSRegion, bool) {
	i, ok := regionIndex[code]
	if !ok {
		return AWSRegion{}, false
	}
	return AWSRegions[i], true
}
