// Package store is the control plane's durable, revisioned key-value store:
// the interface that the Route 53 API layer writes zones, record sets, health
// checks, traffic policies and its change log through, and that every backend
// (store/bolt embedded today, etcd for many replicas later) implements with the
// same semantics. store/storetest holds the conformance suite each backend runs.
//
// # Keys and values
//
// Keys are non-empty strings compared as bytes; values are opaque bytes (JSON
// for the API layer). A nil value is stored as an empty one.
//
// # Revisions
//
// An empty store is at revision 0. Every committed Update that changes
// something moves the store to the next revision, exactly one higher, and
// produces exactly one Event with that revision. An Update that changes nothing
// returns the current revision and produces no Event. The revision is the unit
// of consistency: View reads everything at one revision, and a replica that has
// applied the Events up to revision r holds exactly what View shows at r.
//
// # Updates
//
// Update runs fn in a serializable read-write transaction: fn sees its own
// writes (Get and Scan included), no other Update interleaves, and the batch
// is all-or-nothing. When fn returns an error, or ctx ends before the commit
// begins, nothing is written and that error is returned. Update returns the new
// revision only after the batch is durable (bbolt: fsync'd to the file; etcd:
// committed by the cluster's quorum). fn must not call other Store methods and
// must not keep the Tx (after fn returns its methods fail). fn may run more
// than once: bolt runs it once, but a backend with optimistic concurrency
// (etcd, where other replicas write too) reruns it when another Update
// committed first, and commits only the last run. So fn acts only through tx
// and resets whatever it captures at its start.
//
// An Event lists one Change per key whose state the Update set, in the order fn
// first wrote each key, with the key's final value in that Update:
//   - Put always yields a Change, even when the value is unchanged (etcd does
//     the same), so a rewrite of equal data still moves the revision;
//   - Delete of a key that existed before the Update yields a Deleted Change;
//     Delete of an absent key writes nothing, and a key both created and deleted
//     within one Update yields no Change.
//
// # Watching
//
// Watch(ctx, after) sends every Event with Revision > after, in revision order
// without gaps, first those already committed (replayed from the retained
// history), then live ones. A backend keeps a bounded history; Watch returns
// ErrCompacted when Events after `after` are no longer all retained, and the
// caller then reloads with View and watches from the revision View returned.
// Watching from a revision above the current one waits for it (as etcd does).
//
// A slow watcher never blocks Update: Events are not queued per watcher but
// read back from the retained history at the watcher's own pace. The channel is
// closed when ctx ends, when the store closes, or when the watcher has fallen so
// far behind that the Event it needs next has been compacted away (or, for etcd,
// its stream broke). So a channel that closes while ctx is still live and the
// store still open means "resume": call Watch again with the last Revision
// received; it either continues where the channel stopped or returns
// ErrCompacted, which means reload. Follow is that loop, packaged.
//
// # For the etcd backend
//
// etcd's own revision counts every write in the cluster (other prefixes,
// leases), so the backend keeps this package's revision in a key of its own
// under its prefix and advances it in the same transaction as the batch; the
// batch's Event is then read back from etcd's watch of the prefix (one etcd
// transaction is one watch response) or from a log key written alongside, and
// ErrCompacted maps from etcd's compaction error. An etcd transaction cannot
// name a key twice, which is why an Event carries one Change per key.
//
// # Values and lifetimes
//
// Get returns a copy the caller owns. The value passed to Scan's fn is valid only
// during that call; copy it to keep it. Put copies its value, so the caller may
// reuse its buffer.
package store

import (
	"context"
	"errors"
)

// Errors shared by every backend; test with errors.Is.
var (
	// ErrCompacted means the history a Watch needs is no longer retained.
	ErrCompacted = errors.New("store: revision compacted")
	// ErrClosed means the store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnavailable means the store cannot be reached (etcd: no quorum or no
	// endpoint answers); the operation did not take effect, unless the error
	// is also ErrUnacknowledged.
	ErrUnavailable = errors.New("store: unavailable")
	// ErrUnacknowledged comes with ErrUnavailable from an Update whose commit
	// was sent but not acknowledged: etcd may still apply it (once) when its
	// quorum returns. The soak in bench/replicas sees it happen.
	ErrUnacknowledged = errors.New("store: commit not acknowledged, may still apply")
	// ErrEmptyKey is returned by Put and Delete for the empty key.
	ErrEmptyKey = errors.New("store: empty key")
)

// KV is one key and its value.
type KV struct {
	Key   string
	Value []byte
}

// Change is the final state of one key in a committed Update.
type Change struct {
	Key     string
	Value   []byte // nil when Deleted
	Deleted bool
}

// Event is one committed Update: its revision and its changes in order.
type Event struct {
	Revision int64
	Changes  []Change
}

// Reader reads the store at one revision.
type Reader interface {
	// Get returns key's value (a copy) and whether the key exists.
	Get(key string) (value []byte, ok bool, err error)
	// Scan calls fn for every key with prefix, in byte order, starting after
	// `after` ("" = from the first key with prefix), until fn returns false.
	// value is valid only during the call.
	Scan(prefix, after string, fn func(key string, value []byte) bool) error
}

// Tx is the read-write transaction an Update runs in.
type Tx interface {
	Reader
	// Put sets key to value.
	Put(key string, value []byte) error
	// Delete removes key; deleting an absent key is not an error.
	Delete(key string) error
}

// Store is a durable, revisioned key-value store. All methods are safe for
// concurrent use.
type Store interface {
	// View runs fn on a consistent snapshot and returns the snapshot's revision.
	View(ctx context.Context, fn func(Reader) error) (rev int64, err error)
	// Update runs fn in a serializable, all-or-nothing transaction and returns
	// the revision it committed, once durable (the current revision when fn
	// wrote nothing).
	Update(ctx context.Context, fn func(Tx) error) (rev int64, err error)
	// Watch streams every Event with Revision > after, then live ones.
	Watch(ctx context.Context, after int64) (<-chan Event, error)
	// Revision returns the latest committed revision; it is never below the
	// revision a View or Update has already returned.
	Revision() int64
	// Close releases the store; watch channels close, later calls get ErrClosed.
	Close() error
}

// Compactor is implemented by backends that can drop history on request (bolt
// trims its change log; etcd compacts). After Compact(ctx, rev), Watch(ctx, a)
// with a < rev returns ErrCompacted.
type Compactor interface {
	Compact(ctx context.Context, rev int64) error
}
