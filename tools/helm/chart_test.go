package helm

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// object is the part of a rendered manifest the checks read.
type object struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Data map[string]string `json:"data"`
	Spec struct {
		Template struct {
			Spec struct {
				Containers []struct {
					Image          string   `json:"image"`
					Args           []string `json:"args"`
					LivenessProbe  probe    `json:"livenessProbe"`
					ReadinessProbe probe    `json:"readinessProbe"`
				} `json:"containers"`
			} `json:"spec"`
		} `json:"template"`
		Selector map[string]any `json:"selector"` // a Service's labels, a Deployment's matchLabels
	} `json:"spec"`
}

type probe struct {
	HTTPGet struct {
		Path string `json:"path"`
	} `json:"httpGet"`
}

// TestValues renders the chart as `helm install coredns -n kube-system -f
// deploy/helm/values.yaml` would and checks the Deployment runs our image with
// the probes, and the ConfigMap's Corefile is kubeadm's token for token (the
// chart lays it out with its own indentation).
func TestValues(t *testing.T) {
	out := render(t)
	objs := map[string]object{}
	for name, text := range out {
		if !strings.HasSuffix(name, ".yaml") || strings.TrimSpace(text) == "" {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			var o object
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if o.Kind != "" {
				objs[o.Kind] = o
			}
		}
	}
	dep, ok := objs["Deployment"]
	if !ok || len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("no Deployment with one container rendered: %v", objs)
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if c.Image != "coretraffic/coredns:dev" {
		t.Errorf("image %q", c.Image)
	}
	if !slices.Equal(c.Args, []string{"-conf", "/etc/coredns/Corefile"}) || c.LivenessProbe.HTTPGet.Path != "/health" || c.ReadinessProbe.HTTPGet.Path != "/ready" {
		t.Errorf("args %q, probes %q %q", c.Args, c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
	}
	if sel, _ := objs["Service"].Spec.Selector["k8s-app"].(string); sel != "kube-dns" {
		t.Errorf("Service selector %v", objs["Service"].Spec.Selector)
	}

	var kubeadm object
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kubernetes", "configmap.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &kubeadm); err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(kubeadm.Data["Corefile"])
	got := strings.Fields(objs["ConfigMap"].Data["Corefile"])
	if len(want) == 0 || !slices.Equal(want, got) {
		t.Errorf("Corefile tokens differ from kubeadm's\n--- rendered ---\n%s\n--- kubeadm ---\n%s", objs["ConfigMap"].Data["Corefile"], kubeadm.Data["Corefile"])
	}
}
