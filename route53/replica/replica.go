// Package replica keeps one server's view of the Route 53 API's data: it follows the
// store revision by revision (store.Follow) and turns what changed into the policy
// snapshot the query path serves — compiling only the changed record sets
// (policy.Snapshot.Update) — and into the health checks the engine runs. It reports
// the revision it serves, which is what GetChange's INSYNC means. A hosted zone
// whose data does not compile is held alone (hold.go): it keeps its last good
// answers, the other zones move on, and the served revision waits for it.
//
// When the store is also a store.Presence (etcd), the replica is a vantage point
// (route53/vantage): it publishes what its own checkers observe and decides every
// check with the other replicas' checkers by Route 53's rule, so all replicas serve
// the same health view; the decision reaches the query path as the engine's
// verdict (healthcheck.Engine.SetVerdict), read by the same atomic load as before.
//
// No CoreDNS imports: plugin/route53api and plugin/policy are the glue.
package replica

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/vantage"
	"github.com/coretraffic/coretraffic/store"
)

// Published is what one revision compiled to: the snapshot of every served hosted
// zone, immutable.
type Published struct {
	Snap *policy.Snapshot
	// Revision is the store revision the snapshot follows: every zone not held
	// answers with its data.
	Revision int64
	// Served is the revision served in full, what the replica announces and
	// GetChange compares: Revision when no zone is held, else the lowest Base of
	// Held.
	Served int64
	// Held lists the hosted zones whose data at Revision did not compile, by zone
	// ID (nil: none).
	Held []HeldZone
	// Fresh is set when Snap was compiled whole (policy.Compile): its endpoint slots
	// start a new lineage. Otherwise it is an Update of the previous one, whose slots
	// keep naming the same endpoints (state kept by slot carries over).
	Fresh bool
}

// Replica follows a store. Create it with New, run it with Run; it is safe for
// concurrent use.
type Replica struct {
	st     store.Store
	engine *hc.Engine
	owner  string
	logf   func(format string, args ...any)
	point  *vantage.Point // health from every vantage point; nil without Presence

	// Follow's goroutine applies events to the mirror and notes what they changed
	// (pending); the compile goroutine turns everything pending into one snapshot,
	// so a burst of changes costs one compile, not one each. mu guards both.
	mu            sync.Mutex
	m             *mirror
	pending       *dirt
	pendingRev    int64 // the revision the mirror is at
	rebuildNext   bool  // compile from scratch (a load, zones or checks changed, or a refusal)
	kick          chan struct{}
	loaded        *mirror         // built by Load, put in force by Loaded (Follow's goroutine)
	loadedChanges map[string]bool // the change IDs Load saw

	// The compile goroutine's own.
	checks  *hc.Set
	retired []*hc.Set                         // replaced check sets a held zone may still use
	held    map[string]*HeldZone              // by zone ID
	served  map[string]string                 // zone ID → origin, of the hosted zones served or held
	pcolls  map[string]*policy.CIDRCollection // by Route 53 collection ID, for incremental compiles

	pub        atomic.Pointer[Published]
	settled    chan struct{} // closed once the first load has been compiled or refused
	settleOnce sync.Once
	subMu      sync.Mutex
	subs       map[int]func(*Published)
	nextSub    int
	changeMu   sync.Mutex
	changes    map[string]int64 // change ID → revision that wrote it
}

// New returns a replica of st whose health checks run on engine under owner.
// logf reports data it refuses (nil: silent). When st is a store.Presence
// (etcd) the replica also decides health with every vantage point, with
// vantage's defaults; NewWithOptions configures that.
func New(st store.Store, engine *hc.Engine, owner string, logf func(string, ...any)) *Replica {
	r, _ := NewWithOptions(st, engine, Options{Owner: owner, Logf: logf}) // default options cannot fail
	return r
}

// Options configure NewWithOptions.
type Options struct {
	// Owner names the replica's health checks on the engine.
	Owner string
	// Logf reports data the replica refuses and vantage changes (nil: silent).
	Logf func(format string, args ...any)
	// Vantage configures health from every vantage point (route53/vantage):
	// the vantage name and address this replica's checkers report, Route 53's
	// threshold, heartbeat, staleness. It is used when Presence is set or the
	// store implements store.Presence.
	Vantage vantage.Options
	// Presence is the group the replica publishes its observations to; nil:
	// the store's own when it has one (etcd), else none (bolt: the engine's
	// own probes decide, and GetHealthCheckStatus lists this server alone).
	Presence store.Presence
	// NoVantage turns health from every vantage point off even when the store
	// has Presence: this replica's own probes decide.
	NoVantage bool
}

// NewWithOptions returns a replica of st whose health checks run on engine.
func NewWithOptions(st store.Store, engine *hc.Engine, o Options) (*Replica, error) {
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	r := &Replica{st: st, engine: engine, owner: o.Owner, logf: o.Logf, subs: map[int]func(*Published){}, changes: map[string]int64{},
		kick: make(chan struct{}, 1), settled: make(chan struct{})}
	pres := o.Presence
	if pres == nil {
		pres, _ = st.(store.Presence)
	}
	if pres != nil && !o.NoVantage {
		p, err := vantage.New(pres, engine, o.Vantage, o.Logf)
		if err != nil {
			return nil, err
		}
		r.point = p
	}
	return r, nil
}

// Run follows the store until ctx ends or following fails for good (the error is
// returned), then releases the replica's health checks.
func (r *Replica) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r.compileLoop(ctx)
	}()
	if r.point != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.point.Run(ctx) // ends with ctx, giving the checks back to own probes
		}()
	}
	err := store.Follow(ctx, r.st, (*follower)(r))
	cancel() // a store error stops the compile goroutine too: Run returns it now
	wg.Wait()
	if r.checks != nil {
		r.checks.Close()
	}
	r.held = nil
	r.releaseChecks()
	return err
}

// compileLoop compiles what is pending whenever kicked, until ctx ends.
func (r *Replica) compileLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		}
		r.compilePending()
	}
}

// markPending notes an event's changes (nil: a whole load) at rev and wakes the
// compile goroutine. Called with mu held.
func (r *Replica) markPending(d *dirt, rev int64) {
	r.pendingRev = rev
	if d == nil || d.checks || len(d.zones) > 0 {
		r.rebuildNext = true
	}
	if d != nil && !r.rebuildNext {
		if r.pending == nil {
			r.pending = newDirt()
		}
		r.pending.merge(d)
	}
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Current is the newest published snapshot, nil before the first load.
func (r *Replica) Current() *Published { return r.pub.Load() }

// Served is the revision the replica serves in full: every subscriber has been
// handed its snapshot, and every change up to it answers. While a hosted zone is
// held (see HeldZone) it stays below the first revision refused for that zone,
// although the other zones answer with later ones. -1 before the first load.
func (r *Replica) Served() int64 {
	if p := r.pub.Load(); p != nil {
		return p.Served
	}
	return -1
}

// ChangeRevision returns the revision that wrote change id, if the replica has
// applied it.
func (r *Replica) ChangeRevision(id string) (int64, bool) {
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	rev, ok := r.changes[id]
	return rev, ok
}

// WaitServed waits until the replica serves rev or later in full (Served), or ctx
// ends.
func (r *Replica) WaitServed(ctx context.Context, rev int64) bool {
	for r.Served() < rev {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(time.Millisecond):
		}
	}
	return true
}

// Subscribe calls fn with the current snapshot, if any, and with every later one,
// in the replica's goroutine before it counts the revision as served. fn must not
// block. The returned function cancels.
func (r *Replica) Subscribe(fn func(*Published)) (cancel func()) {
	r.subMu.Lock()
	defer r.subMu.Unlock() // publish holds it too: fn is never called twice at once
	id := r.nextSub
	r.nextSub++
	r.subs[id] = fn
	if p := r.pub.Load(); p != nil {
		fn(p)
	}
	return func() {
		r.subMu.Lock()
		delete(r.subs, id)
		r.subMu.Unlock()
	}
}

// publish hands p to every subscriber, then makes it current.
func (r *Replica) publish(p *Published) {
	r.subMu.Lock()
	defer r.subMu.Unlock()
	for _, fn := range r.subs {
		fn(p)
	}
	r.pub.Store(p)
}

// Handle resolves a health check by ID among the engine's running checks.
func (r *Replica) Handle(id string) (*hc.Handle, bool) { return r.engine.Handle(id) }

// Settled is closed once the replica has compiled its first load of the store,
// published or refused: a DNS server waits for it before it starts answering, so
// a restarted replica never answers from no data.
func (r *Replica) Settled() <-chan struct{} { return r.settled }
