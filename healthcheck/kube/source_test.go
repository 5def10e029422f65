package kube

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

// logs collects what a Source logs.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) has(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		if strings.Contains(line, s) {
			return true
		}
	}
	return false
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func spec(t *testing.T, args ...string) hc.Spec {
	t.Helper()
	s, err := hc.Inline("test", 1, args)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeEngine is an engine whose kubernetes checks watch client.
func fakeEngine(t *testing.T, client kubernetes.Interface) (*hc.Engine, *Source, *logs) {
	l := &logs{}
	src := New(Options{Errorf: l.logf, Infof: l.logf, NewClient: func(*rest.Config) (kubernetes.Interface, error) { return client, nil }})
	t.Cleanup(src.Wait)
	return hc.New(hc.Options{Sources: map[hc.Type]hc.Source{hc.TypeKubernetes: src}}), src, l
}

func TestWatchFollowsEndpointSlices(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset(service("shop", "web", svcPort("http", 80)),
		slice("shop", "web", "web-a", map[string]int32{"http": 8080}, ep("10.0.0.1", "a", "true"), ep("10.0.0.2", "b", "true")))
	e, _, _ := fakeEngine(t, client)
	set, err := e.Apply("t", []hc.Spec{
		spec(t, "web", "kubernetes", "shop/web", "endpoint=https://192.0.2.1:6443", "min_ready=2"),
		spec(t, "web-any", "kubernetes", "shop/web", "endpoint=https://192.0.2.1:6443"),
		spec(t, "gone", "kubernetes", "shop/gone", "endpoint=https://192.0.2.1:6443"),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	web, _ := set.Handle("web")
	gone, _ := set.Handle("gone")
	waitFor(t, "first state", set.Ready)
	if !web.Up() || gone.Up() {
		t.Fatalf("web %+v, gone %+v", web.Status(), gone.Status())
	}
	if d := gone.Status().Results[0].Detail; d != "service shop/gone not found" {
		t.Errorf("gone: %q", d)
	}

	sl, _ := client.DiscoveryV1().EndpointSlices("shop").Get(ctx, "web-a", metav1.GetOptions{})
	f := false
	sl.Endpoints[1].Conditions.Ready = &f
	if _, err := client.DiscoveryV1().EndpointSlices("shop").Update(ctx, sl, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web down", func() bool { return !web.Up() })
	if h, _ := set.Handle("web-any"); !h.Up() {
		t.Error("web-any (min_ready 1) went down")
	}

	if _, err := client.CoreV1().Services("shop").Create(ctx, service("shop", "gone"), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "gone exists, no endpoints", func() bool { return strings.Contains(gone.Status().Results[0].Detail, "0 of 0") })
	if _, err := client.DiscoveryV1().EndpointSlices("shop").Create(ctx, slice("shop", "gone", "gone-a", nil, ep("10.0.1.1", "x", "")), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "gone up", gone.Up)
	if err := client.CoreV1().Services("shop").Delete(ctx, "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	any, _ := set.Handle("web-any")
	waitFor(t, "web-any not found", func() bool { return any.Status().Results[0].Kind == KindNotFound })
}

// TestSharedInformers: checks on one apiserver share a connection and, per
// namespace, informers; the last check to stop closes them.
func TestSharedInformers(t *testing.T) {
	client := fake.NewClientset()
	e, src, _ := fakeEngine(t, client)
	a, err := e.Apply("a", []hc.Spec{spec(t, "x", "kubernetes", "ns1/x", "endpoint=https://192.0.2.1:6443"),
		spec(t, "y", "kubernetes", "ns1/y", "endpoint=https://192.0.2.1:6443"),
		spec(t, "z", "kubernetes", "ns2/z", "endpoint=https://192.0.2.1:6443")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Apply("b", []hc.Spec{spec(t, "w", "kubernetes", "ns1/x", "endpoint=https://192.0.2.2:6443")})
	if err != nil {
		t.Fatal(err)
	}
	src.mu.Lock()
	n := len(src.clusters)
	var spaces int
	for _, c := range src.clusters {
		c.mu.Lock()
		spaces += len(c.spaces)
		c.mu.Unlock()
	}
	src.mu.Unlock()
	if n != 2 || spaces != 3 {
		t.Errorf("%d connections, %d namespaces; want 2, 3", n, spaces)
	}
	waitFor(t, "ready", func() bool { return a.Ready() && b.Ready() })
	a.Close()
	b.Close()
	src.mu.Lock()
	n = len(src.clusters)
	src.mu.Unlock()
	if n != 0 {
		t.Errorf("%d connections left", n)
	}
}

// apiserver is a fake apiserver that answers every request with status.
func apiserver(t *testing.T, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","message":"%s","code":%d}`, http.StatusText(status), status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestUnauthorisedAndUnreachable(t *testing.T) {
	l := &logs{}
	src := New(Options{Errorf: l.logf, Infof: l.logf})
	t.Cleanup(src.Wait)
	e := hc.New(hc.Options{Sources: map[hc.Type]hc.Source{hc.TypeKubernetes: src}})
	denied := apiserver(t, http.StatusUnauthorized)
	forbidden := apiserver(t, http.StatusForbidden)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := "http://" + ln.Addr().String()
	ln.Close()
	set, err := e.Apply("t", []hc.Spec{
		spec(t, "denied", "kubernetes", "shop/web", "endpoint="+denied.URL, "initial=unhealthy"),
		spec(t, "forbidden", "kubernetes", "shop/web", "endpoint="+forbidden.URL),
		spec(t, "down", "kubernetes", "shop/web", "endpoint="+closed),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	for _, tc := range []struct{ name, detail, log string }{
		{"denied", "apiserver refused the credentials (401 Unauthorized)", denied.URL + ": "},
		{"forbidden", "forbidden (403): the account may not list and watch", forbidden.URL + ": "},
		{"down", "apiserver unreachable: dial tcp", closed + ": "},
	} {
		h, _ := set.Handle(tc.name)
		waitFor(t, tc.name+" unknown", func() bool { st := h.Status(); return len(st.Results) > 0 })
		st := h.Status()
		r := st.Results[0]
		if st.Probed || r.Kind != hc.KindUnknown || !strings.Contains(r.Detail, tc.detail) {
			t.Errorf("%s: probed %v, result %+v", tc.name, st.Probed, r)
		}
		if st.Up != (tc.name != "denied") { // unknown keeps the initial state
			t.Errorf("%s: up %v", tc.name, st.Up)
		}
		if !l.has("kubernetes " + tc.log) {
			t.Errorf("%s: not logged: %q", tc.name, l.lines)
		}
	}
	if set.Ready() {
		t.Error("ready while every apiserver refuses")
	}
}

func TestOpenErrors(t *testing.T) {
	src := New(Options{})
	e := hc.New(hc.Options{Sources: map[hc.Type]hc.Source{hc.TypeKubernetes: src}})
	for _, tc := range []struct {
		body, want string
	}{
		{"kubeconfig: /nonexistent/kubeconfig", "k.yaml:5: checks.c.kubeconfig: "},
		{"endpoint: https://192.0.2.1:6443\n    ca: /nonexistent/ca.pem", "k.yaml:6: checks.c.ca: stat /nonexistent/ca.pem"},
	} {
		specs, err := hc.Parse("k.yaml", strings.NewReader("checks:\n  c:\n    type: kubernetes\n    service: shop/web\n    "+tc.body+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Prepare("t", specs); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.body, err, tc.want)
		}
	}
	t.Setenv("KUBERNETES_SERVICE_HOST", "")
	if _, err := e.Prepare("t", []hc.Spec{spec(t, "c", "kubernetes", "shop/web")}); err == nil || !strings.Contains(err.Error(), "checks.c.type: no in-cluster configuration") {
		t.Errorf("in-cluster outside a cluster: %v", err)
	}
}

// TestRecovery: when the apiserver fails and comes back (as the transport sees
// it), checks turn unknown with the reason, keep their state, and are judged
// again from the caches on recovery; both are logged once.
func TestRecovery(t *testing.T) {
	client := fake.NewClientset(service("shop", "web"), slice("shop", "web", "web-a", nil, ep("10.0.0.1", "a", "true")))
	e, src, l := fakeEngine(t, client)
	set, err := e.Apply("t", []hc.Spec{spec(t, "web", "kubernetes", "shop/web", "endpoint=https://192.0.2.1:6443")})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	web, _ := set.Handle("web")
	waitFor(t, "web known", func() bool { return web.Status().Probed })
	c := onlyCluster(src)
	for range 3 { // the informers' retries: one log line, one result
		c.conn.set("shop/services", fmt.Errorf("apiserver unreachable: connection refused"))
	}
	waitFor(t, "web unknown", func() bool { return !web.Status().Probed })
	st := web.Status()
	if !st.Up || st.Results[0].Detail != "services in shop: apiserver unreachable: connection refused" || st.Results[1].Kind != hc.KindOK {
		t.Errorf("unknown: up %v, results %+v", st.Up, st.Results)
	}
	c.conn.set("other/services", fmt.Errorf("forbidden")) // another namespace: not ours
	c.conn.set("shop/services", nil)
	waitFor(t, "web known again", func() bool { return web.Status().Probed })
	if !web.Up() {
		t.Error("down after recovery")
	}
	c.conn.set("other/services", nil)
	waitFor(t, "reachable again logged", func() bool { return l.has("reachable again") })
	l.mu.Lock()
	defer l.mu.Unlock()
	// One line per state the cluster passes through: the outage, possibly both
	// namespaces at once (the logger runs after each change and may or may not
	// see the moment between setting other/services and clearing shop/services),
	// other's refusal alone, and the recovery.
	if n := len(l.lines); !strings.Contains(l.lines[0], "shop/services: apiserver unreachable: connection refused; checks that watch it are unknown") ||
		!strings.Contains(l.lines[n-1], "reachable again") || n > 4 {
		t.Errorf("logged %q", l.lines)
	}
}

// TestRestartStalled: restart gives a stalled namespace new informers, which
// carry its subscriptions: the check is judged from them once the apiserver
// answers, follows later changes, and the last check's end stops them.
func TestRestartStalled(t *testing.T) {
	ctx := context.Background()
	client := fake.NewClientset(service("shop", "web"), slice("shop", "web", "web-a", nil, ep("10.0.0.1", "a", "true")))
	e, src, l := fakeEngine(t, client)
	set, err := e.Apply("t", []hc.Spec{spec(t, "web", "kubernetes", "shop/web", "endpoint=https://192.0.2.1:6443"),
		spec(t, "other", "kubernetes", "other/x", "endpoint=https://192.0.2.1:6443")})
	if err != nil {
		t.Fatal(err)
	}
	web, _ := set.Handle("web")
	waitFor(t, "web known", func() bool { return web.Status().Probed })
	c := onlyCluster(src)
	c.mu.Lock()
	old, other := c.spaces["shop"], c.spaces["other"]
	c.mu.Unlock()

	c.conn.setStalled("shop/services", fmt.Errorf("apiserver unreachable: connection refused"))
	waitFor(t, "web unknown", func() bool { return !web.Status().Probed })
	c.restart(c.conn.stalledSpaces()) // informers just started: left alone
	c.mu.Lock()
	same := c.spaces["shop"] == old
	c.mu.Unlock()
	if !same {
		t.Fatal("restarted informers younger than two rounds")
	}
	old.started = old.started.Add(-time.Minute)
	c.restart(c.conn.stalledSpaces())
	c.mu.Lock()
	sp := c.spaces["shop"]
	c.mu.Unlock()
	select {
	case <-old.stop:
	default:
		t.Error("old informers not stopped")
	}
	if sp == old || sp.refs != old.refs || c.spaces["other"] != other {
		t.Fatalf("shop %p (was %p), refs %d (were %d); other replaced %v", sp, old, sp.refs, old.refs, c.spaces["other"] != other)
	}
	if !l.has("listing shop afresh") {
		t.Errorf("not logged: %q", l.lines)
	}
	c.conn.set("shop/services", nil) // the new informers' list answered
	waitFor(t, "web known again", func() bool { return web.Status().Probed && web.Up() })

	sl, _ := client.DiscoveryV1().EndpointSlices("shop").Get(ctx, "web-a", metav1.GetOptions{})
	f := false
	sl.Endpoints[0].Conditions.Ready = &f
	if _, err := client.DiscoveryV1().EndpointSlices("shop").Update(ctx, sl, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "web down through the new informers", func() bool { return !web.Up() })
	set.Close()
	select {
	case <-sp.stop:
	case <-time.After(5 * time.Second):
		t.Error("the last check's end left the new informers running")
	}
}

// onlyCluster is the source's one apiserver connection (nil: none yet).
func onlyCluster(src *Source) *cluster {
	src.mu.Lock()
	defer src.mu.Unlock()
	for _, c := range src.clusters {
		return c
	}
	return nil
}
