package kube

import (
	"errors"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
)

func TestAddresses(t *testing.T) {
	lb := service("shop", "web", svcPort("http", 80), svcPort("metrics", 9090))
	lb.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "203.0.113.7"}, {IP: "2001:db8::7"}, {Hostname: "lb.example.net"}, {IP: "203.0.113.7"}}
	v6 := slice("shop", "web", "web-b", map[string]int32{"http": 8080}, ep("fd00::1", "a", "true"))
	v6.AddressType = discoveryv1.AddressTypeIPv6
	slices := []*discoveryv1.EndpointSlice{
		slice("shop", "web", "web-a", map[string]int32{"http": 8080}, ep("10.0.0.2", "b", ""), ep("10.0.0.1", "a", "true"), ep("10.0.0.3", "c", "false")),
		v6,
		slice("shop", "web", "web-m", map[string]int32{"metrics": 9090}, ep("10.0.0.4", "d", "true")),
	}
	st := State{Service: lb, Slices: slices}
	for _, tc := range []struct {
		st         State
		from, port string
		want       string
	}{
		{st, FromLoadBalancer, "", "[203.0.113.7 2001:db8::7]"},
		{st, FromEndpoints, "", "[10.0.0.1 10.0.0.2 10.0.0.4 fd00::1]"},
		{st, FromEndpoints, "http", "[10.0.0.1 10.0.0.2 fd00::1]"},
		{st, FromEndpoints, "grpc", "[]"},
		{State{Err: errors.New("down")}, FromEndpoints, "", "[]"},
		{State{}, FromLoadBalancer, "", "[]"},
	} {
		if got := fmt.Sprint(Addresses(tc.st, tc.from, tc.port)); got != tc.want {
			t.Errorf("%s port %q: %s, want %s", tc.from, tc.port, got, tc.want)
		}
	}
}
