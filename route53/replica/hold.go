package replica

import (
	"maps"
	"slices"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy"
)

// A hosted zone whose data does not compile (written by another writer than the
// API, or an API/compiler disagreement) is held: the replica keeps serving the
// zone's last good compiled version (or, if it never compiled in this process, does
// not serve it, as a DNS server leaves out a zone file it cannot load), while every
// other zone follows the store revision by revision. The hold is logged once, with
// the zone and the store keys to blame, and ends by itself at the first revision
// whose data for the zone compiles (or that deletes the zone).
//
// What the replica announces as served (Replica.Served, what GetChange compares) is
// the store revision only while nothing is held; with a hold it stays at the last
// revision at which every zone compiled, so no change after it reads INSYNC until
// the held zone is fixed, although other zones already answer with it.
//
// Refusals that are not one zone's (CIDR collections that do not translate, a
// compile error no zone fails alone) still refuse the whole revision: nothing is
// published until a later revision compiles.

// HeldZone is a hosted zone whose new data the replica refuses.
type HeldZone struct {
	ZoneID string
	Origin string // lower-case FQDN
	// Base is the last revision at which the zone compiled (-1: not since the
	// replica started); changes up to it are served.
	Base int64
	// Since is the first store revision refused for it.
	Since int64
	// Serving: the zone's version of Base answers; false when it never compiled,
	// and the zone is not served at all.
	Serving bool
	Reason  string // why the newest refusal: the error and the store keys to blame
}

// settle records the outcome of a compile at rev: the zones refused (zone ID →
// reason) and, when all is set, that every other served zone compiled (a
// rebuild); otherwise only the zones in cleared compiled again. It logs every hold
// that begins (once: a later refusal of the same zone updates its Reason quietly)
// and every one that ends, and returns the holds in force (sorted by zone ID) and
// the revision served in full.
func (r *Replica) settle(rev int64, snap *policy.Snapshot, refused map[string]string, cleared []string, all bool) ([]HeldZone, int64) {
	base := int64(-1)
	if cur := r.pub.Load(); cur != nil {
		base = cur.Revision
	}
	if r.held == nil {
		r.held = map[string]*HeldZone{}
	}
	for id, h := range r.held {
		_, still := refused[id]
		if _, served := r.served[id]; !served {
			delete(r.held, id) // the zone is gone: nothing left to refuse
		} else if !still && (all || slices.Contains(cleared, id)) {
			r.logf("store revision %d: zone %s (%s) compiles again and is served, held since revision %d", rev, id, h.Origin, h.Since)
			delete(r.held, id)
		}
	}
	for id, reason := range refused {
		origin := r.served[id]
		h := r.held[id]
		if h != nil { // logged once, when the hold began
			h.Reason, h.Serving = reason, servedZone(snap, origin) != nil
			continue
		}
		h = &HeldZone{ZoneID: id, Origin: origin, Base: base, Since: rev, Reason: reason, Serving: servedZone(snap, origin) != nil}
		r.held[id] = h
		kept := "not served (it has not compiled since the replica started)"
		if h.Serving {
			kept = "its previous answers keep serving"
		}
		r.logf("store revision %d not served for zone %s (%s), %s; other zones follow, later changes stay PENDING until it is fixed: %s",
			rev, id, origin, kept, reason)
	}
	served := rev
	out := make([]HeldZone, 0, len(r.held))
	for _, id := range slices.Sorted(maps.Keys(r.held)) {
		h := r.held[id]
		served = min(served, h.Base)
		out = append(out, *h)
	}
	if len(out) == 0 {
		out = nil
	}
	return out, served
}

// servedZone is the zone of snap whose origin is origin, or nil (Snapshot.Zone would
// answer with a parent zone).
func servedZone(snap *policy.Snapshot, origin string) *policy.CompiledZone {
	if snap == nil {
		return nil
	}
	if z := snap.Zone(origin); z != nil && z.Origin == origin {
		return z
	}
	return nil
}

// retire keeps a replaced check set running while a zone compiled with it may
// still serve (a held zone's last good version answers with the checks it was
// compiled with); releaseChecks closes them once no held zone serves.
func (r *Replica) retire(old *hc.Set) {
	if old != nil {
		r.retired = append(r.retired, old)
	}
}

func (r *Replica) releaseChecks() {
	for _, h := range r.held {
		if h.Serving {
			return
		}
	}
	for _, s := range r.retired {
		s.Close()
	}
	r.retired = nil
}
