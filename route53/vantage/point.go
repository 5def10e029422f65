package vantage

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/store"
)

// Defaults for the zero Options fields.
const (
	DefaultHeartbeat = time.Second
	DefaultStale     = 5 * time.Second
	DefaultRefresh   = time.Minute
	DefaultRegion    = "local"
)

// Options configure a Point.
type Options struct {
	// Region is this vantage point's name, reported as the checker's Region
	// in GetHealthCheckStatus and matched against a check's Regions
	// ("" = DefaultRegion).
	Region string
	// IP is the checker's address reported beside it (its probes' source
	// address when the engine has one; "" = 127.0.0.1).
	IP string
	// Threshold is the healthy percentage to exceed (0 = DefaultThreshold).
	Threshold float64
	// Heartbeat is how often the alive key is rewritten and verdicts are
	// recomputed (0 = DefaultHeartbeat).
	Heartbeat time.Duration
	// Stale is how old this point's own heartbeat, seen back through the
	// store, may be before it decides alone (0 = DefaultStale; at least two
	// Heartbeats).
	Stale time.Duration
	// Refresh is how often an unchanged report is rewritten, so its
	// CheckedTime stays recent (0 = DefaultRefresh).
	Refresh time.Duration
}

func (o *Options) defaults() {
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.IP == "" {
		o.IP = "127.0.0.1"
	}
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	if o.Stale <= 0 {
		o.Stale = DefaultStale
	}
	o.Stale = max(o.Stale, 2*o.Heartbeat)
	if o.Refresh <= 0 {
		o.Refresh = DefaultRefresh
	}
}

// Point is one replica's vantage point: it publishes what its engine observes
// of the checks given by SetChecks and puts the group's verdicts in force on
// that engine. Create it with New, run it with Run.
type Point struct {
	pres   store.Presence
	engine *hc.Engine
	opts   Options
	logf   func(string, ...any)

	cfgs atomic.Pointer[map[string]checks.HealthCheckConfig]
	// The group's heartbeats and reports, observed apart: heartbeats change
	// every Heartbeat, reports seldom, and each delivery is a whole view.
	alive   atomic.Pointer[map[string]Alive]
	reports atomic.Pointer[map[string][]Report]
	publish chan struct{} // something to publish (engine transition, new checks)
	decide  chan struct{} // something to decide (new view, new checks)

	beatFailing bool // publishLoop's own: the last heartbeat failed
}

// New returns a Point publishing through pres for the checks engine probes.
// logf reports undecodable announcements and connectivity changes (nil:
// silent).
func New(pres store.Presence, engine *hc.Engine, opts Options, logf func(string, ...any)) (*Point, error) {
	if opts.Threshold < 0 || opts.Threshold >= 100 {
		return nil, fmt.Errorf("vantage: threshold %v: want a percentage in [0, 100)", opts.Threshold)
	}
	opts.defaults()
	if logf == nil {
		logf = func(string, ...any) {}
	}
	p := &Point{pres: pres, engine: engine, opts: opts, logf: logf,
		publish: make(chan struct{}, 1), decide: make(chan struct{}, 1)}
	p.cfgs.Store(&map[string]checks.HealthCheckConfig{})
	return p, nil
}

// Options returns the options in force (defaults filled in).
func (p *Point) Options() Options { return p.opts }

// SetChecks replaces the checks this point publishes and decides, by ID. The
// map is not modified afterwards by either side.
func (p *Point) SetChecks(cfgs map[string]checks.HealthCheckConfig) {
	p.cfgs.Store(&cfgs)
	poke(p.publish)
	poke(p.decide)
}

func poke(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// Run publishes and decides until ctx ends, then withdraws this point's keys
// and gives every check back to the engine's own probes.
func (p *Point) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Any transition may change a report (first result, own state, words);
	// publishReports writes only what did.
	unsub := p.engine.Subscribe(func(hc.Transition) { poke(p.publish) })
	defer unsub()
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		p.observe(ctx, aliveKey, func(v View) { p.alive.Store(&v.Alive) })
	}()
	go func() {
		defer wg.Done()
		p.observe(ctx, checkPrefix, func(v View) { p.reports.Store(&v.Reports) })
	}()
	go func() { defer wg.Done(); p.publishLoop(ctx) }()
	go func() { defer wg.Done(); p.decideLoop(ctx) }()
	wg.Wait()
	return ctx.Err()
}

// observe decodes every view of the keys under prefix for keep, then asks for
// a decision, until ctx ends.
func (p *Point) observe(ctx context.Context, prefix string, keep func(View)) {
	var d Decoder
	err := p.pres.Observe(ctx, prefix, func(anns []store.Announcement) {
		v, errs := d.Decode(anns)
		for _, err := range errs {
			p.logf("%v", err)
		}
		keep(v)
		poke(p.decide)
	})
	if ctx.Err() == nil {
		p.logf("vantage: observing %s stopped: %v", prefix, err)
	}
}

// view is the last view of the group, false before both halves arrived.
func (p *Point) view() (View, bool) {
	a, r := p.alive.Load(), p.reports.Load()
	if a == nil || r == nil {
		return View{}, false
	}
	return View{Alive: *a, Reports: *r}, true
}
