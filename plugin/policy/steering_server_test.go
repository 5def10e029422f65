package policy

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/coredns/caddy"

	"github.com/coretraffic/coretraffic/internal/inproc"
	pluginhc "github.com/coretraffic/coretraffic/plugin/healthcheck"
	"github.com/miekg/dns"
)

// steeringServer runs a real server for example.net with the geo directive (the demo
// City database: 192.0.2.0/24 Frankfurt, 198.51.100.0/24 Ashburn, 203.0.113.0/24
// Tokyo, …) and policy serving data; it returns the server's address.
func steeringServer(t *testing.T, data string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "data.yaml")
	reviewWrite(t, file, data)
	db, err := filepath.Abs("../../geo/testdata/demo-city.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	inst := reviewStart(t, fmt.Sprintf("example.net:%d {\n geo %s\n policy {\n  data %s\n }\n}\n", reviewPort(t), db, file))
	t.Cleanup(func() { inproc.Stop(inst) })
	return inst.Servers()[0].LocalAddr().String()
}

// ecsQuery asks addr for qname A with an ECS option for subnet ("" for none) and
// returns the answer values and the ECS scope (-1 without an ECS option).
func ecsQuery(t *testing.T, addr, qname, subnet string) ([]string, int) {
	t.Helper()
	m := new(dns.Msg).SetQuestion(qname, dns.TypeA)
	m.SetEdns0(1232, false)
	if subnet != "" {
		p := netip.MustParsePrefix(subnet)
		fam := uint16(1)
		if p.Addr().Is6() {
			fam = 2
		}
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: fam,
			SourceNetmask: uint8(p.Bits()), Address: p.Addr().AsSlice()})
	}
	r, err := dns.Exchange(m, addr)
	if err != nil {
		t.Fatal(err)
	}
	if r.Rcode != dns.RcodeSuccess || !r.Authoritative {
		t.Fatalf("%s from %s: rcode %s, AA %v", qname, subnet, dns.RcodeToString[r.Rcode], r.Authoritative)
	}
	var vals []string
	for _, rr := range r.Answer {
		if a, ok := rr.(*dns.A); ok {
			vals = append(vals, a.A.String())
		}
	}
	scope := -1
	if opt := r.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if e, ok := o.(*dns.EDNS0_SUBNET); ok {
				scope = int(e.SourceScope)
			}
		}
	}
	return vals, scope
}

// TestServerSticky: a sticky weighted answer stays the same for a client subnet, is
// spread over subnets, and carries the hashed prefix as its ECS scope.
func TestServerSticky(t *testing.T) {
	addr := steeringServer(t, `zones:
  example.net:
    records:
      www:
        A:
          weighted:
            - {weight: 1, value: 192.0.2.10}
            - {weight: 1, value: 192.0.2.11}
            - {weight: 1, value: 192.0.2.12}
          sticky: true
          sticky_prefix: 24/56
`)
	seen := map[string]bool{}
	for i := range 40 {
		subnet := fmt.Sprintf("10.%d.%d.0/24", i/8, i%8*16)
		first, scope := ecsQuery(t, addr, "www.example.net.", subnet)
		if len(first) != 1 || scope != 24 {
			t.Fatalf("%s: %v scope %d, want one value and scope 24", subnet, first, scope)
		}
		for range 3 {
			if again, _ := ecsQuery(t, addr, "www.example.net.", subnet); again[0] != first[0] {
				t.Fatalf("%s: %s, then %s", subnet, first[0], again[0])
			}
		}
		seen[first[0]] = true
	}
	if len(seen) != 3 {
		t.Errorf("40 subnets got %v, want all three values", seen)
	}
	// An ECS /16 has fewer bits than sticky_prefix: those are hashed, and the scope says so.
	if vals, scope := ecsQuery(t, addr, "www.example.net.", "10.7.0.0/16"); len(vals) != 1 || scope != 16 {
		t.Errorf("ECS /16: %v scope %d, want scope 16", vals, scope)
	}
	// Without ECS the source address (127.0.0.1) is hashed: the same answer each time.
	first, scope := ecsQuery(t, addr, "www.example.net.", "")
	for range 5 {
		if again, _ := ecsQuery(t, addr, "www.example.net.", ""); again[0] != first[0] || scope != -1 {
			t.Fatalf("no ECS: %v then %v (scope %d)", first, again, scope)
		}
	}
}

// TestServerStickyChain: sticky answers are per client, so cache in the block is
// refused as for geolocation; geo is not required (the source address is hashed).
func TestServerStickyChain(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data.yaml")
	reviewWrite(t, file, "zones:\n  example.net:\n    records:\n      www:\n        A:\n          weighted: [{weight: 1, value: 192.0.2.1}]\n          sticky: true\n")
	reviewDirectives()
	inst, err := caddy.Start(reviewInput(fmt.Sprintf("example.net:%d {\n cache\n policy {\n  data %s\n }\n}\n", reviewPort(t), file)))
	if err == nil {
		inproc.Stop(inst)
		t.Fatal("cache with sticky data accepted")
	}
	inst = reviewStart(t, fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n }\n}\n", reviewPort(t), file))
	inproc.Stop(inst)
}

// TestServerGeoproximity: the nearest endpoint by the client's ECS location, with
// the geo database network as the ECS scope; a biased endpoint takes over a client
// past its threshold; a client without coordinates gets the first endpoint.
func TestServerGeoproximity(t *testing.T) {
	addr := steeringServer(t, `regions:
  fra: {lat: 50.11, lon: 8.68}
  iad: {lat: 38.95, lon: -77.45}
zones:
  example.net:
    records:
      www:
        A:
          geoproximity:
            - {region: iad, value: 198.51.100.10}
            - {region: fra, value: 192.0.2.10}
            - {lat: 35.77, lon: 140.39, value: 203.0.113.10}
      biased:
        A:
          geoproximity:
            - {region: fra, value: 192.0.2.10}
            - {region: iad, bias: 95, value: 198.51.100.10}
`)
	for _, tc := range []struct {
		qname, subnet, want string
		scope               int
	}{
		{"www.example.net.", "192.0.2.0/24", "192.0.2.10", 24},        // Frankfurt
		{"www.example.net.", "198.51.100.0/24", "198.51.100.10", 24},  // Ashburn
		{"www.example.net.", "203.0.113.0/24", "203.0.113.10", 24},    // Tokyo
		{"www.example.net.", "100.69.1.0/24", "192.0.2.10", 16},       // Paris, a /16 in the database
		{"www.example.net.", "100.71.0.0/24", "198.51.100.10", 16},    // Toronto
		{"www.example.net.", "127.0.0.0/24", "198.51.100.10", 8},      // no coordinates: the first child
		{"biased.example.net.", "100.69.1.0/24", "198.51.100.10", 16}, // Paris: 5 % of Ashburn's 6 200 km beats 480 km
		{"biased.example.net.", "192.0.2.0/24", "192.0.2.10", 24},     // Frankfurt: 0 km still wins
	} {
		vals, scope := ecsQuery(t, addr, tc.qname, tc.subnet)
		if len(vals) != 1 || vals[0] != tc.want || scope != tc.scope {
			t.Errorf("%s from %s: %v scope %d, want %s scope %d", tc.qname, tc.subnet, vals, scope, tc.want, tc.scope)
		}
	}
}

// TestServerLatency: from the latency table by the client's region (the nearest table
// row), with the geo database network as the ECS scope; and from the real health
// checks' measured round trips, the same for every client (scope 0).
func TestServerLatency(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { time.Sleep(60 * time.Millisecond) }))
	defer slow.Close()
	fast := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer fast.Close()
	addr := steeringServer(t, fmt.Sprintf(`checks:
  lat-slow: {type: http, url: "%s/", interval: 1s, timeout: 500ms}
  lat-fast: {type: http, url: "%s/", interval: 1s, timeout: 500ms}
regions:
  fra: {lat: 50.11, lon: 8.68}
  iad: {lat: 38.95, lon: -77.45}
  nrt: {lat: 35.77, lon: 140.39}
latency:
  fra: {fra: 5, iad: 90, nrt: 230}
  iad: {fra: 90, iad: 5, nrt: 160}
  nrt: {fra: 230, iad: 160, nrt: 5}
zones:
  example.net:
    records:
      www:
        A:
          latency:
            - {region: fra, value: 192.0.2.10}
            - {region: iad, value: 198.51.100.10}
            - {region: nrt, value: 203.0.113.10}
          source: table
          hysteresis: {percent: 10}
      measured:
        A:
          latency:
            - {region: fra, value: 192.0.2.10, check: lat-slow}
            - {region: iad, value: 198.51.100.10, check: lat-fast}
          source: measured
`, slow.URL, fast.URL))
	for _, tc := range []struct {
		subnet, want string
		scope        int
	}{
		{"192.0.2.0/24", "192.0.2.10", 24},     // Frankfurt: row fra
		{"100.69.1.0/24", "192.0.2.10", 16},    // Paris: nearest row fra
		{"100.71.0.0/24", "198.51.100.10", 16}, // Toronto: nearest row iad
		{"203.0.113.0/24", "203.0.113.10", 24}, // Tokyo: row nrt
		{"100.66.0.0/24", "203.0.113.10", 16},  // Sydney: nearest row nrt
		{"127.0.0.0/24", "192.0.2.10", 8},      // no coordinates: list order
	} {
		vals, scope := ecsQuery(t, addr, "www.example.net.", tc.subnet)
		if len(vals) != 1 || vals[0] != tc.want || scope != tc.scope {
			t.Errorf("from %s: %v scope %d, want %s scope %d", tc.subnet, vals, scope, tc.want, tc.scope)
		}
	}
	// Measured: once both checks have measured (the first probes run at once), the
	// fast endpoint though it is listed second; never a client-dependent scope.
	deadline := time.Now().Add(10 * time.Second)
	for !measured("lat-slow") || !measured("lat-fast") {
		if time.Now().After(deadline) {
			t.Fatal("checks not measured after 10s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, subnet := range []string{"203.0.113.0/24", "192.0.2.0/24"} {
		if vals, scope := ecsQuery(t, addr, "measured.example.net.", subnet); len(vals) != 1 || vals[0] != "198.51.100.10" || scope != 0 {
			t.Errorf("measured from %s: %v scope %d, want 198.51.100.10 scope 0", subnet, vals, scope)
		}
	}
}

// measured reports whether the engine's check name has a measured latency.
func measured(name string) bool {
	h, ok := pluginhc.Engine().Handle(name)
	return ok && h.Latency() > 0
}
