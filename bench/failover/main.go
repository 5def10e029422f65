// Command failover measures, on the wire, how long the real ./coredns takes to move a
// failover record's answers off an endpoint that dies and back once it returns
// (bench/failover/README.md). It starts two endpoint processes (demo/endpoints), one
// ./coredns serving
//
//	www.failover.test A failover: 192.0.2.1 (check primary), 192.0.2.2 (check secondary)
//
// and queries www continuously from a few paced UDP clients. Each trial kills the
// primary's process (SIGKILL: probes are refused; or SIGSTOP: probes time out), notes
// the first answer 192.0.2.2 after that moment, restarts the process (or SIGCONT),
// waits until it accepts connections and notes the first answer 192.0.2.1 after that.
// Every answer is judged: timeouts, other rcodes, other values and flaps (an old answer
// after the first new one) are counted and must be 0.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const (
	primaryIP   = "192.0.2.1"
	secondaryIP = "192.0.2.2"
	qname       = "www.failover.test."
)

type config struct {
	coredns, endpoints, out string
	trials                  int
	modes                   []string
	interval, timeout       time.Duration
	rise, fall              int
	port, epPort            int
	workers                 int
	pace                    time.Duration
	serverCPU, clientCPU    int
	nice                    int
}

// Trial is one kill (or stop) and return.
type Trial struct {
	Mode      string
	N         int
	DownS     float64 // death -> first answer of the secondary
	UpS       float64 // endpoint accepting again -> first answer of the primary
	RestartS  float64 // restart (spawn or SIGCONT) -> endpoint accepting
	FlapsDown int     // primary answers after the first secondary one, before the restart
	FlapsUp   int     // secondary answers after the first primary one, before the next trial
}

// Result is what results.json holds.
type Result struct {
	Date, Cmdline, Version     string
	Interval, Timeout          string
	Rise, Fall                 int
	BoundDownS, BoundUpS       float64
	Workers                    int
	PaceMS                     float64
	Trials                     []Trial
	Queries, Timeouts, Rcodes  int
	Others                     int
	UptimeBefore, UptimeAfter  string
	Machine                    map[string]string
	QPS                        float64
	QueryErrors                []string
	DurationS                  float64
	ServerCPUS, ServerRSSKB    float64
	ServerCPU, ClientCPU, Nice int
}

func main() {
	var c config
	var modes string
	flag.StringVar(&c.coredns, "coredns", "./coredns", "coredns binary")
	flag.StringVar(&c.endpoints, "endpoints", "bench/out/bin/endpoints", "demo/endpoints binary")
	flag.StringVar(&c.out, "out", "", "output directory (results.json, summary.md, run/)")
	flag.IntVar(&c.trials, "trials", 20, "trials per mode")
	flag.StringVar(&modes, "modes", "kill,stop", "kill (SIGKILL, probes refused) and/or stop (SIGSTOP, probes time out)")
	flag.DurationVar(&c.interval, "interval", time.Second, "check interval")
	flag.DurationVar(&c.timeout, "timeout", 500*time.Millisecond, "check timeout")
	flag.IntVar(&c.rise, "rise", 2, "check rise")
	flag.IntVar(&c.fall, "fall", 3, "check fall")
	flag.IntVar(&c.port, "port", 19850, "DNS port")
	flag.IntVar(&c.epPort, "endpoint-port", 19851, "primary endpoint port (secondary: +1)")
	flag.IntVar(&c.workers, "workers", 2, "query clients, one query in flight each")
	flag.DurationVar(&c.pace, "pace", time.Millisecond, "pause between one client's queries")
	flag.IntVar(&c.serverCPU, "server-cpu", 1, "CPU for coredns")
	flag.IntVar(&c.clientCPU, "client-cpu", 0, "CPU for the endpoints (run this program there too)")
	flag.IntVar(&c.nice, "nice", -10, "as root: nice and autogroup nice of coredns (0: off)")
	cmdline := flag.String("cmdline", "bench/failover/run.sh", "command line to record")
	flag.Parse()
	c.modes = strings.Split(modes, ",")
	if c.out == "" {
		fail(errors.New("-out is required"))
	}
	res, err := run(c)
	if res != nil {
		res.Cmdline = *cmdline
		if werr := write(c, res); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench/failover:", err)
	os.Exit(1)
}

func logf(format string, a ...any) {
	fmt.Printf("%s %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
}

func run(c config) (*Result, error) {
	runDir := filepath.Join(c.out, "run")
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		return nil, err
	}
	res := &Result{Date: time.Now().UTC().Format("2006-01-02 15:04 UTC"), Interval: c.interval.String(),
		Timeout: c.timeout.String(), Rise: c.rise, Fall: c.fall, Workers: c.workers,
		PaceMS: float64(c.pace) / 1e6, UptimeBefore: uptime(), Machine: machine(),
		BoundDownS: (c.interval*time.Duration(c.fall) + c.timeout).Seconds(),
		BoundUpS:   (c.interval*time.Duration(c.rise) + c.timeout).Seconds(),
		ServerCPU:  c.serverCPU, ClientCPU: c.clientCPU, Nice: c.nice}
	if out, err := exec.Command(c.coredns, "-version").Output(); err == nil {
		res.Version = strings.Fields(string(out))[0]
	}
	primaryAddr := fmt.Sprintf("127.0.0.1:%d", c.epPort)
	secondaryAddr := fmt.Sprintf("127.0.0.1:%d", c.epPort+1)
	for _, a := range []string{primaryAddr, secondaryAddr, fmt.Sprintf("127.0.0.1:%d", c.port)} {
		if ln, err := net.Listen("tcp", a); err != nil {
			return nil, fmt.Errorf("port %s is taken (another run?): %v", a, err)
		} else {
			ln.Close()
		}
	}
	primary, err := startEndpoint(c, primaryAddr, filepath.Join(runDir, "primary.log"))
	if err != nil {
		return nil, err
	}
	defer func() { primary.kill() }()
	secondary, err := startEndpoint(c, secondaryAddr, filepath.Join(runDir, "secondary.log"))
	if err != nil {
		return nil, err
	}
	defer secondary.kill()
	srv, err := startCoreDNS(c, runDir, primaryAddr, secondaryAddr)
	if err != nil {
		return nil, err
	}
	defer srv.kill()
	dns := fmt.Sprintf("127.0.0.1:%d", c.port)
	if err := waitAnswer(dns, primaryIP, 30*time.Second, srv); err != nil {
		return nil, err
	}
	logf("coredns answers %s for %s; starting %d clients, %s pace", primaryIP, qname, c.workers, c.pace)
	w, err := startWatch(dns, c.workers, c.pace)
	if err != nil {
		return nil, err
	}
	cpu0 := cpuSeconds(srv.cmd.Process.Pid)
	start := time.Now()
	time.Sleep(2 * time.Second) // settle; the answers must be the primary's
	var runErr error
	for _, mode := range c.modes {
		for i := range c.trials {
			t, err := trial(c, mode, i+1, w, primary, srv, primaryAddr, runDir)
			if err != nil {
				runErr = err
				break
			}
			res.Trials = append(res.Trials, t)
			logf("%s %2d: down after %.3f s, back %.3f s after the endpoint accepted (restart took %.3f s); flaps %d/%d",
				mode, t.N, t.DownS, t.UpS, t.RestartS, t.FlapsDown, t.FlapsUp)
		}
		if runErr != nil {
			break
		}
	}
	res.DurationS = time.Since(start).Seconds()
	res.ServerCPUS = cpuSeconds(srv.cmd.Process.Pid) - cpu0
	res.ServerRSSKB = float64(statusKB(srv.cmd.Process.Pid, "VmHWM"))
	st := w.stop()
	res.Queries, res.Timeouts, res.Rcodes, res.Others, res.QueryErrors = st.queries, st.timeouts, st.rcodes, st.others, st.samples
	res.QPS = float64(st.queries) / res.DurationS
	res.UptimeAfter = uptime()
	if runErr == nil && st.timeouts+st.rcodes+st.others > 0 {
		runErr = fmt.Errorf("%d timeouts, %d bad rcodes, %d unexpected answers (e.g. %v)", st.timeouts, st.rcodes, st.others, st.samples)
	}
	return res, runErr
}

// trial kills (or stops) the primary and brings it back.
func trial(c config, mode string, n int, w *watch, primary *proc, srv *proc, addr, runDir string) (Trial, error) {
	t := Trial{Mode: mode, N: n}
	// a random moment relative to the probe ticks, with the primary answering throughout
	stable := time.Second + rand.N(c.interval)
	if err := w.steady(primaryIP, stable, 60*time.Second); err != nil {
		dumpStatus(c, filepath.Join(runDir, fmt.Sprintf("checks-%s-%d-before.json", mode, n)))
		return t, fmt.Errorf("%s %d: before the kill: %v", mode, n, err)
	}
	limit := 10*c.interval*time.Duration(max(c.fall, c.rise)) + 10*time.Second
	var dead time.Time
	var err error
	switch mode {
	case "kill":
		dead, err = primary.signal(syscall.SIGKILL)
	case "stop":
		dead, err = primary.signal(syscall.SIGSTOP)
	default:
		return t, fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		return t, err
	}
	moved, flaps, err := w.waitFor(secondaryIP, dead, limit, srv)
	if err != nil {
		return t, fmt.Errorf("%s %d: %v", mode, n, err)
	}
	t.DownS = moved.Sub(dead).Seconds()
	time.Sleep(500*time.Millisecond + rand.N(c.interval))
	t.FlapsDown = flaps()
	var restarted time.Time
	if mode == "kill" {
		primary.wait()
		restarted = time.Now()
		np, err := startEndpoint(c, addr, filepath.Join(runDir, fmt.Sprintf("primary-%d.log", n)))
		if err != nil {
			return t, err
		}
		*primary = *np
	} else {
		if restarted, err = primary.signal(syscall.SIGCONT); err != nil {
			return t, err
		}
	}
	accepting, err := waitAccepting(addr, 10*time.Second)
	if err != nil {
		return t, err
	}
	t.RestartS = accepting.Sub(restarted).Seconds()
	back, flapsUp, err := w.waitFor(primaryIP, accepting, limit, srv)
	if err != nil {
		return t, fmt.Errorf("%s %d: coming back: %v", mode, n, err)
	}
	t.UpS = back.Sub(accepting).Seconds()
	if t.UpS > c.interval.Seconds()*float64(c.rise)+c.timeout.Seconds() || t.DownS > c.interval.Seconds()*float64(c.fall)+c.timeout.Seconds() {
		dumpStatus(c, filepath.Join(runDir, fmt.Sprintf("checks-%s-%d-over-bound.json", mode, n)))
	}
	time.Sleep(500 * time.Millisecond)
	t.FlapsUp = flapsUp()
	return t, nil
}

func uptime() string {
	out, _ := exec.Command("uptime").Output()
	return strings.TrimSpace(string(out))
}

func machine() map[string]string {
	m := map[string]string{}
	if out, err := exec.Command("nproc", "--all").Output(); err == nil {
		m["nproc"] = strings.TrimSpace(string(out))
	}
	if out, err := exec.Command("lscpu").Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "Model name" {
				m["cpu"] = strings.TrimSpace(v)
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		fmt.Sscanf(strings.TrimPrefix(strings.SplitN(string(b), "\n", 2)[0], "MemTotal:"), "%f", &kb)
		m["memory"] = fmt.Sprintf("%.1f GiB", kb/(1<<20))
	}
	return m
}

func write(c config, res *Result) error {
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.out, "results.json"), b, 0o644); err != nil {
		return err
	}
	s := summary(res)
	fmt.Print(s)
	return os.WriteFile(filepath.Join(c.out, "summary.md"), []byte(s), 0o644)
}
