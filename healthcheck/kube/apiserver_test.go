package kube

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/internal/kubetest"
)

// TestAgainstAPIServer runs kubernetes checks against a real kube-apiserver
// (internal/kubetest): endpoints flipping ready and not ready (the time from the
// EndpointSlice write to the engine's transition is measured), a missing Service,
// credentials the apiserver refuses or does not authorise, and the apiserver going
// away. It ends with the apiserver killed.
func TestAgainstAPIServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts etcd and kube-apiserver")
	}
	c := kubetest.Start(t, kubetest.Options{Users: []kubetest.User{{Token: "nobody-token", Name: "nobody"}}})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ns := c.Namespace(t, "shop")
	if _, err := c.Client.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 80}}}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	sl := slice(ns, "web", "web-a", map[string]int32{"http": 8080}, ep("10.244.0.1", "a", "true"), ep("10.244.0.2", "b", "true"))
	sl, err := c.Client.DiscoveryV1().EndpointSlices(ns).Create(ctx, sl, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	l := &logs{}
	src := New(Options{Errorf: l.logf, Infof: l.logf})
	t.Cleanup(src.Wait)
	e := hc.New(hc.Options{Sources: map[hc.Type]hc.Source{hc.TypeKubernetes: src}})
	changed := make(chan time.Time, 100)
	e.Subscribe(func(tr hc.Transition) {
		if tr.Changed && slices.Contains(tr.Names, "web") {
			changed <- time.Now()
		}
	})
	admin := c.AdminKubeconfig
	set, err := e.Apply("t", []hc.Spec{
		spec(t, "web", "kubernetes", ns+"/web", "port=http", "min_ready=2", "kubeconfig="+admin),
		spec(t, "gone", "kubernetes", ns+"/gone", "kubeconfig="+admin),
		spec(t, "denied", "kubernetes", ns+"/web", "kubeconfig="+c.Kubeconfig(t, "wrong-token")),
		spec(t, "forbidden", "kubernetes", ns+"/web", "kubeconfig="+c.Kubeconfig(t, "nobody-token")),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	web, _ := set.Handle("web")
	waitFor(t, "web known", func() bool { return web.Status().Probed })
	if !web.Up() {
		t.Fatalf("web: %+v", web.Status())
	}

	t.Run("failover time", func(t *testing.T) {
		var times []time.Duration
		for i := range 20 {
			ready := i%2 == 1 // first flip: b not ready, so 1 of 2 < min_ready
			sl.Endpoints[1].Conditions.Ready = &ready
			start := time.Now()
			if sl, err = c.Client.DiscoveryV1().EndpointSlices(ns).Update(ctx, sl, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			select {
			case at := <-changed:
				times = append(times, at.Sub(start))
			case <-time.After(5 * time.Second):
				t.Fatalf("flip %d: no transition within 5 s", i)
			}
			if web.Up() != ready {
				t.Fatalf("flip %d: up %v, want %v", i, web.Up(), ready)
			}
		}
		slices.Sort(times)
		t.Logf("EndpointSlice write → check transition over %d flips: p50 %v, p90 %v, max %v", len(times),
			times[len(times)/2], times[len(times)*9/10], times[len(times)-1])
		if times[len(times)-1] > time.Second {
			t.Errorf("max %v, want under 1 s", times[len(times)-1])
		}
	})

	t.Run("service not found", func(t *testing.T) {
		h, _ := set.Handle("gone")
		waitFor(t, "gone known", func() bool { return h.Status().Probed })
		if st := h.Status(); st.Up || st.Results[0].Detail != "service shop/gone not found" {
			t.Errorf("gone: up %v, %+v", st.Up, st.Results[0])
		}
	})

	for _, tc := range []struct{ name, detail string }{
		{"denied", "apiserver refused the credentials (401 Unauthorized)"},
		{"forbidden", "forbidden (403): the account may not list and watch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := set.Handle(tc.name)
			waitFor(t, tc.name+" unknown", func() bool { return len(h.Status().Results) > 0 })
			st := h.Status()
			if st.Probed || !st.Up || st.Results[0].Kind != hc.KindUnknown || !strings.Contains(st.Results[0].Detail, tc.detail) {
				t.Errorf("%s: probed %v up %v %+v", tc.name, st.Probed, st.Up, st.Results[0])
			}
			if !l.has(tc.detail) {
				t.Errorf("not logged: %q", l.lines)
			}
		})
	}

	t.Run("load balancer status", func(t *testing.T) {
		cfg := Config{Kubeconfig: admin}
		rc, err := cfg.REST()
		if err != nil {
			t.Fatal(err)
		}
		seen := make(chan string, 10)
		cancel, err := src.Subscribe(cfg, rc, ns, "edge", func(st State) { seen <- fmt.Sprint(Addresses(st, FromLoadBalancer, "")) })
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
		want := func(addrs string) {
			t.Helper()
			for {
				select {
				case got := <-seen:
					if got == addrs {
						return
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("never saw %s", addrs)
				}
			}
		}
		want("[]") // no such Service yet
		svc, err := c.Client.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "edge"},
			Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer, Ports: []corev1.ServicePort{{Name: "https", Port: 443}}}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "203.0.113.7"}, {IP: "2001:db8::7"}}
		start := time.Now()
		if _, err := c.Client.CoreV1().Services(ns).UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		want("[203.0.113.7 2001:db8::7]")
		t.Logf("Service status write → load balancer addresses seen in %v", time.Since(start))
	})

	t.Run("apiserver killed", func(t *testing.T) {
		// web is up (the last flip made b ready); take it down, then stop the
		// apiserver: web turns unknown and keeps its last known state, down.
		f := false
		sl.Endpoints[0].Conditions.Ready = &f
		if _, err := c.Client.DiscoveryV1().EndpointSlices(ns).Update(ctx, sl, metav1.UpdateOptions{}); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "web down", func() bool { return !web.Up() })
		_ = syscall.Kill(-c.Pid(), syscall.SIGKILL) // killed, as by the OOM killer: no graceful end
		<-c.Exited()
		waitFor(t, "web unknown", func() bool { return !web.Status().Probed })
		st := web.Status()
		if st.Up || st.Results[0].Kind != hc.KindUnknown || !strings.Contains(st.Results[0].Detail, "apiserver unreachable") {
			t.Errorf("web: up %v %+v", st.Up, st.Results[0])
		}
		if !l.has("checks that watch it are unknown") {
			t.Errorf("not logged: %q", l.lines)
		}
	})
}
