package checks

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/healthcheck"
)

// Timing of Route 53's checkers: an HTTP(S) endpoint must accept the TCP connection
// within 4 s and answer within 2 s more; a TCP endpoint must accept within 10 s.
// The engine needs a probe to end before the next one starts, so a TCP check with a
// 10 s interval gets 9 s.
const (
	httpConnectTimeout = 4 * time.Second
	httpTimeout        = 6 * time.Second
	tcpTimeout         = 10 * time.Second
)

// ToSpec maps a validated health check onto the engine's Spec, named id:
//
//   - RequestInterval is the interval; FailureThreshold is both fall and rise (Route
//     53 needs that many consecutive results either way), starting healthy.
//   - HTTP types probe scheme://host[:port]/path, host being FullyQualifiedDomainName
//     (the Host header, with the port unless it is the scheme's default, and SNI) and
//     IPAddress the address dialled; with an IPAddress only, it is the Host too.
//     Status 200–399 is healthy; *_STR_MATCH also needs SearchString in the first
//     5120 bytes. HTTPS does not verify the certificate, as Route 53's checkers
//     don't; EnableSNI false sends no server name when an IPAddress is given (with a
//     name only, the name is always sent).
//   - TCP connects to IPAddress (or the name) and Port.
//   - CALCULATED has the children by ID and min_healthy HealthThreshold. Route 53's
//     fixed states (threshold 0: always healthy; above the number of children:
//     always unhealthy) become a disabled check, with Forced telling the caller to
//     hold it down when the fixed state, after inversion, is unhealthy.
//   - Inverted and Disabled map onto invert and disabled (see Forced for both).
//
// The Spec is normalized and passes healthcheck's own validation.
func ToSpec(id string, c HealthCheckConfig) (healthcheck.Spec, error) {
	if err := c.Validate(); err != nil {
		return healthcheck.Spec{}, err
	}
	s := healthcheck.Spec{Name: id, Invert: c.Inverted, Disabled: c.Disabled, Initial: healthcheck.InitialHealthy}
	switch {
	case c.Type == TypeCalculated:
		s.Type = healthcheck.TypeCalculated
		s.Children = c.ChildHealthChecks
		s.MinHealthy = *c.HealthThreshold
		if _, fixed := c.fixed(); fixed {
			s.Disabled = true
			s.MinHealthy = len(c.ChildHealthChecks)
		}
	case c.Type == TypeTCP:
		s.Type = healthcheck.TypeTCP
		s.Target = net.JoinHostPort(c.host(), strconv.Itoa(c.Port))
		t := min(tcpTimeout, time.Duration(c.RequestInterval)*time.Second-time.Second)
		c.timing(&s, t, t)
	default:
		c.httpSpec(&s)
	}
	s.Normalize()
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("health check %s does not map onto the engine: %w", id, err)
	}
	return s, nil
}

func (c *HealthCheckConfig) httpSpec(s *healthcheck.Spec) {
	s.Type = healthcheck.TypeHTTP
	scheme, defPort := "http", 80
	if isTLS(c.Type) {
		s.Type, scheme, defPort = healthcheck.TypeHTTPS, "https", 443
		s.TLSSkipVerify = true
	}
	host := c.FullyQualifiedDomainName
	if host == "" {
		host = c.IPAddress
	} else if c.IPAddress != "" {
		s.Address = c.IPAddress
	}
	host = strings.TrimSuffix(host, ".")
	hostport := host
	if ip, err := netip.ParseAddr(host); err == nil && ip.Is6() {
		hostport = "[" + host + "]"
	}
	if c.Port != defPort {
		hostport = net.JoinHostPort(host, strconv.Itoa(c.Port))
	}
	path := c.ResourcePath
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	s.URL = scheme + "://" + hostport + path
	if isTLS(c.Type) && c.EnableSNI != nil && !*c.EnableSNI && c.IPAddress != "" {
		s.SNI = c.IPAddress // an IP as server name: Go's TLS client then sends no SNI
	}
	if isMatch(c.Type) {
		s.Match = c.SearchString
		s.MatchLimit = healthcheck.DefaultMatchLimit
	}
	c.timing(s, httpTimeout, httpConnectTimeout)
}

// timing sets the interval, timeouts and thresholds of a probed check.
func (c *HealthCheckConfig) timing(s *healthcheck.Spec, timeout, connect time.Duration) {
	s.Interval = time.Duration(c.RequestInterval) * time.Second
	s.Timeout = timeout
	s.ConnectTimeout = connect
	s.Fall = c.FailureThreshold
	s.Rise = c.FailureThreshold
}

// host is what a TCP check connects to: the IP, else the name.
func (c *HealthCheckConfig) host() string {
	if c.IPAddress != "" {
		return c.IPAddress
	}
	return strings.TrimSuffix(c.FullyQualifiedDomainName, ".")
}

// fixed returns the state of a calculated check whose HealthThreshold decides it
// regardless of its children (before inversion).
func (c *HealthCheckConfig) fixed() (up, ok bool) {
	if c.Type != TypeCalculated || c.HealthThreshold == nil {
		return false, false
	}
	switch {
	case *c.HealthThreshold == 0:
		return true, true
	case *c.HealthThreshold > len(c.ChildHealthChecks):
		return false, true
	}
	return false, false
}

// Forced is the override the caller sets on the engine (Engine.SetOverride) for a
// check whose Route 53 state is constantly unhealthy, which a Spec cannot say: a
// disabled check that is also inverted (Route 53: disabled is healthy, inverted
// that is unhealthy — the documented way to stop routing to an endpoint) and a
// calculated check fixed unhealthy by its HealthThreshold (or fixed healthy and
// inverted). Otherwise it is OverrideNone.
func Forced(c HealthCheckConfig) healthcheck.Override {
	up, fixed := c.fixed()
	switch {
	case c.Disabled && c.Inverted:
		return healthcheck.OverrideDown
	case c.Disabled:
		return healthcheck.OverrideNone
	case fixed && up == c.Inverted:
		return healthcheck.OverrideDown
	}
	return healthcheck.OverrideNone
}
