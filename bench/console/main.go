// Command console measures what connected consoles cost the server: a real coredns
// (route53api, console and policy over one store) with a health check that flips
// and a steady query load, first with no page connected, then with N pages each
// holding the event stream (/api/events) — server CPU seconds from /proc/PID/stat
// for each window, and the bytes and events every stream received.
//
//	go build -o coredns ./build && go run ./bench/console -bin ./coredns -clients 20 -seconds 30
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
)

const (
	accessKey = "AKIDCONSOLEBENCH"
	secretKey = "console-bench-secret"
)

func main() {
	bin := flag.String("bin", "./coredns", "the coredns binary")
	clients := flag.Int("clients", 20, "pages connected at once in the second window")
	seconds := flag.Int("seconds", 30, "length of each window")
	qps := flag.Int("qps", 50, "DNS queries per second during both windows")
	flag.Parse()
	if err := run(*bin, *clients, time.Duration(*seconds)*time.Second, *qps); err != nil {
		log.Fatal(err)
	}
}

func run(bin string, clients int, window time.Duration, qps int) error {
	dir, err := os.MkdirTemp("", "console-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[bench]\naws_access_key_id = "+accessKey+"\naws_secret_access_key = "+secretKey+"\n"), 0o600)
	store := filepath.Join(dir, "store.db")
	dnsPort, apiPort, conPort := freePort(), freePort(), freePort()
	corefile := fmt.Sprintf(`example.net:%d {
    bind 127.0.0.1
    route53api 127.0.0.1:%d {
        store %s
        credentials %s
    }
    console 127.0.0.1:%d {
        store %s
        credentials %s
    }
    policy {
        store %s
    }
}
`, dnsPort, apiPort, store, creds, conPort, store, creds, store)
	conf := filepath.Join(dir, "Corefile")
	os.WriteFile(conf, []byte(corefile), 0o644)
	cmd := exec.Command(bin, "-conf", conf)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	origin := fmt.Sprintf("http://127.0.0.1:%d", conPort)
	if err := waitHTTP(origin + "/login"); err != nil {
		return fmt.Errorf("%v\n%s", err, out.String())
	}

	// A target that flips between healthy and not every 12 s: the check (10 s, one
	// failure) changes state about every 12 s, so pages get health events.
	var healthy atomic.Bool
	healthy.Store(true)
	target := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})}
	tl, _ := net.Listen("tcp", "127.0.0.1:0")
	go target.Serve(tl)
	defer target.Close()
	stopFlip := make(chan struct{})
	defer close(stopFlip)
	go func() {
		t := time.NewTicker(12 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopFlip:
				return
			case <-t.C:
				healthy.Store(!healthy.Load())
			}
		}
	}()
	if err := populate(fmt.Sprintf("http://127.0.0.1:%d", apiPort), tl.Addr().(*net.TCPAddr).Port); err != nil {
		return err
	}
	stopQ := make(chan struct{})
	go queries(fmt.Sprintf("127.0.0.1:%d", dnsPort), qps, stopQ)
	defer close(stopQ)
	time.Sleep(3 * time.Second) // the store is served, the check probed

	pid := cmd.Process.Pid
	c0 := cpuSeconds(pid)
	time.Sleep(window)
	c1 := cpuSeconds(pid)
	idle := c1 - c0

	var wg sync.WaitGroup
	var total atomic.Int64
	counts := make([]map[string]int, clients)
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			n, ev, err := page(ctx, origin, ready)
			if err != nil {
				log.Printf("page %d: %v", i, err)
			}
			total.Add(n)
			counts[i] = ev
		}(i)
	}
	for range clients {
		if err := <-ready; err != nil {
			cancel()
			return err
		}
	}
	c2 := cpuSeconds(pid)
	time.Sleep(window)
	c3 := cpuSeconds(pid)
	cancel()
	wg.Wait()
	busy := c3 - c2
	events := map[string]int{}
	for _, m := range counts {
		for k, v := range m {
			events[k] += v
		}
	}
	mins := window.Minutes()
	fmt.Printf("window %v, %d queries/s, GOMAXPROCS=1\n", window, qps)
	fmt.Printf("server CPU, no page connected:   %.3f s (%.1f ms per second)\n", idle, 1000*idle/window.Seconds())
	fmt.Printf("server CPU, %d pages streaming: %.3f s (%.1f ms per second)\n", clients, busy, 1000*busy/window.Seconds())
	fmt.Printf("per connected page:              %.2f ms CPU per minute (%.4f%% of a core)\n",
		1000*(busy-idle)/float64(clients)/mins, 100*(busy-idle)/float64(clients)/window.Seconds())
	fmt.Printf("bytes per page per minute:       %.0f\n", float64(total.Load())/float64(clients)/mins)
	fmt.Printf("events per page per minute:     ")
	for _, k := range []string{"hello", "health", "revision", "stats"} {
		fmt.Printf(" %s %.1f", k, float64(events[k])/float64(clients)/mins)
	}
	fmt.Println()
	return nil
}

// page logs in as a browser does and reads the event stream until ctx ends; it
// returns the bytes read and the events by name.
func page(ctx context.Context, origin string, ready chan<- error) (int64, map[string]int, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	req, _ := http.NewRequest("POST", origin+"/api/login", strings.NewReader(`{"access_key_id":"`+accessKey+`","secret_access_key":"`+secretKey+`"}`))
	req.Header.Set("Origin", origin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		ready <- err
		return 0, nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("login: %d", resp.StatusCode)
		ready <- err
		return 0, nil, err
	}
	req, _ = http.NewRequestWithContext(ctx, "GET", origin+"/api/events", nil)
	resp, err = c.Do(req)
	if err != nil {
		ready <- err
		return 0, nil, err
	}
	defer resp.Body.Close()
	ready <- nil
	ev := map[string]int{}
	var n int64
	r := bufio.NewReader(resp.Body)
	for {
		line, err := r.ReadString('\n')
		n += int64(len(line))
		if name, ok := strings.CutPrefix(line, "event: "); ok {
			ev[strings.TrimSpace(name)]++
		}
		if err != nil {
			if ctx.Err() != nil {
				return n, ev, nil
			}
			return n, ev, err
		}
	}
}

func populate(endpoint string, targetPort int) error {
	ctx := context.Background()
	c := r53.New(r53.Options{BaseEndpoint: aws.String(endpoint), Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(accessKey, secretKey, "")})
	z, err := c.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("example.net."), CallerReference: aws.String("bench")})
	if err != nil {
		return err
	}
	h, err := c.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("bench"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttp, IPAddress: aws.String("127.0.0.1"), Port: aws.Int32(int32(targetPort)), ResourcePath: aws.String("/"),
		RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		return err
	}
	rs := func(id string, w int64, v string, check *string) types.Change {
		return types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &types.ResourceRecordSet{Name: aws.String("www.example.net."),
			Type: types.RRTypeA, TTL: aws.Int64(60), SetIdentifier: aws.String(id), Weight: aws.Int64(w), HealthCheckId: check,
			ResourceRecords: []types.ResourceRecord{{Value: aws.String(v)}}}}
	}
	_, err = c.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: z.HostedZone.Id, ChangeBatch: &types.ChangeBatch{
		Changes: []types.Change{rs("fra", 200, "192.0.2.10", h.HealthCheck.Id), rs("nrt", 55, "198.51.100.10", nil)}}})
	return err
}

// queries sends qps queries a second for www.example.net until stop closes.
func queries(addr string, qps int, stop <-chan struct{}) {
	if qps <= 0 {
		return
	}
	c := &dns.Client{Timeout: time.Second}
	t := time.NewTicker(time.Second / time.Duration(qps))
	defer t.Stop()
	m := new(dns.Msg)
	m.SetQuestion("www.example.net.", dns.TypeA)
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			c.Exchange(m, addr)
		}
	}
}

func waitHTTP(url string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s does not answer after 60 s", url)
}

// cpuSeconds is the process's user+system CPU time so far, from /proc/PID/stat
// (USER_HZ = 100).
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
