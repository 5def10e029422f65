package trafficflow

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/coretraffic/coretraffic/route53/apierr"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
)

// sdkServer serves the operations over fakeState as the HTTP server will, so the
// AWS SDK for Go can read what they write: shapes, Location headers, typed errors.
func sdkServer(t *testing.T, s *fakeState) *route53.Client {
	var mu sync.Mutex
	ids := 0
	newID := func() string { ids++; return fmt.Sprintf("id-%d", ids) }
	reply := func(w http.ResponseWriter, status int, location string, body any, err *apierr.Error) {
		if err != nil {
			err.Write(w, "req-1")
			return
		}
		b, merr := xml.Marshal(body)
		if merr != nil {
			t.Error(merr)
		}
		if location != "" {
			w.Header().Set("Location", location)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(b)
	}
	decode := func(r *http.Request, v any) *apierr.Error {
		if err := xml.NewDecoder(r.Body).Decode(v); err != nil {
			return apierr.InvalidInput("%v", err)
		}
		return nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2013-04-01/trafficpolicy", func(w http.ResponseWriter, r *http.Request) {
		var req CreateTrafficPolicyRequest
		if err := decode(r, &req); err != nil {
			reply(w, 0, "", nil, err)
			return
		}
		p, resp, err := CreateTrafficPolicy(s, &req, newID())
		if err == nil {
			s.put(p)
			reply(w, http.StatusCreated, resp.Location, resp, nil)
			return
		}
		reply(w, 0, "", nil, err)
	})
	mux.HandleFunc("GET /2013-04-01/trafficpolicy/{id}/{version}", func(w http.ResponseWriter, r *http.Request) {
		resp, err := GetTrafficPolicy(s, r.PathValue("id"), r.PathValue("version"))
		reply(w, http.StatusOK, "", resp, err)
	})
	mux.HandleFunc("DELETE /2013-04-01/trafficpolicy/{id}/{version}", func(w http.ResponseWriter, r *http.Request) {
		p, resp, err := DeleteTrafficPolicy(s, r.PathValue("id"), r.PathValue("version"))
		if err == nil {
			s.put(p)
		}
		reply(w, http.StatusOK, "", resp, err)
	})
	mux.HandleFunc("GET /2013-04-01/trafficpolicies", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		resp, err := ListTrafficPolicies(s, q.Get("trafficpolicyid"), q.Get("maxitems"))
		reply(w, http.StatusOK, "", resp, err)
	})
	mux.HandleFunc("POST /2013-04-01/trafficpolicyinstance", func(w http.ResponseWriter, r *http.Request) {
		var req CreateTrafficPolicyInstanceRequest
		if err := decode(r, &req); err != nil {
			reply(w, 0, "", nil, err)
			return
		}
		in, resp, err := CreateTrafficPolicyInstance(s, &req, newID())
		if err == nil {
			s.putInstance(in)
			reply(w, http.StatusCreated, resp.Location, resp, nil)
			return
		}
		reply(w, 0, "", nil, err)
	})
	mux.HandleFunc("GET /2013-04-01/trafficpolicyinstances", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		resp, err := ListTrafficPolicyInstances(s, q.Get("hostedzoneid"), q.Get("trafficpolicyinstancename"), q.Get("trafficpolicyinstancetype"), q.Get("maxitems"))
		reply(w, http.StatusOK, "", resp, err)
	})
	mux.HandleFunc("GET /2013-04-01/trafficpolicyinstancecount", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, "", GetTrafficPolicyInstanceCount(s), nil)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
	})
	return route53.New(route53.Options{BaseEndpoint: aws.String(srv.URL), Region: "us-east-1", Credentials: creds})
}

func TestSDKReadsResponses(t *testing.T) {
	ctx := context.Background()
	s := newState()
	s.limits.Instances = 10
	c := sdkServer(t, s)

	cp, err := c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("web"), Document: aws.String(docA), Comment: aws.String("hi")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.Location) != "/2013-04-01/trafficpolicy/id-1/1" || aws.ToString(cp.TrafficPolicy.Id) != "id-1" ||
		aws.ToInt32(cp.TrafficPolicy.Version) != 1 || cp.TrafficPolicy.Type != types.RRTypeA || aws.ToString(cp.TrafficPolicy.Comment) != "hi" {
		t.Errorf("create: %+v %+v", cp, cp.TrafficPolicy)
	}
	_, err = c.CreateTrafficPolicy(ctx, &route53.CreateTrafficPolicyInput{Name: aws.String("bad"), Document: aws.String(`{"RecordType":"A"}`)})
	var bad *types.InvalidTrafficPolicyDocument
	if !errors.As(err, &bad) || bad.ErrorMessage() != "AWSPolicyFormatVersion: missing; Document: missing StartEndpoint or StartRule" {
		t.Errorf("bad document: %v", err)
	}
	gp, err := c.GetTrafficPolicy(ctx, &route53.GetTrafficPolicyInput{Id: aws.String("id-1"), Version: aws.Int32(1)})
	if err != nil || aws.ToString(gp.TrafficPolicy.Document) != docA {
		t.Errorf("get: %v", err)
	}
	_, err = c.GetTrafficPolicy(ctx, &route53.GetTrafficPolicyInput{Id: aws.String("nope"), Version: aws.Int32(1)})
	var nsp *types.NoSuchTrafficPolicy
	if !errors.As(err, &nsp) {
		t.Errorf("get unknown: %v", err)
	}
	lp, err := c.ListTrafficPolicies(ctx, &route53.ListTrafficPoliciesInput{})
	if err != nil || len(lp.TrafficPolicySummaries) != 1 || aws.ToInt32(lp.TrafficPolicySummaries[0].LatestVersion) != 1 || lp.IsTruncated {
		t.Errorf("list: %v %+v", err, lp)
	}

	ci, err := c.CreateTrafficPolicyInstance(ctx, &route53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String("/hostedzone/Z1"),
		Name: aws.String("www.example.com"), TTL: aws.Int64(60), TrafficPolicyId: aws.String("id-1"), TrafficPolicyVersion: aws.Int32(1)})
	if err != nil || aws.ToString(ci.TrafficPolicyInstance.Name) != "www.example.com." || aws.ToString(ci.TrafficPolicyInstance.State) != StateCreating ||
		aws.ToString(ci.Location) != "/2013-04-01/trafficpolicyinstance/id-3" /* id-2 went to the refused policy */ {
		t.Fatalf("create instance: %v %+v %q %q", err, ci.TrafficPolicyInstance, aws.ToString(ci.TrafficPolicyInstance.Name), aws.ToString(ci.Location))
	}
	_, err = c.CreateTrafficPolicyInstance(ctx, &route53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String("Z1"),
		Name: aws.String("www.example.com"), TTL: aws.Int64(60), TrafficPolicyId: aws.String("id-1"), TrafficPolicyVersion: aws.Int32(1)})
	var exists *types.TrafficPolicyInstanceAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("instance twice: %v", err)
	}
	for i := range 3 {
		_, err = c.CreateTrafficPolicyInstance(ctx, &route53.CreateTrafficPolicyInstanceInput{HostedZoneId: aws.String("Z2"),
			Name: aws.String("n" + strconv.Itoa(i) + ".example.net"), TTL: aws.Int64(60), TrafficPolicyId: aws.String("id-1"), TrafficPolicyVersion: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	in := &route53.ListTrafficPolicyInstancesInput{MaxItems: aws.Int32(3)}
	for range 4 {
		li, err := c.ListTrafficPolicyInstances(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range li.TrafficPolicyInstances {
			names = append(names, aws.ToString(x.Name))
		}
		if !li.IsTruncated {
			break
		}
		in.HostedZoneIdMarker, in.TrafficPolicyInstanceNameMarker, in.TrafficPolicyInstanceTypeMarker = li.HostedZoneIdMarker, li.TrafficPolicyInstanceNameMarker, li.TrafficPolicyInstanceTypeMarker
	}
	if fmt.Sprint(names) != "[www.example.com. n0.example.net. n1.example.net. n2.example.net.]" {
		t.Errorf("instances over pages: %v", names)
	}
	cnt, err := c.GetTrafficPolicyInstanceCount(ctx, &route53.GetTrafficPolicyInstanceCountInput{})
	if err != nil || aws.ToInt32(cnt.TrafficPolicyInstanceCount) != 4 {
		t.Errorf("count: %v", err)
	}
	_, err = c.DeleteTrafficPolicy(ctx, &route53.DeleteTrafficPolicyInput{Id: aws.String("id-1"), Version: aws.Int32(1)})
	var inUse *types.TrafficPolicyInUse
	if !errors.As(err, &inUse) {
		t.Errorf("delete in use: %v", err)
	}
}
