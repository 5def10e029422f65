package test

import (
	"bytes"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"text/template"

	"github.com/coretraffic/coretraffic/internal/kubetest"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// kubeadmVersion is the Kubernetes whose kube-apiserver the tests run
// (tools/kube-apiserver) and whose kubeadm manifests ours must match.
const kubeadmVersion = "v1.37.2"

// TestKubernetesManifestsMatchKubeadm renders kubeadm's own CoreDNS templates
// (cmd/kubeadm/app/phases/addons/dns/manifests.go, from the module cache that
// building bin/kube-apiserver fills) for a default cluster and compares them
// object by object with deploy/kubernetes and the side-by-side test's Corefile:
// equal but for the Deployment's image and the resourceVersion "0" kubeadm sets
// only for its own update path.
func TestKubernetesManifestsMatchKubeadm(t *testing.T) {
	consts := kubeadmTemplates(t)
	data := map[string]any{
		"DNSDomain": "cluster.local", "DNSIP": "10.96.0.10", "DeploymentName": "coredns",
		"Replicas": 2, "Image": "coretraffic/coredns:dev", "ControlPlaneTaintKey": "node-role.kubernetes.io/control-plane",
	}
	want := map[string]*unstructured.Unstructured{}
	for _, name := range []string{"CoreDNSServiceAccount", "CoreDNSClusterRole", "CoreDNSClusterRoleBinding", "CoreDNSConfigMap", "CoreDNSDeployment", "CoreDNSService"} {
		tmpl, err := template.New(name).Parse(consts[name])
		if err != nil {
			t.Fatalf("kubeadm %s: %v", name, err)
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, data); err != nil {
			t.Fatalf("kubeadm %s: %v", name, err)
		}
		objs := decodeObjects(t, name, b.Bytes())
		if len(objs) != 1 {
			t.Fatalf("kubeadm %s: %d objects", name, len(objs))
		}
		unstructured.RemoveNestedField(objs[0].Object, "metadata", "resourceVersion")
		want[objs[0].GetKind()] = objs[0]
	}
	got := map[string]*unstructured.Unstructured{}
	for _, f := range []string{"rbac.yaml", "configmap.yaml", "deployment.yaml", "service.yaml"} {
		for _, o := range decodeObjects(t, f, []byte(readFile(t, filepath.Join(manifestDir(t), f)))) {
			got[o.GetKind()] = o
		}
	}
	for kind, w := range want {
		g := got[kind]
		if g == nil {
			t.Errorf("no %s in deploy/kubernetes", kind)
			continue
		}
		if !reflect.DeepEqual(w.Object, g.Object) {
			t.Errorf("%s differs from kubeadm's\n--- kubeadm ---\n%v\n--- ours ---\n%v", kind, w.Object, g.Object)
		}
	}
	corefile, _, _ := unstructured.NestedString(want["ConfigMap"].Object, "data", "Corefile")
	if testdata := readFile(t, filepath.Join("testdata", "kubernetes", "Corefile.kubeadm")); testdata != corefile {
		t.Errorf("testdata/kubernetes/Corefile.kubeadm is not kubeadm's:\n%s\n--- kubeadm ---\n%s", testdata, corefile)
	}
}

// kubeadmTemplates returns the string constants of kubeadm's manifests.go.
func kubeadmTemplates(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "k8s.io", "kubernetes@"+kubeadmVersion, "cmd", "kubeadm", "app", "phases", "addons", "dns", "manifests.go")
	src, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv(kubetest.EnvRequire) != "" {
			t.Fatalf("kubeadm source: %v (make bin/kube-apiserver downloads it)", err)
		}
		t.Skipf("kubeadm source not in the module cache (make bin/kube-apiserver downloads it): %v", err)
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Values) == 1 {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				consts[vs.Names[0].Name], _ = strconv.Unquote(lit.Value)
			}
		}
		return true
	})
	return consts
}

func decodeObjects(t *testing.T, name string, b []byte) []*unstructured.Unstructured {
	t.Helper()
	var objs []*unstructured.Unstructured
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(b), 4096)
	for {
		var o unstructured.Unstructured
		if err := dec.Decode(&o.Object); errors.Is(err, io.EOF) {
			return objs
		} else if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(o.Object) > 0 {
			objs = append(objs, &o)
		}
	}
}
