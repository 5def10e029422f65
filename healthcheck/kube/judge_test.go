package kube

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

func service(ns, name string, ports ...corev1.ServicePort) *corev1.Service {
	return &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name}, Spec: corev1.ServiceSpec{Ports: ports}}
}

func svcPort(name string, port int32) corev1.ServicePort {
	return corev1.ServicePort{Name: name, Port: port}
}

// ep is an endpoint: its address, its pod and its ready condition ("" unset).
func ep(addr, pod, ready string) discoveryv1.Endpoint {
	e := discoveryv1.Endpoint{Addresses: []string{addr}}
	if pod != "" {
		e.TargetRef = &corev1.ObjectReference{Kind: "Pod", Name: pod, UID: types.UID("uid-" + pod)}
	}
	if ready != "" {
		r := ready == "true"
		e.Conditions.Ready = &r
	}
	return e
}

func slice(ns, svc, name string, ports map[string]int32, eps ...discoveryv1.Endpoint) *discoveryv1.EndpointSlice {
	sl := &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name,
		Labels: map[string]string{discoveryv1.LabelServiceName: svc}}, AddressType: discoveryv1.AddressTypeIPv4, Endpoints: eps}
	for n, p := range ports {
		sl.Ports = append(sl.Ports, discoveryv1.EndpointPort{Name: &n, Port: &p})
	}
	return sl
}

func TestJudge(t *testing.T) {
	web := service("shop", "web", svcPort("http", 80), svcPort("metrics", 9090))
	httpSlice := slice("shop", "web", "web-a", map[string]int32{"http": 8080},
		ep("10.0.0.1", "a", "true"), ep("10.0.0.2", "b", ""), ep("10.0.0.3", "c", "false"))
	v6 := slice("shop", "web", "web-b", map[string]int32{"http": 8080}, ep("fd00::1", "a", "true")) // pod a again
	metrics := slice("shop", "web", "web-m", map[string]int32{"metrics": 9090}, ep("10.0.0.4", "d", "true"))
	all := []*discoveryv1.EndpointSlice{httpSlice, v6, metrics}
	for _, tc := range []struct {
		name   string
		want   Want
		svc    *corev1.Service
		slices []*discoveryv1.EndpointSlice
		ok     bool
		kind   hc.Kind
		detail string
	}{
		{"any port", Want{"shop", "web", "", 3}, web, all, true, hc.KindOK, "3 of 4 endpoints ready, want 3"},
		{"nil ready counts, pods once", Want{"shop", "web", "http", 2}, web, all, true, hc.KindOK, "2 of 3 endpoints ready"},
		{"too few", Want{"shop", "web", "http", 3}, web, all, false, KindNotReady, "service shop/web: 2 of 3 endpoints ready, want 3"},
		{"port by number", Want{"shop", "web", "9090", 1}, web, all, true, hc.KindOK, "1 of 1"},
		{"service port number maps to its name", Want{"shop", "web", "80", 2}, web, all, true, hc.KindOK, "2 of 3"},
		{"target port number", Want{"shop", "web", "8080", 2}, web, all, true, hc.KindOK, "2 of 3"},
		{"unknown port name", Want{"shop", "web", "grpc", 1}, web, all, false, KindNotFound, `service shop/web: no port named "grpc"`},
		{"no endpoints", Want{"shop", "web", "", 1}, web, nil, false, KindNotReady, "0 of 0 endpoints ready, want 1"},
		{"not found", Want{"shop", "gone", "", 1}, nil, nil, false, KindNotFound, "service shop/gone not found"},
		{"address without pod", Want{"shop", "web", "", 2}, web, []*discoveryv1.EndpointSlice{
			slice("shop", "web", "x", nil, ep("192.0.2.1", "", "true"), ep("192.0.2.1", "", "true"), ep("192.0.2.2", "", ""))}, true, hc.KindOK, "2 of 2"},
	} {
		got := Judge(tc.want, tc.svc, tc.slices)
		if got.OK != tc.ok || got.Kind != tc.kind || !strings.Contains(got.Detail, tc.detail) {
			t.Errorf("%s: got %+v, want ok %v %s %q", tc.name, got, tc.ok, tc.kind, tc.detail)
		}
	}
}
