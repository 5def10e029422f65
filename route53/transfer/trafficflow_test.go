package transfer_test

import (
	"os"
	"reflect"
	"testing"

	"github.com/miekg/dns"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
	"github.com/coretraffic/coretraffic/route53/transfer"
)

// A traffic policy instance (geo, then a failover rule, health checks on
// references nested two deep) written into a data file answers as the traffic
// policy's own translation does, for the corpus and health states; its policy
// and instance are written back as the aws CLI prints them.
func TestTrafficPolicyInstanceAsDataFile(t *testing.T) {
	b, err := transfer.Read(handFiles(true))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile("testdata/trafficpolicy.json")
	ps, err := trafficflow.ParseCLIPolicies(raw)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := trafficflow.Parse([]byte(ps[0].Versions[0].Document))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := trafficflow.RecordSet(doc, "tp.example.org.", 60, trafficflow.Options{})
	if err != nil {
		t.Fatal(err)
	}
	own := &policy.Data{Zones: []*policy.Zone{{Origin: "example.org.", TTL: 60, Records: []*policy.RecordSet{rs}}}}
	questions := []dns.Question{{Name: "tp.example.org.", Qtype: dns.TypeA, Qclass: dns.ClassINET}}
	d, specs := dataFile(t, b)
	var first map[string]string
	moved := 0 // health states whose answers are not all up's (fail-open makes some alike)
	for _, down := range []map[string]bool{{}, {"fra-web": true}, {"iad-web": true}, {"fra-web": true, "iad-web": true},
		{"iad-web": true, "nrt-tcp": true}, {"fra-web": true, "iad-web": true, "nrt-tcp": true}} {
		snap, err := policy.Compile(own, resolver(route53State(b, down)), timeNow())
		if err != nil {
			t.Fatal(err)
		}
		want := answers(t, snap, questions, 1)
		if first == nil {
			first = want
		} else if !reflect.DeepEqual(first, want) {
			moved++
		}
		diff(t, "down "+keys(down), want, answers(t, compile(t, d, specState(specs, b, down)), questions, 1))
	}
	if moved < 2 {
		t.Errorf("only %d health states move the answers", moved)
	}

	// Written back as the CLI prints them, they read back the same.
	paths, err := transfer.WriteCLI(t.TempDir(), b)
	if err != nil {
		t.Fatal(err)
	}
	back, err := transfer.Read(transfer.FilesIn(paths))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Policies, b.Policies) || !reflect.DeepEqual(back.Instances, b.Instances) {
		t.Errorf("traffic policies written and read back:\n%+v %+v\nwant\n%+v %+v", back.Policies, back.Instances, b.Policies, b.Instances)
	}
}
