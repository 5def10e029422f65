package sigv4

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/aws/smithy-go"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// skewedSigner signs as the SDK does, with a clock that is off by skew.
type skewedSigner struct {
	skew time.Duration
	v4   *v4.Signer
}

func (s skewedSigner) SignHTTP(ctx context.Context, c aws.Credentials, r *http.Request, hash, service, region string, at time.Time, fns ...func(*v4.SignerOptions)) error {
	return s.v4.SignHTTP(ctx, c, r, hash, service, region, at.Add(s.skew), fns...)
}

// sdkServer serves GetHostedZoneCount (answering count) and CreateHealthCheck
// (refused with InvalidInput, to show the body arrived) behind Auth with the real
// clock, as the API server will.
func sdkServer(t *testing.T, count int, o Options) (*httptest.Server, *[]string) {
	t.Helper()
	var callers []string
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, _ := AccessKeyID(r.Context())
		callers = append(callers, id)
		switch {
		case r.Method == "GET" && r.URL.Path == "/2013-04-01/hostedzonecount":
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><GetHostedZoneCountResponse xmlns="%s"><HostedZoneCount>%d</HostedZoneCount></GetHostedZoneCountResponse>`, apierr.Namespace, count)
		case r.Method == "POST" && r.URL.Path == "/2013-04-01/healthcheck":
			b, err := io.ReadAll(r.Body)
			if err != nil {
				t.Error(err)
			}
			apierr.InvalidInput("got %d bytes with CallerReference %v", len(b), strings.Contains(string(b), "<CallerReference>ref-1</CallerReference>")).Write(w, "r")
		default:
			apierr.NotFound("NoSuchOperation", "%s %s", r.Method, r.URL.Path).Write(w, "r")
		}
	})
	srv := httptest.NewServer(NewAuth(testKeys(t), o).Wrap(inner))
	t.Cleanup(srv.Close)
	return srv, &callers
}

func sdkClient(url, region, secret string, skew time.Duration) *route53.Client {
	return route53.New(route53.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: testKeyID, SecretAccessKey: secret, Source: "test"}, nil
		}),
		HTTPSignerV4:     skewedSigner{skew: skew, v4: v4.NewSigner()},
		RetryMaxAttempts: 1,
	})
}

func TestSDKClient(t *testing.T) {
	srv, callers := sdkServer(t, 42, Options{})
	ctx := context.Background()
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		out, err := sdkClient(srv.URL, region, testSecret, 0).GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
		if err != nil {
			t.Fatalf("%s: %v", region, err)
		}
		if out.HostedZoneCount == nil || *out.HostedZoneCount != 42 {
			t.Fatalf("%s: count %v", region, out.HostedZoneCount)
		}
	}
	if len(*callers) != 2 || (*callers)[0] != testKeyID {
		t.Errorf("callers seen by the handler: %v", *callers)
	}
	// A POST body is verified and handed on intact.
	_, err := sdkClient(srv.URL, "us-east-1", testSecret, 0).CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{
		CallerReference:   aws.String("ref-1"),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(80)},
	})
	var invalid *types.InvalidInput
	if !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "CallerReference true") {
		t.Fatalf("CreateHealthCheck: %v", err)
	}

	for _, c := range []struct {
		name   string
		secret string
		skew   time.Duration
		code   string
		msg    string
	}{
		{"wrong secret", "wrong", 0, CodeSignatureDoesNotMatch, "does not match"},
		{"clock 20 min slow", testSecret, -20 * time.Minute, CodeSignatureDoesNotMatch, "Signature expired"},
		{"clock 20 min fast", testSecret, 20 * time.Minute, CodeSignatureDoesNotMatch, "not yet current"},
	} {
		n := len(*callers)
		_, err := sdkClient(srv.URL, "us-east-1", c.secret, c.skew).GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != c.code || !strings.Contains(ae.ErrorMessage(), c.msg) {
			t.Errorf("%s: %v", c.name, err)
		}
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden {
			t.Errorf("%s: not a 403: %v", c.name, err)
		}
		if len(*callers) != n {
			t.Errorf("%s: the handler ran", c.name)
		}
	}
}

func TestSDKTypedLimits(t *testing.T) {
	srv, _ := sdkServer(t, 1, Options{MaxBody: 256, Rate: 1, Burst: 1})
	ctx := context.Background()
	c := sdkClient(srv.URL, "us-east-1", testSecret, 0)
	_, err := c.CreateHealthCheck(ctx, &route53.CreateHealthCheckInput{
		CallerReference:   aws.String(strings.Repeat("r", 300)),
		HealthCheckConfig: &types.HealthCheckConfig{Type: types.HealthCheckTypeTcp, IPAddress: aws.String("192.0.2.1"), Port: aws.Int32(80)},
	})
	var invalid *types.InvalidInput
	if !errors.As(err, &invalid) || !strings.Contains(invalid.ErrorMessage(), "larger than 256 bytes") {
		t.Fatalf("oversized body: %v", err)
	}
	// A refused body takes no token: one request passes, the next is throttled.
	if _, err = c.GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetHostedZoneCount(ctx, &route53.GetHostedZoneCountInput{})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != CodeThrottling || ae.ErrorMessage() != "Rate exceeded" {
		t.Fatalf("throttled: %v", err)
	}
}
