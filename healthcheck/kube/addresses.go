package kube

import (
	"net/netip"
	"slices"

	discoveryv1 "k8s.io/api/discovery/v1"
)

// Address sources of a Service, for values that follow Kubernetes (a policy
// endpoint whose addresses are a Service's): its load balancer's ingress IPs, or
// the addresses of its ready endpoints.
const (
	FromLoadBalancer = "loadbalancer"
	FromEndpoints    = "endpoints"
)

// Addresses lists the addresses of st by from (FromLoadBalancer: the Service's
// status.loadBalancer.ingress[].ip; FromEndpoints: the ready endpoints' addresses,
// on port if not "", as Judge counts them), sorted and without duplicates. A Service
// that does not exist, or an unknown State, has none.
func Addresses(st State, from, port string) []netip.Addr {
	if st.Err != nil || st.Service == nil {
		return nil
	}
	var out []netip.Addr
	switch from {
	case FromLoadBalancer:
		for _, in := range st.Service.Status.LoadBalancer.Ingress {
			if a, err := netip.ParseAddr(in.IP); err == nil {
				out = append(out, a)
			}
		}
	case FromEndpoints:
		match, err := portMatcher(st.Service, port)
		if err != nil {
			return nil
		}
		for _, sl := range st.Slices {
			if !match(sl.Ports) || sl.AddressType == discoveryv1.AddressTypeFQDN {
				continue
			}
			for _, ep := range sl.Endpoints {
				if ep.Conditions.Ready != nil && !*ep.Conditions.Ready {
					continue
				}
				for _, s := range ep.Addresses {
					if a, err := netip.ParseAddr(s); err == nil {
						out = append(out, a)
					}
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b netip.Addr) int { return a.Compare(b) })
	return slices.Compact(out)
}
