package checks

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/coretraffic/coretraffic/healthcheck"
)

// TestHTTPSProbes runs HTTPS checks against a TLS server with a self-signed
// certificate, which Route 53's checkers accept, and records the server name each
// client hello carries: the FullyQualifiedDomainName with EnableSNI, none without.
func TestHTTPSProbes(t *testing.T) {
	var mu sync.Mutex
	sni := map[string]string{} // Host header → server name sent
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		sni[r.Host] = r.TLS.ServerName
		_, _ = w.Write([]byte("all good"))
	}))
	srv.StartTLS()
	defer srv.Close()
	host, portStr, _ := net.SplitHostPort(srv.Listener.Addr().String())
	port, _ := strconv.Atoi(portStr)

	cfgs := map[string]HealthCheckConfig{
		"sni":    {Type: TypeHTTPS, IPAddress: host, Port: port, FullyQualifiedDomainName: "sni.example.org"},
		"no-sni": {Type: TypeHTTPSStrMatch, IPAddress: host, Port: port, FullyQualifiedDomainName: "nosni.example.org", EnableSNI: ptr(false), SearchString: "good"},
		"ip":     {Type: TypeHTTPS, IPAddress: host, Port: port},
	}
	var specs []healthcheck.Spec
	for id, c := range cfgs {
		s, err := ToSpec(id, normalized(c))
		if err != nil {
			t.Fatal(err)
		}
		specs = append(specs, s)
	}
	e := healthcheck.New(healthcheck.Options{Clock: newFakeClock()})
	set, err := e.Apply("route53", specs)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	waitFor(t, "first probes", set.Ready)
	for id := range cfgs {
		h, _ := set.Handle(id)
		if st := h.Status(); !h.Up() || len(st.Results) != 1 || !st.Results[0].OK {
			t.Errorf("%s: up %v results %+v", id, h.Up(), st.Results)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	hp := ":" + portStr
	want := map[string]string{"sni.example.org" + hp: "sni.example.org", "nosni.example.org" + hp: "", host + hp: ""}
	for h, name := range want {
		if got, ok := sni[h]; !ok || got != name {
			t.Errorf("Host %s: server name %q (seen %v), want %q", h, got, ok, name)
		}
	}
}
