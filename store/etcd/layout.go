package etcdstore

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/store"
)

// Keys under Options.Prefix (see the package doc):
//
//	d/<key>         the data
//	m/rev           this store's revision, decimal
//	m/compact       highest revision no longer in the log, decimal
//	log/<revision>  one Update's encoded changes; revision zero-padded to 20
//	                digits so byte order is numeric order
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

// Log entry format, version 1 (the bolt store's, so tools read both):
//
//	byte 1 (version), uvarint count, then per change:
//	byte flags (1 = deleted), uvarint len(key), key, and unless deleted
//	uvarint len(value), value.
const (
	logVersion  = 1
	flagDeleted = 1
)

func encodeChanges(changes []store.Change) []byte {
	size := 1 + binary.MaxVarintLen64
	for _, c := range changes {
		size += 1 + 2*binary.MaxVarintLen64 + len(c.Key) + len(c.Value)
	}
	buf := make([]byte, 0, size)
	buf = append(buf, logVersion)
	buf = binary.AppendUvarint(buf, uint64(len(changes)))
	for _, c := range changes {
		if c.Deleted {
			buf = append(buf, flagDeleted)
		} else {
			buf = append(buf, 0)
		}
		buf = binary.AppendUvarint(buf, uint64(len(c.Key)))
		buf = append(buf, c.Key...)
		if !c.Deleted {
			buf = binary.AppendUvarint(buf, uint64(len(c.Value)))
			buf = append(buf, c.Value...)
		}
	}
	return buf
}

// decodeChanges parses a log entry written by encodeChanges (or by anything
// else: the entry comes from etcd, so every length is checked). It copies
// data, so the result does not alias the etcd response.
func decodeChanges(data []byte) ([]store.Change, error) {
	buf := append([]byte(nil), data...)
	pos := 0
	next := func(n uint64) ([]byte, error) {
		if n > uint64(len(buf)-pos) {
			return nil, fmt.Errorf("offset %d: %d bytes wanted, %d left", pos, n, len(buf)-pos)
		}
		b := buf[pos : pos+int(n) : pos+int(n)]
		pos += int(n)
		return b, nil
	}
	uvarint := func() (uint64, error) {
		n, w := binary.Uvarint(buf[pos:])
		if w <= 0 {
			return 0, fmt.Errorf("offset %d: bad length", pos)
		}
		pos += w
		return n, nil
	}
	v, err := next(1)
	if err != nil {
		return nil, err
	}
	if v[0] != logVersion {
		return nil, fmt.Errorf("version %d, want %d", v[0], logVersion)
	}
	count, err := uvarint()
	if err != nil {
		return nil, err
	}
	if count > uint64(len(buf)) { // every change takes at least 2 bytes
		return nil, fmt.Errorf("count %d exceeds the entry's %d bytes", count, len(buf))
	}
	changes := make([]store.Change, 0, int(count))
	for i := uint64(0); i < count; i++ {
		flags, err := next(1)
		if err != nil {
			return nil, err
		}
		if flags[0]&^flagDeleted != 0 {
			return nil, fmt.Errorf("change %d: unknown flags %#x", i, flags[0])
		}
		n, err := uvarint()
		if err != nil {
			return nil, err
		}
		key, err := next(n)
		if err != nil {
			return nil, err
		}
		if len(key) == 0 {
			return nil, fmt.Errorf("change %d: empty key", i)
		}
		c := store.Change{Key: string(key), Deleted: flags[0] == flagDeleted}
		if !c.Deleted {
			if n, err = uvarint(); err != nil {
				return nil, err
			}
			if c.Value, err = next(n); err != nil {
				return nil, err
			}
		}
		changes = append(changes, c)
	}
	if pos != len(buf) {
		return nil, fmt.Errorf("%d bytes after the last change", len(buf)-pos)
	}
	return changes, nil
}
