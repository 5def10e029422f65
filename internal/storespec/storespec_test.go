package storespec

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/coredns/caddy"
)

// parseIn parses the store property of `block { ... }` and the property after it,
// so a test sees that the store's tokens end where they should.
func parseIn(t testing.TB, input, root string) (Spec, string, error) {
	t.Helper()
	c := caddy.NewTestController("dns", input)
	c.Next() // the directive
	var spec Spec
	var after []string
	for c.NextBlock() {
		if c.Val() != "store" {
			after = append(after, c.Val())
			c.RemainingArgs()
			continue
		}
		var err error
		if spec, err = Parse(c, root); err != nil {
			return Spec{}, "", err
		}
	}
	return spec, strings.Join(after, ","), nil
}

func TestParse(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
		os.WriteFile(filepath.Join(dir, f), []byte("x"), 0o600)
	}
	ca, cert, key := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tests := []struct {
		name    string
		input   string
		want    Spec
		after   string // the properties read after the store's
		wantErr string
	}{
		{"file", "x {\n store data.db\n next 1\n}", Spec{File: "/srv/data.db"}, "next", ""},
		{"absolute file", "x {\n store /var/db/s.db\n}", Spec{File: "/var/db/s.db"}, "", ""},
		{"etcd defaults, no block", "x {\n store etcd\n next 1\n}",
			Spec{Etcd: &Etcd{Endpoints: []string{DefaultEndpoint}, Prefix: DefaultPrefix}}, "next", ""},
		{"etcd empty block", "x {\n store etcd {\n }\n next\n}",
			Spec{Etcd: &Etcd{Endpoints: []string{DefaultEndpoint}, Prefix: DefaultPrefix}}, "next", ""},
		{"etcd full", "x {\n store etcd {\n endpoint https://10.0.0.1:2379 https://10.0.0.2:2379\n prefix /dns/\n tls " + cert + " " + key + " " + ca +
			"\n credentials coretraffic s3cret\n snapshot snap.bin\n name pop-fra\n }\n next 1\n}",
			Spec{Etcd: &Etcd{Endpoints: []string{"https://10.0.0.1:2379", "https://10.0.0.2:2379"}, Prefix: "/dns/",
				CertFile: cert, KeyFile: key, CAFile: ca, Username: "coretraffic", Password: "s3cret",
				Snapshot: filepath.Join(dir, "snap.bin"), Name: "pop-fra"}}, "next", ""},
		{"tls CA only", "x {\n store etcd {\n endpoint https://e:2379\n tls " + ca + "\n }\n}",
			Spec{Etcd: &Etcd{Endpoints: []string{"https://e:2379"}, Prefix: DefaultPrefix, CAFile: ca}}, "", ""},
		{"tls cert key", "x {\n store etcd {\n endpoint https://e:2379\n tls " + cert + " " + key + "\n }\n}",
			Spec{Etcd: &Etcd{Endpoints: []string{"https://e:2379"}, Prefix: DefaultPrefix, CertFile: cert, KeyFile: key}}, "", ""},

		{"no argument", "x {\n store\n}", Spec{}, "", "want a file"},
		{"two files", "x {\n store a b\n}", Spec{}, "", "got 2 arguments"},
		{"file with block", "x {\n store a.db {\n }\n}", Spec{}, "", "takes no block"},
		{"bad endpoint", "x {\n store etcd {\n endpoint 10.0.0.1:2379\n }\n}", Spec{}, "", `endpoint "10.0.0.1:2379" is not an etcd client URL`},
		{"no endpoint", "x {\n store etcd {\n endpoint\n }\n}", Spec{}, "", "Wrong argument count"},
		{"prefix without slash", "x {\n store etcd {\n prefix /dns\n }\n}", Spec{}, "", `prefix "/dns" must end in "/"`},
		{"https without tls", "x {\n store etcd {\n endpoint https://e:2379\n }\n}", Spec{}, "", "give tls"},
		{"tls with http", "x {\n store etcd {\n tls " + ca + "\n }\n}", Spec{}, "", "is not https:// but tls is given"},
		{"tls no args", "x {\n store etcd {\n tls\n }\n}", Spec{}, "", "tls wants CA, CERT KEY, or CERT KEY CA"},
		{"tls missing file", "x {\n store etcd {\n tls /nonexistent/ca.pem\n }\n}", Spec{}, "", "no such file"},
		{"credentials one", "x {\n store etcd {\n credentials user\n }\n}", Spec{}, "", "credentials wants 2 arguments"},
		{"snapshot dir missing", "x {\n store etcd {\n snapshot /nonexistent/dir/snap\n }\n}", Spec{}, "", "directory /nonexistent/dir does not exist"},
		{"name with slash", "x {\n store etcd {\n name a/b\n }\n}", Spec{}, "", `name "a/b" must not contain "/"`},
		{"unknown", "x {\n store etcd {\n path /skydns\n }\n}", Spec{}, "", `unknown property "path"`},
		{"twice", "x {\n store etcd {\n prefix /a/\n prefix /b/\n }\n}", Spec{}, "", "prefix given twice"},
		{"unclosed", "x {\n store etcd {\n prefix /a/\n", Spec{}, "", "Unexpected EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := "/srv"
			if tc.want.Etcd != nil && tc.want.Etcd.Snapshot != "" {
				root = dir
			}
			got, after, err := parseIn(t, tc.input, root)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				if !strings.Contains(err.Error(), "Testfile:") {
					t.Errorf("error %q does not name the line", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %+v %+v, want %+v %+v", got, got.Etcd, tc.want, tc.want.Etcd)
			}
			if after != tc.after {
				t.Errorf("properties after the store: %q, want %q", after, tc.after)
			}
		})
	}
}

// TestErrorLine: an error inside the etcd block names that line, not the store's.
func TestErrorLine(t *testing.T) {
	_, _, err := parseIn(t, "x {\n store etcd {\n prefix /a/\n bogus 1\n }\n}", "")
	if err == nil || !strings.Contains(err.Error(), "Testfile:4") {
		t.Fatalf("error %v, want it at Testfile:4", err)
	}
}

func TestKeyAndID(t *testing.T) {
	a := Spec{Etcd: &Etcd{Endpoints: []string{"http://b:2379", "http://a:2379"}, Prefix: "/p/", Password: "secret"}}
	b := Spec{Etcd: &Etcd{Endpoints: []string{"http://a:2379", "http://b:2379"}, Prefix: "/p/", Password: "secret"}}
	if a.Key() != "etcd:http://a:2379,http://b:2379/p/" || a.Key() != b.Key() || a.ID() != b.ID() {
		t.Errorf("endpoint order matters: %q %q", a.Key(), b.Key())
	}
	if strings.Contains(a.Key(), "secret") || strings.Contains(a.String(), "secret") {
		t.Errorf("Key shows the password: %q", a.Key())
	}
	c := Spec{Etcd: &Etcd{Endpoints: []string{"http://a:2379", "http://b:2379"}, Prefix: "/p/", Password: "other"}}
	if c.ID() == a.ID() || c.Key() != a.Key() {
		t.Errorf("other credentials: same ID %v, same Key %v", c.ID() == a.ID(), c.Key() == a.Key())
	}
	if f := (Spec{File: "/x.db"}); f.Key() != "/x.db" || f.IsZero() || !(Spec{}).IsZero() {
		t.Errorf("file spec: %q", f.Key())
	}
}

// FuzzParse: any etcd block either fails with a line-numbered error or yields a
// usable spec, and never takes the directive's later properties for its own.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "endpoint http://a:1\n prefix /x/", "name n\n snapshot s", "credentials u p", "tls a b c d",
		"prefix /a/\nprefix /b/", "endpoint https://a:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, props string) {
		if strings.ContainsAny(props, "{}\"`\\#") {
			return // braces, quotes and comments are the lexer's and the directive's matter
		}
		spec, after, err := parseIn(t, "x {\n store etcd {\n"+props+"\n }\n marker 1\n}", "")
		if err != nil {
			if !strings.Contains(err.Error(), "Testfile:") {
				t.Fatalf("error %q does not name the line", err)
			}
			return
		}
		e := spec.Etcd
		if e == nil || len(e.Endpoints) == 0 || !strings.HasSuffix(e.Prefix, "/") || strings.Contains(e.Name, "/") {
			t.Fatalf("unusable spec %+v", e)
		}
		if after != "marker" {
			t.Fatalf("the directive's next property was taken by the store: after = %q", after)
		}
	})
}
