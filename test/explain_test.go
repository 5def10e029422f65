package test

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"

	"github.com/miekg/dns"
)

const explainData = `checks:
  fra: {type: http, url: "http://%[1]s/", interval: 1s, timeout: 500ms, rise: 1, fall: 1}
  iad: {type: http, url: "http://%[2]s/", interval: 1s, timeout: 500ms, rise: 1, fall: 1}
zones:
  example.net:
    ttl: 2
    records:
      "@":
        A: {alias: www, evaluate_target_health: true}   # at the apex, where a CNAME may not be
      www:
        A:
          geolocation:
            - continent: EU
              failover:
                - {value: 192.0.2.10, check: fra}
                - {value: 198.51.100.10, check: iad}
            - {continent: NA, value: 198.51.100.10, check: iad}
            - {default: true, value: 203.0.113.10}
      sticky:
        A:
          weighted:
            - {weight: 10, value: 192.0.2.21}
            - {weight: 10, value: 192.0.2.22}
            - {weight: 10, value: 192.0.2.23}
          sticky: true
`

const explainCorefile = `example.net:%d {
    bind 127.0.0.1
    geo %s/geo/testdata/demo-city.mmdb
    policy {
        data data.yaml
        explain 127.0.0.1:%d
    }
}
`

// explained is the part of the explain endpoint's JSON the test compares.
type explained struct {
	Rcode  string   `json:"rcode"`
	Answer []string `json:"answer"`
	TTL    uint32   `json:"ttl"`
	Scope  *int     `json:"ecs_scope"`
	Sets   []struct {
		Set string `json:"set"`
	} `json:"record_sets"`
}

// TestExplainAgreesWithAnswers runs the real binary with the explain endpoint on and
// checks that what explain says is what the server answers over DNS for the same
// name, type and client subnet (values, TTL, ECS scope); that explain with a check
// forced down predicts the answer the server gives once that endpoint really dies;
// and that `coredns explain` on the same files says the same.
func TestExplainAgreesWithAnswers(t *testing.T) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	fra, iad := startEndpoint(t), startEndpoint(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data.yaml")
	if err := os.WriteFile(data, []byte(fmt.Sprintf(explainData, fra.addr, iad.addr)), 0o644); err != nil {
		t.Fatal(err)
	}
	port, explainPort := e2e.FreePort(t), e2e.FreePort(t)
	bin := e2e.CoreTraffic(t)
	s := e2e.Start(t, bin, fmt.Sprintf(explainCorefile, port, root, explainPort), dir, fmt.Sprintf("127.0.0.1:%d", port))
	explainURL := fmt.Sprintf("http://127.0.0.1:%d/explain", explainPort)

	ask := func(name, subnet string) explained {
		m := new(dns.Msg).SetQuestion(name, dns.TypeA)
		m.SetEdns0(1232, false)
		_, n, _ := net.ParseCIDR(subnet)
		bits, _ := n.Mask.Size()
		m.IsEdns0().Option = append(m.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: uint8(bits), Address: n.IP.To4()})
		r, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(m, s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		got := explained{Rcode: dns.RcodeToString[r.Rcode], Answer: []string{}}
		for i, rr := range r.Answer {
			got.Answer = append(got.Answer, rr.String())
			if i == 0 || rr.Header().Ttl < got.TTL {
				got.TTL = rr.Header().Ttl
			}
		}
		for _, o := range r.IsEdns0().Option {
			if e, ok := o.(*dns.EDNS0_SUBNET); ok {
				scope := int(e.SourceScope)
				got.Scope = &scope
			}
		}
		return got
	}
	explain := func(name, subnet, down string) explained {
		v := url.Values{"name": {name}, "type": {"A"}, "ecs": {subnet}}
		if down != "" {
			v.Set("down", down)
		}
		resp, err := http.Get(explainURL + "?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var x explained
		if resp.StatusCode != 200 || json.NewDecoder(resp.Body).Decode(&x) != nil {
			t.Fatalf("explain %s from %s: HTTP %d", name, subnet, resp.StatusCode)
		}
		return x
	}
	same := func(a, b explained) bool {
		return a.Rcode == b.Rcode && slices.Equal(a.Answer, b.Answer) && a.TTL == b.TTL &&
			(a.Scope == nil) == (b.Scope == nil) && (a.Scope == nil || *a.Scope == *b.Scope)
	}
	waitFor(t, "both checks up", 10*time.Second, func() bool {
		return strings.Contains(fmt.Sprint(ask("www.example.net.", "192.0.2.0/24").Answer), "192.0.2.10")
	})

	subnets := []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "100.64.0.0/24", "100.66.7.0/24", "10.9.8.0/24"}
	t.Run("explain says what the server answers", func(t *testing.T) {
		for _, name := range []string{"www.example.net.", "example.net.", "sticky.example.net.", "none.example.net."} {
			for _, subnet := range subnets {
				served, said := ask(name, subnet), explain(name, subnet, "")
				if !same(served, said) {
					t.Errorf("%s from %s: served %+v, explain says %+v", name, subnet, served, said)
				}
			}
		}
	})

	t.Run("alias at the apex answers what its target answers, under the apex", func(t *testing.T) {
		for _, subnet := range subnets {
			apex, www := ask("example.net.", subnet), ask("www.example.net.", subnet)
			if len(apex.Answer) != 1 || len(www.Answer) != 1 ||
				apex.Answer[0] != strings.Replace(www.Answer[0], "www.example.net.", "example.net.", 1) {
				t.Errorf("from %s: apex %v, www %v", subnet, apex.Answer, www.Answer)
			}
		}
	})

	// Europe's answer with Frankfurt forced down in explain, then Frankfurt killed.
	predicted := explain("www.example.net.", "192.0.2.0/24", "fra")
	if !strings.Contains(fmt.Sprint(predicted.Answer), "198.51.100.10") {
		t.Fatalf("explain with fra down: %+v", predicted)
	}
	if now := explain("www.example.net.", "192.0.2.0/24", ""); strings.Contains(fmt.Sprint(now.Answer), "198.51.100.10") {
		t.Fatalf("forcing a check down in explain changed the live answer: %+v", now)
	}
	fra.stop()
	waitFor(t, "the server to answer what explain predicted", 10*time.Second, func() bool {
		return same(ask("www.example.net.", "192.0.2.0/24"), predicted)
	})
	if live := explain("www.example.net.", "192.0.2.0/24", ""); !same(live, predicted) {
		t.Errorf("explain of the live state %+v, predicted %+v", live, predicted)
	}

	t.Run("coredns explain reads the same files", func(t *testing.T) {
		out := runTool(t, bin, "explain", "-data", data, "-geo", root+"/geo/testdata/demo-city.mmdb", "-down", "fra",
			"-ecs", "192.0.2.0/24", "www.example.net", "A")
		if !strings.Contains(out, predicted.Answer[0]) || !strings.Contains(out, "ecs scope /24") {
			t.Errorf("coredns explain:\n%s\nwant %s", out, predicted.Answer[0])
		}
	})

	t.Run("bad questions get 400 with the reason", func(t *testing.T) {
		for q, want := range map[string]string{
			"":                                    "name is required",
			"name=www.example.net&type=X":         "unknown record type",
			"name=www.example.net&ecs=1.2.3.4/99": "ecs:",
		} {
			resp, err := http.Get(explainURL + "?" + q)
			if err != nil {
				t.Fatal(err)
			}
			body := make([]byte, 512)
			n, _ := resp.Body.Read(body)
			resp.Body.Close()
			if resp.StatusCode != 400 || !strings.Contains(string(body[:n]), want) {
				t.Errorf("?%s: HTTP %d %q, want 400 %q", q, resp.StatusCode, body[:n], want)
			}
		}
		resp, err := http.Get(explainURL + "?name=www.example.org")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("a name outside the zones: HTTP %d, want 404", resp.StatusCode)
		}
	})
}
