package geo

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/plugin"

	"github.com/coretraffic/coretraffic/geo"
)

const (
	cityDB = "../../geo/testdata/demo-city.mmdb"
	asnDB  = "../../geo/testdata/demo-asn.mmdb"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.mmdb")
	if err := os.WriteFile(garbage, []byte("this is not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(cityDB)
	if err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.mmdb")
	if err := os.WriteFile(truncated, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	corrupt := filepath.Join(dir, "corrupt.mmdb")
	if err := os.WriteFile(corrupt, onlyVerifyNotices(t, data), 0o644); err != nil {
		t.Fatal(err)
	}
	unreadable := filepath.Join(dir, "unreadable.mmdb")
	if err := os.WriteFile(unreadable, data, 0o000); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name   string
		config string
		err    string // substring; "" for success
		check  func(*testing.T, *Geo)
	}{
		{"one file", "geo " + cityDB, "", func(t *testing.T, g *Geo) {
			if !g.ecs || !g.trustAll || g.interval != defaultReload || len(g.reader.Paths()) != 1 {
				t.Errorf("defaults: %+v", g)
			}
		}},
		{"two files", "geo " + cityDB + " " + asnDB, "", func(t *testing.T, g *Geo) {
			if len(g.reader.Paths()) != 2 {
				t.Errorf("paths %v", g.reader.Paths())
			}
		}},
		{"ecs off", "geo " + cityDB + " {\n ecs off\n}", "", func(t *testing.T, g *Geo) {
			if g.ecs {
				t.Error("ecs still on")
			}
		}},
		{"trust", "geo " + cityDB + " {\n ecs on\n trust 192.0.2.0/24 2001:db8::/32\n trust 198.51.100.7 ::ffff:10.0.0.0/104\n}", "", func(t *testing.T, g *Geo) {
			want := "192.0.2.0/24 2001:db8::/32 198.51.100.7/32 10.0.0.0/8"
			if g.trustAll || fmtPrefixes(g) != want {
				t.Errorf("trust %v, want %s", g.trust, want)
			}
		}},
		{"reload", "geo " + cityDB + " {\n reload 5s\n}", "", func(t *testing.T, g *Geo) {
			if g.interval != 5*time.Second {
				t.Errorf("interval %v", g.interval)
			}
		}},
		{"reload off", "geo " + cityDB + " {\n reload 0\n}", "", func(t *testing.T, g *Geo) {
			if g.interval != 0 {
				t.Errorf("interval %v", g.interval)
			}
		}},

		{"verify", "geo " + cityDB + " " + asnDB + " {\n verify\n}", "", func(t *testing.T, g *Geo) {}},
		{"verify corrupt", "geo " + corrupt + " {\n reload 0\n verify\n}", "Testfile:3 - Error during parsing: " + corrupt + ": corrupt database", nil},
		{"verify twice", "geo " + cityDB + " {\n verify\n verify\n}", "verify takes no arguments", nil},
		{"verify args", "geo " + cityDB + " {\n verify all\n}", "verify takes no arguments", nil},
		{"no file", "geo", "Wrong argument count", nil},
		{"missing file", "geo /nonexistent/city.mmdb", "/nonexistent/city.mmdb: no such file", nil},
		{"garbage file", "geo " + garbage, garbage + ": not a valid MaxMind DB", nil},
		{"truncated file", "geo " + truncated, truncated, nil},
		{"second file bad", "geo " + cityDB + " " + garbage, "garbage.mmdb", nil},
		{"line number", "\n\ngeo " + garbage, "Testfile:3", nil},
		{"twice", "geo " + cityDB + "\ngeo " + asnDB, "this plugin", nil},
		{"unknown property", "geo " + cityDB + " {\n languages en\n}", `unknown property "languages"`, nil},
		{"ecs bad", "geo " + cityDB + " {\n ecs maybe\n}", "ecs takes one argument", nil},
		{"ecs twice", "geo " + cityDB + " {\n ecs on\n ecs off\n}", "ecs takes one argument", nil},
		{"trust empty", "geo " + cityDB + " {\n trust\n}", "Wrong argument count", nil},
		{"trust bad", "geo " + cityDB + " {\n trust 192.0.2.1/24\n}", "invalid network", nil},
		{"trust junk", "geo " + cityDB + " {\n trust example.org\n}", "invalid network", nil},
		{"trust with ecs off", "geo " + cityDB + " {\n ecs off\n trust 192.0.2.0/24\n}", "meaningless", nil},
		{"reload bad", "geo " + cityDB + " {\n reload soon\n}", "invalid duration", nil},
		{"reload too fast", "geo " + cityDB + " {\n reload 10ms\n}", "at least 1s", nil},
		{"labels default", "geo " + cityDB, "", func(t *testing.T, g *Geo) {
			want := []string{"geo/continent/code", "geo/country/code", "geo/country/is_in_european_union",
				"geo/subdivisions/code", "geo/city/name", "geo/latitude", "geo/longitude", "geo/asn/number"}
			if got := labelNames(g.labels); !slices.Equal(got, want) {
				t.Errorf("labels %v, want %v", got, want)
			}
		}},
		{"labels all", "geo " + cityDB + " {\n labels all\n}", "", func(t *testing.T, g *Geo) {
			if len(g.labels) != len(allLabels) {
				t.Errorf("%d labels, want all %d", len(g.labels), len(allLabels))
			}
		}},
		{"labels", "geo " + cityDB + " {\n labels geo/country/code geo/client/scope\n}", "", func(t *testing.T, g *Geo) {
			if len(g.labels) != 2 || g.labels[0].name != "geo/country/code" || g.labels[1].name != "geo/client/scope" {
				t.Errorf("labels %v", g.labels)
			}
		}},
		{"labels none", "geo " + cityDB + " {\n labels none\n}", "", func(t *testing.T, g *Geo) {
			if len(g.labels) != 0 {
				t.Errorf("labels %v", g.labels)
			}
		}},
		{"labels empty", "geo " + cityDB + " {\n labels\n}", "want one or more label names", nil},
		{"labels unknown", "geo " + cityDB + " {\n labels geo/country/name\n}", `Testfile:2 - Error during parsing: labels: unknown label "geo/country/name"`, nil},
		{"labels without prefix", "geo " + cityDB + " {\n labels country/code\n}", `unknown label "country/code"`, nil},
		{"labels none and more", "geo " + cityDB + " {\n labels none geo/country/code\n}", `unknown label "none"`, nil},
		{"labels all and more", "geo " + cityDB + " {\n labels all geo/client/scope\n}", `unknown label "all"`, nil},
		{"labels repeated", "geo " + cityDB + " {\n labels geo/city/name geo/city/name\n}", "listed twice", nil},
		{"labels twice", "geo " + cityDB + " {\n labels geo/city/name\n labels geo/asn/org\n}", "labels appears once", nil},
		{"reload negative", "geo " + cityDB + " {\n reload -1s\n}", "invalid duration", nil},
		{"not a file", "geo " + dir, "is a directory", nil}, // unreadable even for root
	}
	if os.Geteuid() != 0 { // root reads anything
		tests = append(tests, struct {
			name, config, err string
			check             func(*testing.T, *Geo)
		}{"unreadable", "geo " + unreadable, "permission denied", nil})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := caddy.NewTestController("dns", tc.config)
			g, err := parse(c)
			if tc.err == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				tc.check(t, g)
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tc.err)
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Errorf("error %q, want it to contain %q", err, tc.err)
			}
		})
	}
}

func fmtPrefixes(g *Geo) string {
	s := make([]string, len(g.trust))
	for i, p := range g.trust {
		s[i] = p.String()
	}
	return strings.Join(s, " ")
}

func TestSetupRegistersPluginAndHooks(t *testing.T) {
	c := caddy.NewTestController("dns", "geo "+cityDB)
	if err := setup(c); err != nil {
		t.Fatal(err)
	}
	if n := len(dnsserver.GetConfig(c).Plugin); n != 1 {
		t.Fatalf("%d plugins after setup, want 1", n)
	}
	if err := setup(caddy.NewTestController("dns", "geo /nonexistent.mmdb")); err == nil || !strings.HasPrefix(err.Error(), "plugin/geo:") {
		t.Errorf("setup error %v, want it wrapped by plugin.Error", err)
	}
}

func TestSetupRoot(t *testing.T) {
	abs, err := filepath.Abs("../../geo/testdata")
	if err != nil {
		t.Fatal(err)
	}
	c := caddy.NewTestController("dns", "geo demo-city.mmdb")
	dnsserver.GetConfig(c).Root = abs
	g, err := parse(c)
	if err != nil {
		t.Fatal(err)
	}
	if p := g.reader.Paths()[0]; p != filepath.Join(abs, "demo-city.mmdb") {
		t.Errorf("path %s not under root", p)
	}
}

// onlyVerifyNotices returns a copy of db with one byte changed such that the
// default load checks accept it and full verification does not.
func onlyVerifyNotices(t *testing.T, db []byte) []byte {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "x.mmdb")
	for i := len(db) / 2; i < len(db)-64; i++ {
		c := append([]byte(nil), db...)
		c[i] ^= 0xff
		if err := os.WriteFile(path, c, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := geo.Open(path); err != nil {
			continue
		}
		if _, err := geo.Open(path, geo.Verify()); err != nil {
			return c
		}
	}
	t.Fatal("no such corruption")
	return nil
}

func labelNames(ls []label) []string {
	names := make([]string, len(ls))
	for i, l := range ls {
		names[i] = l.name
	}
	return names
}

type handlers []plugin.Handler

func (h handlers) Handlers() []plugin.Handler { return h }

// grower is a plugin that grows the stack itself before passing queries on.
type grower struct{ plugin.Handler }

func (grower) GrowsStack() {}

func TestGrowsStack(t *testing.T) {
	for _, tc := range []struct {
		block handlers
		want  bool
	}{
		{handlers{nextNop}, true},
		{handlers{grower{nextNop}, nextNop}, false},
		{handlers{}, true},
	} {
		if got := growsStack(tc.block); got != tc.want {
			t.Errorf("block with %v: grows the stack %v, want %v", tc.block, got, tc.want)
		}
	}
}
