package test

import (
	"context"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/kubetest"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

// kubeObjects are the cluster state the side-by-side corpus asks about. No
// controller runs, so the EndpointSlices a controller would derive from Pods are
// written here, and the Pod's IP is set through its status.
type kubeObjects struct {
	webIPs []string // the dual-stack ClusterIPs the apiserver allocated to shop/web
	apiIP  string   // default/kubernetes
}

// sliceEndpoint is one EndpointSlice entry.
type sliceEndpoint struct {
	addr, hostname string
	ready          bool
}

func createKubeObjects(t *testing.T, c *kubetest.Cluster) kubeObjects {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns := c.Namespace(t, "shop")
	core := c.Client.CoreV1()
	svc := func(s *corev1.Service) *corev1.Service {
		t.Helper()
		out, err := core.Services(ns).Create(ctx, s, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("create service %s: %v", s.Name, err)
		}
		return out
	}
	slice := func(name, service string, family discoveryv1.AddressType, ports []discoveryv1.EndpointPort, eps ...sliceEndpoint) {
		t.Helper()
		es := &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Name: name, Labels: map[string]string{discoveryv1.LabelServiceName: service}},
			AddressType: family,
			Ports:       ports,
		}
		for _, e := range eps {
			ep := discoveryv1.Endpoint{Addresses: []string{e.addr}, Conditions: discoveryv1.EndpointConditions{Ready: ptr.To(e.ready)}}
			if e.hostname != "" {
				ep.Hostname = ptr.To(e.hostname)
			}
			es.Endpoints = append(es.Endpoints, ep)
		}
		if _, err := c.Client.DiscoveryV1().EndpointSlices(ns).Create(ctx, es, metav1.CreateOptions{}); err != nil {
			t.Fatalf("create endpointslice %s: %v", name, err)
		}
	}
	port := func(name string, p int32, proto corev1.Protocol) discoveryv1.EndpointPort {
		return discoveryv1.EndpointPort{Name: ptr.To(name), Port: ptr.To(p), Protocol: ptr.To(proto)}
	}

	// A dual-stack ClusterIP Service with two named ports and endpoints behind it.
	web := svc(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: corev1.ServiceSpec{
			IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicyPreferDualStack),
			Selector:       map[string]string{"app": "web"},
			Ports: []corev1.ServicePort{
				{Name: "http", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP},
				{Name: "dns", Port: 53, TargetPort: intstr.FromInt32(5353), Protocol: corev1.ProtocolUDP},
			},
		},
	})
	slice("web-v4", "web", discoveryv1.AddressTypeIPv4,
		[]discoveryv1.EndpointPort{port("http", 8080, corev1.ProtocolTCP), port("dns", 5353, corev1.ProtocolUDP)},
		sliceEndpoint{addr: "10.244.1.10", ready: true}, sliceEndpoint{addr: "10.244.1.11", ready: true}, sliceEndpoint{addr: "10.244.1.12"})

	// A headless Service: endpoints with and without hostnames, both families,
	// one not ready (left out of answers by both servers).
	svc(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "db"},
		Spec: corev1.ServiceSpec{
			ClusterIP:      corev1.ClusterIPNone,
			IPFamilyPolicy: ptr.To(corev1.IPFamilyPolicyPreferDualStack),
			Selector:       map[string]string{"app": "db"},
			Ports:          []corev1.ServicePort{{Name: "pg", Port: 5432, Protocol: corev1.ProtocolTCP}},
		},
	})
	pg := []discoveryv1.EndpointPort{port("pg", 5432, corev1.ProtocolTCP)}
	slice("db-v4", "db", discoveryv1.AddressTypeIPv4, pg,
		sliceEndpoint{addr: "10.244.2.20", hostname: "db-0", ready: true},
		sliceEndpoint{addr: "10.244.2.21", hostname: "db-1", ready: true},
		sliceEndpoint{addr: "10.244.2.22", ready: true},
		sliceEndpoint{addr: "10.244.2.23", hostname: "db-3"})
	slice("db-v6", "db", discoveryv1.AddressTypeIPv6, pg,
		sliceEndpoint{addr: "fd00:10:244::20", hostname: "db-0", ready: true})

	svc(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "ext"},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: "up.example.com"},
	})
	svc(&corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "empty"},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 80}}},
	})

	// A Pod with an IP (a kubelet would set it): `pods insecure` answers its
	// dashed name from the name alone, its PTR falls through to forward.
	pod, err := core.Pods(ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "client", Labels: map[string]string{"app": "client"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.k8s.io/pause:3.10"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	pod.Status.PodIP, pod.Status.PodIPs = "10.244.3.30", []corev1.PodIP{{IP: "10.244.3.30"}}
	pod.Status.Phase = corev1.PodRunning
	if _, err := core.Pods(ns).UpdateStatus(ctx, pod, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("pod status: %v", err)
	}

	api, err := core.Services(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(web.Spec.ClusterIPs) != 2 {
		t.Fatalf("web ClusterIPs %v, want dual-stack", web.Spec.ClusterIPs)
	}
	return kubeObjects{webIPs: web.Spec.ClusterIPs, apiIP: api.Spec.ClusterIP}
}
