package trafficflow

import (
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// fakeState is a store held in memory; put and putInstance write what the
// operations return, as the server would.
type fakeState struct {
	policies  []*Policy
	instances []*TrafficPolicyInstance
	zones     map[string]string   // ID → origin
	checks    map[string]bool     // health check IDs
	records   map[string][]uint16 // zoneID|name → types
	limits    Limits
}

func newState() *fakeState {
	return &fakeState{
		zones:   map[string]string{"Z1": "example.com.", "Z2": "example.net."},
		checks:  map[string]bool{"hc-1": true},
		records: map[string][]uint16{},
		limits:  DefaultLimits,
	}
}

func (f *fakeState) Policies() []*Policy                 { return f.policies }
func (f *fakeState) Instances() []*TrafficPolicyInstance { return f.instances }
func (f *fakeState) HealthCheckExists(id string) bool    { return f.checks[id] }
func (f *fakeState) Limits() Limits                      { return f.limits }
func (f *fakeState) HostedZone(id string) (string, bool) {
	o, ok := f.zones[id]
	return o, ok
}
func (f *fakeState) RecordSetTypes(zoneID, name string) []uint16 { return f.records[zoneID+"|"+name] }

func (f *fakeState) put(p *Policy) {
	for i, old := range f.policies {
		if old.Id == p.Id {
			f.policies[i] = p
			return
		}
	}
	f.policies = append(f.policies, p)
}

func (f *fakeState) putInstance(in *TrafficPolicyInstance) {
	for i, old := range f.instances {
		if old.Id == in.Id {
			f.instances[i] = in
			return
		}
	}
	f.instances = append(f.instances, in)
}

var _ State = (*fakeState)(nil)

// wantErr checks an operation's error: code, status and a part of the message.
func wantErr(t *testing.T, what string, err *apierr.Error, code string, status int, msg string) {
	t.Helper()
	switch {
	case err == nil:
		t.Errorf("%s: no error, want %s", what, code)
	case err.Code != code || err.Status != status || !strings.Contains(err.Message, msg):
		t.Errorf("%s: %s %d %q, want %s %d containing %q", what, err.Code, err.Status, err.Message, code, status, msg)
	}
}

// must is an operation's response; an error fails the test (by panicking: Go
// passes a call's results on only as the whole argument list).
func must[T any](v T, err *apierr.Error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// docA and docAAAA are small documents of each type.
var (
	docA = doc(`"StartRule":"f"`, twoEndpoints,
		`"f":{"RuleType":"failover","Primary":{"EndpointReference":"a","HealthCheck":"hc-1"},"Secondary":{"EndpointReference":"b"}}`)
	docAAAA = `{"AWSPolicyFormatVersion":"2015-10-01","RecordType":"AAAA","StartEndpoint":"a","Endpoints":{"a":{"Type":"value","Value":"2001:db8::1"}}}`
)

func ptr[T any](v T) *T { return &v }
