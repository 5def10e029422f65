package controlplane

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
)

const origin = "snap.example.org."

// createZone writes the hosted zone snap.example.org with its apex records.
func createZone(t *testing.T, st store.Store) *route53.Zone {
	t.Helper()
	z, apex, aerr := route53.CreateZone(&route53.CreateHostedZoneRequest{Name: origin, CallerReference: "controlplane-test"}, nil, route53.ZoneOptions{})
	if aerr != nil {
		t.Fatal(aerr)
	}
	if _, err := st.Update(context.Background(), func(tx store.Tx) error {
		if err := putJSON(tx, catalog.ZoneKey(z.ID), &catalog.Zone{Zone: *z, Created: time.Now(), Sets: int64(len(apex) + 1)}); err != nil {
			return err
		}
		for i := range apex {
			if err := putJSON(tx, catalog.RecordKey(z.ID, &apex[i]), &apex[i]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return z
}

// putWWW sets www.snap.example.org A to ip and returns the revision.
func putWWW(t *testing.T, st store.Store, z *route53.Zone, ip string) int64 {
	t.Helper()
	ttl := int64(60)
	rs := route53.ResourceRecordSet{Name: "www." + origin, Type: "A", TTL: &ttl, ResourceRecords: []route53.ResourceRecord{{Value: ip}}}
	rev, err := st.Update(context.Background(), func(tx store.Tx) error { return putJSON(tx, catalog.RecordKey(z.ID, &rs), &rs) })
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func putJSON(tx store.Tx, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(key, b)
}

// served returns what the replica answers for www.snap.example.org A ("" none).
func served(r *replica.Replica) string {
	p := r.Current()
	if p == nil {
		return ""
	}
	z := p.Snap.Zone(origin)
	if z == nil {
		return ""
	}
	set := z.Set("www."+origin, dns.TypeA)
	if set == nil || len(set.Tree.Endpoints) == 0 {
		return ""
	}
	return set.Tree.Endpoints[0].Value
}

// waitServed waits until the replica answers want, failing after 10 s.
func waitServed(t *testing.T, r *replica.Replica, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for served(r) != want {
		if time.Now().After(deadline) {
			t.Fatalf("www.%s A: serving %q after 10 s, want %q", origin, served(r), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
