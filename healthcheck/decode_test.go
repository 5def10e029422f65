package healthcheck

import (
	"strings"
	"testing"
	"time"
)

const goodYAML = `checks:
  web-eu:
    type: http
    url: http://192.0.2.10:8080/health
    interval: 2s
    timeout: 1s
    rise: 2
    fall: 3
    headers:
      x-probe: coretraffic
    expect: [200, 300-302]
    match: OK
  web-us:
    type: https
    url: https://www.example.org/health
    address: 192.0.2.11
    tls_skip_verify: true
  db:
    type: tcp
    target: 192.0.2.20:5432
    invert: true
  ns:
    type: dns
    target: 192.0.2.53
    name: example.org
    qtype: aaaa
    rcode: NOERROR
    answer: "2001:db8::1"
  api:
    type: grpc
    target: 192.0.2.30:9000
    service: api
    initial: unhealthy
  both:
    type: calculated
    children: [web-eu, web-us]
    min_healthy: 1
`

func TestParseGood(t *testing.T) {
	specs, err := Parse("data.yaml", strings.NewReader(goodYAML))
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 6 {
		t.Fatalf("got %d specs", len(specs))
	}
	web := specs[0]
	if web.Name != "web-eu" || web.Interval != 2*time.Second || web.Rise != 2 || web.Fall != 3 ||
		len(web.Expect) != 2 || web.Headers[0].Name != "X-Probe" || web.Method != "GET" || web.MatchLimit != 5120 {
		t.Errorf("web-eu: %+v", web)
	}
	if us := specs[1]; us.Timeout != DefaultTimeout || us.Interval != DefaultInterval || !us.TLSSkipVerify {
		t.Errorf("web-us defaults: %+v", us)
	}
	if ns := specs[3]; ns.Target != "192.0.2.53:53" || ns.QName != "example.org." || ns.QType != 28 || ns.Proto != "udp" {
		t.Errorf("ns: %+v", ns)
	}
	if both := specs[5]; both.MinHealthy != 1 || len(both.Children) != 2 {
		t.Errorf("both: %+v", both)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"negative interval", "checks:\n  a:\n    type: tcp\n    target: 127.0.0.1:1\n    interval: -2s\n",
			"data.yaml:5: checks.a.interval: must be positive"},
		{"timeout >= interval", "checks:\n  a:\n    type: http\n    url: http://x/\n    interval: 2s\n    timeout: 2s\n",
			"data.yaml:6: checks.a.timeout: must be shorter than interval 2s"},
		{"interval too short", "checks:\n  a:\n    type: tcp\n    target: x:1\n    interval: 500ms\n    timeout: 100ms\n",
			"data.yaml:5: checks.a.interval: must be at least 1s"},
		{"unknown type", "checks:\n  a:\n    type: icmp\n", "data.yaml:3: checks.a.type: unknown type"},
		{"missing type", "checks:\n  a:\n    target: x:1\n", "data.yaml:2: checks.a.type: missing"},
		{"bad URL", "checks:\n  a:\n    type: http\n    url: \"http://[::1\"\n", "data.yaml:4: checks.a.url: bad URL"},
		{"scheme mismatch", "checks:\n  a:\n    type: https\n    url: http://x/\n", "data.yaml:4: checks.a.url: a https check needs a https:// URL"},
		{"unknown field", "checks:\n  a:\n    type: tcp\n    target: x:1\n    colour: red\n", "data.yaml:5: checks.a.colour: unknown field"},
		{"field of another type", "checks:\n  a:\n    type: tcp\n    target: x:1\n    url: http://x/\n", "data.yaml:5: checks.a.url: not valid for type tcp"},
		{"bad port", "checks:\n  a:\n    type: tcp\n    target: x:99999\n", "data.yaml:4: checks.a.target: bad port"},
		{"bad expect", "checks:\n  a:\n    type: http\n    url: http://x/\n    expect: [700]\n", "data.yaml:5: checks.a.expect: bad status"},
		{"unknown child", "checks:\n  a:\n    type: calculated\n    children: [b]\n", "data.yaml:4: checks.a.children: unknown check \"b\""},
		{"cycle", "checks:\n  a:\n    type: calculated\n    children: [b]\n  b:\n    type: calculated\n    children: [a]\n",
			"checks.a.children: cycle"},
		{"self cycle", "checks:\n  a:\n    type: calculated\n    children: [a]\n", "cycle"},
		{"min_healthy too big", "checks:\n  t:\n    type: tcp\n    target: x:1\n  a:\n    type: calculated\n    children: [t]\n    min_healthy: 2\n",
			"data.yaml:8: checks.a.min_healthy: 2 is more than the 1 children"},
		{"duplicate check", "checks:\n  a:\n    type: tcp\n    target: x:1\n  a:\n    type: tcp\n    target: x:2\n", "data.yaml:5: checks.a: defined twice"},
		{"other top-level key", "zones: {}\n", "data.yaml:1: zones: unknown top-level key"},
		{"not a mapping", "checks:\n  a: 3\n", "checks.a: must be a mapping"},
		{"dns without name", "checks:\n  a:\n    type: dns\n    target: 127.0.0.1\n", "checks.a.name: a dns check needs"},
		{"rise zero", "checks:\n  a:\n    type: tcp\n    target: x:1\n    rise: 0\n", "data.yaml:5: checks.a.rise: must be between 1"},
		{"cert without key", "checks:\n  a:\n    type: https\n    url: https://x/\n    client_cert: c.pem\n", "checks.a.client_cert: client_cert and client_key go together"},
		{"bad yaml", "checks: [\n", "invalid YAML"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("data.yaml", strings.NewReader(tc.yaml))
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestInline(t *testing.T) {
	s, err := Inline("Corefile", 7, []string{"web", "http", "http://127.0.0.1:8080/h?x=1", "interval=2s", "timeout=1s",
		"header=X-A: b", "expect=200,204", "match=ok"})
	if err != nil {
		t.Fatal(err)
	}
	if s.URL != "http://127.0.0.1:8080/h?x=1" || s.Interval != 2*time.Second || len(s.Expect) != 2 || s.Headers[0].Value != "b" {
		t.Errorf("got %+v", s)
	}
	s, err = Inline("Corefile", 7, []string{"both", "calculated", "a,b", "min_healthy=2"})
	if err != nil || len(s.Children) != 2 || s.MinHealthy != 2 {
		t.Errorf("calculated: %+v %v", s, err)
	}
	s, err = Inline("Corefile", 7, []string{"web", "http", "url=http://x/"})
	if err != nil || s.URL != "http://x/" {
		t.Errorf("url=: %+v %v", s, err)
	}
	_, err = Inline("Corefile", 9, []string{"web", "tcp", "x:1", "interval=1s", "timeout=1s"})
	if err == nil || err.Error() != "Corefile:9: checks.web.timeout: must be shorter than interval 1s" {
		t.Errorf("got %v", err)
	}
}
