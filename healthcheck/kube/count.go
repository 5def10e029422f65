package kube

import (
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

// Result kinds of a kubernetes check.
const (
	KindNotFound hc.Kind = "not_found" // the Service (or its port) does not exist
	KindNotReady hc.Kind = "not_ready" // fewer ready endpoints than wanted
)

// Want is what a kubernetes check counts: the ready endpoints of a Service, on one
// of its ports or any.
type Want struct {
	Namespace, Name string
	Port            string // name or number of a Service port, or ""
	MinReady        int
}

// Judge decides a check from the Service (nil when it does not exist) and the
// EndpointSlices labelled with its name. An endpoint is ready when its ready
// condition is true or unset (the API: "nil should be interpreted as ready");
// an endpoint listed in several slices (address families, a slice being replaced)
// counts once.
func Judge(w Want, svc *corev1.Service, slices []*discoveryv1.EndpointSlice) hc.Result {
	id := w.Namespace + "/" + w.Name
	if svc == nil {
		return hc.Result{Kind: KindNotFound, Detail: "service " + id + " not found"}
	}
	match, err := portMatcher(svc, w.Port)
	if err != nil {
		return hc.Result{Kind: KindNotFound, Detail: "service " + id + ": " + err.Error()}
	}
	ready, total := map[string]bool{}, map[string]bool{}
	for _, sl := range slices {
		if !match(sl.Ports) {
			continue
		}
		for i := range sl.Endpoints {
			ep := &sl.Endpoints[i]
			k := endpointKey(ep)
			if k == "" {
				continue
			}
			total[k] = true
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				ready[k] = true
			}
		}
	}
	detail := fmt.Sprintf("%d of %d endpoints ready, want %d", len(ready), len(total), w.MinReady)
	if len(ready) >= w.MinReady {
		return hc.Result{OK: true, Kind: hc.KindOK, Detail: detail}
	}
	return hc.Result{Kind: KindNotReady, Detail: "service " + id + ": " + detail}
}

// endpointKey identifies an endpoint across slices: its target (a Pod) or else its
// first address.
func endpointKey(ep *discoveryv1.Endpoint) string {
	if ep.TargetRef != nil && ep.TargetRef.UID != "" {
		return string(ep.TargetRef.UID)
	}
	if len(ep.Addresses) > 0 {
		return ep.Addresses[0]
	}
	return ""
}

// portMatcher returns which slices count for port: every slice when port is "";
// for a Service port named or numbered port, the slices that carry that port (slices
// name their ports as the Service does, and carry the target port's number). A
// number that is no Service port matches slices carrying that target port number.
func portMatcher(svc *corev1.Service, port string) (func([]discoveryv1.EndpointPort) bool, error) {
	if port == "" {
		return func([]discoveryv1.EndpointPort) bool { return true }, nil
	}
	num, isNum := strconv.Atoi(port)
	name, found := "", false
	for _, p := range svc.Spec.Ports {
		if (isNum == nil && int(p.Port) == num) || (isNum != nil && p.Name == port) {
			name, found = p.Name, true
			break
		}
	}
	switch {
	case found:
		return func(ps []discoveryv1.EndpointPort) bool {
			for _, p := range ps {
				if p.Name != nil && *p.Name == name || p.Name == nil && name == "" {
					return true
				}
			}
			return false
		}, nil
	case isNum == nil:
		return func(ps []discoveryv1.EndpointPort) bool {
			for _, p := range ps {
				if p.Port != nil && int(*p.Port) == num {
					return true
				}
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("no port named %q", port)
}
