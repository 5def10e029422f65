package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/coretraffic/coretraffic/store"
)

// errFinished refuses a Tx used after its Update's fn returned.
var errFinished = errors.New("etcdstore: Tx used after the Update's fn returned")

// Update runs fn against a snapshot and commits its writes in one etcd
// transaction that succeeds only if no other Update committed since the
// snapshot; otherwise it reruns fn on a fresh snapshot. It returns the new
// revision once etcd's quorum has committed the batch.
//
// store.ErrUnavailable alone means nothing was sent to commit. With
// store.ErrUnacknowledged the commit was sent and not acknowledged: when the
// request reached the leader before quorum was lost it may still commit
// later (at most once: a retry would fail the comparison).
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) (int64, error) {
	if err := s.enter(ctx); err != nil {
		return 0, err
	}
	defer s.closeMu.RUnlock()
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	defer func() { <-s.writer }()
	for attempt := 0; ; attempt++ {
		m, err := s.readMeta(ctx)
		if err != nil {
			return 0, err
		}
		t := &txn{r: reader{s: s, ctx: ctx, at: m.etcdRev}, touched: make(map[string]*pending)}
		fnErr := fn(t)
		t.finished = true
		if fnErr != nil {
			return 0, fnErr
		}
		changes, err := t.changes()
		if err != nil {
			return 0, err
		}
		if len(changes) == 0 {
			return m.rev, nil
		}
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		ok, err := s.commit(ctx, m, changes)
		if err != nil {
			return 0, err
		}
		if ok {
			s.ring.add(store.Event{Revision: m.rev + 1, Changes: changes})
			s.raise(m.rev + 1)
			return m.rev + 1, nil
		}
		// Another Update won. Rerun at once the first time; after that a
		// short random pause keeps a crowd of writers from colliding again.
		if attempt > 0 {
			pause := time.Duration(rand.Int64N(int64(min(attempt, 10)) * int64(time.Millisecond)))
			select {
			case <-time.After(pause):
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
	}
}

// commit writes changes as revision m.rev+1 if m/rev and m/compact are
// unchanged since m was read; ok is false when they changed.
func (s *Store) commit(ctx context.Context, m meta, changes []store.Change) (ok bool, err error) {
	rev := m.rev + 1
	ops := make([]clientv3.Op, 0, len(changes)+4)
	for _, c := range changes {
		if c.Deleted {
			ops = append(ops, clientv3.OpDelete(s.keys.data(c.Key)))
		} else {
			ops = append(ops, clientv3.OpPut(s.keys.data(c.Key), string(c.Value)))
		}
	}
	ops = append(ops,
		clientv3.OpPut(s.keys.rev(), strconv.FormatInt(rev, 10)),
		clientv3.OpPut(s.keys.log(rev), string(store.EncodeChanges(changes))))
	if upto := rev - s.history; upto > m.compact {
		ops = append(ops, s.trimOps(m.compact, upto)...)
	}
	rctx, cancel := s.request(ctx)
	defer cancel()
	resp, err := s.cli.Txn(rctx).If(s.unchanged(m)...).Then(ops...).Commit()
	if err != nil {
		err = s.fail(ctx, fmt.Sprintf("commit revision %d", rev), err)
		if errors.Is(err, store.ErrUnavailable) {
			err = fmt.Errorf("%w (%w)", err, store.ErrUnacknowledged)
		}
		return false, err
	}
	return resp.Succeeded, nil
}

// unchanged compares m/rev and m/compact with their mod revisions in m (0
// matches an absent key).
func (s *Store) unchanged(m meta) []clientv3.Cmp {
	return []clientv3.Cmp{
		clientv3.Compare(clientv3.ModRevision(s.keys.rev()), "=", m.revMod),
		clientv3.Compare(clientv3.ModRevision(s.keys.compact()), "=", m.compactMod),
	}
}

// trimOps delete the log entries after compact up to and including upto and
// record upto as the compaction point.
func (s *Store) trimOps(compact, upto int64) []clientv3.Op {
	return []clientv3.Op{
		clientv3.OpDelete(s.keys.log(compact+1), clientv3.WithRange(s.keys.log(upto+1))),
		clientv3.OpPut(s.keys.compact(), strconv.FormatInt(upto, 10)),
	}
}

// txn is the store.Tx of one run of fn: reads at the snapshot's etcd
// revision, writes buffered in touched until the commit.
type txn struct {
	r        reader
	order    []string // keys in first-write order
	touched  map[string]*pending
	finished bool
}

// pending is one written key: its state now and, once looked up, whether it
// existed in the snapshot (needed only if it ends deleted, so a Put costs no
// read).
type pending struct {
	known, existed bool
	deleted        bool
	value          []byte
}

func (t *txn) Put(key string, value []byte) error {
	if err := t.writable(key); err != nil {
		return err
	}
	p := t.touch(key)
	p.deleted, p.value = false, append(make([]byte, 0, len(value)), value...)
	return nil
}

func (t *txn) Delete(key string) error {
	if err := t.writable(key); err != nil {
		return err
	}
	p, ok := t.touched[key]
	if !ok {
		_, existed, err := t.r.Get(key)
		if err != nil || !existed {
			return err
		}
		p = t.touch(key)
		p.known, p.existed = true, true
	}
	p.deleted, p.value = true, nil
	return nil
}

// Get sees this run's own writes, then the snapshot.
func (t *txn) Get(key string) ([]byte, bool, error) {
	if t.finished {
		return nil, false, errFinished
	}
	if p, ok := t.touched[key]; ok {
		if p.deleted {
			return nil, false, nil
		}
		return append([]byte{}, p.value...), true, nil
	}
	return t.r.Get(key)
}

// Scan merges the snapshot with this run's writes as they stood when Scan
// began, so fn may write (even under prefix) without disturbing the walk.
func (t *txn) Scan(prefix, after string, fn func(key string, value []byte) bool) error {
	if t.finished {
		return errFinished
	}
	type over struct {
		key string
		p   pending
	}
	var mine []over
	for k, p := range t.touched {
		if strings.HasPrefix(k, prefix) && k > after {
			mine = append(mine, over{k, *p})
		}
	}
	slices.SortFunc(mine, func(a, b over) int { return strings.Compare(a.key, b.key) })
	stopped := false
	// emitMine yields this run's keys below limit ("" = all of them).
	emitMine := func(limit string) bool {
		for len(mine) > 0 && (limit == "" || mine[0].key < limit) {
			o := mine[0]
			mine = mine[1:]
			if !o.p.deleted && !fn(o.key, o.p.value) {
				return false
			}
		}
		return true
	}
	err := t.r.Scan(prefix, after, func(k string, v []byte) bool {
		if !emitMine(k) {
			stopped = true
			return false
		}
		if len(mine) > 0 && mine[0].key == k {
			o := mine[0]
			mine = mine[1:]
			if o.p.deleted {
				return true
			}
			v = o.p.value
		}
		if !fn(k, v) {
			stopped = true
			return false
		}
		return true
	})
	if err != nil || stopped {
		return err
	}
	emitMine("")
	return nil
}

func (t *txn) writable(key string) error {
	if t.finished {
		return fmt.Errorf("write of %q: %w", key, errFinished)
	}
	if key == "" {
		return store.ErrEmptyKey
	}
	return nil
}

// touch returns key's record, creating it on first write.
func (t *txn) touch(key string) *pending {
	if p, ok := t.touched[key]; ok {
		return p
	}
	p := &pending{}
	t.touched[key] = p
	t.order = append(t.order, key)
	return p
}

// changes is the Event: the final state of every touched key in first-write
// order, without keys that neither existed before nor exist now. A key Put
// then Deleted is looked up in the snapshot here.
func (t *txn) changes() ([]store.Change, error) {
	out := make([]store.Change, 0, len(t.order))
	for _, key := range t.order {
		p := t.touched[key]
		if p.deleted && !p.known {
			_, existed, err := t.r.Get(key)
			if err != nil {
				return nil, err
			}
			p.known, p.existed = true, existed
		}
		switch {
		case !p.deleted:
			out = append(out, store.Change{Key: key, Value: p.value})
		case p.existed:
			out = append(out, store.Change{Key: key, Deleted: true})
		}
	}
	return out, nil
}

var _ store.Tx = (*txn)(nil)
