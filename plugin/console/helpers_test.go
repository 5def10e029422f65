package console

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/coretraffic/coretraffic/geo"
	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/coretraffic/coretraffic/route53/api"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/route53/sigv4"
	boltstore "github.com/coretraffic/coretraffic/store/bolt"
)

const (
	testKey    = "AKIDCONSOLETEST"
	testSecret = "console-test-secret"
)

// fixture is a console over a real bbolt store with a running replica, the Route 53
// API beside it (to set data up as a user would), and the demo-like zone:
//
//	w.example.net   weighted: a 200 → 192.0.2.1, b 50 → 192.0.2.2
//	fo.example.net  failover: fra (PRIMARY, check) → 192.0.2.10, bak (SECONDARY) → 192.0.2.20
//	geo.example.net geolocation: de (DE) → alias fo, us-va (US-VA) → 192.0.2.30, any (*) → alias w
type fixture struct {
	t       *testing.T
	store   *boltstore.Store
	replica *replica.Replica
	engine  *hc.Engine
	console *Server
	srv     *httptest.Server
	r53     *r53.Client
	zoneID  string
	checkID string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := boltstore.Open(filepath.Join(t.TempDir(), "store.db"), boltstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	engine := hc.New(hc.Options{})
	rep := replica.New(st, engine, "console-test", t.Logf)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rep.Run(ctx) }()
	keys, err := sigv4.NewKeys(sigv4.Key{AccessKeyID: testKey, Secret: testSecret, Profile: "test"})
	if err != nil {
		t.Fatal(err)
	}
	apiSrv := httptest.NewServer(api.New(api.Config{Store: st, Replica: rep, Keys: keys, Logf: t.Logf, Auth: sigv4.Options{Rate: -1}}))
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	c := New(Config{Store: st, Replica: rep, Engine: engine, Keys: keys, Logf: t.Logf, Step: 100 * time.Millisecond,
		Locator: func() answer.Locator { return testLocator }})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	f := &fixture{t: t, store: st, replica: rep, engine: engine, console: c, srv: srv,
		r53: r53.New(r53.Options{BaseEndpoint: aws.String(apiSrv.URL), Region: "us-east-1",
			Credentials: credentials.NewStaticCredentialsProvider(testKey, testSecret, ""), Retryer: aws.NopRetryer{}})}
	t.Cleanup(func() {
		srv.Close()
		c.Stop()
		apiSrv.Close()
		target.Close()
		cancel()
		<-done
		st.Close()
	})
	f.populate(target.URL)
	return f
}

// testLocator places 192.0.2.0/24 in Frankfurt (DE-HE), 198.51.100.0/24 in
// Virginia (US-VA) and everything else nowhere.
func testLocator(src netip.Addr, ecs *geo.ECS) (geo.Client, error) {
	c := geo.Client{Addr: src, SourcePrefix: src.BitLen()}
	if ecs != nil {
		c.Addr, c.SourcePrefix, c.ECS, c.FromECS, c.ECSFamily, c.ECSAddr = ecs.Addr, ecs.Source, true, true, ecs.Family, ecs.Addr
	}
	switch {
	case netip.MustParsePrefix("192.0.2.0/24").Contains(c.Addr):
		c.Location = geo.Location{Continent: "EU", Country: "DE", City: "Frankfurt am Main"}
		c.Location.Subdivisions[0] = "DE-HE"
		c.Found, c.Scope = true, 24
	case netip.MustParsePrefix("198.51.100.0/24").Contains(c.Addr):
		c.Location = geo.Location{Continent: "NA", Country: "US"}
		c.Location.Subdivisions[0] = "US-VA"
		c.Found, c.Scope = true, 24
	}
	return c, nil
}

func rec(name, id string, value string, edit func(*types.ResourceRecordSet)) types.ResourceRecordSet {
	rs := types.ResourceRecordSet{Name: aws.String(name), Type: types.RRTypeA, TTL: aws.Int64(60)}
	if value != "" {
		rs.ResourceRecords = []types.ResourceRecord{{Value: aws.String(value)}}
	}
	if id != "" {
		rs.SetIdentifier = aws.String(id)
	}
	if edit != nil {
		edit(&rs)
	}
	return rs
}

func (f *fixture) populate(target string) {
	t, ctx := f.t, context.Background()
	z, err := f.r53.CreateHostedZone(ctx, &r53.CreateHostedZoneInput{Name: aws.String("example.net."), CallerReference: aws.String("console-test")})
	if err != nil {
		t.Fatal(err)
	}
	f.zoneID = strings.TrimPrefix(aws.ToString(z.HostedZone.Id), "/hostedzone/")
	u, _ := url.Parse(target)
	host, port, _ := net.SplitHostPort(u.Host)
	p, _ := strconv.Atoi(port)
	hcOut, err := f.r53.CreateHealthCheck(ctx, &r53.CreateHealthCheckInput{CallerReference: aws.String("fra"), HealthCheckConfig: &types.HealthCheckConfig{
		Type: types.HealthCheckTypeHttp, IPAddress: aws.String(host), Port: aws.Int32(int32(p)), ResourcePath: aws.String("/"),
		RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(1)}})
	if err != nil {
		t.Fatal(err)
	}
	f.checkID = aws.ToString(hcOut.HealthCheck.Id)
	sets := []types.ResourceRecordSet{
		rec("w.example.net.", "a", "192.0.2.1", func(rs *types.ResourceRecordSet) { rs.Weight = aws.Int64(200) }),
		rec("w.example.net.", "b", "192.0.2.2", func(rs *types.ResourceRecordSet) { rs.Weight = aws.Int64(50) }),
		rec("fo.example.net.", "fra", "192.0.2.10", func(rs *types.ResourceRecordSet) {
			rs.Failover, rs.HealthCheckId = types.ResourceRecordSetFailoverPrimary, aws.String(f.checkID)
		}),
		rec("fo.example.net.", "bak", "192.0.2.20", func(rs *types.ResourceRecordSet) { rs.Failover = types.ResourceRecordSetFailoverSecondary }),
		rec("geo.example.net.", "de", "", func(rs *types.ResourceRecordSet) {
			rs.TTL, rs.GeoLocation = nil, &types.GeoLocation{CountryCode: aws.String("DE")}
			rs.AliasTarget = &types.AliasTarget{HostedZoneId: aws.String(f.zoneID), DNSName: aws.String("fo.example.net."), EvaluateTargetHealth: true}
		}),
		rec("geo.example.net.", "us-va", "192.0.2.30", func(rs *types.ResourceRecordSet) {
			rs.GeoLocation = &types.GeoLocation{CountryCode: aws.String("US"), SubdivisionCode: aws.String("VA")}
		}),
		rec("geo.example.net.", "any", "", func(rs *types.ResourceRecordSet) {
			rs.TTL, rs.GeoLocation = nil, &types.GeoLocation{CountryCode: aws.String("*")}
			rs.AliasTarget = &types.AliasTarget{HostedZoneId: aws.String(f.zoneID), DNSName: aws.String("w.example.net."), EvaluateTargetHealth: true}
		}),
	}
	cb := &types.ChangeBatch{Comment: aws.String("fixture")}
	for i := range sets {
		cb.Changes = append(cb.Changes, types.Change{Action: types.ChangeActionCreate, ResourceRecordSet: &sets[i]})
	}
	out, err := f.r53.ChangeResourceRecordSets(ctx, &r53.ChangeResourceRecordSetsInput{HostedZoneId: aws.String(f.zoneID), ChangeBatch: cb})
	if err != nil {
		t.Fatal(err)
	}
	f.waitServed(f.store.Revision())
	_ = out
	// The check's first probe is in: the tree shows it up.
	deadline := time.Now().Add(5 * time.Second)
	for {
		if h, ok := f.engine.Handle(f.checkID); ok && h.Status().Probed && h.Up() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("health check not up after 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fixture) waitServed(rev int64) {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !f.replica.WaitServed(ctx, rev) {
		f.t.Fatalf("revision %d not served after 5 s", rev)
	}
}

// browser is a client with a cookie jar, as a page is.
type browser struct {
	f    *fixture
	c    *http.Client
	csrf string
}

func (f *fixture) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{f: f, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs b in and keeps the CSRF token.
func (b *browser) login() *browser {
	b.f.t.Helper()
	resp, body := b.do("POST", "/api/login", `{"access_key_id":"`+testKey+`","secret_access_key":"`+testSecret+`"}`, map[string]string{"Origin": b.f.srv.URL})
	if resp.StatusCode != http.StatusOK {
		b.f.t.Fatalf("login: %d %s", resp.StatusCode, body)
	}
	var d sessionDoc
	if err := json.Unmarshal(body, &d); err != nil || d.CSRF == "" {
		b.f.t.Fatalf("login answer %s: %v", body, err)
	}
	b.csrf = d.CSRF
	return b
}

func (b *browser) do(method, path, body string, hdr map[string]string) (*http.Response, []byte) {
	b.f.t.Helper()
	req, err := http.NewRequest(method, b.f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		b.f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.f.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, data
}

// get fetches path and decodes the JSON answer into v, wanting 200.
func (b *browser) get(path string, v any) {
	b.f.t.Helper()
	resp, body := b.do("GET", path, "", nil)
	if resp.StatusCode != http.StatusOK {
		b.f.t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		b.f.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// post sends a mutating request as the page does (token and Origin).
func (b *browser) post(path, body string) (*http.Response, []byte) {
	b.f.t.Helper()
	return b.do("POST", path, body, map[string]string{"Origin": b.f.srv.URL, "X-CSRF-Token": b.csrf})
}
