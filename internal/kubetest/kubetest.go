// Package kubetest runs a real Kubernetes control plane for tests, without
// Docker, a kubelet or a controller-manager: one etcd member (store/etcd/etcdtest)
// and kube-apiserver (built from the module proxy by `make bin/kube-apiserver`,
// tools/kube-apiserver) on loopback with free ports, token authentication, RBAC
// and a self-signed serving certificate. It returns an admin clientset and a
// kubeconfig; tests create Services, EndpointSlices and Pods themselves (no
// controller fills them in). The apiserver allocates ClusterIPs from a dual-stack
// range, so Services get A and AAAA addresses.
//
// Tests skip when the apiserver (or etcd) is missing unless CORETRAFFIC_REQUIRE_K8S
// is set, as `make test-k8s` does.
package kubetest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"
	"github.com/coretraffic/coretraffic/store/etcd/etcdtest"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// Env variables: the apiserver binary, and whether a missing one fails the test.
const (
	EnvBinary  = "KUBE_APISERVER_BIN"
	EnvRequire = "CORETRAFFIC_REQUIRE_K8S"
)

// Service ranges the apiserver allocates ClusterIPs from.
const (
	ServiceCIDRv4 = "10.96.0.0/16"
	ServiceCIDRv6 = "fd00:10:96::/112"
)

// AdvertiseAddress is the endpoint of the default/kubernetes Service (an
// address of TEST-NET-1, RFC 5737; the apiserver itself listens on 127.0.0.1).
const AdvertiseAddress = "192.0.2.1"

// AdminToken authenticates as "admin" in group system:masters (every permission).
const AdminToken = "kubetest-admin-token"

// startWait bounds the wait for /readyz; a cold apiserver on a loaded 2-core
// machine takes several seconds to run its post-start hooks.
const startWait = 90 * time.Second

// User is a static token the apiserver accepts (--token-auth-file).
type User struct {
	Token  string
	Name   string
	Groups []string
}

// Options change the apiserver's command line and users.
type Options struct {
	// Users are accepted besides the admin; with no RBAC binding they may do
	// nothing (how a test gets an authenticated but unauthorised client).
	Users []User
	// Args are extra kube-apiserver flags, appended last so they win.
	Args []string
}

// Cluster is a running etcd + kube-apiserver.
type Cluster struct {
	URL             string // https://127.0.0.1:port
	CAPEM           []byte // the serving certificate, which is its own CA
	CAFile          string
	AdminKubeconfig string               // path of a kubeconfig with AdminToken
	Config          *rest.Config         // admin
	Client          kubernetes.Interface // admin
	Dir             string               // certificates, token file, logs
	LogFile         string               // the apiserver's stderr
	Etcd            *etcdtest.Member     // its store (Pause makes the apiserver hang)

	args []string // the whole command line, for Restart and Peer

	mu     sync.Mutex // cmd and exited, which Restart replaces
	cmd    *exec.Cmd
	exited chan struct{}
}

// Binary is the apiserver the tests run: $KUBE_APISERVER_BIN, else
// bin/kube-apiserver under the repository root.
func Binary() string {
	if p := os.Getenv(EnvBinary); p != "" {
		return p
	}
	root, err := e2e.RepoRoot()
	if err != nil {
		return "kube-apiserver"
	}
	return filepath.Join(root, "bin", "kube-apiserver")
}

// Available reports why the cluster cannot start ("" when it can): a missing
// apiserver or etcd binary.
func Available() string {
	if _, err := os.Stat(Binary()); err != nil {
		return fmt.Sprintf("kube-apiserver %s: %v (make bin/kube-apiserver builds it)", Binary(), err)
	}
	etcd := etcdtest.Binary
	if b := os.Getenv("ETCD_BIN"); b != "" {
		etcd = b
	}
	if _, err := os.Stat(etcd); err != nil {
		return fmt.Sprintf("etcd %s: %v (make deps installs etcd-server)", etcd, err)
	}
	return ""
}

// Start runs etcd and kube-apiserver, waits until /readyz answers ok and the
// default namespace exists, and stops both at the test's cleanup. It skips the
// test (or fails it under CORETRAFFIC_REQUIRE_K8S) when a binary is missing.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if why := Available(); why != "" {
		if os.Getenv(EnvRequire) != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	etcd := etcdtest.Start(t, etcdtest.Config{})
	c := &Cluster{Dir: t.TempDir(), Etcd: etcd}
	certFile, keyFile, caPEM, err := servingCert(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	c.CAPEM, c.CAFile = caPEM, certFile
	saKey, err := serviceAccountKey(c.Dir)
	if err != nil {
		t.Fatal(err)
	}
	tokens := filepath.Join(c.Dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(tokenFile(opts.Users)), 0o600); err != nil {
		t.Fatal(err)
	}
	port := e2e.FreePort(t)
	c.URL = fmt.Sprintf("https://127.0.0.1:%d", port)
	args := []string{
		"--etcd-servers=" + etcd.ClientURL,
		"--etcd-prefix=/kubetest",
		"--bind-address=127.0.0.1",
		// The address the apiserver publishes as the endpoint of the default/kubernetes
		// Service; its reconciler refuses loopback, and nothing connects to it here.
		"--advertise-address=" + AdvertiseAddress,
		fmt.Sprintf("--secure-port=%d", port),
		"--tls-cert-file=" + certFile,
		"--tls-private-key-file=" + keyFile,
		"--cert-dir=" + filepath.Join(c.Dir, "certs"),
		"--token-auth-file=" + tokens,
		"--authorization-mode=RBAC",
		"--service-cluster-ip-range=" + ServiceCIDRv4 + "," + ServiceCIDRv6,
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + saKey,
		"--service-account-signing-key-file=" + saKey,
		// No controller-manager creates each namespace's "default" ServiceAccount,
		// which this admission plugin would insist on for every Pod.
		"--disable-admission-plugins=ServiceAccount",
		// Stop's SIGTERM ends open watches (clients reconnect, as after a rolling
		// restart) instead of leaving them open until the 60 s shutdown timeout.
		"--shutdown-watch-termination-grace-period=2s",
		// Less start-up work on a shared machine; nothing here needs them.
		"--enable-priority-and-fairness=false",
		"--profiling=false",
		"--v=1",
	}
	c.LogFile = filepath.Join(c.Dir, "kube-apiserver.log")
	c.args = append(args, opts.Args...)
	c.launch(t)
	// Registered after etcd's cleanup, so it runs first: the apiserver stops
	// while its store is still there.
	t.Cleanup(c.Stop)

	c.Config = c.RestConfig(AdminToken)
	if c.Client, err = kubernetes.NewForConfig(c.Config); err != nil {
		t.Fatal(err)
	}
	c.AdminKubeconfig = c.Kubeconfig(t, AdminToken)
	c.waitReady(t)
	return c
}

func tokenFile(users []User) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s,admin,admin,\"system:masters\"\n", AdminToken)
	for _, u := range users {
		fmt.Fprintf(&b, "%s,%s,%s,\"%s\"\n", u.Token, u.Name, u.Name, strings.Join(u.Groups, ","))
	}
	return b.String()
}

// waitReady polls /readyz, then waits for the default/kubernetes Service
// (and so the default namespace), which the apiserver's own bootstrap
// controller creates shortly after it turns ready: every cluster has it.
func (c *Cluster) waitReady(t testing.TB) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(c.CAPEM)
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	deadline := time.Now().Add(startWait)
	last := "no answer"
	for ready := false; !ready; {
		if time.Now().After(deadline) {
			t.Fatalf("kube-apiserver at %s not ready within %v (%s); log tail:\n%s", c.URL, startWait, last, c.LogTail(40))
		}
		cmd, exited := c.proc()
		select {
		case <-exited:
			t.Fatalf("kube-apiserver exited: %v; log tail:\n%s", cmd.ProcessState, c.LogTail(40))
		case <-time.After(100 * time.Millisecond):
		}
		req, _ := http.NewRequest(http.MethodGet, c.URL+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+AdminToken)
		resp, err := hc.Do(req)
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		last = resp.Status
		ready = resp.StatusCode == http.StatusOK
	}
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := c.Client.CoreV1().Services(metav1.NamespaceDefault).Get(ctx, "kubernetes", metav1.GetOptions{})
		cancel()
		if err == nil {
			return
		}
		if !apierrors.IsNotFound(err) || time.Now().After(deadline) {
			t.Fatalf("service default/kubernetes: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LogTail is the last n lines of the apiserver's log.
func (c *Cluster) LogTail(n int) string {
	b, err := os.ReadFile(c.LogFile)
	if err != nil {
		return err.Error()
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
