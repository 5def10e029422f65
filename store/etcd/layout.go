package etcdstore

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/store"
)

// Keys under Options.Prefix (see the package doc):
//
//	d/<key>          the data
//	m/rev            this store's revision, decimal
//	m/compact        highest revision no longer in the log, decimal
//	log/<revision>   one Update's encoded changes; revision zero-padded to 20
//	                 digits so byte order is numeric order
//	p/<key>/<member> a member's presence key, attached to its lease
type layout struct{ prefix string }

func (l layout) data(key string) string  { return l.prefix + "d/" + key }
func (l layout) dataPrefix() string      { return l.prefix + "d/" }
func (l layout) meta() string            { return l.prefix + "m/" }
func (l layout) rev() string             { return l.prefix + "m/rev" }
func (l layout) compact() string         { return l.prefix + "m/compact" }
func (l layout) logPrefix() string       { return l.prefix + "log/" }
func (l layout) log(rev int64) string    { return fmt.Sprintf("%slog/%020d", l.prefix, rev) }
func (l layout) userKey(k []byte) string { return string(k[len(l.prefix)+2:]) }

// logRev parses the revision out of a log key.
func (l layout) logRev(key []byte) (int64, error) {
	s, ok := strings.CutPrefix(string(key), l.logPrefix())
	if !ok || len(s) != 20 {
		return 0, fmt.Errorf("etcdstore: log key %q: not %s<20 digits>", key, l.logPrefix())
	}
	return parseRev(key, []byte(s))
}

// parseRev reads a decimal revision stored at key; an absent key (nil) is 0.
func parseRev(key, v []byte) (int64, error) {
	if len(v) == 0 {
		return 0, nil
	}
	n, err := strconv.ParseInt(string(v), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("etcdstore: %q holds %q, want a revision", key, v)
	}
	return n, nil
}

// presence is member's presence key for key: p/<key>/<member>. The member
// comes last so that one etcd range or watch on p/<prefix> covers a key
// prefix across every member; member IDs hold no "/", so the last "/"
// separates them.
func (l layout) presence(key, member string) string  { return l.prefix + "p/" + key + "/" + member }
func (l layout) presencePrefix(prefix string) string { return l.prefix + "p/" + prefix }

// addAnnouncement parses a presence key into view (keyed by the etcd key);
// malformed keys (written by something else) are skipped.
func (l layout) addAnnouncement(view map[string]store.Announcement, key, value []byte) {
	rest, ok := strings.CutPrefix(string(key), l.prefix+"p/")
	i := strings.LastIndexByte(rest, '/')
	if !ok || i <= 0 || i == len(rest)-1 {
		return
	}
	view[string(key)] = store.Announcement{Member: rest[i+1:], Key: rest[:i], Value: value}
}
