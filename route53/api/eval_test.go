package api_test

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
)

// answer evaluates what the replica serves for name and typ, as the query path
// would for a client at loc (nil: unknown) from client (zero: unknown): the values
// sorted and joined by " ", "NODATA", or "" when nothing is served.
func (s *apiServer) answer(name string, typ uint16, loc *geo.Location, client netip.Prefix) string {
	p := s.replica.Current()
	if p == nil {
		return ""
	}
	z := p.Snap.Zone(name)
	if z == nil {
		return ""
	}
	set := z.Set(name, typ)
	if set == nil {
		return ""
	}
	tree := set.Tree
	out := make([]int32, tree.MaxAnswers())
	r := tree.Evaluate(&policy.Input{Loc: loc, Client: client, Rand: rand.New(rand.NewPCG(1, 2))}, out)
	if r.Outcome != policy.Answer {
		return "NODATA"
	}
	var vals []string
	for _, i := range out[:r.N] {
		vals = append(vals, tree.Endpoints[i].Value)
	}
	slices.Sort(vals)
	return strings.Join(vals, " ")
}

// eventually waits up to 5 s for the replica to serve what cond wants.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 5 s: %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// okEndpoint is a local HTTP server answering 200, for health checks to probe.
func okEndpoint(t *testing.T) (host string, port int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "OK") }))
	t.Cleanup(func() { ln.Close() })
	h, p, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Sscan(p, &port)
	return h, port
}

// Clients of the tests.
var (
	berlin     = &geo.Location{Continent: "EU", Country: "DE", Lat: 52.52, Lon: 13.40, HasCoords: true}
	ashburn    = &geo.Location{Continent: "NA", Country: "US", Lat: 39.04, Lon: -77.49, HasCoords: true}
	tokyo      = &geo.Location{Continent: "AS", Country: "JP", Lat: 35.68, Lon: 139.69, HasCoords: true}
	noLocation *geo.Location
	noClient   netip.Prefix
)
