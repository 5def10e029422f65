package kubetest

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// kubeconfigText is a one-cluster, one-user kubeconfig: what `kubectl`,
// client-go's clientcmd and CoreDNS's `kubeconfig FILE` read.
func kubeconfigText(server string, caPEM []byte, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kubetest
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: kubetest
  user:
    token: %s
contexts:
- name: kubetest
  context:
    cluster: kubetest
    user: kubetest
current-context: kubetest
`, server, base64.StdEncoding.EncodeToString(caPEM), token)
}

// Kubeconfig writes a kubeconfig for token (one of Options.Users, or any
// string — an unknown token is how a test gets an unauthenticated client) and
// returns its path. The cluster's own Kubeconfig is the admin one.
func (c *Cluster) Kubeconfig(t testing.TB, token string) string {
	t.Helper()
	name := "kubeconfig-" + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, token)
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(kubeconfigText(c.URL, c.CAPEM, token)), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// RestConfig is a client configuration for token against this cluster.
func (c *Cluster) RestConfig(token string) *rest.Config {
	return &rest.Config{
		Host:            c.URL,
		BearerToken:     token,
		TLSClientConfig: rest.TLSClientConfig{CAData: c.CAPEM},
		QPS:             200,
		Burst:           400,
	}
}

// ClientFor is a clientset authenticating with token.
func (c *Cluster) ClientFor(t testing.TB, token string) kubernetes.Interface {
	t.Helper()
	cs, err := kubernetes.NewForConfig(c.RestConfig(token))
	if err != nil {
		t.Fatal(err)
	}
	return cs
}
