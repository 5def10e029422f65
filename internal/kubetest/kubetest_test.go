package kubetest

import (
	"context"
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// TestCluster starts the control plane once and checks what the other tests
// rely on: ClusterIPs from both ranges, EndpointSlices stored as written, the
// kubeconfig, token authentication and RBAC, a clean stop and a restart.
func TestCluster(t *testing.T) {
	start := time.Now()
	c := Start(t, Options{Users: []User{{Token: "nobody-token", Name: "nobody"}}})
	t.Logf("etcd + kube-apiserver ready in %v", time.Since(start).Round(time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ns := c.Namespace(t, "kubetest")

	t.Run("dual-stack ClusterIP", func(t *testing.T) {
		policy := corev1.IPFamilyPolicyPreferDualStack
		svc, err := c.Client.CoreV1().Services(ns).Create(ctx, &corev1.Service{
			ObjectMeta: metav1.ObjectMeta{Name: "web"},
			Spec: corev1.ServiceSpec{
				IPFamilyPolicy: &policy,
				Ports:          []corev1.ServicePort{{Name: "http", Port: 80, Protocol: corev1.ProtocolTCP}},
			},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(svc.Spec.ClusterIPs) != 2 {
			t.Fatalf("ClusterIPs %v, want one per family", svc.Spec.ClusterIPs)
		}
		for i, cidr := range []string{ServiceCIDRv4, ServiceCIDRv6} {
			if !netip.MustParsePrefix(cidr).Contains(netip.MustParseAddr(svc.Spec.ClusterIPs[i])) {
				t.Errorf("ClusterIP %s outside %s", svc.Spec.ClusterIPs[i], cidr)
			}
		}
	})

	t.Run("EndpointSlice", func(t *testing.T) {
		ready := true
		_, err := c.Client.DiscoveryV1().EndpointSlices(ns).Create(ctx, &discoveryv1.EndpointSlice{
			ObjectMeta:  metav1.ObjectMeta{Name: "web-1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
			AddressType: discoveryv1.AddressTypeIPv4,
			Endpoints:   []discoveryv1.Endpoint{{Addresses: []string{"10.244.0.5"}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		list, err := c.Client.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: discoveryv1.LabelServiceName + "=web"})
		if err != nil || len(list.Items) != 1 || list.Items[0].Endpoints[0].Addresses[0] != "10.244.0.5" {
			t.Fatalf("list: %v %+v", err, list)
		}
	})

	t.Run("kubeconfig", func(t *testing.T) {
		cfg, err := clientcmd.BuildConfigFromFlags("", c.AdminKubeconfig)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cs.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
			t.Fatalf("get through kubeconfig: %v", err)
		}
	})

	for _, tc := range []struct {
		token string
		want  func(error) bool
	}{
		{AdminToken, func(err error) bool { return err == nil }},
		{"nobody-token", apierrors.IsForbidden},
		{"wrong-token", apierrors.IsUnauthorized},
	} {
		t.Run("token "+tc.token, func(t *testing.T) {
			_, err := c.ClientFor(t, tc.token).CoreV1().Services(ns).List(ctx, metav1.ListOptions{})
			if !tc.want(err) {
				t.Errorf("list services: %v", err)
			}
		})
	}

	t.Run("stop", func(t *testing.T) {
		pid := c.Pid()
		c.Stop()
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("apiserver pid %d still there after Stop: %v", pid, err)
		}
		short, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		if _, err := c.Client.CoreV1().Services(ns).List(short, metav1.ListOptions{}); err == nil {
			t.Error("apiserver still answers after Stop")
		}
		c.Stop() // twice is harmless
	})

	t.Run("restart", func(t *testing.T) {
		url := c.URL
		start := time.Now()
		c.Restart(t)
		t.Logf("restarted on the same etcd, ready in %v", time.Since(start).Round(time.Millisecond))
		if c.URL != url {
			t.Errorf("URL %s after restart, was %s", c.URL, url)
		}
		// The same port, certificate and token: the old clientset works again,
		// and what was stored before the stop is there.
		if _, err := c.Client.CoreV1().Services(ns).Get(ctx, "web", metav1.GetOptions{}); err != nil {
			t.Errorf("service web after restart: %v", err)
		}
	})
}
