package vantage_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	"github.com/coretraffic/coretraffic/route53/vantage"
	etcdstore "github.com/coretraffic/coretraffic/store/etcd"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"
)

const (
	testKey    = "AKIDVANTAGETEST"
	testSecret = "vantage-test-secret"
)

// site is one replica: its own etcd store (one etcd member as its only
// endpoint, so pausing that member cuts it off), engine probing from its own
// loopback address, replica and Route 53 API.
type site struct {
	region string
	src    netip.Addr
	st     *etcdstore.Store
	rep    *replica.Replica
	api    *route53.Client
}

// firewall is a check target that answers 503 to the source addresses it
// blocks: a real endpoint that some vantage points cannot use.
type firewall struct {
	mu      sync.Mutex
	blocked map[string]bool
}

func (f *firewall) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.blocked[host] {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
}

func startSite(t *testing.T, i int, endpoint, prefix string) *site {
	t.Helper()
	s := &site{region: fmt.Sprintf("pop-%d", i), src: netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st, err := etcdstore.Open(ctx, etcdstore.Options{Endpoints: []string{endpoint}, Prefix: prefix,
		Member: s.region, PresenceTTL: time.Second, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s.st = st
	engine := hc.New(hc.Options{Source: s.src})
	s.rep, err = replica.NewWithOptions(st, engine, replica.Options{Owner: "vantage-test", Logf: t.Logf,
		Vantage: vantage.Options{Region: s.region, IP: s.src.String(), Heartbeat: 100 * time.Millisecond, Stale: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	rctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.rep.Run(rctx) }()
	keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Config{Store: st, Replica: s.rep, Keys: keys, Logf: t.Logf, Auth: sigv4.Options{Rate: -1}}))
	t.Cleanup(func() {
		srv.Close()
		stop()
		<-done
		st.Close()
	})
	s.api = route53.New(route53.Options{BaseEndpoint: aws.String(srv.URL), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, ""), Retryer: aws.NopRetryer{}})
	return s
}

// state is how a site's query path sees the check: its Up, and whether a
// verdict of the group or its own probes decided.
func (s *site) state(id string) string {
	h, ok := s.rep.Handle(id)
	if !ok {
		return "absent"
	}
	st := h.Status()
	return fmt.Sprintf("up=%v verdict=%v", st.Up, st.Verdict)
}

// waitStates waits until every site's state is want[i]; it returns how long.
func waitStates(t *testing.T, sites []*site, id string, want []string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		var got []string
		for _, s := range sites {
			got = append(got, s.state(id))
		}
		if slices.Equal(got, want) {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("after %v: %q, want %q", within, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestVantageQuorum runs three replicas on a real three-member etcd, each
// probing one real HTTP endpoint from its own address; the endpoint refuses
// two of them. With Route 53's rule (more than 18 % healthy) the one checker
// that reaches it carries the check for all three; when that checker's
// session is lost (its etcd member paused past the lease TTL) the other two
// turn the check down while the cut-off one falls back to its own probes; when
// it comes back all three agree again. GetHealthCheckStatus lists the three
// checkers from any replica.
func TestVantageQuorum(t *testing.T) {
	ms := etcdtest.StartCluster(t, 3, etcdtest.Config{})
	prefix := fmt.Sprintf("/test/%s/", t.Name())
	fw := &firewall{blocked: map[string]bool{"127.0.0.2": true, "127.0.0.3": true}}
	target := httptest.NewServer(fw)
	defer target.Close()
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	portN, _ := strconv.Atoi(port)

	sites := make([]*site, 3)
	for i := range sites {
		sites[i] = startSite(t, i, ms[i].ClientURL, prefix)
	}
	ctx := context.Background()
	out, err := sites[0].api.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("vantage"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeHttp, IPAddress: aws.String("127.0.0.1"),
			Port: aws.Int32(int32(portN)), ResourcePath: aws.String("/"), RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	id := *out.HealthCheck.Id
	healthy := []string{"up=true verdict=healthy", "up=true verdict=healthy", "up=true verdict=healthy"}
	took := waitStates(t, sites, id, healthy, 10*time.Second)
	t.Logf("3 replicas agree healthy (1 of 3 checkers, 33 %% > 18 %%) %v after CreateHealthCheck", took.Round(time.Millisecond))
	// The quorum needs only pop-0's first probe; under load the others may still
	// be waiting for theirs (healthy until probed, as Route 53's checks start).
	for i, s := range sites[1:] {
		h, _ := s.rep.Handle(id)
		deadline := time.Now().Add(10 * time.Second)
		for !h.Status().Probed && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if st := h.Status(); !st.Probed || st.Observed {
			t.Errorf("site %d: own probes: probed %v, healthy %v; want probed and unhealthy (the endpoint refuses it)", i+1, st.Probed, st.Observed)
		}
	}

	// GetHealthCheckStatus from every replica lists the three checkers, once each
	// has published its first observation.
	for i, s := range sites {
		var st *route53.GetHealthCheckStatusOutput
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var err error
			st, err = s.api.GetHealthCheckStatus(ctx, &route53.GetHealthCheckStatusInput{HealthCheckId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			if len(st.HealthCheckObservations) >= 3 || time.Now().After(deadline) {
				break
			}
		}
		var got []string
		for _, o := range st.HealthCheckObservations {
			got = append(got, string(o.Region)+" "+*o.IPAddress+" "+*o.StatusReport.Status)
			if o.StatusReport.CheckedTime == nil || time.Since(*o.StatusReport.CheckedTime) > time.Minute {
				t.Errorf("site %d: observation %s checked at %v", i, o.Region, o.StatusReport.CheckedTime)
			}
		}
		slices.Sort(got)
		want := []string{
			"pop-0 127.0.0.1 Success: HTTP Status Code 200, OK",
			"pop-1 127.0.0.2 Failure: HTTP Status Code 503, Service Unavailable (status 503)",
			"pop-2 127.0.0.3 Failure: HTTP Status Code 503, Service Unavailable (status 503)",
		}
		if !slices.Equal(got, want) {
			t.Errorf("site %d: GetHealthCheckStatus:\n%s\nwant\n%s", i, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}

	// pop-0 loses its session: its only etcd member stops answering.
	ms[0].Pause()
	paused := time.Now()
	cut := []string{"up=true verdict=", "up=false verdict=unhealthy", "up=false verdict=unhealthy"}
	took = waitStates(t, sites, id, cut, 10*time.Second)
	t.Logf("pop-0 cut off: the others turned the check down (0 of 2) and pop-0 decides alone %v after the pause (TTL 1 s, stale 1 s)", took.Round(time.Millisecond))
	// The lease was last renewed up to a third of its TTL before the pause.
	if since := time.Since(paused); since < 500*time.Millisecond {
		t.Errorf("quorum flipped %v after the pause, before the 1 s lease could expire", since)
	}

	ms[0].Resume()
	took = waitStates(t, sites, id, healthy, 10*time.Second)
	t.Logf("pop-0 back: all agree healthy again %v after resuming", took.Round(time.Millisecond))

	// pop-0 dies: its connection to etcd goes without revoking its lease.
	sites[0].st.Client().Close()
	killed := time.Now()
	took = waitStates(t, sites[1:], id, cut[1:], 10*time.Second)
	t.Logf("pop-0 killed: the others turned the check down %v later (TTL 1 s)", took.Round(time.Millisecond))
	if since := time.Since(killed); since < 500*time.Millisecond {
		t.Errorf("a dead checker dropped out %v after it died, before its lease could expire", since)
	}
}
