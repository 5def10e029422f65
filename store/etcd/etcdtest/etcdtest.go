// Package etcdtest runs real etcd servers (Debian's etcd-server, /usr/bin/etcd)
// on loopback for tests: one member or a cluster, each on free ports with a
// temporary data directory, stopped with the test. Fault tests pause members
// with SIGSTOP, kill and restart them.
//
// Tests skip when the binary is missing unless CORETRAFFIC_REQUIRE_ETCD is
// set (as `make test` does not yet); `make deps` installs it.
package etcdtest

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/internal/freeport"
)

// Binary is the etcd server the helpers run; ETCD_BIN overrides it.
var Binary = "/usr/bin/etcd"

// startWait bounds the wait for a member (or cluster) to become healthy.
const startWait = 30 * time.Second

// Config adds to a member's command line.
type Config struct {
	// Args are extra etcd flags, e.g. TLS or --auto-compaction-retention.
	Args []string
	// ClientTLS, when set, makes the client URL https and is the TLS
	// configuration the health probe uses.
	ClientTLS *tls.Config
}

// Member is one etcd process.
type Member struct {
	Name      string
	ClientURL string // http(s)://127.0.0.1:port
	PeerURL   string
	Dir       string // data directory
	bin       string
	t         testing.TB
	cfg       Config
	cluster   string // --initial-cluster
	cmd       *exec.Cmd
	stopped   bool
}

// Start runs one etcd member and waits until it serves.
func Start(t testing.TB, cfg Config) *Member {
	t.Helper()
	ms := StartCluster(t, 1, cfg)
	return ms[0]
}

// StartCluster runs n members forming one cluster and waits until every
// member reports healthy (which needs an elected leader).
func StartCluster(t testing.TB, n int, cfg Config) []*Member {
	t.Helper()
	bin := Binary
	if b := os.Getenv("ETCD_BIN"); b != "" {
		bin = b
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CORETRAFFIC_REQUIRE_ETCD") != "" {
			t.Fatalf("etcd server %s: %v (make deps installs etcd-server)", bin, err)
		}
		t.Skipf("etcd server %s not installed (make deps): %v", bin, err)
	}
	scheme := "http"
	if cfg.ClientTLS != nil {
		scheme = "https"
	}
	ms := make([]*Member, n)
	var initial []string
	for i := range ms {
		m := &Member{
			Name:      fmt.Sprintf("m%d", i),
			ClientURL: scheme + "://" + freeAddr(t),
			PeerURL:   "http://" + freeAddr(t),
			Dir:       t.TempDir(),
			bin:       bin,
			t:         t,
			cfg:       cfg,
		}
		ms[i] = m
		initial = append(initial, m.Name+"="+m.PeerURL)
	}
	for _, m := range ms {
		m.cluster = strings.Join(initial, ",")
		m.start("new")
		t.Cleanup(m.Kill)
	}
	for _, m := range ms {
		m.WaitHealthy()
	}
	return ms
}

// Endpoints lists the members' client URLs.
func Endpoints(ms []*Member) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ClientURL
	}
	return out
}

func (m *Member) start(state string) {
	m.t.Helper()
	args := []string{
		"--name", m.Name,
		"--data-dir", filepath.Join(m.Dir, "data"),
		"--listen-client-urls", m.ClientURL,
		"--advertise-client-urls", m.ClientURL,
		"--listen-peer-urls", m.PeerURL,
		"--initial-advertise-peer-urls", m.PeerURL,
		"--initial-cluster", m.cluster,
		"--initial-cluster-state", state,
		"--initial-cluster-token", "etcdtest",
		// Fast elections keep fault tests short; loopback has no latency.
		"--heartbeat-interval", "50",
		"--election-timeout", "500",
		// The store writes one op per changed key plus four.
		"--max-txn-ops", "1024",
		"--logger", "zap",
		"--log-outputs", filepath.Join(m.Dir, "etcd.log"),
	}
	m.cmd = exec.Command(m.bin, append(args, m.cfg.Args...)...)
	m.cmd.Env = append(os.Environ(), "ETCD_UNSUPPORTED_ARCH="+archEnv())
	if err := m.cmd.Start(); err != nil {
		m.t.Fatalf("start etcd %s: %v", m.Name, err)
	}
	m.stopped = false
}

// WaitHealthy waits until the member's /health says true, failing the test
// after startWait.
func (m *Member) WaitHealthy() {
	m.t.Helper()
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{TLSClientConfig: m.cfg.ClientTLS}}
	deadline := time.Now().Add(startWait)
	for time.Now().Before(deadline) {
		resp, err := client.Get(m.ClientURL + "/health")
		if err == nil {
			var buf [64]byte
			n, _ := resp.Body.Read(buf[:])
			resp.Body.Close()
			if strings.Contains(string(buf[:n]), `"true"`) {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	m.t.Fatalf("etcd %s at %s not healthy within %v; log:\n%s", m.Name, m.ClientURL, startWait, m.LogTail())
}

// Pause stops the process with SIGSTOP: it holds its ports but answers
// nothing. It returns once every thread of the process is stopped: on a
// loaded machine a thread already running may otherwise answer one more
// request after the signal is sent.
func (m *Member) Pause() {
	m.t.Helper()
	m.signal(syscall.SIGSTOP)
	deadline := time.Now().Add(5 * time.Second)
	for !m.stoppedAll() {
		if time.Now().After(deadline) {
			m.t.Fatalf("etcd %s: threads still running 5 s after SIGSTOP", m.Name)
		}
		time.Sleep(time.Millisecond)
	}
}

// stoppedAll reports whether every thread of the process is in state T
// (stopped), read from /proc/<pid>/task/*/stat.
func (m *Member) stoppedAll() bool {
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", m.cmd.Process.Pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, f := range tasks {
		b, err := os.ReadFile(f)
		if err != nil {
			return false
		}
		// The state follows the command name's closing parenthesis.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+2 >= len(s) || (s[i+2] != 'T' && s[i+2] != 't') {
			return false
		}
	}
	return true
}

// Resume continues a paused process.
func (m *Member) Resume() { m.signal(syscall.SIGCONT) }

func (m *Member) signal(sig syscall.Signal) {
	m.t.Helper()
	if err := m.cmd.Process.Signal(sig); err != nil {
		m.t.Fatalf("etcd %s: %v: %v", m.Name, sig, err)
	}
}

// Kill ends the process with SIGKILL and waits for it; the data directory
// stays, so Restart brings the member back. Killing twice is harmless.
func (m *Member) Kill() {
	if m.stopped || m.cmd == nil {
		return
	}
	m.stopped = true
	_ = m.cmd.Process.Kill()
	_ = m.cmd.Wait()
}

// Restart starts a killed member again on its ports and data, and waits
// until it is healthy.
func (m *Member) Restart() {
	m.t.Helper()
	m.Kill()
	m.start("existing")
	m.WaitHealthy()
}

// LogTail returns the end of the member's log, for failure messages.
func (m *Member) LogTail() string {
	b, _ := os.ReadFile(filepath.Join(m.Dir, "etcd.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// freeAddr returns a loopback address with a port free at the moment, never one
// handed out before in this process.
func freeAddr(t testing.TB) string {
	t.Helper()
	return freeport.Addr(t)
}
