package kube

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/kubetest"
)

// recoveryGoal bounds the time from the restarted apiserver answering /readyz to
// the check following the current state.
const recoveryGoal = 3 * time.Second

// outage is how long the test keeps every apiserver away.
const outage = 20 * time.Second

// TestAPIServerRestart stops the real kube-apiserver under a kubernetes check
// (etcd keeps running), changes the Service's EndpointSlice while it is down
// through a second apiserver on the same etcd (as another control-plane member
// would), stops that one too, and restarts the first on the same port. While no
// apiserver answers the check is unknown with the reason and keeps its last
// state; after the restart it must follow the state written meanwhile, within
// recoveryGoal of /readyz, and then follow a new write as quickly as before.
func TestAPIServerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver")
	}
	c := kubetest.Start(t, kubetest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ns := c.Namespace(t, "shop")
	if _, err := c.Client.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 80}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sl := slice(ns, "web", "web-a", map[string]int32{"http": 8080}, ep("10.244.0.1", "a", "true"), ep("10.244.0.2", "b", "true"))
	if _, err := c.Client.DiscoveryV1().EndpointSlices(ns).Create(ctx, sl, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	l := &logs{}
	// No src.Wait at cleanup: the informers revive replaced may be asleep in
	// client-go's watch-list backoff, which ignores their stop (reflector.go,
	// watchList), and end only when it runs out (seconds to a minute).
	src := New(Options{Errorf: l.logf, Infof: l.logf})
	e := hc.New(hc.Options{Sources: map[hc.Type]hc.Source{hc.TypeKubernetes: src}})
	set, err := e.Apply("t", []hc.Spec{spec(t, "web", "kubernetes", ns+"/web", "port=http", "min_ready=2", "kubeconfig="+c.AdminKubeconfig)})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	web, _ := set.Handle("web")
	waitFor(t, "web known", func() bool { return web.Status().Probed })
	if !web.Up() {
		t.Fatalf("web: %+v", web.Status())
	}

	down := time.Now()
	c.Stop() // SIGTERM: the apiserver's graceful shutdown closes the watches
	exited := time.Now()
	waitFor(t, "web unknown", func() bool { return !web.Status().Probed })
	t.Logf("apiserver stopped in %v; exited → check unknown in %v", exited.Sub(down).Round(time.Millisecond), time.Since(exited).Round(time.Millisecond))
	unknown := func(when string) {
		t.Helper()
		st := web.Status()
		if st.Probed || !st.Up || st.Results[0].Kind != hc.KindUnknown || !strings.Contains(st.Results[0].Detail, "apiserver unreachable") {
			t.Fatalf("%s: probed %v, up %v, %+v; want unknown (apiserver unreachable), last state up", when, st.Probed, st.Up, st.Results[0])
		}
	}
	unknown("apiserver stopped")

	// b not ready: 1 of 2 < min_ready, so web is down from now on; no apiserver
	// our check talks to says so yet.
	peer := time.Now()
	p := c.Peer(t)
	t.Logf("peer apiserver ready in %v", time.Since(peer).Round(time.Millisecond))
	f := false
	cur, err := p.Client.DiscoveryV1().EndpointSlices(ns).Get(ctx, "web-a", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cur.Endpoints[1].Conditions.Ready = &f
	if _, err := p.Client.DiscoveryV1().EndpointSlices(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	p.Stop()
	unknown("changed through the peer")
	// An outage long enough for client-go's informers to back off past
	// recoveryGoal (see reviveEvery), the status sampled all along: unknown,
	// the last state kept, nothing judged from an empty or stale cache.
	for time.Since(down) < outage {
		unknown("apiserver still down")
		time.Sleep(50 * time.Millisecond)
	}

	restart := time.Now()
	c.Restart(t)
	ready := time.Now()
	deadline := ready.Add(90 * time.Second)
	for !(web.Status().Probed && !web.Up()) {
		if time.Now().After(deadline) {
			t.Fatalf("check not down 90 s after the restart: %+v", web.Status())
		}
		time.Sleep(5 * time.Millisecond)
	}
	right := time.Now()
	t.Logf("down for %v; restart → apiserver ready %v; ready → check down (the state written while it was away) %v",
		restart.Sub(down).Round(time.Millisecond), ready.Sub(restart).Round(time.Millisecond), right.Sub(ready).Round(time.Millisecond))
	if st := web.Status(); st.Results[0].Kind != KindNotReady || !strings.Contains(st.Results[0].Detail, "1 of 2 endpoints ready") {
		t.Errorf("after restart: %+v", st.Results[0])
	}
	if d := right.Sub(ready); d > recoveryGoal {
		t.Errorf("check followed %v after the apiserver was ready, want under %v", d, recoveryGoal)
	}
	if !l.has("reachable again") {
		t.Errorf("recovery not logged: %q", l.lines)
	}

	// The watch works again: b ready → up, timed from the write.
	changed := make(chan struct{}, 10)
	e.Subscribe(func(tr hc.Transition) {
		if tr.Changed && slices.Contains(tr.Names, "web") {
			changed <- struct{}{}
		}
	})
	if cur, err = c.Client.DiscoveryV1().EndpointSlices(ns).Get(ctx, "web-a", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	tr := true
	cur.Endpoints[1].Conditions.Ready = &tr
	start := time.Now()
	if _, err := c.Client.DiscoveryV1().EndpointSlices(ns).Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
		t.Logf("after the restart, EndpointSlice write → check up in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatalf("no transition within 5 s of the write: %+v", web.Status())
	}
	if !web.Up() {
		t.Errorf("web down after b turned ready: %+v", web.Status())
	}
}
