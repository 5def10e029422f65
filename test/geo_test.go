package test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/geo/geotest"
	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/miekg/dns"
)

// geoServer runs coretraffic with the geo directive on copies of the demo
// databases, logging each query's location as "GEO <qname> <country> <city> …".
type geoServer struct {
	*e2e.Server
	city, metrics, ready string
}

func startGeo(t *testing.T) *geoServer {
	t.Helper()
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	asn := filepath.Join(dir, "asn.mmdb")
	geoCopy(t, "../geo/testdata/demo-city.mmdb", city)
	geoCopy(t, "../geo/testdata/demo-asn.mmdb", asn)
	port, mport, rport := e2e.FreePort(t), e2e.FreePort(t), e2e.FreePort(t)
	corefile := fmt.Sprintf(`example.org:%d {
    bind 127.0.0.1
    metadata
    geo %s %s {
        reload 1s
        labels all
    }
    log . "GEO {name} {/geo/country/code} {/geo/city/name} {/geo/subdivisions/code} {/geo/asn/number} {/geo/client/subnet} {/geo/client/scope} {rcode}"
    prometheus 127.0.0.1:%d
    ready 127.0.0.1:%d
    whoami
}
`, port, city, asn, mport, rport)
	s := e2e.Start(t, e2e.CoreTraffic(t), corefile, dir, fmt.Sprintf("127.0.0.1:%d", port))
	return &geoServer{Server: s, city: city,
		metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", mport),
		ready:   fmt.Sprintf("http://127.0.0.1:%d/ready", rport)}
}

func geoCopy(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	geoWrite(t, dst, b)
}

// geoWrite replaces dst atomically, as geoipupdate does.
func geoWrite(t *testing.T, dst string, b []byte) {
	t.Helper()
	if err := os.WriteFile(dst+".tmp", b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(dst+".tmp", dst); err != nil {
		t.Fatal(err)
	}
}

// ask sends qname with an optional ECS subnet ("203.0.113.0/24") over UDP and
// returns the rcode.
func (s *geoServer) ask(t *testing.T, qname, subnet string) int {
	t.Helper()
	return s.askOver(t, "udp", qname, subnet)
}

// askOver is ask over network "udp" or "tcp".
func (s *geoServer) askOver(t *testing.T, network, qname, subnet string) int {
	t.Helper()
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(qname), dns.TypeA)
	if subnet != "" {
		m.SetEdns0(1232, false)
		ip, n, err := net.ParseCIDR(subnet)
		if err != nil {
			t.Fatal(err)
		}
		ones, _ := n.Mask.Size()
		e := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(ones), Address: ip}
		if ip.To4() == nil {
			e.Family = 2
		}
		m.IsEdns0().Option = append(m.IsEdns0().Option, e)
	}
	r, _, err := (&dns.Client{Net: network, Timeout: 2 * time.Second}).Exchange(m, s.Addr)
	if err != nil {
		t.Fatalf("%s over %s: %v", qname, network, err)
	}
	return r.Rcode
}

// logLine waits for the server's log line for qname and returns its fields
// after "GEO qname".
func (s *geoServer) logLine(t *testing.T, qname string) string {
	t.Helper()
	key := "GEO " + dns.Fqdn(qname) + " "
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, l := range strings.Split(s.Output(), "\n") {
			if _, rest, ok := strings.Cut(l, key); ok {
				return rest
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no log line for %s\n--- server ---\n%s", qname, s.Output())
	return ""
}

func TestGeoECS(t *testing.T) {
	s := startGeo(t)
	tests := []struct {
		qname, subnet, want string
	}{
		{"de.example.org", "192.0.2.0/24", "DE Frankfurt am Main DE-HE 64496 192.0.2.0/24 24 NOERROR"},
		{"us.example.org", "198.51.100.0/24", "US Ashburn US-VA 64497 198.51.100.0/24 24 NOERROR"},
		{"jp.example.org", "203.0.113.0/24", "JP Tokyo JP-13 64498 203.0.113.0/24 24 NOERROR"},
		{"br.example.org", "100.65.0.0/20", "BR São Paulo BR-SP 64500 100.65.0.0/20 16 NOERROR"},
		{"gb.example.org", "100.68.0.0/24", "GB London GB-ENG,GB-LND 64503 100.68.0.0/24 16 NOERROR"},
		{"au6.example.org", "2001:db8:5::/56", "AU Sydney AU-NSW 64501 2001:db8:5::/56 48 NOERROR"},
		{"za.example.org", "100.67.0.0/16", "ZA Johannesburg ZA-GP 64502 100.67.0.0/16 16 NOERROR"},
		{"local.example.org", "", "US   64511 127.0.0.1/32 8 NOERROR"},
		{"optout.example.org", "0.0.0.0/0", "US   64511 0.0.0.0/0 0 NOERROR"},
		{"unknown.example.org", "10.1.0.0/16", "    10.1.0.0/16 5 NOERROR"},
	}
	for _, network := range []string{"udp", "tcp"} {
		for _, tc := range tests {
			qname := network + "-" + tc.qname
			t.Run(qname, func(t *testing.T) {
				if rcode := s.askOver(t, network, qname, tc.subnet); rcode != dns.RcodeSuccess {
					t.Errorf("rcode %s", dns.RcodeToString[rcode])
				}
				if got := s.logLine(t, qname); got != tc.want {
					t.Errorf("logged %q, want %q", got, tc.want)
				}
			})
		}
	}

	// Malformed options, sent raw (miekg's packer would clean them up).
	for _, tc := range []struct {
		name string
		opts [][]byte
	}{
		{"bits beyond prefix", [][]byte{{0, 1, 20, 0, 198, 51, 100}}},
		{"scope in query", [][]byte{{0, 1, 24, 24, 192, 0, 2}}},
		{"two options", [][]byte{{0, 1, 24, 0, 192, 0, 2}, {0, 1, 24, 0, 203, 0, 113}}},
	} {
		for _, network := range []string{"udp", "tcp"} {
			t.Run(network+" "+tc.name, func(t *testing.T) {
				m := new(dns.Msg)
				m.SetQuestion("bad.example.org.", dns.TypeA)
				m.SetEdns0(1232, false)
				for _, o := range tc.opts {
					m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_LOCAL{Code: dns.EDNS0SUBNET, Data: o})
				}
				r, _, err := (&dns.Client{Net: network, Timeout: 2 * time.Second}).Exchange(m, s.Addr)
				if err != nil {
					t.Fatal(err)
				}
				if r.Rcode != dns.RcodeFormatError {
					t.Errorf("rcode %s, want FORMERR", dns.RcodeToString[r.Rcode])
				}
			})
		}
	}

	t.Run("kdig", func(t *testing.T) {
		if _, err := exec.LookPath("kdig"); err != nil {
			t.Fatal("kdig not installed: install knot-dnsutils (`make deps` does)")
		}
		host, port, _ := net.SplitHostPort(s.Addr)
		for _, tc := range []struct{ qname, subnet, want string }{
			{"kdig-jp.example.org", "203.0.113.0/24", "JP Tokyo JP-13"},
			{"kdig-de6.example.org", "2001:db8:1::/48", "DE Frankfurt am Main DE-HE"},
			{"kdig-za.example.org", "100.67.1.0/24", "ZA Johannesburg ZA-GP"},
		} {
			out, err := exec.Command("kdig", "@"+host, "-p", port, "+subnet="+tc.subnet, tc.qname, "A").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "NOERROR") {
				t.Fatalf("kdig %s: %v\n%s", tc.subnet, err, out)
			}
			if got := s.logLine(t, tc.qname); !strings.HasPrefix(got, tc.want+" ") {
				t.Errorf("%s: logged %q, want it to start with %q", tc.subnet, got, tc.want)
			}
		}
	})

	t.Run("metrics and ready", func(t *testing.T) {
		if body := geoGet(t, s.ready); !strings.Contains(body, "OK") {
			t.Errorf("ready: %q", body)
		}
		body := geoGet(t, s.metrics)
		for _, want := range []string{
			`coredns_geo_lookups_total{result="found",server="dns://127.0.0.1:`,
			`coredns_geo_lookups_total{result="notfound"`,
			`coredns_geo_ecs_formerr_total{server=`,
			`coredns_geo_database_build_timestamp_seconds{database="` + s.city + `"} 1.7672256e+09`,
			`coredns_geo_last_load_timestamp_seconds{database="` + s.city + `"}`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestGeoReload replaces the City database under a running server while queries
// run: a new version is picked up; garbage, a truncated file and a database of the
// wrong type are refused with a log line and a metric while the loaded version keeps
// answering, and no query fails.
func TestGeoReload(t *testing.T) {
	s := startGeo(t)
	moved := append([]geotest.Entry(nil), geotest.Demo...)
	moved[2].City, moved[2].Subdivisions = "Osaka", []string{"27"}
	v2 := filepath.Join(t.TempDir(), "v2.mmdb")
	if err := geotest.Write(v2, "coretraffic-Demo-City", moved); err != nil {
		t.Fatal(err)
	}
	v2Data, err := os.ReadFile(v2)
	if err != nil {
		t.Fatal(err)
	}
	asnData, err := os.ReadFile("../geo/testdata/demo-asn.mmdb")
	if err != nil {
		t.Fatal(err)
	}

	// Queries all along, over UDP, each one answered NOERROR.
	stop, failed := make(chan struct{}), make(chan string, 1)
	var asked sync.WaitGroup
	asked.Go(func() {
		c := &dns.Client{Timeout: 2 * time.Second}
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			m := new(dns.Msg)
			m.SetQuestion(fmt.Sprintf("load%d.example.org.", i), dns.TypeA)
			if r, _, err := c.Exchange(m, s.Addr); err != nil || r.Rcode != dns.RcodeSuccess {
				select {
				case failed <- fmt.Sprintf("query %d: %v %v", i, err, r):
				default:
				}
			}
			time.Sleep(5 * time.Millisecond)
		}
	})

	steps := []struct {
		name     string
		replace  func()
		logWant  string
		logCount int
		want     string
	}{
		{"new version", func() { geoCopy(t, v2, s.city) }, "Reloaded " + s.city, 1, "JP Osaka JP-27"},
		{"garbage", func() { geoWrite(t, s.city, []byte("garbage")) }, "Refused new version", 1, "JP Osaka JP-27"},
		{"truncated", func() { geoWrite(t, s.city, v2Data[:len(v2Data)/2]) }, "Refused new version", 2, "JP Osaka JP-27"},
		{"wrong type", func() { geoWrite(t, s.city, asnData) }, "replaces a city database", 1, "JP Osaka JP-27"},
	}
	for i, st := range steps {
		st.replace()
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(s.Output(), st.logWant) < st.logCount {
			if time.Now().After(deadline) {
				t.Fatalf("%s: no %q (%d) in the log\n%s", st.name, st.logWant, st.logCount, s.Output())
			}
			time.Sleep(50 * time.Millisecond)
		}
		qname := fmt.Sprintf("reload%d.example.org", i)
		if rcode := s.ask(t, qname, "203.0.113.0/24"); rcode != dns.RcodeSuccess {
			t.Fatalf("%s: rcode %s", st.name, dns.RcodeToString[rcode])
		}
		if got := s.logLine(t, qname); !strings.HasPrefix(got, st.want+" ") {
			t.Errorf("%s: logged %q, want %q", st.name, got, st.want)
		}
	}
	close(stop)
	asked.Wait()
	select {
	case f := <-failed:
		t.Errorf("a query failed during the reloads: %s", f)
	default:
	}
	if n := strings.Count(s.Output(), "Refused new version"); n != 3 {
		t.Errorf("%d refusal log lines, want 3 (one per bad version)\n%s", n, s.Output())
	}
	body := geoGet(t, s.metrics)
	for _, want := range []string{
		`coredns_geo_reloads_total{database="` + s.city + `",result="ok"} 1`,
		`coredns_geo_reloads_total{database="` + s.city + `",result="rejected"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestGeoBadDatabase: a missing or broken database stops startup with the
// Corefile line, the file and the cause.
func TestGeoBadDatabase(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ file, want string }{
		{filepath.Join(dir, "missing.mmdb"), "no such file or directory"},
		{garbage, "not a valid MaxMind DB"},
	} {
		corefile := fmt.Sprintf("example.org:%d {\n    whoami\n    geo %s\n}\n", e2e.FreePort(t), tc.file)
		s, err := e2e.Launch(t, e2e.CoreTraffic(t), corefile, "")
		if err != nil {
			t.Fatal(err)
		}
		code, err := s.Wait(30 * time.Second)
		if err != nil || code == 0 {
			t.Fatalf("%s: exit %d, %v\n%s", tc.file, code, err, s.Output())
		}
		out := s.Output()
		for _, want := range []string{"Corefile:3", "plugin/geo", tc.file, tc.want} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	}
}

func geoGet(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestGeoCorefileReload reloads the Corefile (SIGUSR1) several times: queries
// keep being located and exactly one geo file watcher runs afterwards.
func TestGeoCorefileReload(t *testing.T) {
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	geoCopy(t, "../geo/testdata/demo-city.mmdb", city)
	port, pport := e2e.FreePort(t), e2e.FreePort(t)
	corefile := fmt.Sprintf(`example.org:%d {
    bind 127.0.0.1
    metadata
    geo %s {
        reload 1s
    }
    log . "GEO {name} {/geo/country/code} {/geo/city/name}"
    pprof 127.0.0.1:%d
    whoami
}
`, port, city, pport)
	s := &geoServer{Server: e2e.Start(t, e2e.CoreTraffic(t), corefile, dir, fmt.Sprintf("127.0.0.1:%d", port))}
	watchers := func() int {
		body := geoGet(t, fmt.Sprintf("http://127.0.0.1:%d/debug/pprof/goroutine?debug=2", pport))
		return strings.Count(body, "plugin/geo.(*Geo).watch(")
	}
	if n := watchers(); n != 1 {
		t.Fatalf("%d geo watchers at start, want 1", n)
	}
	for i := range 5 {
		if err := s.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(s.Output(), "Reloading complete") < i+1 {
			if time.Now().After(deadline) {
				t.Fatalf("reload %d did not complete:\n%s", i+1, s.Output())
			}
			time.Sleep(50 * time.Millisecond)
		}
		qname := fmt.Sprintf("after%d.example.org", i)
		if rcode := s.ask(t, qname, "203.0.113.0/24"); rcode != dns.RcodeSuccess {
			t.Fatalf("after reload %d: rcode %s", i+1, dns.RcodeToString[rcode])
		}
		if got := s.logLine(t, qname); got != "JP Tokyo" {
			t.Errorf("after reload %d: logged %q", i+1, got)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for watchers() != 1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d geo watchers after 5 Corefile reloads, want 1", watchers())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
