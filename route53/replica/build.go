package replica

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// follower is the Replica as store.Follow drives it, in one goroutine. Its methods
// never fail: data the replica cannot compile is refused with a log line, and the
// zone it belongs to keeps its previous version (hold.go).
type follower Replica

func (f *follower) Load(rd store.Reader) error {
	r := (*Replica)(f)
	d := newDirt()
	m, err := load(rd, d, r.logf)
	if err != nil {
		return err
	}
	r.loaded, r.loadedChanges = m, d.changes
	return nil
}

func (f *follower) Loaded(rev int64) error {
	r := (*Replica)(f)
	r.loadChanges(r.loadedChanges, rev)
	r.mu.Lock()
	r.m, r.loaded, r.loadedChanges = r.loaded, nil, nil
	r.pending = nil
	r.markPending(nil, rev)
	r.mu.Unlock()
	return nil
}

func (f *follower) Apply(ev store.Event) error {
	r := (*Replica)(f)
	d := newDirt()
	r.mu.Lock()
	for _, c := range ev.Changes {
		if err := r.m.put(c.Key, c.Value, c.Deleted, d); err != nil {
			r.logf("store revision %d: refused %v", ev.Revision, err)
		}
	}
	r.m.usersOf(d)
	r.markPending(d, ev.Revision)
	r.mu.Unlock()
	r.noteChanges(d.changes, ev.Revision)
	return nil
}

// noteChanges records the revision that wrote each change, and forgets the changes
// deleted from the log (route53/api's retention), so the map is no larger than the log.
func (r *Replica) noteChanges(ids map[string]bool, rev int64) {
	if len(ids) == 0 {
		return
	}
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	for id, written := range ids {
		if written {
			r.changes[id] = rev
		} else {
			delete(r.changes, id)
		}
	}
}

// loadChanges makes the changes of a whole load (at rev) the ones known: those
// trimmed from the log while the replica was away are forgotten, and those it knew
// keep the revision that wrote them.
func (r *Replica) loadChanges(ids map[string]bool, rev int64) {
	r.changeMu.Lock()
	defer r.changeMu.Unlock()
	known := make(map[string]int64, len(ids))
	for id := range ids {
		if old, ok := r.changes[id]; ok {
			known[id] = old
		} else {
			known[id] = rev
		}
	}
	r.changes = known
}

// compilePending compiles everything pending into one snapshot and publishes it at
// the mirror's revision. Reading the mirror holds mu; compiling does not, so events
// keep arriving meanwhile and the next round takes them all.
func (r *Replica) compilePending() {
	r.mu.Lock()
	rev, d, rebuild := r.pendingRev, r.pending, r.rebuildNext
	r.pending, r.rebuildNext = nil, false
	if r.m == nil || (d == nil && !rebuild) {
		r.mu.Unlock()
		return
	}
	defer r.settleOnce.Do(func() { close(r.settled) })
	if rebuild || r.pub.Load() == nil {
		r.rebuild(rev) // unlocks
		return
	}
	r.incremental(d, rev) // unlocks
}

// rebuild compiles every served zone and restarts the checks that changed. It is
// called with mu held and releases it once it has read the mirror. A zone that does
// not compile is held (hold.go): its last good version, if the snapshot before had
// one, is adopted into the new snapshot.
func (r *Replica) rebuild(rev int64) {
	specs, overrides := r.m.checkSpecs(r.logf)
	cfgs := r.m.checkConfigs()
	served := r.m.servedZones()
	colls := r.m.collections()
	pcolls, err := policyCollections(colls)
	if err != nil {
		r.mu.Unlock()
		r.refuse(rev, "%v", err)
		return
	}
	d := &policy.Data{}
	ids := make(map[string]string, len(served)) // origin → zone ID, of the zones in d
	var refused map[string]string
	for id, origin := range served {
		pz, err := r.m.zonePolicy(id, colls)
		if err != nil {
			refused = addRefusal(refused, id, fmt.Sprintf("%v%s", err, r.m.culprits(id, pcolls)))
			continue
		}
		d.Zones = append(d.Zones, pz)
		ids[origin] = id
	}
	r.mu.Unlock()
	set, old := r.startChecks(specs, overrides)
	r.retire(old)
	if r.point != nil {
		r.point.SetChecks(cfgs)
	}
	resolve := trafficflow.Resolver(resolver(set))
	now := time.Now()
	snap, err := policy.Compile(d, resolve, now)
	if err != nil {
		snap, refused, err = compileApart(d, ids, refused, resolve, now, err)
	}
	if err != nil {
		r.refuse(rev, "%v", err)
		return
	}
	var keep []*policy.CompiledZone
	if cur := r.pub.Load(); cur != nil {
		for id := range refused {
			if z := servedZone(cur.Snap, served[id]); z != nil && r.served[id] == served[id] {
				keep = append(keep, z)
			}
		}
	}
	if snap, err = snap.Adopt(keep...); err != nil {
		r.refuse(rev, "%v", err)
		return
	}
	r.served, r.pcolls = served, pcolls
	held, full := r.settle(rev, snap, refused, nil, true)
	r.publish(&Published{Snap: snap, Revision: rev, Served: full, Held: held, Fresh: true})
	r.releaseChecks()
}

// incremental compiles only the record sets changed (and those aliasing them) into
// the current snapshot, zone by zone: a zone that does not compile is held and the
// others move on. A held zone that changed is compiled whole again. It is called
// with mu held and releases it once it has read the mirror.
func (r *Replica) incremental(d *dirt, rev int64) {
	cur := r.pub.Load()
	if len(d.colls) > 0 {
		pcolls, err := policyCollections(r.m.collections())
		if err != nil {
			r.mu.Unlock()
			r.refuse(rev, "%v", err)
			return
		}
		r.pcolls = pcolls
	}
	snap := cur.Snap
	resolve := trafficflow.Resolver(resolver(r.checks))
	now := time.Now()
	var refused map[string]string
	var cleared []string
	if d.policies {
		for id := range r.held { // retried: the policy its instance lacked may be here
			if d.groups[id] == nil {
				d.group(id, group{})
			}
		}
	}
	// Update may ask for a record set it kept no source of (an alias's new target):
	// it is read from the mirror, so mu is held until the last Update returns (~2 ms
	// at 100k; a held zone compiled whole again holds it for that compile).
	for id, groups := range d.groups {
		origin, ok := r.served[id]
		if !ok {
			continue
		}
		var next *policy.Snapshot
		var reason string
		if r.held[id] != nil {
			next, reason = r.recompileZone(snap, id, origin, resolve, now)
			if reason == "" {
				cleared = append(cleared, id)
			}
		} else {
			next, reason = r.updateZone(snap, id, origin, groups, resolve, now)
		}
		if reason != "" {
			refused = addRefusal(refused, id, reason)
			continue
		}
		snap = next
	}
	r.mu.Unlock()
	if len(refused) == 0 && len(cleared) == 0 && len(r.held) == 0 {
		r.publish(&Published{Snap: snap, Revision: rev, Served: rev})
		return
	}
	held, full := r.settle(rev, snap, refused, cleared, false)
	r.publish(&Published{Snap: snap, Revision: rev, Served: full, Held: held})
	r.releaseChecks()
}

// refuse refuses a whole revision (what is not one zone's): it keeps the snapshot
// that serves and says why; the next event rebuilds.
func (r *Replica) refuse(rev int64, format string, args ...any) {
	r.mu.Lock()
	r.rebuildNext = true
	r.mu.Unlock()
	r.logf("store revision %d not served, previous data kept: "+format, append([]any{rev}, args...)...)
}

// checkSpecs maps the mirror's health checks onto the engine's specs and overrides;
// a check that does not map is left out with a log line.
func (m *mirror) checkSpecs(logf func(string, ...any)) ([]hc.Spec, map[string]hc.Override) {
	ids := make([]string, 0, len(m.checks))
	for id := range m.checks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var specs []hc.Spec
	overrides := make(map[string]hc.Override, len(ids))
	for _, id := range ids {
		spec, err := checks.ToSpec(id, m.checks[id].HealthCheckConfig)
		if err != nil {
			logf("health check %s refused: %v", id, err)
			continue
		}
		specs = append(specs, spec)
		overrides[id] = checks.Forced(m.checks[id].HealthCheckConfig)
	}
	return specs, overrides
}

// startChecks runs specs as the replica's Set, replacing the previous one, which
// it returns (nil: none replaced) for the caller to close once nothing served uses
// it (checks with unchanged specs keep running: the engine dedupes).
func (r *Replica) startChecks(specs []hc.Spec, overrides map[string]hc.Override) (set, old *hc.Set) {
	set, err := r.engine.Prepare(r.owner, specs)
	if err != nil {
		r.logf("health checks refused, previous ones keep running: %v", err)
		return r.checks, nil
	}
	set.Start()
	for id, o := range overrides {
		r.engine.SetOverride(id, o)
	}
	old, r.checks = r.checks, set
	return set, old
}

func resolver(set *hc.Set) policy.CheckResolver {
	return func(name string) (policy.HealthSource, bool) {
		if set == nil {
			return nil, false
		}
		if h, ok := set.Handle(name); ok {
			return h, true
		}
		return nil, false
	}
}

// servedZones picks, for every zone name, the hosted zone served: Route 53 lets
// several hosted zones share a name (each with its own delegation); one server
// answers for one, the first created.
func (m *mirror) servedZones() map[string]string {
	first := map[string]*catalog.Zone{}
	for _, z := range m.zones {
		if f := first[z.Name]; f == nil || z.Created.Before(f.Created) || (z.Created.Equal(f.Created) && z.ID < f.ID) {
			first[z.Name] = z
		}
	}
	out := make(map[string]string, len(first))
	for _, z := range first {
		out[z.ID] = strings.ToLower(dns.Fqdn(route53.PolicyName(z.Name)))
	}
	return out
}

// withAliasers returns the changed groups and every group of the zone whose alias
// targets one of them, directly or through other aliases: an alias answers with its
// target's TTL, so it is rebuilt too (its tree is re-inlined by Snapshot.Update).
func (m *mirror) withAliasers(id string, changed map[group]bool) []group {
	seen := make(map[group]bool, len(changed))
	out := make([]group, 0, len(changed))
	var visit func(g group)
	visit = func(g group) {
		if seen[g] {
			return
		}
		seen[g] = true
		out = append(out, g)
		for a := range m.aliasers[id][g] {
			visit(a)
		}
	}
	for g := range changed {
		visit(g)
	}
	return out
}
