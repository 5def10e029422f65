package api

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/coretraffic/coretraffic/route53/catalog"
	"github.com/coretraffic/coretraffic/store"
)

// DefaultChangeRetention is how long the change log keeps a change when the
// Corefile does not say: CloudTrail's event history, the record of Route 53
// changes AWS keeps by default, is 90 days.
const DefaultChangeRetention = 90 * 24 * time.Hour

// trimChunk bounds the deletions of one store transaction (etcd refuses
// transactions of more than 128 operations by default).
const trimChunk = 100

// TrimChangeLog deletes the changes submitted more than Config.ChangeRetention ago
// from the change log (nothing when the retention is 0: keep every change) and
// returns how many it deleted. Their GetChange is NoSuchChange from then on, as
// Route 53's is for a change it no longer knows, and they are gone from ListChanges
// and revert. Several servers sharing a store may trim at once: a change deleted
// twice is deleted once.
func (s *Server) TrimChangeLog(ctx context.Context) (int, error) {
	if s.cfg.ChangeRetention <= 0 {
		return 0, nil
	}
	cutoff := s.cfg.Now().Add(-s.cfg.ChangeRetention)
	var old []string
	_, err := s.cfg.Store.View(ctx, func(rd store.Reader) error {
		var derr error
		err := rd.Scan(catalog.ChangePrefix, "", func(key string, value []byte) bool {
			var c struct{ Submitted time.Time }
			if err := json.Unmarshal(value, &c); err != nil {
				derr = fmt.Errorf("change log key %q: %v", key, err)
				return false
			}
			if c.Submitted.Before(cutoff) {
				old = append(old, key)
			}
			return true
		})
		return firstErr(err, derr)
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for len(old) > 0 {
		chunk := old[:min(len(old), trimChunk)]
		if _, err := s.cfg.Store.Update(ctx, func(tx store.Tx) error {
			for _, k := range chunk {
				if err := tx.Delete(k); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return n, err
		}
		n += len(chunk)
		old = old[len(chunk):]
	}
	return n, nil
}

// KeepChangeLog trims the change log now and then every interval until ctx ends,
// reporting each trim (and failure) to logf.
func (s *Server) KeepChangeLog(ctx context.Context, interval time.Duration, logf func(string, ...any)) {
	if s.cfg.ChangeRetention <= 0 {
		return
	}
	for {
		n, err := s.TrimChangeLog(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			logf("change log: trimming changes older than %v: %v (tried again in %v)", s.cfg.ChangeRetention, err, interval)
		case n > 0:
			logf("change log: %d changes older than %v deleted", n, s.cfg.ChangeRetention)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
