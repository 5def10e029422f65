//go:build scale

package healthcheck

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Scale benchmarks: go test -tags scale -run '^$' -bench 'Scale|Detection' -benchtime 1x ./healthcheck
// Knobs: HC_SCALE_CHECKS (10000), HC_SCALE_WINDOW_S (30), HC_SCALE_KEEPALIVE=1 (reuse
// connections), HC_SCALE_TYPE=tcp (connect-only floor), HC_DETECTION_TRIALS (40).
//
// The endpoints run in a child process (this test binary re-executed), so the CPU
// and memory measured are the engine's alone.

const serverEnv = "HC_SCALE_SERVER"

func TestMain(m *testing.M) {
	if n := os.Getenv(serverEnv); n != "" {
		serveEndpoints(n)
		return
	}
	os.Exit(m.Run())
}

// serveEndpoints listens on n ports, prints their addresses and serves 200 "OK".
func serveEndpoints(n string) {
	count, _ := strconv.Atoi(n)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("OK")) })
	for range count {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Println(ln.Addr().String())
		go http.Serve(ln, h)
	}
	fmt.Println("ready")
	select {}
}

func startEndpoints(b *testing.B, n int) []string {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), serverEnv+"="+strconv.Itoa(n))
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var addrs []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && sc.Text() != "ready" {
		addrs = append(addrs, sc.Text())
	}
	return addrs
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rssKB(field string) int {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field+":") {
			f := strings.Fields(l)
			v, _ := strconv.Atoi(f[1])
			return v
		}
	}
	return 0
}

// BenchmarkScale10kHTTP runs 10,000 distinct HTTP checks at a 10 s interval against
// local endpoints and reports CPU (% of one core) and RSS over a measuring window.
func BenchmarkScale10kHTTP(b *testing.B) {
	checks := envInt("HC_SCALE_CHECKS", 10000)
	window := time.Duration(envInt("HC_SCALE_WINDOW_S", 30)) * time.Second
	addrs := startEndpoints(b, 16)
	specs := make([]Spec, checks)
	tcpOnly := os.Getenv("HC_SCALE_TYPE") == "tcp" // the floor: connect and close only
	for i := range specs {
		specs[i] = Spec{Name: fmt.Sprintf("c%05d", i), Type: TypeHTTP, Interval: 10 * time.Second,
			Timeout: 2 * time.Second, URL: fmt.Sprintf("http://%s/health/%d", addrs[i%len(addrs)], i), Match: "OK",
			KeepAlive: os.Getenv("HC_SCALE_KEEPALIVE") != ""}
		if tcpOnly {
			// distinct keys: the same 16 targets with distinct connect timeouts
			specs[i] = Spec{Name: specs[i].Name, Type: TypeTCP, Interval: 10 * time.Second, Timeout: 2 * time.Second,
				ConnectTimeout: time.Second + time.Duration(i)*time.Microsecond, Target: addrs[i%len(addrs)]}
		}
	}
	var mu sync.Mutex
	results := map[Kind]int{}
	e := New(Options{OnProbe: func(_ Type, r Result) { mu.Lock(); results[r.Kind]++; mu.Unlock() }})
	for b.Loop() {
		set, err := e.Apply("scale", specs)
		if err != nil {
			b.Fatal(err)
		}
		for !set.Ready() {
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(12 * time.Second) // past the staggered start
		mu.Lock()
		clear(results)
		mu.Unlock()
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(window)
		elapsed := time.Since(t0)
		cpu := float64(cpuTime()-c0) / float64(elapsed) * 100
		mu.Lock()
		probes, ok := 0, results[KindOK]
		for _, n := range results {
			probes += n
		}
		mu.Unlock()
		b.ReportMetric(cpu, "cpu%")
		b.ReportMetric(float64(rssKB("VmRSS"))/1024, "rss-MB")
		b.ReportMetric(float64(rssKB("VmHWM"))/1024, "peak-rss-MB")
		b.ReportMetric(float64(probes)/elapsed.Seconds(), "probes/s")
		b.ReportMetric(float64(probes-ok), "failed-probes")
		b.Logf("%d checks, %s window: %.1f%% of one core, RSS %d MB (peak %d MB), %d probes (%d ok), results %v",
			checks, window, cpu, rssKB("VmRSS")/1024, rssKB("VmHWM")/1024, probes, ok, results)
		set.Close()
	}
}

// BenchmarkDetection kills endpoints at random moments and reports the distribution
// of the time from death to the state flip, against interval × fall + timeout
// (1 s × 2 + 500 ms = 2.5 s).
func BenchmarkDetection(b *testing.B) {
	trials := envInt("HC_DETECTION_TRIALS", 40)
	e := New(Options{})
	for b.Loop() {
		var mu sync.Mutex
		var refused, hung []time.Duration
		var wg sync.WaitGroup
		for i := range trials {
			wg.Add(1)
			go func() {
				defer wg.Done()
				hang := i%2 == 1
				d := detectionTrial(b, e, fmt.Sprintf("t%03d", i), hang)
				mu.Lock()
				if hang {
					hung = append(hung, d)
				} else {
					refused = append(refused, d)
				}
				mu.Unlock()
			}()
		}
		wg.Wait()
		for _, c := range []struct {
			name string
			ds   []time.Duration
		}{{"refused", refused}, {"hang", hung}} {
			lo, p50, p90, hi := summarize(c.ds)
			b.Logf("%s: %d trials, death→down min %s p50 %s p90 %s max %s (bound 2.5s)", c.name, len(c.ds),
				lo.Round(time.Millisecond), p50.Round(time.Millisecond), p90.Round(time.Millisecond), hi.Round(time.Millisecond))
			b.ReportMetric(hi.Seconds(), c.name+"-max-s")
			b.ReportMetric(p50.Seconds(), c.name+"-p50-s")
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
