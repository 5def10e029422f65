package kubetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/e2e"

	"k8s.io/client-go/kubernetes"
)

// launch starts the apiserver process with c.args, its output appended to
// c.LogFile (a restart adds to the same log).
func (c *Cluster) launch(t testing.TB) {
	t.Helper()
	logf, err := os.OpenFile(c.LogFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(Binary(), c.args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		t.Fatalf("start kube-apiserver: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); logf.Close(); close(exited) }()
	c.mu.Lock()
	c.cmd, c.exited = cmd, exited
	c.mu.Unlock()
}

func (c *Cluster) proc() (*exec.Cmd, chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cmd, c.exited
}

// Stop ends the apiserver with SIGTERM (its graceful shutdown), then SIGKILL
// after 10 s, and reaps its process group; a test calls it to make the
// apiserver unreachable (Restart brings it back). Stopping twice is harmless;
// cleanup calls it too.
func (c *Cluster) Stop() {
	cmd, exited := c.proc()
	select {
	case <-exited:
		return
	default:
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	}
}

// Exited is closed when the current apiserver process has ended.
func (c *Cluster) Exited() <-chan struct{} {
	_, exited := c.proc()
	return exited
}

// Pid is the current apiserver process's id.
func (c *Cluster) Pid() int {
	cmd, _ := c.proc()
	return cmd.Process.Pid
}

// Restart starts the apiserver again after Stop (it stops it first if it still
// runs) with the same command line: the same port, certificates, tokens and etcd,
// which kept everything stored meanwhile, so clients reconnect to what looks like
// the same apiserver coming back. It returns once /readyz answers ok.
func (c *Cluster) Restart(t testing.TB) {
	t.Helper()
	c.Stop()
	c.launch(t)
	c.waitReady(t)
}

// Peer starts a second apiserver on another port, sharing this one's etcd,
// certificates and tokens, as a second control-plane member does: what one
// writes the other serves. A test writes through it while the first is stopped.
// It stops at the test's cleanup (before etcd), or with its own Stop.
func (c *Cluster) Peer(t testing.TB) *Cluster {
	t.Helper()
	port := e2e.FreePort(t)
	p := &Cluster{
		URL:     fmt.Sprintf("https://127.0.0.1:%d", port),
		CAPEM:   c.CAPEM,
		CAFile:  c.CAFile,
		Dir:     c.Dir,
		LogFile: filepath.Join(c.Dir, fmt.Sprintf("kube-apiserver-peer-%d.log", port)),
		Etcd:    c.Etcd,
	}
	for _, a := range c.args {
		switch {
		case strings.HasPrefix(a, "--secure-port="):
			a = fmt.Sprintf("--secure-port=%d", port)
		case strings.HasPrefix(a, "--cert-dir="):
			a = "--cert-dir=" + filepath.Join(c.Dir, fmt.Sprintf("certs-peer-%d", port))
		}
		p.args = append(p.args, a)
	}
	p.launch(t)
	t.Cleanup(p.Stop)
	p.Config = p.RestConfig(AdminToken)
	var err error
	if p.Client, err = kubernetes.NewForConfig(p.Config); err != nil {
		t.Fatal(err)
	}
	p.AdminKubeconfig = p.Kubeconfig(t, AdminToken)
	p.waitReady(t)
	return p
}
