package policy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coredns/caddy"

	"github.com/coretraffic/coretraffic/internal/inproc"
)

// ipData routes www by collection bgp (a collection file beside the data file) and
// lab by collection corp (in the data).
const ipData = `cidr_collections:
  bgp: {file: bgp.cidr}
  corp:
    locations:
      lab: ["2001:db8:1::/48"]
zones:
  example.net:
    records:
      www:
        A:
          collection: bgp
          ip:
            - {location: eu, value: 192.0.2.10}
            - {location: us, value: 192.0.2.20}
            - {location: "*", value: 192.0.2.99}
      lab:
        A:
          collection: corp
          ip:
            - {location: lab, value: 192.0.2.30}
`

const bgpCIDR = "10.0.0.0/8 eu\n10.1.0.0/16 us\n2001:db8::/32 eu\n"

// ipServer runs a real server for example.net with geo and policy (reloading every
// 50 ms) over ipData and a collection file; it returns the address and the
// collection file's path.
func ipServer(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	data, coll := filepath.Join(dir, "data.yaml"), filepath.Join(dir, "bgp.cidr")
	reviewWrite(t, coll, bgpCIDR)
	reviewWrite(t, data, ipData)
	db, err := filepath.Abs("../../geo/testdata/demo-city.mmdb")
	if err != nil {
		t.Fatal(err)
	}
	inst := reviewStart(t, fmt.Sprintf("example.net:%d {\n geo %s\n policy {\n  data %s\n  reload 50ms\n }\n}\n", reviewPort(t), db, data))
	t.Cleanup(func() { inproc.Stop(inst) })
	return inst.Servers()[0].LocalAddr().String(), coll
}

// TestServerIP: real queries with ECS are answered by the longest matching block's
// location, with the decision's scope; no match is the default with the scope from
// which no block overlaps; without ECS the source address is matched.
func TestServerIP(t *testing.T) {
	addr, _ := ipServer(t)
	for _, tc := range []struct {
		qname, subnet, want string
		scope               int
	}{
		{"www", "10.2.3.0/24", "192.0.2.10", 16},     // the /8, beside the /16
		{"www", "10.1.3.0/24", "192.0.2.20", 16},     // the nested /16
		{"www", "10.0.0.0/12", "192.0.2.10", 12},     // shorter than the /16: the /8
		{"www", "203.0.113.0/24", "192.0.2.99", 8},   // no block: the default
		{"www", "2001:db8:5::/56", "192.0.2.10", 32}, // IPv6
		{"www", "2001:db9::/56", "192.0.2.99", 32},   // IPv6 beside the /32: the default
		{"lab", "2001:db8:1:ff00::/56", "192.0.2.30", 48},
		{"www", "", "192.0.2.99", -1}, // 127.0.0.1 is in no block; no ECS, no scope
	} {
		vals, scope := ecsQuery(t, addr, tc.qname+".example.net.", tc.subnet)
		if !slices.Equal(vals, []string{tc.want}) || scope != tc.scope {
			t.Errorf("%s from %q: %v scope %d, want %s scope %d", tc.qname, tc.subnet, vals, scope, tc.want, tc.scope)
		}
	}
	// lab has no default: a client outside the lab gets NODATA (ecsQuery fails on
	// anything but NOERROR), with the scope that keeps the lab out of it.
	if vals, scope := ecsQuery(t, addr, "lab.example.net.", "2001:db8:2::/56"); len(vals) != 0 || scope != 48 {
		t.Errorf("lab from outside: %v scope %d, want NODATA scope 48", vals, scope)
	}
}

// TestServerIPReload: a changed collection file is reloaded with the data; a broken
// one is rejected and the previous data keeps serving; fixing it is seen again.
func TestServerIPReload(t *testing.T) {
	addr, coll := ipServer(t)
	await := func(subnet, want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			vals, _ := ecsQuery(t, addr, "www.example.net.", subnet)
			if slices.Equal(vals, []string{want}) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: %v, want %s after the collection file changed", subnet, vals, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	await("10.2.0.0/24", "192.0.2.10")
	reviewWrite(t, coll, bgpCIDR+"10.2.0.0/16 us\n")
	await("10.2.0.0/24", "192.0.2.20")

	reviewWrite(t, coll, bgpCIDR+"10.2.0.0/16 us\n10.3.0.1/16 us\n") // host bits set: rejected
	time.Sleep(300 * time.Millisecond)                               // six reload intervals
	if vals, _ := ecsQuery(t, addr, "www.example.net.", "10.2.0.0/24"); !slices.Equal(vals, []string{"192.0.2.20"}) {
		t.Fatalf("after a broken collection file: %v, want the previous data's 192.0.2.20", vals)
	}
	if vals, _ := ecsQuery(t, addr, "www.example.net.", "10.3.0.0/24"); !slices.Equal(vals, []string{"192.0.2.10"}) {
		t.Fatalf("the broken file's block was served: %v", vals)
	}
	reviewWrite(t, coll, bgpCIDR+"10.3.0.0/16 us\n")
	await("10.3.0.0/24", "192.0.2.20")
	await("10.2.0.0/24", "192.0.2.10")
}

// A data file that newly names a broken collection file is rejected; fixing only
// the collection file (the data file unchanged) is seen as a change.
func TestServerIPNewBrokenCollection(t *testing.T) {
	addr, coll := ipServer(t)
	dir := filepath.Dir(coll)
	extra := filepath.Join(dir, "extra.cidr")
	reviewWrite(t, extra, "192.0.2.0/33 x\n")
	data := strings.Replace(ipData, "  bgp: {file: bgp.cidr}\n", "  bgp: {file: bgp.cidr}\n  extra: {file: extra.cidr}\n", 1)
	reviewWrite(t, filepath.Join(dir, "data.yaml"), strings.Replace(data, "collection: bgp", "collection: extra", 1))
	time.Sleep(300 * time.Millisecond)
	if vals, _ := ecsQuery(t, addr, "www.example.net.", "10.2.0.0/24"); !slices.Equal(vals, []string{"192.0.2.10"}) {
		t.Fatalf("after data naming a broken collection file: %v, want the previous data's answer", vals)
	}
	if err := os.WriteFile(extra, []byte("10.2.0.0/16 eu\n10.0.0.0/8 us\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		vals, _ := ecsQuery(t, addr, "www.example.net.", "10.9.0.0/24")
		if slices.Equal(vals, []string{"192.0.2.20"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fixed collection file not reloaded: %v", vals)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ip answers depend on the client subnet: cache in the block is refused, as for
// sticky; geo is not required (the source address is matched).
func TestServerIPChain(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "data.yaml")
	reviewWrite(t, file, "cidr_collections:\n  c: {locations: {x: 192.0.2.0/24}}\nzones:\n  example.net:\n    records:\n      www:\n        A:\n          collection: c\n          ip: [{location: x, value: 192.0.2.1}]\n")
	reviewDirectives()
	inst, err := caddy.Start(reviewInput(fmt.Sprintf("example.net:%d {\n cache\n policy {\n  data %s\n }\n}\n", reviewPort(t), file)))
	if err == nil {
		inproc.Stop(inst)
		t.Fatal("cache with ip data accepted")
	}
	if !strings.Contains(err.Error(), "sticky or ip") {
		t.Errorf("error %v", err)
	}
	inst = reviewStart(t, fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n }\n}\n", reviewPort(t), file))
	inproc.Stop(inst)
}
