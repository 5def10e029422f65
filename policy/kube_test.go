package policy

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

const kubeData = `zones:
  example.net:
    records:
      www:
        A:
          failover:
            - kubernetes: {service: shop/web, from: loadbalancer, kubeconfig: /etc/kubeconfig}
            - value: 192.0.2.2
        AAAA:
          kubernetes: {service: shop/web, from: endpoints, port: http}
`

func TestKubeValues(t *testing.T) {
	d, _, err := Parse("data.yaml", strings.NewReader(kubeData))
	if err != nil {
		t.Fatal(err)
	}
	nodes := KubeNodes(d)
	if len(nodes) != 2 {
		t.Fatalf("%d kubernetes nodes", len(nodes))
	}
	lb, eps := nodes[0].Kube, nodes[1].Kube
	if *lb != (KubeSource{Namespace: "shop", Name: "web", From: KubeFromLoadBalancer, Kubeconfig: "/etc/kubeconfig"}) ||
		*eps != (KubeSource{Namespace: "shop", Name: "web", From: KubeFromEndpoints, Port: "http"}) {
		t.Fatalf("sources %+v %+v", lb, eps)
	}
	c := newChecks()
	for _, tc := range []struct {
		addrs  map[string][]string // by From
		a, aaa []string
	}{
		// The load balancer's IPv4 addresses answer A, the endpoints' IPv6 ones AAAA.
		{map[string][]string{"loadbalancer": {"203.0.113.7", "2001:db8::7", "203.0.113.8"}, "endpoints": {"10.0.0.1", "fd00::1"}},
			[]string{"203.0.113.7", "203.0.113.8"}, []string{"fd00::1"}},
		// No load balancer address: that tier is down and failover moves on.
		{map[string][]string{"endpoints": {"fd00::1", "fd00::2"}}, []string{"192.0.2.2"}, []string{"fd00::1", "fd00::2"}},
		// Nothing known (the apiserver not synced yet): no AAAA answer, A fails over.
		{nil, []string{"192.0.2.2"}, nil},
	} {
		ExpandKube(d, func(k *KubeSource) []netip.Addr {
			var out []netip.Addr
			for _, s := range tc.addrs[k.From] {
				out = append(out, netip.MustParseAddr(s))
			}
			return out
		})
		snap, err := Compile(d, c.resolve, time.Unix(1_700_000_000, 0))
		if err != nil {
			t.Fatal(err)
		}
		a, aaaa := ask(t, snap, "www.example.net.", 1), ask(t, snap, "www.example.net.", 28)
		slices.Sort(a)
		slices.Sort(aaaa)
		if !slices.Equal(a, tc.a) || !slices.Equal(aaaa, tc.aaa) {
			t.Errorf("%v: A %v AAAA %v, want %v %v", tc.addrs, a, aaaa, tc.a, tc.aaa)
		}
	}
}

func TestKubeValueErrors(t *testing.T) {
	rs := func(typ, node string) string {
		return "zones:\n  example.net:\n    records:\n      www:\n        " + typ + ":\n          " + node + "\n"
	}
	for _, tc := range []struct{ data, want string }{
		{rs("A", "kubernetes: {from: endpoints}"), "data.yaml:6: zones.example.net.records.www.A.kubernetes: missing service:"},
		{rs("A", "kubernetes: {service: shop/web}"), "missing from: (loadbalancer or endpoints)"},
		{rs("A", "kubernetes: {service: web, from: endpoints}"), "kubernetes.service: want the Service as namespace/name"},
		{rs("A", "kubernetes: {service: shop/web, from: nodes}"), `kubernetes.from: want loadbalancer or endpoints, got "nodes"`},
		{rs("A", "kubernetes: {service: shop/web, from: loadbalancer, port: http}"), "kubernetes.port: port: goes with from: endpoints"},
		{rs("A", "kubernetes: {service: shop/web, from: endpoints, port: 0}"), "kubernetes.port: want a port name or number"},
		{rs("A", "kubernetes: {service: shop/web, from: endpoints, context: x}"), "context: needs kubeconfig:"},
		{rs("A", "kubernetes: {service: shop/web, from: endpoints, colour: red}"), "kubernetes.colour: unknown key (want service, from, port"},
		{rs("CNAME", "kubernetes: {service: shop/web, from: endpoints}"), "only an A or AAAA record set may use it, not CNAME"},
		{rs("A", "kubernetes: {service: shop/web, from: endpoints}\n          check: web"), "check: only allowed on a leaf"},
	} {
		if _, _, err := Parse("data.yaml", strings.NewReader(tc.data)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: got %v, want %q", tc.data, err, tc.want)
		}
	}
}
