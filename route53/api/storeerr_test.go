package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/store"
)

// TestStoreErr: a store failure becomes Route 53's error, and a 503 says
// whether the change may still be applied (an etcd commit sent and not
// acknowledged) or surely was not.
func TestStoreErr(t *testing.T) {
	for _, tc := range []struct {
		err        error
		code       string
		status     int
		msg, notIn string
	}{
		{fmt.Errorf("%w: etcd x: read revision: no leader", store.ErrUnavailable), "ServiceUnavailable", http.StatusServiceUnavailable, "nothing was changed", "may still"},
		{context.DeadlineExceeded, "ServiceUnavailable", http.StatusServiceUnavailable, "nothing was changed", "may still"},
		{fmt.Errorf("%w: etcd x: commit revision 7: deadline (%w)", store.ErrUnavailable, store.ErrUnacknowledged), "ServiceUnavailable", http.StatusServiceUnavailable, "may still be applied", "nothing was changed"},
		{errors.New("disk on fire"), "InternalFailure", http.StatusInternalServerError, "disk on fire", "nothing was changed"},
	} {
		e := storeErr(tc.err)
		if e.Code != tc.code || e.Status != tc.status || !strings.Contains(e.Message, tc.msg) || strings.Contains(e.Message, tc.notIn) {
			t.Errorf("storeErr(%v) = %s %d %q; want %s %d with %q, without %q", tc.err, e.Code, e.Status, e.Message, tc.code, tc.status, tc.msg, tc.notIn)
		}
	}
}
