package transfer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	r53 "github.com/aws/aws-sdk-go-v2/service/route53"
)

// Region is the signing region of requests: Route 53 is global, signed for us-east-1.
const Region = "us-east-1"

// Client drives a Route 53 API (coretraffic's) at an endpoint: the aws-sdk-go-v2
// route53 client for Route 53's operations, signed plain HTTP for the change log
// extension.
type Client struct {
	R53      *r53.Client
	endpoint string
	creds    aws.CredentialsProvider
	http     *http.Client
}

// Credentials says where a client's access key comes from: the AWS_* environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE)
// as the aws CLI reads it, or File and Profile when set.
type Credentials struct {
	File    string // an aws credentials file ([profile] aws_access_key_id = …)
	Profile string
}

// Dial returns a client of the API at endpoint (http://host:port), its key
// loaded as c says. The key is resolved now, so a missing one is an error here.
func Dial(ctx context.Context, endpoint string, c Credentials) (*Client, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(Region),
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled)}
	if c.File != "" {
		opts = append(opts, config.WithSharedCredentialsFiles([]string{c.File}), config.WithSharedConfigFiles([]string{}))
	}
	if c.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.Profile))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	if cfg.Credentials == nil {
		return nil, errors.New("credentials: none found (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or -credentials FILE)")
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(rctx); err != nil {
		return nil, fmt.Errorf("credentials: %w", err)
	}
	return NewClient(endpoint, cfg.Credentials), nil
}

// retryer retries what the SDK deems retryable — Throttling above all: the
// server limits each caller's request rate, and an import is many requests.
func retryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 10
		o.MaxBackoff = 5 * time.Second
		o.RateLimiter = ratelimit.None
	})
}

// NewClient returns a client of the API at endpoint signing with creds.
func NewClient(endpoint string, creds aws.CredentialsProvider) *Client {
	creds = aws.NewCredentialsCache(creds)
	return &Client{
		R53: r53.New(r53.Options{BaseEndpoint: aws.String(endpoint), Region: Region, Credentials: creds,
			Retryer: retryer()}),
		endpoint: endpoint, creds: creds, http: &http.Client{Timeout: time.Minute},
	}
}
