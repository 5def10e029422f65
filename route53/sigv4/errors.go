package sigv4

import (
	"net/http"
	"strconv"
	"time"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// The errors Route 53 answers unauthenticated requests with. Codes and messages
// are AWS's own, so the SDKs and the aws CLI show what they show against AWS;
// SignatureDoesNotMatch is also one of the codes on which aws-sdk-go-v2 corrects
// its clock from the response's Date header and retries.

// Route 53 error codes of authentication and limits.
const (
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	CodeIncompleteSignature        = "IncompleteSignature"
	CodeInvalidClientTokenID       = "InvalidClientTokenId"
	CodeSignatureDoesNotMatch      = "SignatureDoesNotMatch"
	CodeThrottling                 = "Throttling"
)

func errMissingToken() *apierr.Error {
	return apierr.New(CodeMissingAuthenticationToken, http.StatusForbidden, "Missing Authentication Token")
}

func errIncomplete(msg string) *apierr.Error {
	return apierr.New(CodeIncompleteSignature, http.StatusForbidden, "%s", msg)
}

func errUnknownKey() *apierr.Error {
	return apierr.New(CodeInvalidClientTokenID, http.StatusForbidden, "The security token included in the request is invalid.")
}

func errSessionToken() *apierr.Error {
	return apierr.New(CodeInvalidClientTokenID, http.StatusForbidden,
		"The security token included in the request is invalid. (temporary credentials are not supported: sign with a long-term access key)")
}

func errMismatch() *apierr.Error {
	return apierr.New(CodeSignatureDoesNotMatch, http.StatusForbidden,
		"The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
}

func errScope(format string, args ...any) *apierr.Error {
	return apierr.New(CodeSignatureDoesNotMatch, http.StatusForbidden, format, args...)
}

// errExpired is AWS's message for a request signed too far from the server's clock,
// in either direction.
func errExpired(signed, now time.Time, skew time.Duration) *apierr.Error {
	if signed.Before(now) {
		return apierr.New(CodeSignatureDoesNotMatch, http.StatusForbidden,
			"Signature expired: %s is now earlier than %s (%s - %s.)",
			signed.Format(TimeFormat), now.Add(-skew).Format(TimeFormat), now.Format(TimeFormat), minutes(skew))
	}
	return apierr.New(CodeSignatureDoesNotMatch, http.StatusForbidden,
		"Signature not yet current: %s is still later than %s (%s + %s.)",
		signed.Format(TimeFormat), now.Add(skew).Format(TimeFormat), now.Format(TimeFormat), minutes(skew))
}

func minutes(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.Itoa(int(d/time.Minute)) + " min"
	}
	return d.String()
}

func errThrottled() *apierr.Error {
	return apierr.New(CodeThrottling, http.StatusBadRequest, "Rate exceeded")
}

func errTooLarge(limit int64) *apierr.Error {
	return apierr.InvalidInput("The request body is larger than %d bytes.", limit)
}
