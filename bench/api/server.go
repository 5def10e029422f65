package main

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// server is one coredns process of the benchmark.
type server struct {
	name string
	cmd  *exec.Cmd
	dns  string // 127.0.0.1:port
	out  lockedBuffer
	done chan struct{}
}

// startServer writes corefile into dir and runs bin on it, pinned to cpu (-1: not
// pinned) with GOMAXPROCS=1 so that its CPU seconds compare with the other server's.
func startServer(name, bin, dir, corefile, dnsAddr string, cpu int) (*server, error) {
	conf := filepath.Join(dir, name+".Corefile")
	if err := os.WriteFile(conf, []byte(corefile), 0o644); err != nil {
		return nil, err
	}
	argv := []string{bin, "-conf", conf}
	if cpu >= 0 {
		argv = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, argv...)
	}
	s := &server{name: name, dns: dnsAddr, done: make(chan struct{})}
	s.cmd = exec.Command(argv[0], argv[1:]...)
	s.cmd.Dir = repoRoot()
	s.cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(60 * time.Second)
	m := new(dns.Msg)
	m.SetQuestion("ready.bench.invalid.", dns.TypeA)
	c := &dns.Client{Timeout: 300 * time.Millisecond}
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited:\n%s", name, s.out.String())
		default:
		}
		if _, _, err := c.Exchange(m, dnsAddr); err == nil {
			return s, nil
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not answer on %s within 60 s:\n%s", name, dnsAddr, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(5 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// pid is the coredns process itself, also under taskset (which execs it).
func (s *server) pid() int { return s.cmd.Process.Pid }

// cpuSeconds is the process's user+system CPU time so far, from /proc/PID/stat.
func (s *server) cpuSeconds() (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.pid()))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / clockTicks, nil
}

// clockTicks is USER_HZ, 100 on every Linux this runs on.
const clockTicks = 100

// freePort returns a port free for UDP and TCP on 127.0.0.1 at the time of the call.
func freePort() (int, error) {
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		port := l.Addr().(*net.TCPAddr).Port
		u, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port))
		l.Close()
		if err == nil {
			u.Close()
			return port, nil
		}
	}
	return 0, fmt.Errorf("no free port")
}

// repoRoot is the repository root (the binary runs there, as `make run` does).
func repoRoot() string {
	wd, _ := os.Getwd()
	for d := wd; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
	}
	return wd
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
