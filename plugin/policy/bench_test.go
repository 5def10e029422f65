package policy

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/coredns/coredns/plugin/file"
	"github.com/coredns/coredns/plugin/test"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/miekg/dns"
)

const benchData = `checks:
  fra-1: {type: tcp, target: "127.0.0.1:1", initial: healthy}
  fra-2: {type: tcp, target: "127.0.0.1:2", initial: healthy}
  iad-1: {type: tcp, target: "127.0.0.1:3", initial: healthy}
zones:
  example.net:
    ttl: 30
    soa: {serial: 1}
    records:
      "@":
        NS: {values: [ns1.example.net.]}
      www:
        A:
          geolocation:
            - continent: EU
              failover:
                - weighted:
                    - {weight: 70, value: 192.0.2.10, check: fra-1}
                    - {weight: 30, value: 192.0.2.11, check: fra-2}
                - {value: 198.51.100.10, check: iad-1}
            - continent: NA
              value: 198.51.100.10
              check: iad-1
            - default: true
              value: 203.0.113.10
`

const benchZone = `$ORIGIN example.net.
@   30 IN SOA ns1.example.net. hostmaster.example.net. 1 7200 3600 1209600 60
@   30 IN NS  ns1.example.net.
www 30 IN A   192.0.2.10
`

// BenchmarkServeDNS compares, in one run, the policy handler answering the
// geolocation → failover → weighted tree (client located in the context, as geo
// leaves it) with CoreDNS's file plugin answering a static A record for the same name.
//
//	go test -run '^$' -bench BenchmarkServeDNS -benchmem ./plugin/policy/
func BenchmarkServeDNS(b *testing.B) {
	dir := b.TempDir()
	path := dir + "/bench.yaml"
	writeFile(b, path, benchData)
	p := newTestPolicy(b, nil, path)
	zone, err := file.Parse(strings.NewReader(benchZone), "example.net.", "bench", 0)
	if err != nil {
		b.Fatal(err)
	}
	f := file.File{Next: test.ErrorHandler(), Zones: file.Zones{Z: map[string]*file.Zone{"example.net.": zone}, Names: []string{"example.net."}}}
	c := client(b, "192.0.2.0/24", frankfurt, 16)
	ctx := geo.NewContext(context.Background(), c)
	for _, bc := range []struct {
		name string
		h    interface {
			ServeDNS(context.Context, dns.ResponseWriter, *dns.Msg) (int, error)
		}
	}{{"policy", p}, {"file", f}} {
		b.Run(bc.name, func(b *testing.B) {
			m := new(dns.Msg).SetQuestion("www.example.net.", dns.TypeA)
			w := &test.ResponseWriter{}
			b.ReportAllocs()
			for b.Loop() {
				bc.h.ServeDNS(ctx, w, m)
			}
		})
	}
}

func writeFile(tb testing.TB, path, content string) {
	tb.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
}
