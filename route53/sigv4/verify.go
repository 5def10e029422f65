// Package sigv4 authenticates Route 53 API requests signed with AWS Signature
// Version 4 by the AWS SDKs and the aws CLI, against access keys from an AWS shared
// credentials file, and limits each caller's request rate.
//
// It verifies the Authorization header form only: presigned URLs (X-Amz-Signature in
// the query) and temporary credentials (X-Amz-Security-Token) are refused, since
// Route 53 clients never need the first and this server issues no session tokens.
// Errors are *apierr.Error values with AWS's codes and 403 status.
package sigv4

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Defaults of a Verifier.
const (
	// Service is the signing name the SDKs use for Route 53.
	Service = "route53"
	// DefaultMaxSkew is how far X-Amz-Date may be from the server's clock.
	DefaultMaxSkew = 15 * time.Minute
)

// VerifierOptions configure a Verifier.
type VerifierOptions struct {
	// Region, when set, is the only region a credential scope may name. Empty accepts
	// any region: Route 53 is global and aws-sdk-go-v2 with a custom BaseEndpoint
	// signs with the client's configured region (its endpoint rules set us-east-1
	// only for AWS's own endpoints), so clients set to eu-west-1 sign with that.
	Region  string
	MaxSkew time.Duration    // DefaultMaxSkew if 0
	Now     func() time.Time // time.Now if nil
}

// Verifier checks SigV4 signatures. It is safe for concurrent use; SetKeys swaps
// the key set (a reloaded credentials file) atomically.
type Verifier struct {
	keys    atomic.Pointer[Keys]
	region  string
	maxSkew time.Duration
	now     func() time.Time
}

// NewVerifier returns a Verifier of keys.
func NewVerifier(keys *Keys, o VerifierOptions) *Verifier {
	v := &Verifier{region: o.Region, maxSkew: o.MaxSkew, now: o.Now}
	if v.maxSkew <= 0 {
		v.maxSkew = DefaultMaxSkew
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.keys.Store(keys)
	return v
}

// SetKeys replaces the key set; requests verified afterwards use the new one.
func (v *Verifier) SetKeys(keys *Keys) { v.keys.Store(keys) }

// Prepare checks everything that does not need the body: the Authorization header,
// the access key, the scope and the clock. It returns the parsed header for Verify.
func (v *Verifier) Prepare(r *http.Request) (Authorization, *apierr.Error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if r.URL.Query().Has("X-Amz-Signature") {
			return Authorization{}, errIncomplete("Presigned URLs are not supported; sign the Authorization header.")
		}
		return Authorization{}, errMissingToken()
	}
	a, err := ParseAuthorization(h)
	if err != nil {
		return a, errIncomplete(err.Error())
	}
	if r.Header.Get("X-Amz-Security-Token") != "" {
		return a, errSessionToken()
	}
	if _, ok := v.keys.Load().Lookup(a.AccessKeyID); !ok {
		return a, errUnknownKey()
	}
	if a.Service != Service {
		return a, errScope("Credential should be scoped to correct service: '%s'.", Service)
	}
	if v.region != "" && a.Region != v.region {
		return a, errScope("Credential should be scoped to a valid region, not '%s'.", a.Region)
	}
	if !slices.Contains(a.SignedHeaders, "host") {
		return a, errIncomplete("'Host' must be a 'SignedHeader' in the AWS Authorization.")
	}
	amzDate := r.Header.Get("X-Amz-Date")
	if amzDate == "" {
		return a, errIncomplete("Authorization header requires existence of a 'X-Amz-Date' header.")
	}
	if !slices.Contains(a.SignedHeaders, "x-amz-date") {
		return a, errIncomplete("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.")
	}
	signed, perr := time.Parse(TimeFormat, amzDate)
	if perr != nil {
		return a, errIncomplete("X-Amz-Date must have the form YYYYMMDD'T'HHMMSS'Z'.")
	}
	if !strings.HasPrefix(amzDate, a.Date) {
		return a, errScope("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", a.Date, amzDate[:8], amzDate)
	}
	now := v.now().UTC()
	if d := now.Sub(signed); d > v.maxSkew || d < -v.maxSkew {
		return a, errExpired(signed, now, v.maxSkew)
	}
	return a, nil
}

// Verify checks the signature of r, prepared by Prepare, whose body is body. A
// signed X-Amz-Content-Sha256 must be the body's hash (UNSIGNED-PAYLOAD is refused:
// Route 53 bodies are small and always signed). It returns the caller's key.
func (v *Verifier) Verify(r *http.Request, a Authorization, body []byte) (Key, *apierr.Error) {
	key, ok := v.keys.Load().Lookup(a.AccessKeyID)
	if !ok {
		return Key{}, errUnknownKey()
	}
	hash := PayloadHash(body)
	if claimed := r.Header.Get("X-Amz-Content-Sha256"); claimed != "" && claimed != hash {
		return Key{}, errScope("The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	canonical, err := canonicalRequest(r, a.SignedHeaders, hash)
	if err != nil {
		return Key{}, errMismatch()
	}
	sts := stringToSign(r.Header.Get("X-Amz-Date"), a.Scope(), canonical)
	want := signature(signingKey(key.Secret, a.Date, a.Region, a.Service), sts)
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return Key{}, errMismatch()
	}
	return key, nil
}
