package checks

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

func wantErr(t *testing.T, what string, err *apierr.Error, code string, status int, msg string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: accepted, want %s", what, code)
		return
	}
	if err.Code != code || err.Status != status || !strings.Contains(err.Message, msg) {
		t.Errorf("%s: got %d %s %q, want %d %s containing %q", what, err.Status, err.Code, err.Message, status, code, msg)
	}
}

func TestValidate(t *testing.T) {
	ip := "192.0.2.1"
	for _, c := range []struct {
		name string
		cfg  HealthCheckConfig
		msg  string // "" means valid
	}{
		{"http", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip}, ""},
		{"https fqdn", HealthCheckConfig{Type: TypeHTTPS, FullyQualifiedDomainName: "www.example.org", ResourcePath: "/x?y=z"}, ""},
		{"tcp v6", HealthCheckConfig{Type: TypeTCP, IPAddress: "2001:db8::1", Port: 22, RequestInterval: 10, FailureThreshold: 10}, ""},
		{"regions", HealthCheckConfig{Type: TypeTCP, IPAddress: ip, Port: 22, Regions: []string{"us-east-1", "eu-west-1", "sa-east-1"}}, ""},
		{"calculated", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(0), ChildHealthChecks: []string{"a"}}, ""},
		{"no type", HealthCheckConfig{IPAddress: ip}, "Invalid health check type"},
		{"cloudwatch", HealthCheckConfig{Type: "CLOUDWATCH_METRIC"}, "not supported"},
		{"no endpoint", HealthCheckConfig{Type: TypeHTTP}, "requires IPAddress or FullyQualifiedDomainName"},
		{"bad ip", HealthCheckConfig{Type: TypeHTTP, IPAddress: "192.0.2.300"}, "Invalid IPAddress"},
		{"zoned ip", HealthCheckConfig{Type: TypeHTTP, IPAddress: "fe80::1%eth0"}, "Invalid IPAddress"},
		{"multicast", HealthCheckConfig{Type: TypeHTTP, IPAddress: "224.0.0.1"}, "not an address"},
		{"bad fqdn", HealthCheckConfig{Type: TypeHTTP, FullyQualifiedDomainName: "a..b"}, "Invalid FullyQualifiedDomainName"},
		{"fqdn with port", HealthCheckConfig{Type: TypeHTTP, FullyQualifiedDomainName: "a.example:80"}, "Invalid FullyQualifiedDomainName"},
		{"root fqdn", HealthCheckConfig{Type: TypeHTTP, FullyQualifiedDomainName: "."}, "Invalid FullyQualifiedDomainName"},
		{"fqdn with fragment", HealthCheckConfig{Type: TypeHTTP, FullyQualifiedDomainName: "a#b.example"}, "Invalid FullyQualifiedDomainName"},
		{"long label", HealthCheckConfig{Type: TypeHTTP, FullyQualifiedDomainName: strings.Repeat("a", 64) + ".example"}, "Invalid FullyQualifiedDomainName"},
		{"path bad escape", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, ResourcePath: "/%zz"}, "Invalid ResourcePath"},
		{"path fragment", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, ResourcePath: "/a#b"}, "Invalid ResourcePath"},
		{"path non-ascii", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, ResourcePath: "/é"}, "Invalid ResourcePath"},
		{"tcp no port", HealthCheckConfig{Type: TypeTCP, IPAddress: ip}, "requires Port"},
		{"port", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, Port: 70000}, "Port must be between 1 and 65535"},
		{"interval", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, RequestInterval: 20}, "RequestInterval must be 10 or 30"},
		{"threshold", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, FailureThreshold: 11}, "FailureThreshold must be between 1 and 10"},
		{"path on tcp", HealthCheckConfig{Type: TypeTCP, IPAddress: ip, Port: 1, ResourcePath: "/"}, "ResourcePath is only valid"},
		{"path with space", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, ResourcePath: "/a b"}, "Invalid ResourcePath"},
		{"no search string", HealthCheckConfig{Type: TypeHTTPStrMatch, IPAddress: ip}, "requires SearchString"},
		{"search string on http", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, SearchString: "x"}, "SearchString is only valid"},
		{"long search string", HealthCheckConfig{Type: TypeHTTPStrMatch, IPAddress: ip, SearchString: strings.Repeat("x", 256)}, "at most 255"},
		{"sni on http", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, EnableSNI: ptr(true)}, "EnableSNI is only valid"},
		{"children on http", HealthCheckConfig{Type: TypeHTTP, IPAddress: ip, ChildHealthChecks: []string{"a"}}, "only valid for CALCULATED"},
		{"two regions", HealthCheckConfig{Type: TypeTCP, IPAddress: ip, Port: 1, Regions: []string{"us-east-1", "eu-west-1"}}, "at least 3"},
		{"bad region", HealthCheckConfig{Type: TypeTCP, IPAddress: ip, Port: 1, Regions: []string{"us-east-1", "eu-west-1", "mars-1"}}, "Invalid health checker region"},
		{"calculated ip", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(1), ChildHealthChecks: []string{"a"}, IPAddress: ip}, "takes only"},
		{"calculated no threshold", HealthCheckConfig{Type: TypeCalculated, ChildHealthChecks: []string{"a"}}, "Invalid parameter : Calculated health checks must have a health threshold specified."},
		{"calculated threshold", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(257), ChildHealthChecks: []string{"a"}}, "between 0 and 256"},
		{"calculated no children", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(0)}, "at least one ChildHealthCheck"},
		{"calculated dup child", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(1), ChildHealthChecks: []string{"a", "a"}}, "listed twice"},
		{"calculated bad child", HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(1), ChildHealthChecks: []string{"a/b"}}, "Invalid ChildHealthCheck ID"},
	} {
		cfg := normalized(c.cfg)
		err := cfg.Validate()
		if c.msg == "" {
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			continue
		}
		wantErr(t, c.name, err, "InvalidInput", http.StatusBadRequest, c.msg)
	}
}

func TestCreateIdempotency(t *testing.T) {
	req := CreateHealthCheckRequest{CallerReference: "ref-1", HealthCheckConfig: HealthCheckConfig{Type: TypeHTTP, IPAddress: "192.0.2.1"}}
	hc, created, err := Create(req, nil, false)
	if err != nil || !created || !ValidID(hc.ID) || len(hc.ID) != 36 || hc.HealthCheckVersion != 1 {
		t.Fatalf("create: %+v %v %v", hc, created, err)
	}
	if c := hc.HealthCheckConfig; c.Port != 80 || c.RequestInterval != 30 || c.FailureThreshold != 3 || c.MeasureLatency == nil || c.EnableSNI == nil || *c.EnableSNI {
		t.Errorf("defaults: %+v", c)
	}
	again, created, err := Create(req, &hc, false)
	if err != nil || created || again.ID != hc.ID {
		t.Errorf("same request again: %+v %v %v", again, created, err)
	}
	other := req
	other.HealthCheckConfig.IPAddress = "192.0.2.2"
	_, _, err = Create(other, &hc, false)
	wantErr(t, "other config", err, CodeHealthCheckAlreadyExists, http.StatusConflict, "ref-1")
	_, _, err = Create(req, &hc, true)
	wantErr(t, "after delete", err, CodeHealthCheckAlreadyExists, http.StatusConflict, "deleted")
	hc2, _, _ := Create(CreateHealthCheckRequest{CallerReference: "ref-2", HealthCheckConfig: req.HealthCheckConfig}, nil, false)
	if hc2.ID == hc.ID {
		t.Error("two checks with one ID")
	}
	_, _, err = Create(CreateHealthCheckRequest{CallerReference: strings.Repeat("r", 65), HealthCheckConfig: req.HealthCheckConfig}, nil, false)
	wantErr(t, "long reference", err, "InvalidInput", 400, "CallerReference")
	_, _, err = Create(CreateHealthCheckRequest{CallerReference: "r", HealthCheckConfig: HealthCheckConfig{Type: TypeTCP, IPAddress: "192.0.2.1"}}, nil, false)
	wantErr(t, "invalid config", err, "InvalidInput", 400, "requires Port")
}

func TestEqualAndLimit(t *testing.T) {
	a := HealthCheckConfig{Type: TypeTCP, IPAddress: "192.0.2.1", Port: 1, Regions: []string{}, EnableSNI: ptr(false)}
	b := HealthCheckConfig{Type: TypeTCP, IPAddress: "192.0.2.1", Port: 1, EnableSNI: ptr(false)}
	if !a.Equal(b) {
		t.Error("empty and absent lists differ")
	}
	for _, o := range []HealthCheckConfig{
		{Type: TypeTCP, IPAddress: "192.0.2.1", Port: 1},
		{Type: TypeTCP, IPAddress: "192.0.2.1", Port: 1, EnableSNI: ptr(true)},
		{Type: TypeTCP, IPAddress: "192.0.2.1", Port: 2, EnableSNI: ptr(false)},
		{Type: TypeTCP, IPAddress: "192.0.2.1", Port: 1, EnableSNI: ptr(false), Regions: []string{"us-east-1"}},
	} {
		if a.Equal(o) {
			t.Errorf("%+v equals %+v", a, o)
		}
	}
	if CheckLimit(199, DefaultLimit) != nil || CheckLimit(5, 0) != nil {
		t.Error("refused under the limit")
	}
	wantErr(t, "limit", CheckLimit(200, DefaultLimit), CodeTooManyHealthChecks, 400, "(200)")
}

func TestUpdate(t *testing.T) {
	hc, _, _ := Create(CreateHealthCheckRequest{CallerReference: "r", HealthCheckConfig: HealthCheckConfig{
		Type: TypeHTTPS, FullyQualifiedDomainName: "www.example.org", ResourcePath: "/h", Regions: []string{"us-east-1", "us-west-1", "us-west-2"}}}, nil, false)
	v := int64(1)
	up, err := Update(hc, UpdateHealthCheckRequest{HealthCheckVersion: &v, IPAddress: ptr("192.0.2.9"), FailureThreshold: ptr(5),
		Inverted: ptr(true), EnableSNI: ptr(false), ResetElements: []string{"ResourcePath", "Regions"}})
	if err != nil {
		t.Fatal(err)
	}
	c := up.HealthCheckConfig
	if up.HealthCheckVersion != 2 || c.IPAddress != "192.0.2.9" || c.FailureThreshold != 5 || !c.Inverted || *c.EnableSNI ||
		c.ResourcePath != "" || c.Regions != nil || c.FullyQualifiedDomainName != "www.example.org" {
		t.Errorf("updated: %+v", up)
	}
	if hc.HealthCheckConfig.Regions == nil || hc.HealthCheckConfig.ResourcePath != "/h" {
		t.Error("the update changed the original")
	}
	_, err = Update(up, UpdateHealthCheckRequest{HealthCheckVersion: &v})
	wantErr(t, "stale version", err, CodeHealthCheckVersionMismatch, http.StatusConflict, "(1) doesn't match the current version (2)")
	_, err = Update(up, UpdateHealthCheckRequest{FailureThreshold: ptr(0)})
	wantErr(t, "bad value", err, "InvalidInput", 400, "FailureThreshold")
	_, err = Update(up, UpdateHealthCheckRequest{ResetElements: []string{"Port"}})
	wantErr(t, "bad reset", err, "InvalidInput", 400, "ResettableElementName")
	_, err = Update(up, UpdateHealthCheckRequest{ResetElements: []string{"FullyQualifiedDomainName"}, IPAddress: ptr("")})
	wantErr(t, "no endpoint left", err, "InvalidInput", 400, "requires IPAddress or FullyQualifiedDomainName")
	noVersion, err := Update(up, UpdateHealthCheckRequest{SearchString: nil, Disabled: ptr(true)})
	if err != nil || noVersion.HealthCheckVersion != 3 || !noVersion.HealthCheckConfig.Disabled {
		t.Errorf("update without a version: %+v %v", noVersion, err)
	}
}

func TestDelete(t *testing.T) {
	if err := Delete("hc", nil); err != nil {
		t.Error(err)
	}
	wantErr(t, "referenced", Delete("hc", []string{"record set www.example.org. A (eu)", "health check calc-1"}), CodeHealthCheckInUse, 400, "www.example.org. A (eu), health check calc-1")
	wantErr(t, "unknown", NoSuchHealthCheck("nope"), CodeNoSuchHealthCheck, 404, "nope")
}

func TestValidateChildren(t *testing.T) {
	calc := func(kids ...string) HealthCheckConfig {
		return HealthCheckConfig{Type: TypeCalculated, HealthThreshold: ptr(1), ChildHealthChecks: kids}
	}
	store := map[string]HealthCheckConfig{
		"a": {Type: TypeTCP, IPAddress: "192.0.2.1", Port: 1},
		"p": calc("a"),
		"q": calc("p"),
	}
	lookup := func(id string) (HealthCheckConfig, bool) { c, ok := store[id]; return c, ok }
	for _, c := range []struct {
		id   string
		cfg  HealthCheckConfig
		want string
	}{
		{"", calc("a", "q"), ""},
		{"", calc("a", "zz"), "no health check exists with the ID zz"},
		{"p", calc("q"), "would be its own child: p -> q -> p"},
		{"q", calc("q"), "would be its own child: q -> q"},
		{"", HealthCheckConfig{Type: TypeTCP}, ""},
	} {
		err := ValidateChildren(c.id, &c.cfg, lookup)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s %v: %v", c.id, c.cfg.ChildHealthChecks, err)
			}
			continue
		}
		wantErr(t, fmt.Sprint(c.id, c.cfg.ChildHealthChecks), err, "InvalidInput", 400, c.want)
	}
}

func TestList(t *testing.T) {
	var all []HealthCheck
	for i := range 7 {
		all = append(all, HealthCheck{ID: fmt.Sprintf("id-%d", 6-i)})
	}
	var got []string
	marker := ""
	pages := 0
	for {
		p := List(all, marker, 3)
		pages++
		if p.Marker != marker || p.MaxItems != 3 {
			t.Fatalf("page %d: %+v", pages, p)
		}
		for _, h := range p.HealthChecks {
			got = append(got, h.ID)
		}
		if !p.IsTruncated {
			if p.NextMarker != "" {
				t.Error("NextMarker on the last page")
			}
			break
		}
		marker = p.NextMarker
	}
	if pages != 3 || strings.Join(got, ",") != "id-0,id-1,id-2,id-3,id-4,id-5,id-6" {
		t.Errorf("%d pages: %v", pages, got)
	}
	if p := List(nil, "", 100); p.HealthChecks == nil || p.IsTruncated {
		t.Errorf("empty: %+v", p)
	}
	for in, want := range map[string]int{"": 100, "5": 5, "5000": 1000} {
		if n, err := ParseMaxItems(in); err != nil || n != want {
			t.Errorf("maxitems %q: %d %v", in, n, err)
		}
	}
	for _, in := range []string{"0", "-1", "x"} {
		if _, err := ParseMaxItems(in); err == nil {
			t.Errorf("maxitems %q accepted", in)
		}
	}
}
