package etcdstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.etcd.io/etcd/api/v3/v3rpc/rpctypes"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/coretraffic/coretraffic/store"
)

// DefaultPresenceTTL is the lease TTL of a member's presence keys: a member
// cut off (or dead) for longer drops out of the others' view.
const DefaultPresenceTTL = 5 * time.Second

// txnChunk bounds the operations of one re-announcing transaction, below
// etcd's default --max-txn-ops of 128.
const txnChunk = 100

// presence is the Store's store.Presence: one etcd lease (the session), kept
// alive by the client, with this member's keys attached to it. The keeper
// goroutine grants the lease on the first Announce, and when the lease is
// lost (the cluster expired it while this member was cut off) grants a new
// one and writes every announced key again under it.
type presence struct {
	s      *Store
	member string
	ttl    int64 // seconds
	start  sync.Once

	wmu sync.Mutex // serializes this member's etcd writes, so the last one holds want's value

	mu      sync.Mutex
	want    map[string][]byte // announced keys, rewritten under each new lease
	gone    map[string]bool   // withdrawn keys whose etcd delete has not yet succeeded
	lease   clientv3.LeaseID  // the live lease, 0 while there is none
	granted chan struct{}     // closed once lease is set
	kick    chan struct{}     // asks the keeper to write want and gone again
}

func newPresence(s *Store, member string, ttl time.Duration) (*presence, error) {
	if member == "" {
		member = store.DefaultMember()
	}
	if strings.Contains(member, "/") {
		return nil, fmt.Errorf("etcdstore: Member %q: must not contain '/'", member)
	}
	if ttl == 0 {
		ttl = DefaultPresenceTTL
	}
	if ttl < time.Second {
		return nil, fmt.Errorf("etcdstore: PresenceTTL %v: etcd leases count whole seconds, want at least 1s", ttl)
	}
	return &presence{
		s: s, member: member, ttl: int64((ttl + time.Second - 1) / time.Second),
		want: map[string][]byte{}, gone: map[string]bool{},
		granted: make(chan struct{}), kick: make(chan struct{}, 1),
	}, nil
}

// Member is this Store's presence member ID (Options.Member or a default).
func (s *Store) Member() string { return s.pres.member }

// Announce sets this member's key under the session's lease. It returns once
// etcd has the key; when etcd cannot be reached it returns
// store.ErrUnavailable, but the key stays announced and is written as soon
// as a lease is held again.
func (s *Store) Announce(ctx context.Context, key string, value []byte) error {
	if key == "" {
		return store.ErrEmptyKey
	}
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.closeMu.RUnlock()
	p := s.pres
	p.start.Do(func() {
		s.workers.Add(1)
		go p.keep(s.bg)
	})
	p.mu.Lock()
	p.want[key] = append([]byte{}, value...)
	delete(p.gone, key)
	granted := p.granted
	p.mu.Unlock()

	rctx, cancel := s.request(ctx)
	defer cancel()
	select {
	case <-granted:
	case <-rctx.Done():
		return s.fail(ctx, "announce "+key+": no lease granted yet", rctx.Err())
	}
	return p.write(rctx, ctx, key)
}

// Withdraw removes this member's key.
func (s *Store) Withdraw(ctx context.Context, key string) error {
	if err := s.enter(ctx); err != nil {
		return err
	}
	defer s.closeMu.RUnlock()
	p := s.pres
	p.mu.Lock()
	_, had := p.want[key]
	delete(p.want, key)
	if had {
		p.gone[key] = true
	}
	p.mu.Unlock()
	if !had {
		return nil
	}
	rctx, cancel := s.request(ctx)
	defer cancel()
	return p.write(rctx, ctx, key)
}

// write brings key in etcd to its current wanted state: put under the lease,
// or deleted. A failure asks the keeper to try again.
func (p *presence) write(rctx, ctx context.Context, key string) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.mu.Lock()
	v, put := p.want[key]
	lease := p.lease
	p.mu.Unlock()
	var err error
	switch {
	case put && lease == 0:
		// The lease was lost since Announce saw it granted: the keeper
		// writes the key under the next one.
		return fmt.Errorf("%w: etcd %s: announce %s: session lost, announced again under a new lease", store.ErrUnavailable, p.s.where, key)
	case put:
		_, err = p.s.cli.Put(rctx, p.s.keys.presence(key, p.member), string(v), clientv3.WithLease(lease))
	default:
		_, err = p.s.cli.Delete(rctx, p.s.keys.presence(key, p.member))
		if err == nil {
			p.mu.Lock()
			if _, again := p.want[key]; !again {
				delete(p.gone, key)
			}
			p.mu.Unlock()
		}
	}
	if err != nil {
		select {
		case p.kick <- struct{}{}:
		default:
		}
		return p.s.fail(ctx, "announce "+key, err)
	}
	return nil
}

// keep holds the session until ctx ends (the Store closes), then revokes the
// lease so this member's keys vanish at once.
func (p *presence) keep(ctx context.Context) {
	defer p.s.workers.Done()
	delay := 50 * time.Millisecond
	backoff := func() bool {
		select {
		case <-ctx.Done():
			return false
		case <-time.After(delay):
			delay = min(2*delay, time.Second)
			return true
		}
	}
	for {
		rctx, cancel := p.s.request(ctx)
		g, err := p.s.cli.Grant(rctx, p.ttl)
		cancel()
		if err != nil {
			if !backoff() {
				return
			}
			continue
		}
		if !p.hold(ctx, g.ID) {
			p.revoke(g.ID)
			return
		}
		delay = 50 * time.Millisecond
	}
}

// hold keeps lease id alive and this member's keys written under it. It
// returns true when the lease is lost, false when ctx ended.
func (p *presence) hold(ctx context.Context, id clientv3.LeaseID) bool {
	kctx, stop := context.WithCancel(ctx)
	defer stop()
	alive, err := p.s.cli.KeepAlive(kctx, id)
	if err != nil {
		return ctx.Err() == nil
	}
	defer func() {
		p.mu.Lock()
		if p.lease == id {
			p.lease = 0
			p.granted = make(chan struct{})
		}
		p.mu.Unlock()
	}()
	synced := false
	var retry <-chan time.Time
	for {
		if !synced {
			err := p.resync(ctx, id)
			if errors.Is(err, rpctypes.ErrLeaseNotFound) {
				return true
			}
			synced = err == nil
			retry = nil
			if !synced {
				retry = time.After(time.Second)
			}
		}
		select {
		case _, ok := <-alive:
			if !ok {
				return ctx.Err() == nil
			}
		case <-p.kick:
			synced = false
		case <-retry:
		case <-ctx.Done():
			return false
		}
	}
}

// resync writes every wanted key under lease id and deletes withdrawn ones,
// then makes id the live lease.
func (p *presence) resync(ctx context.Context, id clientv3.LeaseID) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	p.mu.Lock()
	ops := make([]clientv3.Op, 0, len(p.want)+len(p.gone))
	for k, v := range p.want {
		ops = append(ops, clientv3.OpPut(p.s.keys.presence(k, p.member), string(v), clientv3.WithLease(id)))
	}
	var deleted []string
	for k := range p.gone {
		ops = append(ops, clientv3.OpDelete(p.s.keys.presence(k, p.member)))
		deleted = append(deleted, k)
	}
	p.mu.Unlock()
	for len(ops) > 0 {
		n := min(len(ops), txnChunk)
		rctx, cancel := p.s.request(ctx)
		_, err := p.s.cli.Txn(rctx).Then(ops[:n]...).Commit()
		cancel()
		if err != nil {
			return err
		}
		ops = ops[n:]
	}
	p.mu.Lock()
	for _, k := range deleted {
		if _, again := p.want[k]; !again {
			delete(p.gone, k)
		}
	}
	if p.lease != id {
		p.lease = id
		close(p.granted)
	}
	p.mu.Unlock()
	return nil
}

// revoke ends the session at Close, deleting its keys at once; when etcd
// cannot be reached the keys expire with the lease instead.
func (p *presence) revoke(id clientv3.LeaseID) {
	ctx, cancel := context.WithTimeout(context.Background(), min(p.s.timeout, 2*time.Second))
	defer cancel()
	_, _ = p.s.cli.Revoke(ctx, id)
}
