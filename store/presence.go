package store

import "context"

// Presence is the ephemeral side of a shared store: what each replica of a group
// says about itself now — the revision it serves, what its health checkers see —
// as opposed to the data, which is revisioned and durable. A member's keys live
// only as long as its session: etcd binds them to a lease the process keeps
// alive, so a replica that dies, or is cut off for longer than the lease's TTL,
// drops out of every other member's view when the lease expires. Announcing does
// not move the store's revision and produces no Event.
//
// A backend that serves one process only (bolt) implements Presence with that
// process as the group's single member (LocalPresence).
//
// Keys are grouped by member: a member announces key k and every member sees it
// as (Member, k). Keys and values are opaque to the store.
type Presence interface {
	// Member is this session's ID, unique among the group's live members.
	Member() string
	// Announce sets this member's key to value, for as long as the session lives.
	Announce(ctx context.Context, key string, value []byte) error
	// Withdraw removes this member's key; withdrawing an absent key is not an error.
	Withdraw(ctx context.Context, key string) error
	// Observe calls fn with every live member's keys under prefix — the whole
	// view, sorted by Member then Key — first at once, then after each change,
	// until ctx ends. Calls are serialized; fn must not block for long. When the
	// backend cannot be reached, fn is not called until it can, and the last
	// view stands (the caller decides how old is too old).
	Observe(ctx context.Context, prefix string, fn func([]Announcement)) error
}

// Announcement is one live member's key.
type Announcement struct {
	Member string
	Key    string
	Value  []byte
}
