package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// proc is a child process with its log file.
type proc struct {
	cmd    *exec.Cmd
	log    string
	exited chan struct{}
}

func start(argv []string, logPath string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(f, "#", strings.Join(argv, " "))
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %v", argv[0], err)
	}
	p := &proc{cmd: cmd, log: logPath, exited: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.exited) }()
	return p, nil
}

func (p *proc) alive() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// signal sends sig and returns the moment just before it was sent.
func (p *proc) signal(sig syscall.Signal) (time.Time, error) {
	t := time.Now()
	if err := p.cmd.Process.Signal(sig); err != nil {
		return t, fmt.Errorf("signal %v to %d: %v", sig, p.cmd.Process.Pid, err)
	}
	return t, nil
}

func (p *proc) wait() { <-p.exited }

func (p *proc) kill() {
	if p.alive() {
		p.cmd.Process.Signal(syscall.SIGCONT) // a stopped process cannot act on SIGTERM
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.exited
		}
	}
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-5):], "\n")
}

// pinned runs argv on one CPU; as root with nice != 0 also at that nice in an
// autogroup of its own (as bench/dns does), so concurrent builds take less of it.
func pinned(cpu, nice int, argv ...string) []string {
	cmd := append([]string{"taskset", "-c", strconv.Itoa(cpu)}, argv...)
	if os.Geteuid() == 0 && nice != 0 {
		n := strconv.Itoa(nice)
		cmd = append([]string{"sh", "-c", `echo "$0" > /proc/self/autogroup 2>/dev/null; exec "$@"`, n, "nice", "-n", n}, cmd...)
	}
	return cmd
}

// startEndpoint starts one demo/endpoints process on addr and waits until it accepts.
func startEndpoint(c config, addr, logPath string) (*proc, error) {
	p, err := start(pinned(c.clientCPU, c.nice, c.endpoints, "-listen", addr), logPath)
	if err != nil {
		return nil, err
	}
	if _, err := waitAccepting(addr, 10*time.Second); err != nil {
		p.kill()
		return nil, fmt.Errorf("endpoint %s: %v (%s)", addr, err, p.tail())
	}
	return p, nil
}

// waitAccepting returns the moment addr first accepted a TCP connection.
func waitAccepting(addr string, limit time.Duration) (time.Time, error) {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			t := time.Now()
			c.Close()
			return t, nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("%s not accepting after %s", addr, limit)
}

func startCoreDNS(c config, runDir, primary, secondary string) (*proc, error) {
	data := filepath.Join(runDir, "failover.yaml")
	yaml := fmt.Sprintf(`checks:
  primary: {type: http, url: "http://%s/health", interval: %s, timeout: %s, rise: %d, fall: %d}
  secondary: {type: http, url: "http://%s/health", interval: %s, timeout: %s, rise: %d, fall: %d}
zones:
  failover.test:
    ttl: 5
    records:
      www: {A: {failover: [{value: %s, check: primary}, {value: %s, check: secondary}]}}
`, primary, c.interval, c.timeout, c.rise, c.fall, secondary, c.interval, c.timeout, c.rise, c.fall, primaryIP, secondaryIP)
	if err := os.WriteFile(data, []byte(yaml), 0o644); err != nil {
		return nil, err
	}
	conf := filepath.Join(runDir, "Corefile")
	// the status API only serves diagnostics (dumped when a trial goes wrong)
	corefile := fmt.Sprintf("failover.test:%d {\n    bind 127.0.0.1\n    healthcheck {\n        status 127.0.0.1:%d\n    }\n"+
		"    policy {\n        data %s\n    }\n}\n", c.port, c.port+10, data)
	if err := os.WriteFile(conf, []byte(corefile), 0o644); err != nil {
		return nil, err
	}
	return start(pinned(c.serverCPU, c.nice, c.coredns, "-conf", conf), filepath.Join(runDir, "coredns.log"))
}

// dumpStatus saves the health check status API's view of every check.
func dumpStatus(c config, path string) {
	cl := http.Client{Timeout: 2 * time.Second}
	r, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d/checks", c.port+10))
	if err != nil {
		os.WriteFile(path, []byte(err.Error()), 0o644)
		return
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(r.Body)
	os.WriteFile(path, b, 0o644)
}

// waitAnswer polls until qname answers want.
func waitAnswer(server, want string, limit time.Duration, srv *proc) error {
	end := time.Now().Add(limit)
	cl := &dns.Client{Timeout: 200 * time.Millisecond}
	for time.Now().Before(end) {
		if !srv.alive() {
			return fmt.Errorf("coredns exited: %s", srv.tail())
		}
		m := new(dns.Msg)
		m.SetQuestion(qname, dns.TypeA)
		if r, _, err := cl.Exchange(m, server); err == nil && answerOf(r) == want {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("coredns did not answer " + want + " in time")
}

func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return (u + k) / 100 // USER_HZ is 100 on Linux
}

func statusKB(pid int, field string) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			v, _ := strconv.Atoi(strings.Fields(rest)[0])
			return v
		}
	}
	return 0
}
