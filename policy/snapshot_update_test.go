package policy

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
)

const updateBase = `zones:
  example.net:
    ttl: 30
    soa: {serial: 5}
    records:
      "@":
        NS: {values: [ns1.example.org.]}
      www:
        A: {value: 192.0.2.1}
        TXT: {value: '"hello"'}
      a.b.c:
        A: {value: 192.0.2.2}
      lb:
        A:
          failover:
            - {value: 192.0.2.10, check: a}
            - {value: 192.0.2.11, check: b}
      front:
        A: {alias: lb}
      chain:
        A: {alias: front}
      "*.apps":
        A: {value: 192.0.2.20}
      apps:
        TXT: {value: '"apps"'}
      cname:
        CNAME: {value: www.example.org.}
      sub:
        NS: {values: [ns.sub.example.org.]}
  example.org:
    records:
      www:
        A: {value: 198.51.100.1}
`

// parsed reads a data file of the tests.
func parsed(t *testing.T, data string) *Data {
	t.Helper()
	d, _, err := Parse("data.yaml", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// puts reads record sets of example.net. written as in a data file's records:.
func puts(t *testing.T, records string) []*RecordSet {
	t.Helper()
	return parsed(t, "zones:\n  example.net:\n    ttl: 30\n    records:\n"+records).Zones[0].Records
}

func key(name string, t uint16) SetKey { return SetKey{name + "example.net.", t} }

func inNet(remove []SetKey, put []*RecordSet) Update {
	return Update{Zones: []ZoneUpdate{{Origin: "example.net.", Remove: remove, Put: put}}}
}

// question is what a name and type look up to after an update: the kind and the
// values answered with every check up.
type question struct {
	name   string
	qtype  uint16
	kind   Kind
	values string // space-separated, in answer order; "" for none
}

func TestUpdate(t *testing.T) {
	const A, TXT, NS = dns.TypeA, dns.TypeTXT, dns.TypeNS
	for _, tc := range []struct {
		name    string
		update  func(t *testing.T) Update
		want    []question
		wantErr string
	}{
		// Where several sets are at fault, Compile names the first in data order,
		// Update the first it compiles: the fault is the same, the set may differ.
		{"a set at a new deep name: its empty non-terminals appear",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      x.y.z:\n        A: {value: 192.0.2.30}\n"))
			},
			[]question{{"x.y.z.example.net.", A, Found, "192.0.2.30"}, {"y.z.example.net.", A, NoRecords, ""},
				{"z.example.net.", TXT, NoRecords, ""}, {"q.z.example.net.", A, NXDomain, ""}}, ""},
		{"the last set under empty non-terminals: they go",
			func(*testing.T) Update { return inNet([]SetKey{key("a.b.c.", A)}, nil) },
			[]question{{"a.b.c.example.net.", A, NXDomain, ""}, {"b.c.example.net.", A, NXDomain, ""},
				{"c.example.net.", A, NXDomain, ""}}, ""},
		{"one of two sets: the owner stays",
			func(*testing.T) Update { return inNet([]SetKey{key("www.", A)}, nil) },
			[]question{{"www.example.net.", A, NoRecords, ""}, {"www.example.net.", TXT, Found, `"hello"`}}, ""},
		{"a set below an owner: the owner is not an empty non-terminal to remove",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      deep.www:\n        A: {value: 192.0.2.31}\n"))
			},
			[]question{{"deep.www.example.net.", A, Found, "192.0.2.31"}, {"www.example.net.", A, Found, "192.0.2.1"}}, ""},
		{"a wildcard added",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      \"*.w\":\n        A: {value: 192.0.2.40}\n"))
			},
			[]question{{"any.w.example.net.", A, Found, "192.0.2.40"}, {"w.example.net.", A, NoRecords, ""},
				{"any.w.example.net.", TXT, NoRecords, ""}}, ""},
		{"a wildcard removed, its parent's own set stays",
			func(*testing.T) Update { return inNet([]SetKey{key("*.apps.", A)}, nil) },
			[]question{{"x.apps.example.net.", A, NXDomain, ""}, {"apps.example.net.", TXT, Found, `"apps"`}}, ""},
		{"a wildcard and its parent's set removed: both names go",
			func(*testing.T) Update { return inNet([]SetKey{key("*.apps.", A), key("apps.", TXT)}, nil) },
			[]question{{"x.apps.example.net.", A, NXDomain, ""}, {"apps.example.net.", TXT, NXDomain, ""}}, ""},
		{"a delegation added",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      dept:\n        NS: {values: [ns.dept.example.org.]}\n"))
			},
			[]question{{"host.dept.example.net.", A, Delegation, ""}, {"dept.example.net.", NS, Delegation, ""},
				{"www.example.net.", A, Found, "192.0.2.1"}}, ""},
		{"the only delegation removed",
			func(*testing.T) Update { return inNet([]SetKey{key("sub.", NS)}, nil) },
			[]question{{"host.sub.example.net.", A, NXDomain, ""}, {"sub.example.net.", NS, NXDomain, ""}}, ""},
		{"a CNAME beside an A is refused",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      www:\n        CNAME: {value: x.example.org.}\n"))
			},
			nil, "data.yaml:6: zones.example.net.records.www.CNAME: a CNAME owner holds no other record set"},
		{"an A beside a CNAME is refused",
			func(t *testing.T) Update { return inNet(nil, puts(t, "      cname:\n        A: {value: 192.0.2.1}\n")) },
			nil, "data.yaml:6: zones.example.net.records.cname.A: a CNAME owner holds no other record set"},
		{"no CNAME at the apex",
			func(t *testing.T) Update {
				return inNet(nil, []*RecordSet{{Pos: Pos{"api", 2}, Name: "example.net.", Type: dns.TypeCNAME, Root: leaf("x.example.org.", "")}})
			},
			nil, "api:2: zones.example.net.records.@.CNAME: no CNAME at the zone apex"},
		{"the other types removed, a CNAME may come",
			func(t *testing.T) Update {
				return inNet([]SetKey{key("www.", A), key("www.", TXT)}, puts(t, "      www:\n        CNAME: {value: x.example.org.}\n"))
			},
			[]question{{"www.example.net.", A, CNAME, "x.example.org."}}, ""},
		{"an alias target replaced: its aliases, direct and chained, answer with the new tree",
			func(t *testing.T) Update { return inNet(nil, puts(t, "      lb:\n        A: {value: 192.0.2.50}\n")) },
			[]question{{"front.example.net.", A, Found, "192.0.2.50"}, {"chain.example.net.", A, Found, "192.0.2.50"}}, ""},
		{"an alias target removed while aliased: refused",
			func(*testing.T) Update { return inNet([]SetKey{key("lb.", A)}, nil) },
			nil, "data.yaml:19: zones.example.net.records.front.A.alias: no A record set at lb.example.net. in this zone"},
		{"an alias target removed with its aliases",
			func(*testing.T) Update {
				return inNet([]SetKey{key("lb.", A), key("front.", A), key("chain.", A)}, nil)
			},
			[]question{{"front.example.net.", A, NXDomain, ""}, {"www.example.net.", A, Found, "192.0.2.1"}}, ""},
		{"an alias target that aliases back: a cycle",
			func(t *testing.T) Update { return inNet(nil, puts(t, "      lb:\n        A: {alias: chain}\n")) },
			nil, "zones.example.net.records.front.A.alias: cycle lb.example.net. → chain.example.net. → front.example.net. → lb.example.net."},
		{"an alias of a new set",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      new:\n        A: {value: 192.0.2.60}\n      www:\n        A: {alias: new}\n"))
			},
			[]question{{"www.example.net.", A, Found, "192.0.2.60"}}, ""},
		{"an alias of a set no alias named before (Update.Source gives it)",
			func(t *testing.T) Update { return inNet(nil, puts(t, "      www:\n        A: {alias: a.b.c}\n")) },
			[]question{{"www.example.net.", A, Found, "192.0.2.2"}}, ""},
		{"an alias of a set that does not exist",
			func(t *testing.T) Update { return inNet(nil, puts(t, "      www:\n        A: {alias: nowhere}\n")) },
			nil, "data.yaml:6: zones.example.net.records.www.A.alias: no A record set at nowhere.example.net. in this zone"},
		{"a check nobody knows",
			func(t *testing.T) Update {
				return inNet(nil, puts(t, "      www:\n        A: {value: 192.0.2.1, check: zz}\n"))
			},
			nil, `data.yaml:6: zones.example.net.records.www.A.check: no health check named "zz"`},
		{"a set put twice", func(t *testing.T) Update {
			return inNet(nil, append(puts(t, "      www:\n        A: {value: 192.0.2.1}\n"), puts(t, "      www:\n        A: {value: 192.0.2.2}\n")...))
		}, nil, "data.yaml:6: www.example.net. A defined twice"},
		{"an SOA record set", func(t *testing.T) Update {
			return inNet(nil, []*RecordSet{{Pos: Pos{"api", 3}, Name: "example.net.", Type: dns.TypeSOA, Root: leaf("x", "")}})
		}, nil, "api:3: zones.example.net.records.@.SOA: SOA is set with the zone's soa: key, not as a record set"},
		{"a set that is not there removed",
			func(*testing.T) Update { return inNet([]SetKey{key("nowhere.", A)}, nil) },
			nil, "zones.example.net.: nowhere.example.net. A: no such record set to remove"},
		{"a name outside the zone", func(t *testing.T) Update {
			return inNet(nil, []*RecordSet{{Pos: Pos{"api", 4}, Name: "www.example.org.", Type: A, Root: leaf("192.0.2.1", "")}})
		}, nil, "api:4: www.example.org.: not a lower-case name inside the zone example.net."},
		{"a zone added twice",
			func(t *testing.T) Update { return Update{AddZones: parsed(t, updateBase).Zones[1:]} },
			nil, "data.yaml:30: zones.example.org.: zone defined twice"},
		{"a zone removed and added again",
			func(t *testing.T) Update {
				z := parsed(t, "zones:\n  example.org:\n    records:\n      www:\n        A: {value: 198.51.100.9}\n").Zones
				return Update{RemoveZones: []string{"example.org."}, AddZones: z}
			},
			[]question{{"www.example.org.", A, Found, "198.51.100.9"}}, ""},
		{"a zone that is not there removed",
			func(*testing.T) Update { return Update{RemoveZones: []string{"example.com."}} },
			nil, "zones.example.com.: no such zone to remove"},
		{"a change of a zone that is not there",
			func(*testing.T) Update {
				return Update{Zones: []ZoneUpdate{{Origin: "example.com.", Remove: []SetKey{{"example.com.", A}}}}}
			},
			nil, "zones.example.com.: no such zone"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newChecks("a", "b")
			d := parsed(t, updateBase)
			old, err := Compile(d, c.resolve, epoch)
			if err != nil {
				t.Fatal(err)
			}
			u := tc.update(t)
			m := modelOf(d)
			valid := m.apply(u)
			u.Source = m.source
			got, err := old.Update(u, c.resolve, epoch)
			before, _ := Compile(parsed(t, updateBase), c.resolve, epoch)
			sameAnswers(t, "the snapshot before", old, before, c)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if valid {
					if _, werr := Compile(m.data(), c.resolve, epoch); werr == nil {
						t.Fatalf("Update refused what Compile accepts: %v", err)
					} else if fault(werr) != fault(err) {
						t.Fatalf("Compile refuses with %q, Update with %q", werr, err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, err := Compile(m.data(), c.resolve, epoch)
			if err != nil {
				t.Fatal(err)
			}
			sameAnswers(t, "after", got, want, c)
			for _, q := range tc.want {
				z := got.Zone(q.name)
				match := z.Lookup(q.name, q.qtype)
				var vals []string
				if match.Set != nil && (match.Kind == Found || match.Kind == CNAME) {
					vals, _ = answer(match.Set.Tree, seeded())
				}
				if match.Kind != q.kind || strings.Join(vals, " ") != q.values {
					t.Errorf("%s %s: kind %d %v, want %d %q", q.name, dns.TypeToString[q.qtype], match.Kind, vals, q.kind, q.values)
				}
			}
		})
	}
}

// msg is an error's message without the position it starts with.
func msg(err error) string {
	s := err.Error()
	if i := strings.Index(s, ": "); i >= 0 && strings.Contains(s[:i], ":") {
		return s[i+2:]
	}
	return s
}

// fault is what an error says is wrong, without naming which set: an alias's
// missing target, a cycle (whichever set it starts from), else the message.
func fault(err error) string {
	s := msg(err)
	if strings.Contains(s, "alias: cycle") {
		return "alias: cycle"
	}
	if strings.HasPrefix(s, "zones.") { // the field path names the set
		if i := strings.Index(s, ": "); i >= 0 {
			s = s[i+2:]
		}
	}
	if i := strings.Index(s, "alias: "); i >= 0 {
		return s[i:]
	}
	return s
}

// modelOf is the model of parsed data.
func modelOf(d *Data) *model {
	m := &model{zones: map[string]*modelZone{}}
	m.apply(Update{AddZones: d.Zones})
	return m
}
