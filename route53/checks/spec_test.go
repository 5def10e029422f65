package checks

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/healthcheck"
)

func ptr[T any](v T) *T { return &v }

// normalized returns c with Route 53's defaults, as Create stores it.
func normalized(c HealthCheckConfig) HealthCheckConfig {
	c.Normalize()
	return c
}

func TestToSpec(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  HealthCheckConfig
		want healthcheck.Spec // only the fields compared below
	}{
		{"http ip", HealthCheckConfig{Type: TypeHTTP, IPAddress: "192.0.2.1", ResourcePath: "/health"},
			healthcheck.Spec{Type: healthcheck.TypeHTTP, URL: "http://192.0.2.1/health", Interval: 30 * time.Second, Fall: 3, Rise: 3}},
		{"http ip port fqdn", HealthCheckConfig{Type: TypeHTTP, IPAddress: "192.0.2.1", Port: 8080, FullyQualifiedDomainName: "www.example.org", RequestInterval: 10, FailureThreshold: 2},
			healthcheck.Spec{Type: healthcheck.TypeHTTP, URL: "http://www.example.org:8080/", Address: "192.0.2.1", Interval: 10 * time.Second, Fall: 2, Rise: 2}},
		{"http fqdn only, path without slash", HealthCheckConfig{Type: TypeHTTP, FullyQualifiedDomainName: "www.example.org.", ResourcePath: "a?b=c"},
			healthcheck.Spec{Type: healthcheck.TypeHTTP, URL: "http://www.example.org/a?b=c", Interval: 30 * time.Second, Fall: 3, Rise: 3}},
		{"https ipv6 default port", HealthCheckConfig{Type: TypeHTTPS, IPAddress: "2001:db8::1"},
			healthcheck.Spec{Type: healthcheck.TypeHTTPS, URL: "https://[2001:db8::1]/", TLSSkipVerify: true, Interval: 30 * time.Second, Fall: 3, Rise: 3}},
		{"https no sni", HealthCheckConfig{Type: TypeHTTPSStrMatch, IPAddress: "192.0.2.1", FullyQualifiedDomainName: "www.example.org", SearchString: "ok", EnableSNI: ptr(false), Port: 8443},
			healthcheck.Spec{Type: healthcheck.TypeHTTPS, URL: "https://www.example.org:8443/", Address: "192.0.2.1", SNI: "192.0.2.1", TLSSkipVerify: true, Match: "ok", MatchLimit: 5120, Interval: 30 * time.Second, Fall: 3, Rise: 3}},
		{"tcp 10s", HealthCheckConfig{Type: TypeTCP, IPAddress: "2001:db8::1", Port: 53, RequestInterval: 10, Inverted: true},
			healthcheck.Spec{Type: healthcheck.TypeTCP, Target: "[2001:db8::1]:53", Interval: 10 * time.Second, Timeout: 9 * time.Second, Fall: 3, Rise: 3, Invert: true}},
		{"tcp fqdn 30s", HealthCheckConfig{Type: TypeTCP, FullyQualifiedDomainName: "db.example.org", Port: 5432, Disabled: true},
			healthcheck.Spec{Type: healthcheck.TypeTCP, Target: "db.example.org:5432", Interval: 30 * time.Second, Timeout: 10 * time.Second, Fall: 3, Rise: 3, Disabled: true}},
		{"calculated", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(2), ChildHealthChecks: []string{"a", "b", "c"}},
			healthcheck.Spec{Type: healthcheck.TypeCalculated, Children: []string{"a", "b", "c"}, MinHealthy: 2}},
		{"calculated always healthy", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(0), ChildHealthChecks: []string{"a"}},
			healthcheck.Spec{Type: healthcheck.TypeCalculated, Children: []string{"a"}, MinHealthy: 1, Disabled: true}},
		{"calculated never healthy", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(5), ChildHealthChecks: []string{"a", "b"}},
			healthcheck.Spec{Type: healthcheck.TypeCalculated, Children: []string{"a", "b"}, MinHealthy: 2, Disabled: true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s, err := ToSpec("hc-1", normalized(c.cfg))
			if err != nil {
				t.Fatal(err)
			}
			w := c.want
			if s.Name != "hc-1" || s.Type != w.Type || s.URL != w.URL || s.Address != w.Address || s.SNI != w.SNI ||
				s.TLSSkipVerify != w.TLSSkipVerify || s.Match != w.Match || s.MatchLimit != w.MatchLimit && w.Match != "" ||
				s.Target != w.Target || s.Interval != w.Interval || s.Fall != w.Fall || s.Rise != w.Rise ||
				s.Invert != w.Invert || s.Disabled != w.Disabled || s.MinHealthy != w.MinHealthy ||
				strings.Join(s.Children, ",") != strings.Join(w.Children, ",") || (w.Timeout != 0 && s.Timeout != w.Timeout) {
				t.Errorf("got  %+v\nwant %+v", s, w)
			}
			if s.Type == healthcheck.TypeHTTP || s.Type == healthcheck.TypeHTTPS {
				if s.Timeout != 6*time.Second || s.ConnectTimeout != 4*time.Second || s.Initial != healthcheck.InitialHealthy {
					t.Errorf("timing %s/%s initial %s", s.Timeout, s.ConnectTimeout, s.Initial)
				}
			}
		})
	}
}

func TestToSpecSetValidates(t *testing.T) {
	cfgs := map[string]HealthCheckConfig{
		"web":  {Type: TypeHTTPStrMatch, IPAddress: "192.0.2.1", SearchString: "up"},
		"db":   {Type: TypeTCP, IPAddress: "192.0.2.2", Port: 5432},
		"both": {Type: TypeCalculated, HealthThreshold: ptr(2), ChildHealthChecks: []string{"web", "db"}},
		"top":  {Type: TypeCalculated, HealthThreshold: ptr(1), ChildHealthChecks: []string{"both"}, Inverted: true},
	}
	var specs []healthcheck.Spec
	for id, c := range cfgs {
		s, err := ToSpec(id, normalized(c))
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	if err := healthcheck.ValidateSet(specs); err != nil {
		t.Fatal(err)
	}
	if _, err := ToSpec("x", HealthCheckConfig{Type: TypeTCP, IPAddress: "192.0.2.1"}); err == nil {
		t.Error("a TCP check without a port mapped")
	}
}

func TestForced(t *testing.T) {
	for _, c := range []struct {
		cfg  HealthCheckConfig
		want healthcheck.Override
	}{
		{HealthCheckConfig{Type: TypeTCP}, healthcheck.OverrideNone},
		{HealthCheckConfig{Type: TypeTCP, Disabled: true}, healthcheck.OverrideNone},
		{HealthCheckConfig{Type: TypeTCP, Disabled: true, Inverted: true}, healthcheck.OverrideDown},
		{HealthCheckConfig{Type: TypeTCP, Inverted: true}, healthcheck.OverrideNone},
		{HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(0), ChildHealthChecks: []string{"a"}}, healthcheck.OverrideNone},
		{HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(0), ChildHealthChecks: []string{"a"}, Inverted: true}, healthcheck.OverrideDown},
		{HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(2), ChildHealthChecks: []string{"a"}}, healthcheck.OverrideDown},
		{HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(2), ChildHealthChecks: []string{"a"}, Inverted: true}, healthcheck.OverrideNone},
		{HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(1), ChildHealthChecks: []string{"a"}, Inverted: true}, healthcheck.OverrideNone},
	} {
		if got := Forced(c.cfg); got != c.want {
			t.Errorf("%+v: %v, want %v", c.cfg, got, c.want)
		}
	}
}

// TestEngineDeadTargets maps HTTP, HTTP_STR_MATCH, TCP and CALCULATED checks,
// runs them on a real Engine (fake clock, real probes) against real servers, and
// kills the targets: each check goes unhealthy after FailureThreshold failures, the
// calculated parent follows, and GetHealthCheckStatus words what the engine saw.
func TestEngineDeadTargets(t *testing.T) {
	var healthy atomic.Bool
	healthy.Store(true)
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 6000) + "status: up")) // beyond 5120 bytes
	}))
	defer web.Close()
	webHost, webPort, _ := net.SplitHostPort(web.Listener.Addr().String())
	port, _ := strconv.Atoi(webPort)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	tcpPort := ln.Addr().(*net.TCPAddr).Port

	cfgs := []struct {
		id  string
		cfg HealthCheckConfig
	}{
		{"web", HealthCheckConfig{Type: TypeHTTP, IPAddress: webHost, Port: port, FullyQualifiedDomainName: "www.example.org", ResourcePath: "/health", RequestInterval: 10, FailureThreshold: 2}},
		{"early", HealthCheckConfig{Type: TypeHTTPStrMatch, IPAddress: webHost, Port: port, SearchString: "xxxx", RequestInterval: 10, FailureThreshold: 1}},
		{"late", HealthCheckConfig{Type: TypeHTTPStrMatch, IPAddress: webHost, Port: port, SearchString: "status: up", RequestInterval: 10, FailureThreshold: 1}},
		{"tcp", HealthCheckConfig{Type: TypeTCP, IPAddress: "127.0.0.1", Port: tcpPort, RequestInterval: 10, FailureThreshold: 1}},
		{"both", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(2), ChildHealthChecks: []string{"web", "tcp"}}},
	}
	var specs []healthcheck.Spec
	for _, c := range cfgs {
		s, err := ToSpec(c.id, normalized(c.cfg))
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	clk := newFakeClock()
	probes := make(chan healthcheck.Result, 100)
	e := healthcheck.New(healthcheck.Options{Clock: clk, OnProbe: func(_ healthcheck.Type, r healthcheck.Result) { probes <- r }})
	set, err := e.Apply("route53", specs)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	waitFor(t, "first probes", set.Ready)
	state := func() string {
		var b strings.Builder
		for _, c := range cfgs {
			h, _ := set.Handle(c.id)
			b.WriteString(c.id + "=" + strconv.FormatBool(h.Up()) + " ")
		}
		return b.String()
	}
	// The first probes are in; "late" has already failed once, and one failure is
	// its threshold: its string is past the first 5120 bytes.
	if got := state(); got != "web=true early=true late=false tcp=true both=true " {
		t.Fatalf("after the first probes: %s", got)
	}
	h, _ := set.Handle("late")
	obs := Observe("local", "127.0.0.1", cfgs[2].cfg, h.Status(), clk.Now())
	if !strings.HasPrefix(obs.StatusReport.Status, "Failure: Search string not found in the first 5120 bytes") {
		t.Errorf("late: %+v", obs)
	}

	healthy.Store(false)
	ln.Close()
	// Two rounds of probes (the second probe comes after a stagger within one
	// interval, then one per interval).
	for range 2 {
		clk.waitTimers(t, 4)
		clk.Advance(10 * time.Second)
		for range 4 {
			<-probes
		}
	}
	waitFor(t, "all down", func() bool { return state() == "web=false early=false late=false tcp=false both=false " })

	h, _ = set.Handle("web")
	obs = Observe("local", "127.0.0.1", cfgs[0].cfg, h.Status(), clk.Now())
	if obs.StatusReport.Status != "Failure: HTTP Status Code 503, Service Unavailable (status 503)" || !obs.StatusReport.CheckedTime.Equal(clk.Now()) {
		t.Errorf("web: %+v (now %s)", obs, clk.Now())
	}
	h, _ = set.Handle("tcp")
	if obs = Observe("local", "", cfgs[3].cfg, h.Status(), clk.Now()); !strings.HasPrefix(obs.StatusReport.Status, "Failure: Connection refused") {
		t.Errorf("tcp: %+v", obs)
	}
	h, _ = set.Handle("both")
	if obs = Observe("local", "", cfgs[4].cfg, h.Status(), clk.Now()); obs.StatusReport.Status != "Failure: The calculated health check is unhealthy" {
		t.Errorf("both: %+v", obs)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timeout waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
