// Package helm holds only a test: it renders the official coredns chart
// (testdata/coredns) with deploy/helm/values.yaml through Helm's own engine and
// checks that the result runs our image with kubeadm's Corefile.
package helm
