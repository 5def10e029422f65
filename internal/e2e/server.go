package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/internal/freeport"
)

// Server is one running coredns process.
type Server struct {
	Addr string // "127.0.0.1:port" the first server block listens on (UDP and TCP)
	Dir  string // working directory holding the Corefile
	Cmd  *exec.Cmd

	out    syncBuffer
	exited chan struct{}
}

// Start writes corefile into dir (t.TempDir() when empty) and runs bin -conf Corefile
// there. addr is the DNS address to wait for ("127.0.0.1:port"); Start returns once the
// server answers a query over UDP and TCP, and fails the test with the process output
// if it exits or does not answer within 30 s. The process is stopped at cleanup.
func Start(t testing.TB, bin, corefile, dir, addr string) *Server {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	return startAndWait(t, bin, corefile, dir, dir, addr)
}

// Launch starts the process without waiting for DNS; use it for servers expected to
// fail at start-up (then call Wait).
func Launch(t testing.TB, bin, corefile, dir string) (*Server, error) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	return launch(t, bin, corefile, dir, dir)
}

// StartIn is Start with the Corefile kept in a temporary directory and the process
// run in workDir, so relative paths resolve as they do for `make run` from the repo
// root.
func StartIn(t testing.TB, bin, corefile, workDir, addr string) *Server {
	t.Helper()
	return startAndWait(t, bin, corefile, t.TempDir(), workDir, addr)
}

func startAndWait(t testing.TB, bin, corefile, confDir, workDir, addr string) *Server {
	t.Helper()
	s, err := launch(t, bin, corefile, confDir, workDir)
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = addr
	if err := s.WaitDNS(30 * time.Second); err != nil {
		t.Fatalf("%v\n--- output ---\n%s", err, s.Output())
	}
	return s
}

func launch(t testing.TB, bin, corefile, confDir, workDir string) (*Server, error) {
	conf := filepath.Join(confDir, "Corefile")
	if err := os.WriteFile(conf, []byte(corefile), 0o644); err != nil {
		return nil, err
	}
	s := &Server{Dir: confDir, exited: make(chan struct{})}
	if confDir == workDir {
		conf = "Corefile" // messages then name "Corefile:N", as for a user
	}
	s.Cmd = exec.Command(bin, "-conf", conf)
	s.Cmd.Dir = workDir
	s.Cmd.Stdout = &s.out
	s.Cmd.Stderr = &s.out
	if err := s.Cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.Cmd.Wait(); close(s.exited) }()
	t.Cleanup(s.Stop)
	return s, nil
}

// Output is everything the process wrote to stdout and stderr so far.
func (s *Server) Output() string { return s.out.String() }

// Exited is closed when the process has ended.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Wait waits up to d for the process to exit and returns its exit code.
func (s *Server) Wait(d time.Duration) (int, error) {
	select {
	case <-s.exited:
		return s.Cmd.ProcessState.ExitCode(), nil
	case <-time.After(d):
		return 0, fmt.Errorf("process still running after %v", d)
	}
}

// Signal sends sig to the process (SIGUSR1 reloads the Corefile).
func (s *Server) Signal(sig os.Signal) error { return s.Cmd.Process.Signal(sig) }

// Stop terminates the process (SIGTERM, then SIGKILL after 5 s).
func (s *Server) Stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	s.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		s.Cmd.Process.Kill()
		<-s.exited
	}
}

// WaitDNS polls Addr with a CH TXT query over UDP and TCP until both give any reply.
func (s *Server) WaitDNS(d time.Duration) error {
	deadline := time.Now().Add(d)
	m := new(dns.Msg)
	m.SetQuestion("ready.e2e.invalid.", dns.TypeA)
	m.Id = 1 // fixed, so logs of two servers compare equal
	for _, proto := range []string{"udp", "tcp"} {
		c := &dns.Client{Net: proto, Timeout: 300 * time.Millisecond}
		for {
			select {
			case <-s.exited:
				return fmt.Errorf("coredns exited before answering on %s", s.Addr)
			default:
			}
			if _, _, err := c.Exchange(m, s.Addr); err == nil {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("coredns did not answer on %s/%s within %v", s.Addr, proto, d)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}

// FreePort returns a port free on 127.0.0.1 for both UDP and TCP at the time of the
// call.
func FreePort(t testing.TB) int {
	t.Helper()
	return freeport.Both(t)
}

// syncBuffer is a bytes.Buffer safe for the process's writers and the test's readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
