package transfer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/geo"
	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/route53/transfer"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

const (
	testKey    = "AKIDTRANSFER"
	testSecret = "transfer-secret"
)

// startAPI runs the Route 53 API on a bbolt store with its replica, and returns a
// client of it.
func startAPI(t *testing.T) (*transfer.Client, string) {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	engine := hc.New(hc.Options{})
	rep := replica.New(st, engine, "transfer-test", t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: st, Replica: rep, Keys: keys, Logf: t.Logf, Auth: sigv4.Options{Rate: -1}}))
	t.Cleanup(func() {
		srv.Close()
		cancel()
		<-done
		st.Close()
	})
	return transfer.NewClient(srv.URL, credentials.NewStaticCredentialsProvider(testKey, testSecret, "")), srv.URL
}

// state is a health check's state for a set of down checks.
type state func(name string) bool

type source bool

func (s source) Up() bool { return bool(s) }

// resolver resolves check names by up; a traffic policy leaf's "a&b" is up while
// all of them are (trafficflow.Resolver), as the replica resolves them.
func resolver(up state) policy.CheckResolver {
	return trafficflow.Resolver(func(name string) (policy.HealthSource, bool) { return source(up(name)), true })
}

// route53State is Route 53's state of the checks of b when the endpoints of the
// checks whose caller references are in down fail: inversion, disabled checks
// (healthy), calculated checks by HealthThreshold.
func route53State(b *transfer.Bundle, down map[string]bool) state {
	byID := map[string]checks.HealthCheck{}
	for _, h := range b.Checks {
		byID[h.ID] = h
	}
	var up state
	up = func(id string) bool {
		h, ok := byID[id]
		if !ok {
			panic("no health check " + id)
		}
		c := h.HealthCheckConfig
		if checks.Forced(c) == hc.OverrideDown {
			return false
		}
		if c.Disabled {
			return true
		}
		healthy := !down[h.CallerReference]
		if c.Type == checks.TypeCalculated {
			n := 0
			for _, child := range c.ChildHealthChecks {
				if up(child) {
					n++
				}
			}
			healthy = n >= *c.HealthThreshold
		}
		return healthy != c.Inverted
	}
	return up
}

// specState is the state of checks as the engine reads a data file's specs:
// disabled healthy, calculated by min_healthy, inversion; the probed ones are
// down when their Route 53 check's caller reference is in down.
func specState(specs []hc.Spec, b *transfer.Bundle, down map[string]bool) state {
	byName := map[string]hc.Spec{}
	for _, s := range specs {
		byName[s.Name] = s
	}
	refs := map[string]string{}
	for _, h := range b.Checks {
		refs[h.ID] = h.CallerReference
	}
	var up state
	up = func(name string) bool {
		s, ok := byName[name]
		if !ok {
			panic("no check " + name + " in the data file")
		}
		if s.Disabled {
			return true
		}
		healthy := !down[refs[name]]
		if s.Type == hc.TypeCalculated {
			n := 0
			for _, c := range s.Children {
				if up(c) {
					n++
				}
			}
			healthy = n >= s.MinHealthy
		}
		return healthy != s.Invert
	}
	return up
}

// client is one client of the corpus: an ECS subnet, or none (the source only).
type client struct {
	name string
	ecs  string
}

var corpus = []client{
	{"DE", "192.0.2.0/24"}, {"US-VA", "198.51.100.0/24"}, {"JP", "203.0.113.0/24"}, {"US-CA", "100.64.0.0/16"},
	{"BR", "100.65.0.0/16"}, {"AU", "100.66.0.0/16"}, {"ZA", "100.67.0.0/16"}, {"GB", "100.68.0.0/16"},
	{"FR", "100.69.0.0/16"}, {"IN", "100.70.0.0/16"}, {"CA", "100.71.0.0/16"}, {"v6 DE", "2001:db8:1::/48"},
	{"unknown", "10.9.9.0/24"}, {"no ECS", ""},
}

// answers asks every question of every client of the corpus, each draws times
// (weighted and multivalue answers are random), and returns per question the
// set of answers seen: the answer section sorted, with its rcode.
func answers(t *testing.T, snap *policy.Snapshot, questions []dns.Question, draws int) map[string]string {
	t.Helper()
	reader, err := geo.NewReader([]string{"../../geo/testdata/demo-city.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	locate := func(src netip.Addr, ecs *geo.ECS) (geo.Client, error) {
		var c geo.Client
		err := geo.Locate(reader, src, ecs, &c)
		return c, err
	}
	d := &answer.Data{Snap: snap}
	out := map[string]string{}
	for _, cl := range corpus {
		for _, q := range questions {
			aq := answer.Question{Name: q.Name, Type: q.Qtype, Source: netip.MustParseAddr("127.0.0.1")}
			if cl.ecs != "" {
				aq.ECS = netip.MustParsePrefix(cl.ecs)
				aq.Source = aq.ECS.Addr()
			}
			seen := map[string]bool{}
			for range draws {
				x, err := answer.Explain(d, locate, nil, aq)
				if err != nil {
					t.Fatalf("%s %s from %s: %v", q.Name, dns.TypeToString[q.Qtype], cl.name, err)
				}
				a := slices.Clone(x.Answer)
				sort.Strings(a)
				seen[x.Rcode+" "+strings.Join(a, " | ")] = true
			}
			var set []string
			for s := range seen {
				set = append(set, s)
			}
			sort.Strings(set)
			out[fmt.Sprintf("%s %s from %s", q.Name, dns.TypeToString[q.Qtype], cl.name)] = strings.Join(set, "  OR  ")
		}
	}
	return out
}

func timeNow() time.Time { return time.Now() }

func compile(t *testing.T, d *policy.Data, up state) *policy.Snapshot {
	t.Helper()
	snap, err := policy.Compile(d, resolver(up), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

type hcSpec = hc.Spec

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// handFiles are the hand-written Route 53 export in testdata (with its traffic
// policy and instance, or not).
func handFiles(traffic bool) transfer.Files {
	f := transfer.Files{Zones: []string{"testdata/example.org.json"}, Checks: []string{"testdata/healthchecks.json"},
		Collections: []string{"testdata/cidrcollections.json"},
		Blocks:      []string{"7d1e2f3a-0000-4000-8000-000000000001=testdata/cidrblocks.7d1e2f3a-0000-4000-8000-000000000001.json"}}
	if traffic {
		f.Policies, f.Instances = []string{"testdata/trafficpolicy.json"}, []string{"testdata/trafficpolicyinstances.json"}
	}
	return f
}
