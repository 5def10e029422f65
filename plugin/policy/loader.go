package policy

import (
	"bytes"
	"crypto/sha256"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/healthcheck/kube"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/policy/answer"
)

// loader reads, validates and compiles policy data, and watches the data files: a
// changed file is loaded off the query path and swapped in whole; a broken one is
// refused with one log line and a metric while the previous data keeps serving.
type loader struct {
	files          []string
	inline         *policy.Data // compact records from the Corefile
	engine         *hc.Engine
	corefileChecks *hc.Set // checks the healthcheck directive declared; may be nil
	owner          string  // our name towards the health check engine
	interval       time.Duration
	// check vets a compiled snapshot against the server block's plugin chain (set at
	// OnStartup, when the chain is known); reloads pass through it too.
	check func(*policy.Snapshot) error
	// servers are the server label values of the block's metrics (set at OnStartup).
	servers []string
	// rules are the directive's allow_empty and allow_zone_removal; origins the
	// zones of the server block, served as empty zones where the data lacks them.
	rules   policy.ServeRules
	origins []string

	mu       sync.Mutex
	set      *hc.Set               // the data files' own checks, started
	served   map[string]policy.Pos // the zones of the data published, for rules.Check
	sums     [][32]byte            // content of the files and refs last loaded (or last rejected)
	refs     []string              // collection files the data files name: watched with them
	stopCh   chan struct{}
	done     chan struct{}
	started  bool
	stopOnce sync.Once

	hashes policy.FileSums // size and time of each file at its last hashing

	// kube keeps the addresses of kubernetes: values; a change sends on kick.
	kube *kubeValues
	kick chan struct{}
}

// withKube lets the data use kubernetes: values, watched through src.
func (l *loader) withKube(src *kube.Source) {
	l.kick = make(chan struct{}, 1)
	l.kube = &kubeValues{src: src, subs: map[policy.KubeSource]*kubeSub{}, kick: func() {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}}
}

// load reads every file and compiles the lot. The data files' checks are prepared
// (validated, deduplicated against running ones) but not started. The result
// remembers the checksums of exactly the bytes it parsed — the data files', then
// the collection files' they read — so a file that changes between setup and
// start-up is seen as changed by the watcher.
func (l *loader) load() (*loaded, *hc.Set, error) {
	d := &policy.Data{Zones: append([]*policy.Zone(nil), l.inline.Zones...)}
	var specs []hc.Spec
	var refs []string
	var refSums [][32]byte
	sums := make([][32]byte, len(l.files))
	sources := make([]*policy.Data, 0, len(l.files))
	read := 0
	for i, f := range l.files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		read += len(b)
		sums[i] = sha256.Sum256(b)
		fd, fspecs, err := policy.Parse(f, bytes.NewReader(b))
		if err != nil {
			return nil, nil, err
		}
		sources = append(sources, fd)
		d.Zones = policy.MergeZones(d.Zones, fd.Zones)
		specs = append(specs, fspecs...)
		for _, f := range fd.Files {
			refs, refSums = append(refs, f.Path), append(refSums, f.Sum)
		}
	}
	sums = append(sums, refSums...)
	l.mu.Lock()
	running := l.served
	l.mu.Unlock()
	if err := l.rules.Check(sources, d, running); err != nil {
		return nil, nil, err
	}
	kubeSrcs, err := l.kube.expand(d)
	if err != nil {
		return nil, nil, err
	}
	sites := policy.ZoneSites(d)
	d.Zones = append(d.Zones, policy.EmptyZones(d, l.origins)...)
	if read >= collectAfterParse {
		// The files and their YAML node trees are garbage now; left to the
		// collector, they set the heap goal that Compile then grows into. Peak RSS
		// with 100k / 1M record sets: 1.10 → 0.93 GiB / 10.6 → 8.0 GiB (bench/scale).
		runtime.GC()
	}
	set, err := l.engine.Prepare(l.owner, specs)
	if err != nil {
		return nil, nil, err
	}
	resolve := func(name string) (policy.HealthSource, bool) {
		if h, ok := set.Handle(name); ok {
			return h, true
		}
		if l.corefileChecks != nil {
			if h, ok := l.corefileChecks.Handle(name); ok {
				return h, true
			}
		}
		return nil, false
	}
	snap, err := policy.Compile(d, resolve, time.Now())
	if err != nil {
		return nil, nil, err
	}
	if l.check != nil {
		if err := l.check(snap); err != nil {
			return nil, nil, err
		}
	}
	return &loaded{Data: answer.Data{Snap: snap, Counters: make([]atomic.Pointer[answer.Counter], snap.Endpoints()),
		NewCounter: newCounter, Events: eventsFor(snap)}, sums: sums, refs: refs, sites: sites, kube: kubeSrcs}, set, nil
}

// collectAfterParse is the size of data files (about 25k record sets) from which
// a load collects the parser's garbage before compiling.
const collectAfterParse = 4 << 20

// eventsFor resolves every zone's fail-open and fail-closed counters once per load.
func eventsFor(snap *policy.Snapshot) map[*policy.CompiledZone]answer.ZoneEvents {
	out := map[*policy.CompiledZone]answer.ZoneEvents{}
	for _, o := range snap.Origins() {
		out[snap.Zone(o)] = answer.ZoneEvents{FailOpen: failOpen.WithLabelValues(o), FailClosed: failClosed.WithLabelValues(o)}
	}
	return out
}

// start publishes the data loaded at setup and starts its checks and the watcher.
func (l *loader) start(p *Policy, ld *loaded, set *hc.Set) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started {
		return
	}
	l.started = true
	set.Start()
	l.set = set
	l.sums, l.refs, l.served = ld.sums, ld.refs, ld.sites
	p.snap.Store(ld)
	l.publishLoad(ld, false)
	l.kube.watch(ld.kube)
	if l.interval > 0 && len(l.files) > 0 || l.kick != nil && len(ld.kube) > 0 {
		l.stopCh, l.done = make(chan struct{}), make(chan struct{})
		go l.watch(p)
	}
}

// stop ends the watcher and releases the checks.
func (l *loader) stop() {
	l.stopOnce.Do(func() {
		l.kube.close()
		l.mu.Lock()
		stopCh, done := l.stopCh, l.done
		l.mu.Unlock()
		if stopCh != nil {
			close(stopCh)
			<-done
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.set != nil {
			l.set.Close()
		}
		l.unpublishLoad()
	})
}

func (l *loader) ready() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return (l.set == nil || l.set.Ready()) && l.kube.ready()
}

func (l *loader) watch(p *Policy) {
	defer close(l.done)
	var tick <-chan time.Time
	if l.interval > 0 {
		t := time.NewTicker(l.interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-l.stopCh:
			return
		case <-tick:
			l.reloadIfChanged(p)
		case <-l.kick:
			l.reloadKube(p)
		}
	}
}

// reloadIfChanged loads the files when their content changed since the last load or
// the last rejection (so a broken file is reported once, not at every tick). The
// files are the data files and the collection files they name: those the last load
// read, or after a rejection those the data files name now.
func (l *loader) reloadIfChanged(p *Policy) {
	l.mu.Lock()
	refs := l.refs
	l.mu.Unlock()
	sums := l.checksums(refs)
	l.mu.Lock()
	same := policy.EqualSums(sums, l.sums)
	l.sums = sums
	l.mu.Unlock()
	if same {
		return
	}
	l.reload(p, sums, "")
}

// reloadKube reloads because the addresses of a kubernetes: value changed.
func (l *loader) reloadKube(p *Policy) {
	l.mu.Lock()
	refs := l.refs
	l.mu.Unlock()
	l.reload(p, l.checksums(refs), "kubernetes values changed")
}

// reload loads and swaps in the data; sums are the files' checksums taken before,
// why, when set, says what asked for it.
func (l *loader) reload(p *Policy, sums [][32]byte, why string) {
	ld, set, err := l.load()
	if err != nil {
		l.rejected()
		log.Errorf("policy data rejected, still serving the previous data: %v", err)
		// Watch the collection files the rejected data names, so that fixing a
		// broken one (perhaps newly named) is seen as a change.
		refs := l.named()
		sums = append(sums[:len(l.files):len(l.files)], l.checksums(refs)[len(l.files):]...)
		l.mu.Lock()
		l.refs, l.sums = refs, sums
		l.mu.Unlock()
		return
	}
	set.Start()
	p.snap.Store(ld)
	l.mu.Lock()
	old := l.set
	l.set = set
	l.sums, l.refs, l.served = ld.sums, ld.refs, ld.sites
	l.mu.Unlock()
	old.Close() // after the swap: checks in both sets kept running throughout
	l.publishLoad(ld, true)
	l.kube.watch(ld.kube)
	if why != "" {
		why = " (" + why + ")"
	}
	log.Infof("policy data reloaded%s: %d record sets in %d zones", why, ld.Snap.RecordSets(), len(ld.Snap.Origins()))
}

// named lists the collection files the data files name now (policy.CollectionFiles).
func (l *loader) named() []string {
	var refs []string
	for _, f := range l.files {
		if b, err := os.ReadFile(f); err == nil {
			refs = append(refs, policy.CollectionFiles(f, bytes.NewReader(b))...)
		}
	}
	return refs
}

// checksums hashes every data file, then every collection file of refs
// (policy.FileSums: an unchanged file is not read again).
func (l *loader) checksums(refs []string) [][32]byte {
	return l.hashes.Sums(append(l.files[:len(l.files):len(l.files)], refs...))
}
