package replica_test

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/store"
)

// rs is shorthand for a list of record sets.
func rs(sets ...route53.ResourceRecordSet) []route53.ResourceRecordSet { return sets }

// TestHeldZone: data in zone a that does not compile, written straight into the
// store, holds a alone. a keeps its previous answers (also across a rebuild), b
// and a zone created meanwhile move on, the refusal is logged once with its key;
// while a is held the served revision stays below the refused one, so GetChange
// says PENDING for every later change although b answers with it. Once a's data is
// fixed, everything is served and the hold is gone.
func TestHeldZone(t *testing.T) {
	const za, zb = "a.example.", "b.example."
	alias := a("r1."+za, "")
	alias.ResourceRecords = nil
	alias.TTL = nil
	alias.AliasTarget = &route53.AliasTarget{DNSName: "r9." + za}
	cname := route53.ResourceRecordSet{Name: "r1." + za, Type: "CNAME", TTL: a("", "").TTL, ResourceRecords: []route53.ResourceRecord{{Value: "b.example."}}}
	for _, tc := range []struct {
		name      string
		bad       []route53.ResourceRecordSet // written into a
		want      string                      // in the refusal, besides a's ID
		fix, drop []route53.ResourceRecordSet // what fixes it
	}{
		{"not an address", rs(a("r1."+za, "2001:db8::1")), "2001:db8::1", rs(a("r1."+za, "10.0.0.11")), nil},
		{"alias to nothing", rs(alias), "r9.a.example.", rs(a("r1."+za, "10.0.0.11")), nil},
		{"CNAME beside A", rs(cname), "CNAME", rs(a("r1."+za, "10.0.0.11")), rs(cname)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHeld(t)
			idA, idB := h.zone(t, za), h.zone(t, zb)
			h.run(t)
			h.write(t, idB, "c0", rs(a("r2."+zb, "10.0.0.22")), nil)
			eventually(t, "c0 INSYNC", func() bool { return h.insync("c0") })

			bad := h.write(t, idA, "bad", tc.bad, nil)
			eventually(t, "a refused", func() bool { return h.refusals(idA) > 0 })
			if !h.log.has(idA, za, tc.want, strconv.FormatInt(bad, 10), "previous answers keep serving") {
				t.Errorf("the refusal does not name %q: %q", tc.want, h.log.lines)
			}
			if key := strconv.Quote(catalog.RecordKey(idA, &tc.bad[0])); tc.name == "not an address" && !h.log.has(key) {
				t.Errorf("the refusal does not name the store key %s", key)
			}
			p := h.rep.Current()
			if want := (replica.HeldZone{ZoneID: idA, Origin: za, Base: bad - 1, Since: bad, Serving: true}); len(p.Held) != 1 ||
				p.Held[0].ZoneID != want.ZoneID || p.Held[0].Origin != za || p.Held[0].Base != want.Base || p.Held[0].Since != bad || !p.Held[0].Serving {
				t.Errorf("held %+v, want %+v", p.Held, want)
			}
			if p.Revision != bad || p.Served != bad-1 || h.rep.Served() != bad-1 || h.insync("bad") || !h.insync("c0") {
				t.Errorf("revision %d served %d (Served() %d), bad INSYNC %v, c0 %v; want %d, %d, false, true",
					p.Revision, p.Served, h.rep.Served(), h.insync("bad"), h.insync("c0"), bad, bad-1)
			}
			if got := h.answer("r1." + za); got != "10.0.0.1" {
				t.Errorf("a answers %q, want its previous 10.0.0.1", got)
			}

			// b moves on; a change to a that compiles is held with a; so is a zone
			// created meanwhile (a rebuild: a's last good version is adopted).
			cb := h.write(t, idB, "cb", rs(a("r1."+zb, "10.9.9.9")), nil)
			eventually(t, "b's change answers", func() bool { return h.answer("r1."+zb) == "10.9.9.9" })
			h.write(t, idA, "more", rs(a("r2."+za, "10.7.7.7")), nil)
			idC := h.zone(t, "c.example.")
			eventually(t, "c served", func() bool { return h.answer("r1.c.example.") == "10.0.0.1" })
			p = h.rep.Current()
			if !p.Fresh || p.Revision <= cb || len(p.Held) != 1 {
				t.Errorf("after the new zone: fresh %v, revision %d, held %+v", p.Fresh, p.Revision, p.Held)
			}
			for name, want := range map[string]string{"r1." + za: "10.0.0.1", "r2." + za: "10.0.0.2", "r1." + zb: "10.9.9.9", "r2." + zb: "10.0.0.22"} {
				if got := h.answer(name); got != want {
					t.Errorf("%s answers %q, want %q", name, got, want)
				}
			}
			if h.rep.Served() != bad-1 || h.insync("cb") || h.insync("more") {
				t.Errorf("served %d, cb INSYNC %v, more %v: want %d, PENDING", h.rep.Served(), h.insync("cb"), h.insync("more"), bad-1)
			}
			if n := h.refusals(idA); n != 1 {
				t.Errorf("a's refusal logged %d times, want once", n)
			}

			h.write(t, idA, "fix", tc.fix, tc.drop)
			eventually(t, "fix INSYNC", func() bool { return h.insync("fix") })
			for _, c := range []string{"bad", "cb", "more"} {
				if !h.insync(c) {
					t.Errorf("%s PENDING once a is fixed", c)
				}
			}
			if p := h.rep.Current(); p.Held != nil || p.Served != p.Revision {
				t.Errorf("fixed: held %+v, served %d of %d", p.Held, p.Served, p.Revision)
			}
			for name, want := range map[string]string{"r1." + za: "10.0.0.11", "r2." + za: "10.7.7.7", "r1." + zb: "10.9.9.9", "r1.c.example.": "10.0.0.1"} {
				if got := h.answer(name); got != want {
					t.Errorf("fixed: %s answers %q, want %q", name, got, want)
				}
			}
			if !h.log.has(idA, "compiles again") {
				t.Errorf("the end of the hold is not logged: %q", h.log.lines)
			}
			_ = idC
		})
	}
}

// TestHeldAtLoad: a zone that does not compile when the replica loads has no good
// version to keep: it is not served (a DNS server leaves out a zone it cannot
// load) while the others are, and nothing reads INSYNC (served revision -1) until
// it is fixed.
func TestHeldAtLoad(t *testing.T) {
	const za, zb = "a.example.", "b.example."
	h := newHeld(t)
	idA, idB := h.zone(t, za), h.zone(t, zb)
	bad := h.write(t, idA, "bad", rs(a("r1."+za, "ten.0.0.1")), nil)
	h.run(t)
	eventually(t, "b served", func() bool { return h.answer("r1."+zb) == "10.0.0.1" })
	p := h.rep.Current()
	if len(p.Held) != 1 || p.Held[0].ZoneID != idA || p.Held[0].Serving || p.Held[0].Base != -1 || p.Held[0].Since != bad {
		t.Errorf("held %+v", p.Held)
	}
	if h.answer("r2."+za) != "" || h.rep.Served() != -1 || h.insync("bad") {
		t.Errorf("a answers %q, served %d, bad INSYNC %v: want a not served, -1, PENDING", h.answer("r2."+za), h.rep.Served(), h.insync("bad"))
	}
	if !h.log.has(idA, "ten.0.0.1", "not served (it has not compiled since the replica started)") {
		t.Errorf("the refusal: %q", h.log.lines)
	}
	h.write(t, idB, "cb", rs(a("r1."+zb, "10.9.9.9")), nil)
	eventually(t, "b's change answers", func() bool { return h.answer("r1."+zb) == "10.9.9.9" })
	if h.rep.Served() != -1 || h.insync("cb") {
		t.Errorf("served %d, cb INSYNC %v while a is held", h.rep.Served(), h.insync("cb"))
	}
	fix := h.write(t, idA, "fix", rs(a("r1."+za, "10.0.0.11")), nil)
	eventually(t, "fix INSYNC", func() bool { return h.insync("fix") && h.insync("bad") && h.insync("cb") })
	if h.answer("r1."+za) != "10.0.0.11" || h.answer("r2."+za) != "10.0.0.2" || h.rep.Served() != fix || h.rep.Current().Held != nil {
		t.Errorf("fixed: a answers %q %q, served %d (want %d), held %+v", h.answer("r1."+za), h.answer("r2."+za), h.rep.Served(), fix, h.rep.Current().Held)
	}
}

// TestHeldZoneKeepsItsChecks: a held zone's last good version answers with the
// health checks it was compiled with, so a check changed meanwhile (a rebuild
// that replaces the replica's checks) keeps running as it was for that zone until
// the zone compiles again with the new one.
func TestHeldZoneKeepsItsChecks(t *testing.T) {
	const za = "a.example."
	h := newHeld(t)
	putCheck := func(port int) {
		t.Helper()
		c := checks.HealthCheck{ID: "hc-1", CallerReference: "hc-1", HealthCheckVersion: int64(port),
			HealthCheckConfig: checks.HealthCheckConfig{Type: checks.TypeTCP, IPAddress: "127.0.0.1", Port: port, RequestInterval: 30, FailureThreshold: 3}}
		if _, err := h.st.Update(context.Background(), func(tx store.Tx) error { return putJSON(tx, catalog.HealthCheckPrefix+c.ID, &c) }); err != nil {
			t.Fatal(err)
		}
	}
	targets := func() []string { // the targets of the engine's running checks
		var out []string
		for _, c := range h.eng.Checks() {
			out = append(out, c.Spec.Target)
		}
		slices.Sort(out)
		return out
	}
	putCheck(1001)
	idA := h.zone(t, za)
	w := a("w."+za, "10.0.0.5")
	w.SetIdentifier, w.Weight, w.HealthCheckId = "one", new(int64), "hc-1"
	*w.Weight = 1
	h.write(t, idA, "w", rs(w), nil)
	h.run(t)
	eventually(t, "w served", func() bool { return h.answer("w."+za) == "10.0.0.5" })

	h.write(t, idA, "bad", rs(a("r1."+za, "2001:db8::1")), nil)
	eventually(t, "a held", func() bool { return h.refusals(idA) > 0 })
	putCheck(1002)
	eventually(t, "the new check runs beside the held zone's", func() bool { return slices.Equal(targets(), []string{"127.0.0.1:1001", "127.0.0.1:1002"}) })
	if got := h.answer("w." + za); got != "10.0.0.5" {
		t.Errorf("w answers %q", got)
	}

	h.write(t, idA, "fix", rs(a("r1."+za, "10.0.0.11")), nil)
	eventually(t, "fixed", func() bool { return h.insync("fix") })
	eventually(t, "the held zone's check released", func() bool { return slices.Equal(targets(), []string{"127.0.0.1:1002"}) })
}

// TestHeldZoneInstancePolicy: an instance written without its traffic policy holds
// its zone; writing the policy, which dirties no record set, ends the hold.
func TestHeldZoneInstancePolicy(t *testing.T) {
	const za = "a.example."
	h := newHeld(t)
	idA := h.zone(t, za)
	h.run(t)
	eventually(t, "a served", func() bool { return h.answer("r1."+za) == "10.0.0.1" })
	in := trafficflow.TrafficPolicyInstance{Id: "tpi-1", HostedZoneId: idA, Name: "tp." + za, TTL: 60, State: trafficflow.StateApplied,
		TrafficPolicyId: "tp-1", TrafficPolicyVersion: 1, TrafficPolicyType: "A"}
	ttl := int64(60)
	rec := route53.ResourceRecordSet{Name: in.Name, Type: "A", TTL: &ttl, TrafficPolicyInstanceId: in.Id}
	if _, err := h.st.Update(context.Background(), func(tx store.Tx) error {
		if err := putJSON(tx, catalog.InstanceKey(in.Id), &in); err != nil {
			return err
		}
		return putJSON(tx, catalog.RecordKey(idA, &rec), &rec)
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a held", func() bool { return h.refusals(idA) > 0 })
	if !h.log.has(idA, "no traffic policy tp-1") {
		t.Errorf("the refusal: %q", h.log.lines)
	}
	doc := `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"A","StartEndpoint":"e","Endpoints":{"e":{"Type":"value","Value":"192.0.2.40"}}}`
	p := catalog.TrafficPolicy{Policy: trafficflow.Policy{Id: "tp-1", Name: "tp", Versions: []trafficflow.PolicyVersion{{Version: 1, Type: "A", Document: doc}}}}
	rev, err := h.st.Update(context.Background(), func(tx store.Tx) error { return putJSON(tx, catalog.TrafficPolicyKey(p.Id), &p) })
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, "the instance answers", func() bool { return h.answer("tp."+za) == "192.0.2.40" })
	if h.rep.Served() != rev || h.rep.Current().Held != nil {
		t.Errorf("served %d (want %d), held %+v", h.rep.Served(), rev, h.rep.Current().Held)
	}
}
