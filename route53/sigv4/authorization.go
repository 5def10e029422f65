package sigv4

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm accepted: SigV4 with HMAC-SHA256. SigV4a
// (AWS4-ECDSA-P256-SHA256) is for multi-region endpoints, which Route 53 is not.
const Algorithm = "AWS4-HMAC-SHA256"

// scopeTerminator ends every SigV4 credential scope.
const scopeTerminator = "aws4_request"

// Authorization is a parsed SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/route53/aws4_request,
//	SignedHeaders=host;x-amz-date, Signature=<64 hex digits>
type Authorization struct {
	AccessKeyID   string
	Date          string   // YYYYMMDD of the credential scope
	Region        string   // region of the scope
	Service       string   // service of the scope
	SignedHeaders []string // lower case, strictly ascending, includes "host"
	Signature     string   // 64 lower-case hex digits
}

// Scope is the credential scope: date/region/service/aws4_request.
func (a *Authorization) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

// String formats a as the SDKs write the header; ParseAuthorization(a.String())
// returns a again.
func (a *Authorization) String() string {
	return Algorithm + " Credential=" + a.AccessKeyID + "/" + a.Scope() +
		", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") + ", Signature=" + a.Signature
}

// ParseAuthorization parses an Authorization header value. Errors say what is wrong
// as AWS's IncompleteSignature messages do; they never quote the signature.
func ParseAuthorization(h string) (Authorization, error) {
	var a Authorization
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		alg, _, _ := strings.Cut(h, " ")
		if len(alg) > 40 {
			alg = alg[:40] + "…"
		}
		return a, fmt.Errorf("unsupported algorithm %q: only %s is accepted", alg, Algorithm)
	}
	var cred, signed, sig string
	var seen [3]bool
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, fmt.Errorf("authorization header parameter without '=': %q", clip(k))
		}
		var i int
		switch k {
		case "Credential":
			i, cred = 0, v
		case "SignedHeaders":
			i, signed = 1, v
		case "Signature":
			i, sig = 2, v
		default:
			return a, fmt.Errorf("unknown authorization header parameter %q", clip(k))
		}
		if seen[i] {
			return a, fmt.Errorf("authorization header parameter %s given twice", k)
		}
		seen[i] = true
	}
	var missing []string
	for i, name := range []string{"Credential", "SignedHeaders", "Signature"} {
		if !seen[i] {
			missing = append(missing, "Authorization header requires '"+name+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return a, errors.New(strings.Join(missing, " "))
	}
	if err := a.parseCredential(cred); err != nil {
		return a, err
	}
	if err := a.parseSignedHeaders(signed); err != nil {
		return a, err
	}
	if !isLowerHex(sig, 64) {
		return a, errors.New("signature must be 64 lower-case hexadecimal digits")
	}
	a.Signature = sig
	return a, nil
}

func (a *Authorization) parseCredential(v string) error {
	parts := strings.Split(v, "/")
	if len(parts) != 5 {
		return fmt.Errorf("credential must have the form <key>/<date>/<region>/<service>/%s, got %d parts", scopeTerminator, len(parts))
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	if a.AccessKeyID == "" || len(a.AccessKeyID) > 128 || !printable(a.AccessKeyID) {
		return errors.New("credential: bad access key ID")
	}
	if _, err := time.Parse("20060102", a.Date); err != nil || len(a.Date) != 8 {
		return fmt.Errorf("credential: bad date %q, want YYYYMMDD", clip(a.Date))
	}
	if !validLabel(a.Region) {
		return fmt.Errorf("credential: bad region %q", clip(a.Region))
	}
	if !validLabel(a.Service) {
		return fmt.Errorf("credential: bad service %q", clip(a.Service))
	}
	if parts[4] != scopeTerminator {
		return fmt.Errorf("credential should be scoped with a valid terminator: '%s', not '%s'", scopeTerminator, clip(parts[4]))
	}
	return nil
}

func (a *Authorization) parseSignedHeaders(v string) error {
	if v == "" {
		return errors.New("SignedHeaders is empty")
	}
	hs := strings.Split(v, ";")
	for i, h := range hs {
		if !validHeaderName(h) {
			return fmt.Errorf("SignedHeaders: bad header name %q (lower case token expected)", clip(h))
		}
		if i > 0 && hs[i-1] >= h {
			return fmt.Errorf("SignedHeaders: %q must be sorted and unique", clip(v))
		}
	}
	a.SignedHeaders = hs
	return nil
}

// validLabel is a region or service name: lower-case letters, digits and '-'.
func validLabel(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// validHeaderName is an HTTP token in lower case.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] >= 0x7f {
			return false
		}
	}
	return true
}

// clip bounds what an error message repeats of its input.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
