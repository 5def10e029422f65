package policy

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coredns/coredns/plugin/test"
	"github.com/miekg/dns"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/healthcheck/kube"
	"github.com/coretraffic/coretraffic/policy"
)

const kubeValuesData = `zones:
  example.net:
    records:
      lb:
        A:
          failover:
            - kubernetes: {service: shop/edge, from: loadbalancer, endpoint: "https://192.0.2.1:6443"}
            - value: 192.0.2.99
      pods:
        A:
          kubernetes: {service: shop/web, from: endpoints, port: http, endpoint: "https://192.0.2.1:6443"}
`

// kubeAnswers asks p for name's A records, sorted.
func kubeAnswers(t *testing.T, p *Policy, name string) []string {
	t.Helper()
	resp, _ := serve(t, p, new(dns.Msg).SetQuestion(name, dns.TypeA), nil)
	var out []string
	for _, rr := range resp.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	slices.Sort(out)
	return out
}

func waitAnswers(t *testing.T, p *Policy, name string, want ...string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := kubeAnswers(t, p, name)
		if slices.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %v, want %v", name, got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestKubeValues: kubernetes: values follow a Service's load balancer status and
// ready endpoints (a fake clientset here; test/kubernetes_failover_test.go has the
// real apiserver).
func TestKubeValues(t *testing.T) {
	ctx := context.Background()
	ready, notReady := true, false
	port, name := int32(8080), "http"
	client := fake.NewClientset(
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "edge"}, Spec: corev1.ServiceSpec{Type: corev1.ServiceTypeLoadBalancer}},
		&corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web"}, Spec: corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "http", Port: 80}}}},
		&discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "web-1", Labels: map[string]string{discoveryv1.LabelServiceName: "web"}},
			AddressType: discoveryv1.AddressTypeIPv4, Ports: []discoveryv1.EndpointPort{{Name: &name, Port: &port}},
			Endpoints: []discoveryv1.Endpoint{
				{Addresses: []string{"10.244.0.1"}, Conditions: discoveryv1.EndpointConditions{Ready: &ready}},
				{Addresses: []string{"10.244.0.2"}, Conditions: discoveryv1.EndpointConditions{Ready: &notReady}},
			}},
	)
	src := kube.New(kube.Options{NewClient: func(*rest.Config) (kubernetes.Interface, error) { return client, nil }})
	t.Cleanup(src.Wait)
	f := filepath.Join(t.TempDir(), "data.yaml")
	if err := os.WriteFile(f, []byte(kubeValuesData), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &loader{files: []string{f}, inline: &policy.Data{}, engine: hc.New(hc.Options{}), owner: t.Name()}
	l.withKube(src)
	ld, set, err := l.load() // setup: nothing known yet
	if err != nil {
		t.Fatal(err)
	}
	p := &Policy{Next: test.ErrorHandler(), loader: l}
	l.start(p, ld, set)
	defer l.stop()
	if got := kubeAnswers(t, p, "lb.example.net."); !slices.Equal(got, []string{"192.0.2.99"}) {
		t.Errorf("before the first state: lb %v", got)
	}
	waitAnswers(t, p, "pods.example.net.", "10.244.0.1")
	if !p.Ready() {
		t.Error("not ready with every source known")
	}

	svc, _ := client.CoreV1().Services("shop").Get(ctx, "edge", metav1.GetOptions{})
	svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: "203.0.113.7"}, {IP: "203.0.113.8"}, {IP: "2001:db8::7"}}
	if _, err := client.CoreV1().Services("shop").UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAnswers(t, p, "lb.example.net.", "203.0.113.7", "203.0.113.8")

	sl, _ := client.DiscoveryV1().EndpointSlices("shop").Get(ctx, "web-1", metav1.GetOptions{})
	sl.Endpoints[1].Conditions.Ready = &ready
	if _, err := client.DiscoveryV1().EndpointSlices("shop").Update(ctx, sl, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAnswers(t, p, "pods.example.net.", "10.244.0.1", "10.244.0.2")

	svc.Status.LoadBalancer.Ingress = nil // the load balancer is gone: failover moves on
	if _, err := client.CoreV1().Services("shop").UpdateStatus(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitAnswers(t, p, "lb.example.net.", "192.0.2.99")
}

func TestKubeValuesSetupErrors(t *testing.T) {
	f := filepath.Join(t.TempDir(), "data.yaml")
	data := strings.ReplaceAll(kubeValuesData, `endpoint: "https://192.0.2.1:6443"`, "kubeconfig: /nonexistent/kubeconfig")
	if err := os.WriteFile(f, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &loader{files: []string{f}, inline: &policy.Data{}, engine: hc.New(hc.Options{}), owner: t.Name()}
	l.withKube(kube.New(kube.Options{}))
	if _, _, err := l.load(); err == nil || !strings.Contains(err.Error(), "data.yaml:7: kubernetes shop/edge: kubeconfig: ") {
		t.Errorf("got %v", err)
	}
	l = &loader{files: []string{f}, inline: &policy.Data{}, engine: hc.New(hc.Options{}), owner: t.Name()}
	if _, _, err := l.load(); err == nil || !strings.Contains(err.Error(), "kubernetes values are not available here") {
		t.Errorf("without a source: %v", err)
	}
}
