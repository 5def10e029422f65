package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
)

// DefaultMember returns a member ID unique among live processes: the host
// name, the process ID and a random suffix (so a restarted process that gets
// the same PID is still a new member). It never contains "/".
func DefaultMember() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", strings.ReplaceAll(host, "/", "_"), os.Getpid(), hex.EncodeToString(b[:]))
}

// LocalPresence is Presence for a store that serves one process (bolt, and
// tests): the process is the group's only member, and its keys live in
// memory for as long as the value does.
type LocalPresence struct {
	member string

	mu      sync.Mutex
	keys    map[string][]byte
	changed chan struct{} // closed and replaced on every change
}

// NewLocalPresence returns a LocalPresence whose member is member, or
// DefaultMember() when member is "".
func NewLocalPresence(member string) *LocalPresence {
	if member == "" {
		member = DefaultMember()
	}
	return &LocalPresence{member: member, keys: map[string][]byte{}, changed: make(chan struct{})}
}

// Member returns the member ID.
func (p *LocalPresence) Member() string { return p.member }

// Announce sets key to a copy of value.
func (p *LocalPresence) Announce(ctx context.Context, key string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if key == "" {
		return ErrEmptyKey
	}
	p.mu.Lock()
	p.keys[key] = append([]byte{}, value...)
	p.notify()
	p.mu.Unlock()
	return nil
}

// Withdraw removes key.
func (p *LocalPresence) Withdraw(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p.mu.Lock()
	if _, ok := p.keys[key]; ok {
		delete(p.keys, key)
		p.notify()
	}
	p.mu.Unlock()
	return nil
}

// notify wakes every Observe; p.mu is held.
func (p *LocalPresence) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// Observe calls fn with the keys under prefix at once and after every change
// (changes made while fn runs are coalesced into one call) until ctx ends,
// then returns ctx's error.
func (p *LocalPresence) Observe(ctx context.Context, prefix string, fn func([]Announcement)) error {
	for {
		p.mu.Lock()
		view := make([]Announcement, 0, len(p.keys))
		for k, v := range p.keys {
			if strings.HasPrefix(k, prefix) {
				view = append(view, Announcement{Member: p.member, Key: k, Value: append([]byte{}, v...)})
			}
		}
		changed := p.changed
		p.mu.Unlock()
		SortAnnouncements(view)
		fn(view)
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// SortAnnouncements sorts a by Member, then Key, the order Observe delivers.
func SortAnnouncements(a []Announcement) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].Member != a[j].Member {
			return a[i].Member < a[j].Member
		}
		return a[i].Key < a[j].Key
	})
}

var _ Presence = (*LocalPresence)(nil)
