package test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/coretraffic/coretraffic/internal/kubetest"

	"github.com/miekg/dns"
)

// TestKubernetesBadAPIServer: with an apiserver that refuses the token, and
// with one that goes away after the servers synced, our binary behaves as stock
// CoreDNS does — same answers, same /ready — and keeps running.
func TestKubernetesBadAPIServer(t *testing.T) {
	nobody := kubetest.User{Token: "nobody-token", Name: "nobody"} // authenticated, no RBAC
	c := kubetest.Start(t, kubetest.Options{Users: []kubetest.User{corednsUser, nobody}})
	applyManifests(t, c, false, "rbac.yaml")
	objs := createKubeObjects(t, c)
	upstream := startKubeUpstream(t)
	queries := []kubeQuery{
		{name: "ClusterIP", qname: "web.shop.svc.cluster.local.", qtype: dns.TypeA},
		{name: "headless", qname: "db.shop.svc.cluster.local.", qtype: dns.TypeA},
		{name: "PTR", qname: "10.1.96.10.in-addr.arpa.", qtype: dns.TypePTR},
		{name: "pod", qname: "10-244-3-30.shop.pod.cluster.local.", qtype: dns.TypeA},
		{name: "forward", qname: "up.example.com.", qtype: dns.TypeA},
	}
	compare := func(t *testing.T, stock, ours dropInServer, wantReady int) {
		for i, q := range queries {
			want, _, werr := q.send(stock.Addr, uint16(3000+i))
			got, _, gerr := q.send(ours.Addr, uint16(3000+i))
			if werr != nil || gerr != nil {
				t.Fatalf("%s: stock error %v, ours %v", q.name, werr, gerr)
			}
			if want != got {
				t.Errorf("%s: answers differ\n--- stock ---\n%s\n--- coretraffic ---\n%s", q.name, want, got)
			}
		}
		if s, o := readyStatus(t, stock), readyStatus(t, ours); s != o || o != wantReady {
			t.Errorf("/ready: stock %d, ours %d, want %d", s, o, wantReady)
		}
	}

	t.Run("unauthorised", func(t *testing.T) {
		kubeconfig := c.Kubeconfig(t, nobody.Token)
		stock := startKubeDNS(t, e2e.Stock(t), kubeconfig, upstream)
		ours := startKubeDNS(t, e2e.CoreTraffic(t), kubeconfig, upstream)
		compare(t, stock, ours, http.StatusServiceUnavailable)
	})
	t.Run("apiserver gone", func(t *testing.T) {
		kubeconfig := c.Kubeconfig(t, corednsUser.Token)
		stock := startKubeDNS(t, e2e.Stock(t), kubeconfig, upstream)
		ours := startKubeDNS(t, e2e.CoreTraffic(t), kubeconfig, upstream)
		compare(t, stock, ours, http.StatusOK)
		c.Stop()
		time.Sleep(2 * time.Second) // both notice: their watches fail and retry
		compare(t, stock, ours, http.StatusOK)
		select {
		case <-ours.Exited():
			t.Fatalf("coretraffic exited without its apiserver:\n%s", ours.Output())
		default:
		}
		got, _, err := kubeQuery{qname: "web.shop.svc.cluster.local.", qtype: dns.TypeA}.send(ours.Addr, 1)
		if err != nil || !strings.Contains(got, objs.webIPs[0]) {
			t.Errorf("without its apiserver ours no longer answers from what it had: %v\n%s", err, got)
		}
	})
}

// readyStatus is the HTTP status of /ready once the server has had its
// startup_timeout (5 s) to sync.
func readyStatus(t *testing.T, s dropInServer) int {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get(fmt.Sprintf("http://127.0.0.1:%d/ready", s.ports["READY"]))
	if err != nil {
		t.Fatalf("GET /ready: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
