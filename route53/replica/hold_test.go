package replica_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/miekg/dns"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

// held is a bolt store, a replica of it and its one-process group, run until the
// test ends.
type held struct {
	st  *boltstore.Store
	rep *replica.Replica
	g   *replica.Group
	eng *hc.Engine
	log *logs
}

func newHeld(t *testing.T) *held {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &held{st: st, eng: hc.New(hc.Options{}), log: &logs{}}
	h.rep = replica.New(st, h.eng, "hold-test", h.log.logf)
	h.g = replica.NewGroup(h.rep, store.NewLocalPresence("solo"), t.Logf)
	return h
}

// run starts the replica and its group; they stop when the test ends.
func (h *held) run(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{}, 2)
	go func() { h.rep.Run(ctx); done <- struct{}{} }()
	go func() { h.g.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
}

// zone creates hosted zone name with r1…r3 A 10.0.0.1…3 and returns its ID.
func (h *held) zone(t *testing.T, name string) string {
	t.Helper()
	z, apex, aerr := route53.CreateZone(&route53.CreateHostedZoneRequest{Name: name, CallerReference: name}, nil, route53.ZoneOptions{})
	if aerr != nil {
		t.Fatal(aerr)
	}
	sets := append(apex, a("r1."+name, "10.0.0.1"), a("r2."+name, "10.0.0.2"), a("r3."+name, "10.0.0.3"))
	if _, err := h.st.Update(context.Background(), func(tx store.Tx) error {
		if err := putJSON(tx, catalog.ZoneKey(z.ID), &catalog.Zone{Zone: *z, Sets: int64(len(sets))}); err != nil {
			return err
		}
		for i := range sets {
			if err := putJSON(tx, catalog.RecordKey(z.ID, &sets[i]), &sets[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return z.ID
}

// write puts record sets into zone straight into the store (no API, no
// validation), deletes those of drop, with a change record called change, and
// returns the revision.
func (h *held) write(t *testing.T, zone, change string, sets, drop []route53.ResourceRecordSet) int64 {
	t.Helper()
	rev, err := h.st.Update(context.Background(), func(tx store.Tx) error {
		for i := range sets {
			if err := putJSON(tx, catalog.RecordKey(zone, &sets[i]), &sets[i]); err != nil {
				return err
			}
		}
		for i := range drop {
			if err := tx.Delete(catalog.RecordKey(zone, &drop[i])); err != nil {
				return err
			}
		}
		return tx.Put(catalog.ChangeKey(change), []byte(`{}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

// insync is GetChange's INSYNC (route53/api): the replica applied the change and
// serves its revision, and so does every live replica of the group.
func (h *held) insync(id string) bool {
	rev, ok := h.rep.ChangeRevision(id)
	return ok && h.rep.Served() >= rev && h.g.Serves(rev)
}

// answer is what the replica serves for name A ("" when no zone holds it exactly:
// a held zone that never compiled is not served).
func (h *held) answer(name string) string {
	p := h.rep.Current()
	if p == nil {
		return ""
	}
	origin := name[strings.Index(name, ".")+1:]
	z := p.Snap.Zone(origin)
	if z == nil || z.Origin != origin {
		return ""
	}
	set := z.Set(name, dns.TypeA)
	if set == nil || len(set.Tree.Endpoints) == 0 {
		return ""
	}
	return set.Tree.Endpoints[0].Value
}

// refusals counts the log lines that hold a zone.
func (h *held) refusals(zone string) int {
	h.log.mu.Lock()
	defer h.log.mu.Unlock()
	n := 0
	for _, l := range h.log.lines {
		if strings.Contains(l, "not served for zone "+zone) {
			n++
		}
	}
	return n
}

func a(name, value string) route53.ResourceRecordSet {
	ttl := int64(60)
	return route53.ResourceRecordSet{Name: name, Type: "A", TTL: &ttl, ResourceRecords: []route53.ResourceRecord{{Value: value}}}
}

func putJSON(tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(key, b)
}
