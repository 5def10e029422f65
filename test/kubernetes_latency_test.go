package test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/kubetest"

	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// changeRounds Services are created and deleted one after another; each change
// is timed from just before the API call until the server's answer shows it.
const (
	changeRounds  = 10
	changeGoal    = time.Second // the bound, for every change
	changeTimeout = 10 * time.Second
	pollEvery     = 2 * time.Millisecond
)

// serviceChangeLatency measures create → A answer and delete → NXDOMAIN on both
// servers at once (neither caches cluster.local: kubeadm's Corefile disables
// it), logs p50 and max, and holds ours to changeGoal.
func serviceChangeLatency(t *testing.T, c *kubetest.Cluster, ours, stock dropInServer) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	svcs := c.Client.CoreV1().Services("shop")
	servers := map[string]string{"coretraffic": ours.Addr, "stock": stock.Addr}
	took := map[string][]time.Duration{} // "coretraffic create", …
	for i := range changeRounds {
		name := fmt.Sprintf("lat-%d", i)
		qname := name + ".shop.svc.cluster.local."
		// A ClusterIP the test picks, so the pollers know what to wait for
		// before the apiserver answers.
		ip := fmt.Sprintf("10.96.200.%d", 10+i)
		change := func(kind string, apply func() error, seen func(*dns.Msg) bool) {
			start := time.Now()
			var wg sync.WaitGroup
			var mu sync.Mutex
			for server, addr := range servers {
				wg.Go(func() {
					d, err := pollUntil(addr, qname, start, seen)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						t.Errorf("%s %s on %s: %v", kind, name, server, err)
						return
					}
					took[server+" "+kind] = append(took[server+" "+kind], d)
				})
			}
			if err := apply(); err != nil {
				t.Fatalf("%s %s: %v", kind, name, err)
			}
			wg.Wait()
		}
		change("create", func() error {
			_, err := svcs.Create(ctx, &corev1.Service{
				ObjectMeta: metav1.ObjectMeta{Name: name},
				Spec:       corev1.ServiceSpec{ClusterIP: ip, Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
			}, metav1.CreateOptions{})
			return err
		}, func(r *dns.Msg) bool { return hasAnswer(r, ip) })
		change("delete", func() error {
			return svcs.Delete(ctx, name, metav1.DeleteOptions{})
		}, func(r *dns.Msg) bool { return r.Rcode == dns.RcodeNameError })
	}
	for _, key := range []string{"coretraffic create", "coretraffic delete", "stock create", "stock delete"} {
		ds := slices.Clone(took[key])
		if len(ds) != changeRounds {
			continue // already reported
		}
		slices.Sort(ds)
		p50, max := ds[len(ds)/2], ds[len(ds)-1]
		t.Logf("%-18s → answer: p50 %v, max %v over %d changes", key, p50.Round(time.Millisecond), max.Round(time.Millisecond), len(ds))
		if key[:5] != "stock" && max > changeGoal {
			t.Errorf("%s took up to %v to show in our answers, goal %v (all: %v)", key, max, changeGoal, ds)
		}
	}
}

// pollUntil asks addr for qname A every pollEvery until seen accepts a reply,
// and returns the time since start.
func pollUntil(addr, qname string, start time.Time, seen func(*dns.Msg) bool) (time.Duration, error) {
	c := &dns.Client{Timeout: 500 * time.Millisecond}
	m := new(dns.Msg)
	m.SetQuestion(qname, dns.TypeA)
	for time.Since(start) < changeTimeout {
		if r, _, err := c.Exchange(m, addr); err == nil && seen(r) {
			return time.Since(start), nil
		}
		time.Sleep(pollEvery)
	}
	return 0, fmt.Errorf("not seen within %v", changeTimeout)
}
