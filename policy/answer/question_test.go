package answer

import (
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

func TestParseQuestion(t *testing.T) {
	for _, tc := range []struct {
		query   string
		want    Question
		wantErr string
	}{
		{query: "name=www.example.net", want: Question{Name: "www.example.net", Type: dns.TypeA, Source: netip.MustParseAddr("127.0.0.1")}},
		{query: "name=www.example.net&type=aaaa&ecs=192.0.2.0/24", want: Question{Name: "www.example.net", Type: dns.TypeAAAA,
			ECS: netip.MustParsePrefix("192.0.2.0/24"), Source: netip.MustParseAddr("192.0.2.0")}},
		{query: "name=x.example.net&ecs=192.0.2.0/24&source=198.51.100.1&down=a,b", want: Question{Name: "x.example.net", Type: dns.TypeA,
			ECS: netip.MustParsePrefix("192.0.2.0/24"), Source: netip.MustParseAddr("198.51.100.1"), Down: []string{"a", "b"}}},
		{query: "type=A", wantErr: "name is required"},
		{query: "name=x&type=NOPE", wantErr: "type: unknown record type NOPE"},
		{query: "name=x&ecs=192.0.2.0", wantErr: "ecs:"},
		{query: "name=x&source=nope", wantErr: "source:"},
	} {
		v, err := url.ParseQuery(tc.query)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParseQuestion(v)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.query, err, tc.wantErr)
			}
			continue
		}
		if err != nil || q.Name != tc.want.Name || q.Type != tc.want.Type || q.ECS != tc.want.ECS || q.Source != tc.want.Source ||
			strings.Join(q.Down, ",") != strings.Join(tc.want.Down, ",") {
			t.Errorf("%s: %+v %v, want %+v", tc.query, q, err, tc.want)
		}
	}
}

// Whatever the query string, a question that parses has a name and a valid source,
// and its ECS (when given) is the source's network unless source overrides it.
func FuzzParseQuestion(f *testing.F) {
	f.Add("name=www.example.net&type=AAAA&ecs=192.0.2.0/24&down=a,b")
	f.Add("name=x&source=2001:db8::1")
	f.Fuzz(func(t *testing.T, query string) {
		v, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		q, err := ParseQuestion(v)
		if err != nil {
			return
		}
		if q.Name == "" || !q.Source.IsValid() {
			t.Fatalf("%q parsed to %+v", query, q)
		}
		if q.ECS.IsValid() && v.Get("source") == "" && q.Source != q.ECS.Addr() {
			t.Fatalf("%q: source %s is not the ECS address %s", query, q.Source, q.ECS.Addr())
		}
	})
}
