package test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/coretraffic/coretraffic/internal/kubetest"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"
)

// manifestDir holds the manifests that replace kube-system/coredns.
func manifestDir(t *testing.T) string {
	t.Helper()
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "deploy", "kubernetes")
}

// TestKubernetesManifests applies the Helm render (see testHelmRendered), then
// every file the kustomization lists, to a real apiserver, server-side, first as a
// dry run (validation and admission, nothing stored) and then for real, twice: a
// second apply of the same manifests must be accepted without conflicts, as
// `kubectl apply --server-side` is on upgrade.
func TestKubernetesManifests(t *testing.T) {
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	if err := yaml.UnmarshalStrict([]byte(readFile(t, filepath.Join(manifestDir(t), "kustomization.yaml"))), &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	if len(k.Resources) == 0 {
		t.Fatal("kustomization.yaml lists no resources")
	}
	c := kubetest.Start(t, kubetest.Options{})
	// The Helm render first: its objects are removed again before kubeadm's
	// manifests go in, whose Deployment has the same name and another selector.
	t.Run("helm", func(t *testing.T) { testHelmRendered(t, c) })
	for _, dry := range []bool{true, false, false} {
		if n := applyManifests(t, c, dry, k.Resources...); n != 6 {
			t.Errorf("applied %d objects (dry run %v), want 6: ServiceAccount, ClusterRole, ClusterRoleBinding, ConfigMap, Deployment, Service", n, dry)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	svc, err := c.Client.CoreV1().Services("kube-system").Get(ctx, "kube-dns", metav1.GetOptions{})
	if err != nil || svc.Spec.ClusterIP != "10.96.0.10" {
		t.Fatalf("kube-dns Service: %v, clusterIP %v", err, svc)
	}
	dep, err := c.Client.AppsV1().Deployments("kube-system").Get(ctx, "coredns", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctr := dep.Spec.Template.Spec.Containers[0]
	if ctr.LivenessProbe.HTTPGet.Path != "/health" || ctr.ReadinessProbe.HTTPGet.Path != "/ready" {
		t.Errorf("probes %v / %v, want /health and /ready", ctr.LivenessProbe.HTTPGet, ctr.ReadinessProbe.HTTPGet)
	}
}

// applyManifests server-side applies the named files of deploy/kubernetes and
// returns how many objects it sent; every object the apiserver refuses fails the
// test. With dryRun the apiserver validates and admits each object but stores
// nothing.
func applyManifests(t *testing.T, c *kubetest.Cluster, dryRun bool, files ...string) int {
	t.Helper()
	n := 0
	for _, f := range files {
		objs := decodeObjects(t, f, []byte(readFile(t, filepath.Join(manifestDir(t), f))))
		for _, err := range applyObjects(t, c, dryRun, objs) {
			t.Errorf("%s: %v", f, err)
		}
		n += len(objs)
	}
	return n
}

// applyObjects server-side applies objs in order, as `kubectl apply
// --server-side --force-conflicts` does, and returns the apiserver's refusals,
// each naming its object.
func applyObjects(t *testing.T, c *kubetest.Cluster, dryRun bool, objs []*unstructured.Unstructured) []error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(c.Client.Discovery()))
	opts := metav1.ApplyOptions{FieldManager: "coretraffic-test", Force: true}
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	var errs []error
	for _, obj := range objs {
		gvk := obj.GroupVersionKind()
		m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", gvk.Kind, obj.GetName(), err))
			continue
		}
		var ri dynamic.ResourceInterface = dyn.Resource(m.Resource)
		if ns := obj.GetNamespace(); ns != "" {
			ri = dyn.Resource(m.Resource).Namespace(ns)
		}
		if _, err := ri.Apply(ctx, obj.GetName(), obj, opts); err != nil {
			errs = append(errs, fmt.Errorf("apply %s %s (dry run %v): %w", gvk.Kind, obj.GetName(), dryRun, err))
		}
	}
	return errs
}
