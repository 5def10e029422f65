package sigv4

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"github.com/google/uuid"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// DefaultMaxBody caps a request body. Route 53's largest requests are change
// batches of at most 1,000 records and 32,000 characters of values, far below it.
const DefaultMaxBody = 1 << 20

// Options configure the authenticating middleware.
type Options struct {
	Verifier VerifierOptions
	// MaxBody is the largest request body read, in bytes; DefaultMaxBody if 0.
	MaxBody int64
	// Rate is the requests per second each access key may make, with bursts of
	// Burst; DefaultRate and DefaultBurst if 0. A negative Rate turns limiting off.
	Rate  float64
	Burst int
	// RequestID names a request in error answers; a random UUID if nil.
	RequestID func(*http.Request) string
	// OnDeny, if set, is told of every refused request: the claimed access key ID
	// (empty if none could be read) and the error. It is never given a secret.
	OnDeny func(r *http.Request, accessKeyID string, err *apierr.Error)
}

// Auth is an http.Handler middleware that lets through only requests signed with a
// known key, within the body cap and the caller's rate. It reads the body once and
// hands the next handler an identical, re-readable body.
type Auth struct {
	verifier  *Verifier
	limiter   *Limiter
	maxBody   int64
	requestID func(*http.Request) string
	onDeny    func(*http.Request, string, *apierr.Error)
}

// NewAuth returns the middleware for keys.
func NewAuth(keys *Keys, o Options) *Auth {
	a := &Auth{verifier: NewVerifier(keys, o.Verifier), maxBody: o.MaxBody, requestID: o.RequestID, onDeny: o.OnDeny}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBody
	}
	if a.requestID == nil {
		a.requestID = func(*http.Request) string { return uuid.NewString() }
	}
	switch {
	case o.Rate == 0:
		a.limiter = NewLimiter(DefaultRate, DefaultBurst, o.Verifier.Now)
	case o.Rate > 0:
		burst := o.Burst
		if burst == 0 {
			burst = DefaultBurst
		}
		a.limiter = NewLimiter(o.Rate, burst, o.Verifier.Now)
	}
	return a
}

// SetKeys replaces the key set (a reloaded credentials file).
func (a *Auth) SetKeys(keys *Keys) { a.verifier.SetKeys(keys) }

// Wrap returns next behind authentication. The next handler finds the caller's
// access key ID with AccessKeyID(r.Context()).
func (a *Auth) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, err := a.check(r)
		if err != nil {
			if a.onDeny != nil {
				a.onDeny(r, claimedKey(r), err)
			}
			err.Write(w, a.requestID(r))
			return
		}
		next.ServeHTTP(w, r.WithContext(WithAccessKeyID(r.Context(), key.AccessKeyID)))
	})
}

// check authenticates r and replaces its body by the bytes read.
func (a *Auth) check(r *http.Request) (Key, *apierr.Error) {
	auth, err := a.verifier.Prepare(r)
	if err != nil {
		return Key{}, err
	}
	if r.ContentLength > a.maxBody {
		return Key{}, errTooLarge(a.maxBody)
	}
	var body []byte
	if r.Body != nil {
		b, rerr := io.ReadAll(io.LimitReader(r.Body, a.maxBody+1))
		_ = r.Body.Close()
		if rerr != nil {
			return Key{}, apierr.InvalidInput("Could not read the request body.")
		}
		if int64(len(b)) > a.maxBody {
			return Key{}, errTooLarge(a.maxBody)
		}
		body = b
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	key, err := a.verifier.Verify(r, auth, body)
	if err != nil {
		return Key{}, err
	}
	if a.limiter != nil && !a.limiter.Allow(key.AccessKeyID) {
		return Key{}, errThrottled()
	}
	return key, nil
}

// claimedKey is the access key ID the Authorization header names, for OnDeny.
func claimedKey(r *http.Request) string {
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err != nil {
		return ""
	}
	return a.AccessKeyID
}

type ctxKey struct{}

// WithAccessKeyID returns ctx carrying the caller's access key ID.
func WithAccessKeyID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// AccessKeyID is the authenticated caller of a request that went through Auth.
func AccessKeyID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(ctxKey{}).(string)
	return id, ok
}
