package replica_test

import (
	"context"
	"errors"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/replica"
	"github.com/coretraffic/coretraffic/store"
)

// brokenStore fails every read with a lasting (not ErrUnavailable) error, as a
// corrupt or closed store does; its other methods are never reached.
type brokenStore struct {
	store.Store
	err error
}

func (b brokenStore) View(context.Context, func(store.Reader) error) (int64, error) { return 0, b.err }

// TestRunReturnsFollowError: when following the store fails for good, Run returns
// the error at once (its caller logs that the replica stopped) rather than waiting
// for ctx with its compile goroutine still running.
func TestRunReturnsFollowError(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"closed", store.ErrClosed},
		{"corrupt", errors.New("page 7: checksum mismatch")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := replica.New(brokenStore{err: tc.err}, hc.New(hc.Options{}), "run-test", t.Logf)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			got := make(chan error, 1)
			go func() { got <- r.Run(ctx) }()
			select {
			case err := <-got:
				if !errors.Is(err, tc.err) {
					t.Errorf("Run returned %v, want %v", err, tc.err)
				}
			case <-time.After(2 * time.Second):
				cancel()
				<-got
				t.Fatal("Run still running 2 s after the store failed: the replica stopped following silently")
			}
		})
	}
}
