package checks

import (
	"net/http"
	"strconv"
	"time"

	"github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

// StatusResponse answers GetHealthCheckStatus with one observation per checker.
// Route 53 has a dozen or so checkers per check; coretraffic has one per engine
// that probes it, named by region (the server's configured vantage point name)
// and its own source address.
func StatusResponse(obs ...Observation) GetHealthCheckStatusResponse {
	if obs == nil {
		obs = []Observation{}
	}
	return GetHealthCheckStatusResponse{Xmlns: apierr.Namespace, Observations: obs}
}

// Observe turns what an engine reports for a check (Handle.Status or
// CheckInfo.Status) into an observation: the newest result, worded as Route 53
// words its StatusReport, and the time it was taken. A check with no result yet
// reports "Unknown" at now; a disabled check what Route 53 says of it.
func Observe(region, checkerIP string, c HealthCheckConfig, st *healthcheck.Status, now time.Time) Observation {
	o := Observation{Region: region, IPAddress: checkerIP}
	switch {
	case c.Disabled:
		o.StatusReport = StatusReport{Status: "Success: Health checking is disabled; Route 53 considers the endpoint healthy", CheckedTime: now}
	case c.Type == TypeCalculated:
		o.StatusReport = StatusReport{Status: calculatedStatus(st), CheckedTime: now}
		if st != nil && !st.Since.IsZero() {
			o.StatusReport.CheckedTime = st.Since
		}
	case st == nil || len(st.Results) == 0:
		o.StatusReport = StatusReport{Status: "Unknown: The health check has not run yet", CheckedTime: now}
	default:
		r := st.Results[0]
		o.StatusReport = StatusReport{Status: resultStatus(c, r), CheckedTime: r.At.UTC()}
	}
	o.StatusReport.CheckedTime = o.StatusReport.CheckedTime.UTC().Truncate(time.Millisecond)
	return o
}

func calculatedStatus(st *healthcheck.Status) string {
	switch {
	case st == nil || !st.Probed:
		return "Unknown: Not every child health check has reported yet"
	case st.Up:
		return "Success: The calculated health check is healthy"
	}
	return "Failure: The calculated health check is unhealthy"
}

// resultStatus words one probe result in Route 53's style.
func resultStatus(c HealthCheckConfig, r healthcheck.Result) string {
	if r.OK {
		switch {
		case c.Type == TypeTCP:
			return "Success: TCP connection established"
		case isMatch(c.Type):
			return "Success: HTTP Status Code " + httpStatus(r.Code) + ". Search string found in the response body"
		}
		return "Success: HTTP Status Code " + httpStatus(r.Code)
	}
	var s string
	switch r.Kind {
	case healthcheck.KindTimeout:
		s = "Failure: Connection timed out. The endpoint or the internet connection is down, or requests are being blocked by your firewall."
	case healthcheck.KindRefused:
		s = "Failure: Connection refused. The endpoint is not listening on the port."
	case healthcheck.KindTLS:
		s = "Failure: TLS handshake failed."
	case healthcheck.KindStatus:
		s = "Failure: HTTP Status Code " + httpStatus(r.Code)
	case healthcheck.KindBody:
		s = "Failure: Search string not found in the first 5120 bytes of the response body. HTTP Status Code " + httpStatus(r.Code)
	default:
		s = "Failure: The health check failed."
	}
	if r.Detail != "" {
		s += " (" + r.Detail + ")"
	}
	return s
}

func httpStatus(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + ", " + t
	}
	return strconv.Itoa(code)
}
