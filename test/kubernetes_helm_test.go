package test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/coretraffic/coretraffic/internal/kubetest"

	authzv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
)

// helmRendered is deploy/helm/rendered.yaml: the official chart rendered with
// deploy/helm/values.yaml, which tools/helm's TestRendered keeps equal to the
// chart's render.
func helmRendered(t *testing.T) []*unstructured.Unstructured {
	t.Helper()
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "deploy", "helm", "rendered.yaml")
	return decodeObjects(t, path, []byte(readFile(t, path)))
}

// testHelmRendered applies the Helm render server-side as the manifests are: a
// dry run, for real, and again (an upgrade with unchanged values); every object
// must be accepted. Then it reads back what was stored: the Deployment runs our
// image with the probes, the Service selects the Deployment's pods, and the
// chart's RBAC lets the pods' ServiceAccount list and watch what the kubernetes
// plugin and the kubernetes check read (the apiserver's own authoriser decides,
// through SubjectAccessReviews). Broken copies of the Deployment are refused, so
// a refusal is seen. It removes the objects at the end.
func testHelmRendered(t *testing.T, c *kubetest.Cluster) {
	objs := helmRendered(t)
	var kinds []string
	for _, o := range objs {
		kinds = append(kinds, o.GetKind())
	}
	// Helm's install order: configuration and RBAC before the workload.
	if want := []string{"ConfigMap", "ClusterRole", "ClusterRoleBinding", "Service", "Deployment"}; !slices.Equal(kinds, want) {
		t.Fatalf("rendered %v, want %v", kinds, want)
	}
	for _, dry := range []bool{true, false, false} {
		for _, err := range applyObjects(t, c, dry, objs) {
			t.Errorf("deploy/helm/rendered.yaml: %v", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dep, err := c.Client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctr := dep.Spec.Template.Spec.Containers[0]
	if ctr.Image != "coretraffic/coredns:dev" || ctr.LivenessProbe.HTTPGet.Path != "/health" || ctr.ReadinessProbe.HTTPGet.Path != "/ready" {
		t.Errorf("stored Deployment: image %q, probes %v / %v", ctr.Image, ctr.LivenessProbe.HTTPGet, ctr.ReadinessProbe.HTTPGet)
	}
	svc, err := c.Client.CoreV1().Services("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(dep.Spec.Template.Labels)) || svc.Spec.ClusterIP == "" {
		t.Errorf("Service selector %v does not select the pods %v (clusterIP %q)", svc.Spec.Selector, dep.Spec.Template.Labels, svc.Spec.ClusterIP)
	}
	cm, err := c.Client.CoreV1().ConfigMaps("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil || !strings.Contains(cm.Data["Corefile"], "kubernetes cluster.local in-addr.arpa ip6.arpa") {
		t.Errorf("ConfigMap: %v %q", err, cm.Data["Corefile"])
	}

	sa := dep.Spec.Template.Spec.ServiceAccountName
	if sa == "" {
		sa = "default"
	}
	for _, tc := range []struct {
		verb, group, resource string
		allowed               bool
	}{
		{"list", "", "services", true},
		{"watch", "", "services", true},
		{"list", "discovery.k8s.io", "endpointslices", true},
		{"watch", "discovery.k8s.io", "endpointslices", true},
		{"watch", "", "namespaces", true},
		{"update", "", "services", false},
		{"get", "", "secrets", false},
	} {
		sar, err := c.Client.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authzv1.SubjectAccessReview{Spec: authzv1.SubjectAccessReviewSpec{
			User:               "system:serviceaccount:kube-system:" + sa,
			Groups:             []string{"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
			ResourceAttributes: &authzv1.ResourceAttributes{Verb: tc.verb, Group: tc.group, Resource: tc.resource},
		}}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if sar.Status.Allowed != tc.allowed {
			t.Errorf("ServiceAccount %s may %s %s.%s cluster-wide: %v, want %v (%s)", sa, tc.verb, tc.resource, tc.group, sar.Status.Allowed, tc.allowed, sar.Status.Reason)
		}
	}

	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			name, want string
			edit       func(o *unstructured.Unstructured)
		}{
			{"unknown field", "replicass", func(o *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(o.Object, int64(2), "spec", "replicass")
			}},
			{"negative replicas", "spec.replicas", func(o *unstructured.Unstructured) {
				_ = unstructured.SetNestedField(o.Object, int64(-1), "spec", "replicas")
			}},
		} {
			bad := objs[len(objs)-1].DeepCopy()
			tc.edit(bad)
			errs := applyObjects(t, c, true, []*unstructured.Unstructured{bad})
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tc.want) {
				t.Errorf("%s: %v, want a refusal naming %s", tc.name, errs, tc.want)
			}
		}
	})

	deleteObjects(t, c, objs)
	if _, err := c.Client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{}); err == nil {
		t.Error("the Helm Deployment is still there after deletion")
	}
}

// deleteObjects deletes objs, in reverse order, in the background (there is no
// garbage collector in kubetest's control plane, and nothing depends on them).
func deleteObjects(t *testing.T, c *kubetest.Cluster, objs []*unstructured.Unstructured) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Client.Discovery()))
	bg := metav1.DeletePropagationBackground
	for _, o := range slices.Backward(objs) {
		gvk := o.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			t.Fatal(err)
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if ns := o.GetNamespace(); ns != "" {
			ri = dyn.Resource(m.Resource).Namespace(ns)
		}
		if err := ri.Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &bg}); err != nil {
			t.Errorf("delete %s %s: %v", gvk.Kind, o.GetName(), err)
		}
	}
}
