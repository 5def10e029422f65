package test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// answerAt is the answer the map paints a place with ("" when absent).
func answerAt(p *page, sel string) string {
	return evalJS[string](p, "map "+sel, fmt.Sprintf(`(document.querySelector('#map-body %s') || {dataset: {}}).dataset.answer || ''`, sel))
}

// mapView: each place is painted with its answer now, and the what-if "fra-1's check
// down" moves Europe to fra-2.
func mapView(t *testing.T, p *page, d *consoleDemo) {
	before := p.bytes.Load()
	p.do("map tab", chromedp.Click(chromedp.CSS("#tab-map")))
	p.waitJS("map drawn", `!!document.querySelector('#map-body path[data-code="DE"]')`, 10*time.Second)
	p.do("settle", chromedp.Sleep(300*time.Millisecond)) // the loads' byte counts arrive as events
	t.Logf("first map view (outlines and the map answer): %d bytes transferred", p.bytes.Load()-before)
	want := map[string]string{
		`path[data-code="DE"]`:          "192.0.2.10", // Europe: fra-1 70 %, fra-2 30 %
		`path[data-code="FR"]`:          "192.0.2.10",
		`path[data-code="JP"]`:          "203.0.113.10",
		`path[data-code="US"]`:          "198.51.100.10",
		`path.state[data-code="US-CA"]`: "203.0.113.10",
		`path[data-code="NA"]`:          "192.0.2.10 198.51.100.10 203.0.113.10", // Namibia, not North America
		`path[data-code="BR"]`:          "192.0.2.10 198.51.100.10 203.0.113.10", // default: multivalue
	}
	for sel, a := range want {
		if got := answerAt(p, sel); got != a {
			t.Errorf("map %s painted with %q, want %q", sel, got, a)
		}
	}
	p.shot("map")

	box := fmt.Sprintf(`#whatif input[value="%s"]`, d.checks["fra-1"])
	p.do("what if fra-1 were down", chromedp.Click(chromedp.CSS(box)))
	p.waitJS("what-if drawn", `(document.querySelector('#map-body path[data-code="DE"]') || {dataset: {}}).dataset.answer === '192.0.2.11'`, 10*time.Second)
	if !evalJS[bool](p, "moved", `document.querySelector('#map-body path[data-code="DE"]').classList.contains('moved')`) {
		t.Errorf("DE not outlined as moved under the what-if")
	}
	if got := answerAt(p, `path[data-code="JP"]`); got != "203.0.113.10" {
		t.Errorf("what-if fra-1 down moved JP to %q", got)
	}
	p.do("zoom to Europe", chromedp.Click(chromedp.CSS(`.zoom button[data-view="Europe"]`)))
	p.shot("map-whatif")
	p.do("zoom to the world", chromedp.Click(chromedp.CSS(`.zoom button[data-view="World"]`)))
	p.do("back to now", chromedp.Click(chromedp.CSS(box)))
	p.waitJS("map now", `(document.querySelector('#map-body path[data-code="DE"]') || {dataset: {}}).dataset.answer === '192.0.2.10'`, 10*time.Second)
}

// selectNode opens a node's panel with the keyboard (focus, Enter) and waits for the
// control want.
func selectNode(p *page, id, want string) {
	p.do("select "+id, chromedp.Click(chromedp.CSS("#tab-tree")),
		chromedp.Focus(chromedp.CSS(fmt.Sprintf(`#tree-graph g[data-id="%s"]`, id))), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.CSS(want)))
}

// typeWeight replaces the weight field's text and leaves the field (its change event).
func typeWeight(p *page, w string) {
	p.do("weight "+w, chromedp.Evaluate[chromedp.Void](`(document.getElementById('f-Weight').value = '', true)`), chromedp.SendKeys(chromedp.CSS("#f-Weight"), w+kb.Tab))
}

// editWeight: fra-1 70 → 10 in the page; the server's diff names the field, the batch
// is applied after the confirmation, and DNS serves fra-1 to about 10/(10+30) of
// Frankfurt's clients.
func editWeight(t *testing.T, p *page, dnsAddr string) {
	const frankfurt = "192.0.2.0/24"
	if share := answerShare(t, dnsAddr, "www.example.net", frankfurt, "192.0.2.10", 200); share < 0.5 {
		t.Fatalf("before the edit fra-1 answers %.0f %% of Frankfurt, want about 70 %%", share*100)
	}
	selectNode(p, "fra-1", "#f-Weight")
	typeWeight(p, "10")
	p.do("plan", chromedp.Click(chromedp.CSS("#plan")))
	p.waitJS("diff", `!!document.querySelector('#batch .diff-list')`, 10*time.Second)
	diff := evalJS[string](p, "diff text", `document.querySelector('#batch .diff-list').textContent`)
	if !strings.Contains(diff, "Weight: 70 → 10") || !strings.Contains(diff, "fra.www.example.net.") {
		t.Errorf("the diff does not show fra-1's weight 70 → 10: %q", diff)
	}
	p.shot("edit-diff")
	p.do("apply", chromedp.Click(chromedp.CSS("#apply")), chromedp.WaitVisible(chromedp.CSS("#confirm-apply")))
	p.shot("edit-confirm")
	p.do("confirm", chromedp.Click(chromedp.CSS("#confirm-apply")))
	p.waitJS("applied", `document.getElementById('flash').textContent.includes('INSYNC')`, 15*time.Second)
	share := answerShare(t, dnsAddr, "www.example.net", frankfurt, "192.0.2.10", 400)
	if share < 0.15 || share > 0.35 {
		t.Errorf("after the edit fra-1 answers %.1f %% of Frankfurt, want about 25 %%", share*100)
	}
	t.Logf("fra-1's share of Frankfurt's answers after weight 70 → 10: %.1f %% (want 25 %%)", share*100)
}

// badWeight: 300 is refused by the server's validator; the page shows its message next
// to the field, offers no apply, and the store does not move.
func badWeight(t *testing.T, p *page, dnsAddr string) {
	revision := func() float64 {
		return evalJS[float64](p, "revision", `fetch('/api/zones').then(r => r.json()).then(d => d.revision)`)
	}
	changes := func() int {
		return evalJS[int](p, "changes", `fetch('/api/changes').then(r => r.json()).then(d => d.changes.length)`)
	}
	rev, n := revision(), changes()
	selectNode(p, "fra-1", "#f-Weight")
	if w := evalJS[string](p, "weight now", `document.getElementById('f-Weight').value`); w != "10" {
		t.Errorf("the weight field shows %q after the edit, want 10", w)
	}
	typeWeight(p, "300")
	p.do("plan", chromedp.Click(chromedp.CSS("#plan")))
	p.waitJS("refusal", `!!document.getElementById('plan-error')`, 10*time.Second)
	msg := evalJS[string](p, "refusal", `document.getElementById('plan-error').textContent`)
	inline := evalJS[string](p, "inline", `(document.querySelector('#node-panel .error[data-field="Weight"]') || {}).textContent || ''`)
	if !strings.Contains(msg, "255") || !strings.Contains(inline, "255") {
		t.Errorf("weight 300: the page shows %q and beside the field %q, want the validator's limit 255", msg, inline)
	}
	if !evalJS[bool](p, "apply disabled", `document.getElementById('apply').disabled`) {
		t.Errorf("a refused batch can be applied")
	}
	p.shot("edit-error")
	time.Sleep(300 * time.Millisecond)
	if r, m := revision(), changes(); r != rev || m != n {
		t.Errorf("a refused batch moved the store: revision %v → %v, changes %d → %d", rev, r, n, m)
	}
	if share := answerShare(t, dnsAddr, "www.example.net", "192.0.2.0/24", "192.0.2.10", 200); share > 0.4 {
		t.Errorf("after the refused edit fra-1 answers %.0f %% of Frankfurt, want about 25 %%", share*100)
	}
	p.do("discard", chromedp.Click(chromedp.CSS("#batch button.secondary")))
}

// planDiff asks the server for the draft's plan and returns the diff's text.
func planDiff(t *testing.T, p *page, step string) string {
	p.do(step+": plan", chromedp.Click(chromedp.CSS("#plan")))
	p.waitJS(step+": diff", `!!document.querySelector('#batch .diff-list') || !!document.getElementById('plan-error')`, 10*time.Second)
	if msg := evalJS[string](p, step, `(document.getElementById('plan-error') || {}).textContent || ''`); msg != "" {
		t.Fatalf("%s: the server refused the batch: %s", step, msg)
	}
	return evalJS[string](p, step, `document.querySelector('#batch .diff-list').textContent`)
}

// structureEdits: reordering failover tiers and adding a rule become batches the
// server accepts, shown as its diff (not applied).
func structureEdits(t *testing.T, p *page) {
	selectNode(p, "eu-secondary", `[data-edit="swap"]`)
	p.do("swap tiers", chromedp.Click(chromedp.CSS(`[data-edit="swap"]`)))
	diff := planDiff(t, p, "swap")
	if !strings.Contains(diff, `Failover: "PRIMARY" → "SECONDARY"`) || !strings.Contains(diff, `Failover: "SECONDARY" → "PRIMARY"`) {
		t.Errorf("swapping eu's tiers: diff %q", diff)
	}
	p.do("discard", chromedp.Click(chromedp.CSS("#batch button.secondary")))

	selectNode(p, "www.example.net./A", "#nb-kind")
	p.do("a new weighted rule for Oceania", chromedp.SetValue(chromedp.CSS("#nb-kind"), "weighted"),
		chromedp.SendKeys(chromedp.CSS("#nb-id"), "oceania"), chromedp.SendKeys(chromedp.CSS("#nb-value"), "192.0.2.99"),
		chromedp.SendKeys(chromedp.CSS("#nb-geo"), "OC"), chromedp.Click(chromedp.CSS("#nb-add")))
	diff = planDiff(t, p, "add a rule")
	for _, want := range []string{"create oceania.www.example.net. A [oceania-1]", "create www.example.net. A [oceania]", "geo=OC alias=oceania.www.example.net."} {
		if !strings.Contains(diff, want) {
			t.Errorf("adding a rule: diff lacks %q: %q", want, diff)
		}
	}
	p.shot("edit-add-rule")
	p.do("discard", chromedp.Click(chromedp.CSS("#batch button.secondary")))
}

// killEndpoint: fra-1's server stops; its node (and every node of its check) turns
// red within a second of the check's transition, and the map moves Europe to fra-2.
func killEndpoint(t *testing.T, p *page, d *consoleDemo) {
	p.do("tree tab", chromedp.Click(chromedp.CSS("#tab-tree")))
	killed := time.Now()
	d.stop["fra-1"]()
	p.waitJS("fra-1 red", `(document.querySelector('#tree-graph g[data-id="fra-1"]') || {dataset: {}}).dataset.up === 'false'`, 30*time.Second)
	seen := time.Now()
	since := evalJS[string](p, "transition", fmt.Sprintf(`fetch('/api/health').then(r => r.json()).then(d => d.checks.find(c => c.name === %q).since)`, d.checks["fra-1"]))
	at, err := time.Parse(time.RFC3339Nano, since)
	if err != nil {
		t.Fatalf("since %q: %v", since, err)
	}
	lag := seen.Sub(at)
	t.Logf("fra-1 killed → check down after %v → node red %v later", at.Sub(killed).Round(time.Millisecond), lag.Round(time.Millisecond))
	if lag > 1500*time.Millisecond {
		t.Errorf("the node turned red %v after the check went down, want within a second", lag)
	}
	p.waitJS("check's other nodes red", `['na-secondary', 'mv-fra'].every(id => document.querySelector('#tree-graph g[data-id="' + id + '"]').dataset.up === 'false')`, 3*time.Second)
	for _, id := range []string{"fra-2", "eu-secondary", "mv-iad"} {
		if up := evalJS[string](p, "up "+id, fmt.Sprintf(`document.querySelector('#tree-graph g[data-id="%s"]').dataset.up`, id)); up != "true" {
			t.Errorf("%s drawn down after only fra-1 died", id)
		}
	}
	p.shot("tree-down")
	p.do("map tab", chromedp.Click(chromedp.CSS("#tab-map")))
	p.waitJS("map recoloured", `(document.querySelector('#map-body path[data-code="DE"]') || {dataset: {}}).dataset.answer === '192.0.2.11'`, 5*time.Second)
}

// otherViews: health, changes and plots render; the tabs move with the arrow keys;
// the page fits a phone's width.
func otherViews(t *testing.T, p *page, d *consoleDemo) {
	p.do("health tab", chromedp.Click(chromedp.CSS("#tab-health")))
	p.waitJS("health table", fmt.Sprintf(`!!document.querySelector('#health-body tr[data-check="%s"][data-up="false"]')`, d.checks["fra-1"]), 5*time.Second)
	if n := evalJS[int](p, "rows", `document.querySelectorAll('#health-body tbody tr').length`); n != 4 {
		t.Errorf("health view lists %d checks, want 4", n)
	}
	p.shot("health")
	p.do("arrow to changes", chromedp.Focus(chromedp.CSS("#tab-health")), chromedp.KeyEvent(kb.ArrowRight))
	p.waitJS("changes", `!document.getElementById('view-changes').hidden && document.querySelectorAll('#changes-list li[data-change]').length > 0`, 5*time.Second)
	if !evalJS[bool](p, "edit logged", `document.getElementById('changes-list').textContent.includes('weight=10')`) {
		t.Errorf("the change log does not show the weight edit")
	}
	p.shot("changes")
	// Revert the weight edit (the newest change) from the log.
	p.do("revert", chromedp.Click(chromedp.CSS(`#changes-list li[data-change]:first-child button`)),
		chromedp.WaitVisible(chromedp.CSS("#confirm-revert")), chromedp.Click(chromedp.CSS("#confirm-revert")))
	p.waitAsync("reverted", fmt.Sprintf(`fetch('/api/zones/%s/rrsets').then(r => r.json()).then(d => d.groups.flatMap(g => g.record_sets).find(r => r.SetIdentifier === 'fra-1').Weight === 70)`, d.zoneID), 10*time.Second)
	p.waitJS("revert logged", `document.getElementById('changes-list').textContent.includes('revert of')`, 5*time.Second)
	p.do("plots tab", chromedp.Click(chromedp.CSS("#tab-plots")))
	p.waitJS("plots", `document.querySelectorAll('#plots-body figure.plot').length === 3`, 5*time.Second)
	// The DNS queries of the edit steps show in the server's counters and the plot.
	p.waitAsync("www's rate", `fetch('/api/stats').then(r => r.json()).then(d => d.rrsets.some(x => x.set === 'www.example.net./A' && Math.max(...x.qps) > 0))`, 12*time.Second)
	if n := evalJS[int](p, "plotted", `document.querySelectorAll('#plots-body path.series').length`); n < 3 {
		t.Errorf("the plots draw %d series", n)
	}
	p.shot("plots")

	p.do("phone", chromedp.EmulateViewport(390, 844), chromedp.Click(chromedp.CSS("#tab-tree")))
	if w := evalJS[float64](p, "page width", `document.documentElement.scrollWidth`); w > 400 {
		t.Errorf("at 390 px the page is %v px wide", w)
	}
	p.shot("phone-tree")
	p.do("phone map", chromedp.Click(chromedp.CSS("#tab-map")))
	p.shot("phone-map")
	p.do("desktop", chromedp.ResetViewport())
}
