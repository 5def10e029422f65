package console

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
	"github.com/coretraffic/coretraffic/store"
)

// fieldError is one refusal of a change batch, placed on the change and field it
// names (API.md, plan).
type fieldError struct {
	Change  int    `json:"change"`
	Field   string `json:"field"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// writeStoreError answers a store or API error.
func writeStoreError(w http.ResponseWriter, err error) {
	var ae *apierr.Error
	switch {
	case errors.As(err, &ae):
		writeJSON(w, ae.Status, errorDoc{Error: ae.Code, Message: ae.Message, Errors: fieldErrors(ae)})
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, store.ErrClosed):
		writeError(w, http.StatusServiceUnavailable, "unavailable", "the store is unavailable: "+err.Error())
	default:
		writeError(w, http.StatusInternalServerError, "internal", err.Error())
	}
}

// violation is one of the shape validator's messages (route53/shape.go): the value,
// the field path and the constraint.
var violation = regexp.MustCompile(`Value '(?s:.*?)' at '([^']+)' failed to satisfy constraint: `)

// changePath reads "changeBatch.changes.N.member.resourceRecordSet.weight".
var changePath = regexp.MustCompile(`^changeBatch\.changes\.(\d+)\.member(?:\.(.*))?$`)

// fieldErrors splits the validator's error into one entry per refusal: a shape
// error (InvalidInput, "N validation errors detected: …; …") per violation with
// its change and field; an InvalidChangeBatch per message, on the change whose
// record set it names when it names one.
func fieldErrors(ae *apierr.Error) []fieldError {
	if len(ae.Messages) > 0 {
		out := make([]fieldError, 0, len(ae.Messages))
		for _, m := range ae.Messages {
			out = append(out, fieldError{Change: -1, Message: m})
		}
		return out
	}
	locs := violation.FindAllStringSubmatchIndex(ae.Message, -1)
	if len(locs) == 0 {
		return nil
	}
	out := make([]fieldError, 0, len(locs))
	for i, l := range locs {
		end := len(ae.Message)
		if i+1 < len(locs) {
			end = strings.LastIndex(ae.Message[:locs[i+1][0]], ";")
			if end < l[1] {
				end = locs[i+1][0]
			}
		}
		path := ae.Message[l[2]:l[3]]
		fe := fieldError{Change: -1, Path: path, Message: strings.TrimSpace(ae.Message[l[0]:end])}
		if m := changePath.FindStringSubmatch(path); m != nil {
			n, _ := strconv.Atoi(m[1])
			fe.Change = n - 1
			fe.Field = fieldName(strings.TrimPrefix(m[2], "resourceRecordSet"))
			if m[2] == "action" {
				fe.Field = "Action"
			}
		}
		out = append(out, fe)
	}
	return out
}

// fieldName turns ".geoLocation.countryCode" into "GeoLocation.CountryCode".
func fieldName(p string) string {
	parts := strings.Split(strings.TrimPrefix(p, "."), ".")
	var keep []string
	for _, s := range parts {
		if s == "" || s == "member" || isDigits(s) {
			continue
		}
		keep = append(keep, strings.ToUpper(s[:1])+s[1:])
	}
	f := strings.Join(keep, ".")
	switch f {
	case "TTL", "Ttl":
		return "TTL"
	case "HealthCheckId":
		return "HealthCheckId"
	}
	return strings.ReplaceAll(f, "Ttl", "TTL")
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}
