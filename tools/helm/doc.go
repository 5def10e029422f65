// Package helm holds only a test: it renders the official coredns chart
// (testdata/coredns) with deploy/helm/values.yaml through Helm's own engine and
// checks that the result runs our image with kubeadm's Corefile, and that
// deploy/helm/rendered.yaml is that render byte for byte (`go test -run
// TestRendered -update` rewrites it; the main module's test/ applies it to a real
// kube-apiserver, so this module need not import the main one).
package helm
