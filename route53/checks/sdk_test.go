package checks

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"

	"github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

// miniServer serves the health check operations from a map with this package's
// functions, the way the API server will, so that the real SDK writes the
// requests this package decodes and parses the documents it builds.
type miniServer struct {
	mu      sync.Mutex
	byID    map[string]HealthCheck
	byRef   map[string]string
	checked time.Time
}

func (m *miniServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rest, _ := strings.CutPrefix(r.URL.Path, "/2013-04-01/")
	parts := strings.Split(rest, "/")
	var hc HealthCheck
	if len(parts) >= 2 {
		var ok bool
		if hc, ok = m.byID[parts[1]]; !ok {
			NoSuchHealthCheck(parts[1]).Write(w, "req")
			return
		}
	}
	switch {
	case r.Method == "POST" && rest == "healthcheck":
		req, err := DecodeCreate(r.Body)
		if err != nil {
			err.Write(w, "req")
			return
		}
		var prior *HealthCheck
		if id, ok := m.byRef[req.CallerReference]; ok {
			p := m.byID[id]
			prior = &p
		}
		hc, created, err := Create(req, prior, false)
		if err != nil {
			err.Write(w, "req")
			return
		}
		if created {
			m.byID[hc.ID], m.byRef[hc.CallerReference] = hc, hc.ID
		}
		w.Header().Set("Location", Location(hc.ID))
		writeXML(w, http.StatusCreated, CreateResponse(hc))
	case r.Method == "GET" && rest == "healthcheck":
		n, err := ParseMaxItems(r.URL.Query().Get("maxitems"))
		if err != nil {
			err.Write(w, "req")
			return
		}
		var all []HealthCheck
		for _, h := range m.byID {
			all = append(all, h)
		}
		writeXML(w, 200, List(all, r.URL.Query().Get("marker"), n))
	case r.Method == "GET" && rest == "healthcheckcount":
		writeXML(w, 200, CountResponse(len(m.byID)))
	case r.Method == "GET" && len(parts) == 2:
		writeXML(w, 200, GetResponse(hc))
	case r.Method == "POST" && len(parts) == 2:
		u, err := DecodeUpdate(r.Body)
		if err == nil {
			hc, err = Update(hc, u)
		}
		if err != nil {
			err.Write(w, "req")
			return
		}
		m.byID[hc.ID] = hc
		writeXML(w, 200, UpdateResponse(hc))
	case r.Method == "DELETE" && len(parts) == 2:
		if err := Delete(hc.ID, referrers(m.byID, hc.ID)); err != nil {
			err.Write(w, "req")
			return
		}
		delete(m.byID, hc.ID)
		writeXML(w, 200, DeleteResponse())
	case r.Method == "GET" && len(parts) == 3 && parts[2] == "status":
		st := &healthcheck.Status{Results: []healthcheck.Result{{At: m.checked, OK: true, Kind: healthcheck.KindOK, Code: 200}}}
		writeXML(w, 200, StatusResponse(Observe("local", "192.0.2.53", hc.HealthCheckConfig, st, m.checked)))
	default:
		apierr.InvalidInput("unexpected %s %s", r.Method, r.URL.Path).Write(w, "req")
	}
}

func referrers(all map[string]HealthCheck, id string) []string {
	var out []string
	for _, h := range all {
		if slices.Contains(h.HealthCheckConfig.ChildHealthChecks, id) {
			out = append(out, "health check "+h.ID)
		}
	}
	return out
}

func writeXML(w http.ResponseWriter, status int, v any) {
	body, err := xml.Marshal(v)
	if err != nil {
		panic(err)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}

func TestSDKRoundTrip(t *testing.T) {
	m := &miniServer{byID: map[string]HealthCheck{}, byRef: map[string]string{}, checked: time.Date(2026, 12, 3, 20, 1, 2, 345e6, time.UTC)}
	srv := httptest.NewServer(m)
	defer srv.Close()
	c := route53.New(route53.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	ctx := context.Background()

	in := &types.HealthCheckConfig{Type: types.HealthCheckTypeHttpsStrMatch, IPAddress: aws.String("192.0.2.1"),
		FullyQualifiedDomainName: aws.String("www.example.org"), ResourcePath: aws.String("/health"), SearchString: aws.String("up"),
		RequestInterval: aws.Int32(10), FailureThreshold: aws.Int32(2), Inverted: aws.Bool(false),
		Regions: []types.HealthCheckRegion{types.HealthCheckRegionUsEast1, types.HealthCheckRegionEuWest1, types.HealthCheckRegionSaEast1}}
	out, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref-1"), HealthCheckConfig: in})
	if err != nil {
		t.Fatal(err)
	}
	hc := out.HealthCheck
	got := hc.HealthCheckConfig
	if *out.Location != Location(*hc.Id) || *hc.HealthCheckVersion != 1 || got.Type != in.Type || *got.IPAddress != "192.0.2.1" ||
		*got.Port != 443 || *got.SearchString != "up" || *got.RequestInterval != 10 || *got.FailureThreshold != 2 ||
		!*got.EnableSNI || *got.MeasureLatency || len(got.Regions) != 3 || *got.Inverted || *got.Disabled {
		t.Fatalf("created: %+v %+v", hc, got)
	}
	// Idempotent: same reference and config → same check.
	again, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref-1"), HealthCheckConfig: in})
	if err != nil || *again.HealthCheck.Id != *hc.Id {
		t.Fatalf("again: %v", err)
	}
	in2 := *in
	in2.SearchString = aws.String("down")
	_, err = c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref-1"), HealthCheckConfig: &in2})
	var exists *types.HealthCheckAlreadyExists
	if !errors.As(err, &exists) {
		t.Fatalf("reused reference: %v", err)
	}
	_, err = c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref-2"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), RequestInterval: aws.Int32(15)}})
	var invalid *types.InvalidInput
	if !errors.As(err, &invalid) {
		t.Fatalf("bad interval: %v", err)
	}

	calc, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String("ref-3"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeCalculated, HealthThreshold: aws.Int32(0), ChildHealthChecks: []string{*hc.Id}}})
	if err != nil || *calc.HealthCheck.HealthCheckConfig.HealthThreshold != 0 || calc.HealthCheck.HealthCheckConfig.Port != nil {
		t.Fatalf("calculated: %v", err)
	}

	up, err := c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: hc.Id, HealthCheckVersion: aws.Int64(1),
		Port: aws.Int32(8443), EnableSNI: aws.Bool(false), ResetElements: []types.ResettableElementName{types.ResettableElementNameRegions}})
	if err != nil || *up.HealthCheck.HealthCheckVersion != 2 || *up.HealthCheck.HealthCheckConfig.Port != 8443 ||
		*up.HealthCheck.HealthCheckConfig.EnableSNI || up.HealthCheck.HealthCheckConfig.Regions != nil {
		t.Fatalf("update: %v %+v", err, up)
	}
	_, err = c.UpdateHealthCheck(ctx, &route53.UpdateHealthCheckInput{HealthCheckId: hc.Id, HealthCheckVersion: aws.Int64(1), Inverted: aws.Bool(true)})
	var mismatch *types.HealthCheckVersionMismatch
	if !errors.As(err, &mismatch) {
		t.Fatalf("stale update: %v", err)
	}
	get, err := c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: hc.Id})
	if err != nil || *get.HealthCheck.HealthCheckVersion != 2 {
		t.Fatalf("get: %v", err)
	}
	_, err = c.GetHealthCheck(ctx, &route53.GetHealthCheckInput{HealthCheckId: aws.String("nope")})
	var nosuch *types.NoSuchHealthCheck
	if !errors.As(err, &nosuch) {
		t.Fatalf("get unknown: %v", err)
	}

	st, err := c.GetHealthCheckStatus(ctx, &route53.GetHealthCheckStatusInput{HealthCheckId: hc.Id})
	if err != nil || len(st.HealthCheckObservations) != 1 {
		t.Fatalf("status: %v", err)
	}
	o := st.HealthCheckObservations[0]
	if o.Region != "local" || *o.IPAddress != "192.0.2.53" || *o.StatusReport.Status != "Success: HTTP Status Code 200, OK. Search string found in the response body" ||
		!o.StatusReport.CheckedTime.Equal(m.checked) {
		t.Errorf("observation: %+v %s %s", o, *o.StatusReport.Status, o.StatusReport.CheckedTime)
	}

	for range 3 {
		if _, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{CallerReference: aws.String(NewID()),
			HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.7"), Port: aws.Int32(22)}}); err != nil {
			t.Fatal(err)
		}
	}
	count, err := c.GetHealthCheckCount(ctx, &route53.GetHealthCheckCountInput{})
	if err != nil || *count.HealthCheckCount != 5 {
		t.Fatalf("count: %v", err)
	}
	var ids []string
	pages := route53.NewListHealthChecksPaginator(c, &route53.ListHealthChecksInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(p.HealthChecks) > 2 || *p.MaxItems != 2 {
			t.Fatalf("page: %+v", p)
		}
		for _, h := range p.HealthChecks {
			ids = append(ids, *h.Id)
		}
	}
	if len(ids) != 5 || !slices.IsSorted(ids) {
		t.Errorf("listed %v", ids)
	}

	_, err = c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: hc.Id})
	var inUse *types.HealthCheckInUse
	if !errors.As(err, &inUse) {
		t.Fatalf("delete of a child: %v", err)
	}
	if _, err = c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: calc.HealthCheck.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err = c.DeleteHealthCheck(ctx, &route53.DeleteHealthCheckInput{HealthCheckId: hc.Id}); err != nil {
		t.Fatal(err)
	}
}
