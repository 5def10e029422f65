package test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

const consoleCorefile = `.:%[1]d {
    bind 127.0.0.1
    geo geo/testdata/demo-city.mmdb
    route53api 127.0.0.1:%[2]d {
        store %[4]s
        credentials %[5]s
        rate 100 100
    }
    console 127.0.0.1:%[3]d {
        store %[4]s
        credentials %[5]s
    }
    policy {
        store %[4]s
    }
}
`

// The console in a real chromium against the real binary: an unauthenticated
// request gets only the login page; after logging in the demo tree renders with
// every node; explain for a Frankfurt subnet highlights the path through Europe to
// Frankfurt; the map colours each place by its answer and recolours under a what-if;
// a weight edited in the page is shown as the server's diff, applied after a
// confirmation, and DNS answers with the new share; a bad weight (300) shows the
// server's error and changes nothing; an endpoint's server killed turns its node red
// within a second of the check's transition, and the map follows.
func TestConsoleBrowser(t *testing.T) {
	chromium := chromiumPath(t)
	bin := e2e.CoreTraffic(t)
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(creds, []byte("[console]\naws_access_key_id = AKIDCONSOLE\naws_secret_access_key = console-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dnsPort, apiPort, conPort := e2e.FreePort(t), e2e.FreePort(t), e2e.FreePort(t)
	dnsAddr := fmt.Sprintf("127.0.0.1:%d", dnsPort)
	s := e2e.StartIn(t, bin, fmt.Sprintf(consoleCorefile, dnsPort, apiPort, conPort, filepath.Join(dir, "store.db"), creds), root, dnsAddr)
	demo := importConsoleDemo(t, bin, root, fmt.Sprintf("http://127.0.0.1:%d", apiPort), creds, "console")
	base := fmt.Sprintf("http://127.0.0.1:%d", conPort)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("--- server ---\n%s", s.Output())
		}
	})

	unauthenticated(t, base)
	p := newPage(t, chromium, base)
	start := time.Now()

	// Log in through the form, with the keyboard.
	p.do("open the console", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#akid")))
	if loc := evalJS[string](p, "location", "location.pathname"); loc != "/login" {
		t.Fatalf("without a session / shows %s, want /login", loc)
	}
	p.shot("login")
	p.do("log in", chromedp.SendKeys(chromedp.CSS("#akid"), "AKIDCONSOLE"),
		chromedp.SendKeys(chromedp.CSS("#secret"), "console-secret"+kb.Enter), chromedp.WaitVisible(chromedp.CSS("#tab-tree")))
	p.waitJS("the tree", `document.querySelectorAll('#tree-graph g.node').length > 0`, 10*time.Second)
	// The record set shown first is the biggest tree: www's.
	p.waitJS("the www tree", `!!document.querySelector('#tree-graph g[data-id="fra-1"]')`, 10*time.Second)
	t.Logf("first load (login page, log in, tree view): %d bytes transferred in %v", p.bytes.Load(), time.Since(start).Round(time.Millisecond))

	// Every node of the server's tree is drawn, the demo's endpoints among them.
	drawn := evalJS[[]string](p, "drawn nodes", `[...document.querySelectorAll('#tree-graph g.node')].map(g => g.dataset.id)`)
	served := evalJS[[]string](p, "tree nodes", `fetch('/api/tree?set=www.example.net./A').then(r => r.json()).then(d => d.nodes.map(n => n.id))`)
	for _, id := range append(served, append([]string{"www.example.net./A", "europe", "north-america", "california", "asia", "default", "eu-primary"}, consoleLeaves...)...) {
		if !slices.Contains(drawn, id) {
			t.Errorf("node %s not drawn (drawn: %v)", id, drawn)
		}
	}
	if len(drawn) != len(served) {
		t.Errorf("drawn %d nodes, the server has %d", len(drawn), len(served))
	}
	if up := evalJS[bool](p, "all up", `[...document.querySelectorAll('#tree-graph g.node')].every(g => g.dataset.up === 'true')`); !up {
		t.Errorf("some node is drawn down before any endpoint died")
	}
	p.shot("tree")

	explainFrankfurt(t, p)
	mapView(t, p, demo)
	editWeight(t, p, dnsAddr)
	badWeight(t, p, dnsAddr)
	structureEdits(t, p)
	killEndpoint(t, p, demo)
	otherViews(t, p, demo)
	if errs := p.jsErrors(); len(errs) > 0 {
		t.Errorf("the page threw: %v", errs)
	}
	t.Logf("browser session: %v, %d bytes transferred in all", time.Since(start).Round(time.Millisecond), p.bytes.Load())
}

// unauthenticated: without a session every page path redirects to the login page and
// the API answers 401; nothing of the app is served.
func unauthenticated(t *testing.T, base string) {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 5 * time.Second}
	for _, path := range []string{"/", "/index.html", "/js/app.js", "/app.css", "/map.json", "/api/zones", "/api/tree?set=www.example.net./A", "/api/events"} {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		api := strings.HasPrefix(path, "/api/")
		switch {
		case api && resp.StatusCode != http.StatusUnauthorized:
			t.Errorf("GET %s without a session: %d, want 401", path, resp.StatusCode)
		case !api && (resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login")):
			t.Errorf("GET %s without a session: %d Location %q, want 303 to /login", path, resp.StatusCode, resp.Header.Get("Location"))
		case strings.Contains(string(body), "tree-graph") || strings.Contains(string(body), "import "):
			t.Errorf("GET %s without a session served app content: %.200s", path, body)
		}
	}
}

// explainFrankfurt: a Frankfurt client subnet lights the path root → europe →
// eu-primary → one of Frankfurt's two servers, and the page shows that answer with
// its TTL and ECS scope.
func explainFrankfurt(t *testing.T, p *page) {
	p.do("explain tab", chromedp.Click(chromedp.CSS("#tab-explain")), chromedp.WaitVisible(chromedp.CSS("#explain-ecs")),
		chromedp.SendKeys(chromedp.CSS("#explain-ecs"), "192.0.2.0/24"+kb.Enter))
	p.waitJS("explain answer", `!!document.getElementById('explain-answer')`, 5*time.Second)
	hl := evalJS[[]string](p, "highlighted", `[...document.querySelectorAll('#explain-graph g.node.hl')].map(g => g.dataset.id)`)
	for _, id := range []string{"www.example.net./A", "europe", "eu-primary"} {
		if !slices.Contains(hl, id) {
			t.Errorf("explain for 192.0.2.0/24 does not highlight %s: %v", id, hl)
		}
	}
	for _, id := range []string{"north-america", "asia", "default", "eu-secondary"} {
		if slices.Contains(hl, id) {
			t.Errorf("explain for 192.0.2.0/24 highlights %s: %v", id, hl)
		}
	}
	answer := evalJS[string](p, "answer", `document.getElementById('explain-answer').textContent`)
	leaf := map[string]string{"192.0.2.10": "fra-1", "192.0.2.11": "fra-2"}[answer]
	if leaf == "" || !slices.Contains(hl, leaf) {
		t.Errorf("explain answer %q, highlighted %v: want a Frankfurt server and its node", answer, hl)
	}
	if ttl := evalJS[string](p, "ttl", `document.getElementById('explain-ttl').textContent`); ttl != "5" {
		t.Errorf("explain TTL %q, want 5", ttl)
	}
	if scope := evalJS[string](p, "scope", `document.getElementById('explain-scope').textContent`); scope != "/24" {
		t.Errorf("explain ECS scope %q, want /24", scope)
	}
	p.shot("explain")
}
