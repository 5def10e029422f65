package test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/miekg/dns"
)

// Env variables of the browser test: CORETRAFFIC_REQUIRE_CHROMIUM=1 (the Makefile's
// test target) fails instead of skipping when chromium is missing;
// CORETRAFFIC_CONSOLE_SCREENSHOTS=DIR saves a PNG of each view there (`make
// console-screenshots` writes docs/console/).
const (
	envRequireChromium = "CORETRAFFIC_REQUIRE_CHROMIUM"
	envScreenshots     = "CORETRAFFIC_CONSOLE_SCREENSHOTS"
)

// chromiumPath finds Debian's chromium, skipping the test (or failing it when
// required) without one.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv(envRequireChromium) != "" {
		t.Fatalf("chromium not found and %s is set: install it with `make deps` (Debian package chromium)", envRequireChromium)
	}
	t.Skipf("chromium not found: the console's browser test needs Debian's chromium (`make deps` installs it; %s=1 makes this a failure)", envRequireChromium)
	return ""
}

// page is one headless chromium tab with what the test watches: the bytes it
// transferred and the JavaScript errors it threw.
type page struct {
	t        *testing.T
	ctx      context.Context
	base     string
	bytes    atomic.Int64
	mu       sync.Mutex
	errors   []string
	shotsDir string
}

func newPage(t *testing.T, chromium, base string) *page {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1280, 800), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-US"))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	p := &page{t: t, base: base, shotsDir: os.Getenv(envScreenshots)}
	ctx, cancelTab := chromedp.NewContext(actx, chromedp.WithListener(p.event))
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	p.ctx = ctx
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return p
}

// event counts the bytes of every finished load and keeps the page's errors.
func (p *page) event(ev any) {
	switch e := ev.(type) {
	case *network.EventLoadingFinished:
		p.bytes.Add(int64(e.EncodedDataLength))
	case *runtime.EventExceptionThrown:
		d := e.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		p.mu.Lock()
		p.errors = append(p.errors, msg)
		p.mu.Unlock()
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value)+a.Description)
			}
			p.mu.Lock()
			p.errors = append(p.errors, "console.error: "+strings.Join(parts, " "))
			p.mu.Unlock()
		}
	}
}

// do runs chromedp actions, failing the test with what step was doing.
func (p *page) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.t.Fatalf("%s: %v (page errors: %v)", step, err, p.jsErrors())
	}
}

// evalJS evaluates a JavaScript expression (awaiting a promise) into a T.
func evalJS[T any](p *page, step, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("%s: %v (page errors: %v)", step, err, p.jsErrors())
	}
	return v
}

// waitJS polls a JavaScript expression until it is true, up to d.
func (p *page) waitJS(step, expr string, d time.Duration) {
	p.t.Helper()
	if _, err := chromedp.Run(p.ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(20*time.Millisecond))); err != nil {
		p.t.Fatalf("%s: waiting for %s: %v (page errors: %v)", step, expr, err, p.jsErrors())
	}
}

// waitAsync evaluates an expression that may be a promise until it yields true, up
// to d (Poll would take the promise itself for true).
func (p *page) waitAsync(step, expr string, d time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for !evalJS[bool](p, step, expr) {
		if time.Now().After(deadline) {
			p.t.Fatalf("%s: %s not true within %v (page errors: %v)", step, expr, d, p.jsErrors())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func (p *page) jsErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.errors...)
}

// shot saves the viewport as DIR/name.png when screenshots are asked for.
func (p *page) shot(name string) {
	p.t.Helper()
	if p.shotsDir == "" {
		return
	}
	p.do("settle before screenshot "+name, chromedp.Sleep(150*time.Millisecond))
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		p.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(p.shotsDir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p.shotsDir, name+".png"), png, 0o644); err != nil {
		p.t.Fatal(err)
	}
}

// answerShare asks name A n times with the client subnet ecs and returns the share of
// answers that are want.
func answerShare(t *testing.T, addr, name, ecs, want string, n int) float64 {
	t.Helper()
	c := &dns.Client{Timeout: 2 * time.Second}
	hits := 0
	for range n {
		m := new(dns.Msg)
		m.SetQuestion(dns.Fqdn(name), dns.TypeA)
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(1232)
		sub := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: 1, SourceNetmask: 24}
		pfx, _ := strings.CutSuffix(ecs, "/24")
		sub.Address = parseIP4(t, pfx)
		o.Option = append(o.Option, sub)
		m.Extra = append(m.Extra, o)
		r, _, err := c.Exchange(m, addr)
		if err != nil {
			t.Fatalf("query %s: %v", name, err)
		}
		for _, rr := range r.Answer {
			if a, ok := rr.(*dns.A); ok && a.A.String() == want {
				hits++
			}
		}
	}
	return float64(hits) / float64(n)
}

func parseIP4(t *testing.T, s string) []byte {
	var a, b, c, d byte
	if _, err := fmt.Sscanf(s, "%d.%d.%d.%d", &a, &b, &c, &d); err != nil {
		t.Fatalf("address %q: %v", s, err)
	}
	return []byte{a, b, c, d}
}
