package geo

import "math"

// EarthRadiusKm is the mean Earth radius (IUGG) used by Distance.
const EarthRadiusKm = 6371.0088

// Distance returns the great-circle distance in kilometres between two points
// given in degrees, by the haversine formula (well conditioned for small
// distances; antipodal points are handled by clamping).
func Distance(lat1, lon1, lat2, lon2 float64) float64 {
	const rad = math.Pi / 180
	φ1, φ2 := lat1*rad, lat2*rad
	dφ := (lat2 - lat1) * rad
	dλ := (lon2 - lon1) * rad
	sφ, sλ := math.Sin(dφ/2), math.Sin(dλ/2)
	h := sφ*sφ + math.Cos(φ1)*math.Cos(φ2)*sλ*sλ
	if h > 1 {
		h = 1
	}
	return 2 * EarthRadiusKm * math.Asin(math.Sqrt(h))
}
