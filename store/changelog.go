package store

import (
	"encoding/binary"
	"fmt"
)

// EncodeChanges and DecodeChanges are the change log entry every backend keeps per
// revision (bolt in its log bucket, etcd under its log/ keys), so Watch replays in
// the store's own revision numbering and a tool reads either.
//
// Log entry format, version 1:
//
//	byte 1 (version), uvarint count, then per change:
//	byte flags (1 = deleted), uvarint len(key), key, and unless deleted
//	uvarint len(value), value.
const (
	logVersion  = 1
	flagDeleted = 1
)

// EncodeChanges writes one revision's changes as a log entry.
func EncodeChanges(changes []Change) []byte {
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

// DecodeChanges parses a log entry, checking every length (entries may come from
// another process). It copies data once, so the result outlives the buffer (a
// bbolt transaction, an etcd response); values are capped slices of
// that copy, so appending to one cannot overwrite the next.
func DecodeChanges(data []byte) ([]Change, error) {
	d := decoder{buf: append([]byte(nil), data...)}
	if v := d.byte(); d.err == nil && v != logVersion {
		return nil, fmt.Errorf("version %d, want %d", v, logVersion)
	}
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.buf)) { // every change takes >= 2 bytes
		return nil, fmt.Errorf("count %d exceeds the entry's %d bytes", n, len(d.buf))
	}
	changes := make([]Change, 0, int(n))
	for i := uint64(0); i < n && d.err == nil; i++ {
		var c Change
		flags := d.byte()
		if flags&^flagDeleted != 0 {
			return nil, fmt.Errorf("change %d: unknown flags %#x", i, flags)
		}
		c.Deleted = flags == flagDeleted
		c.Key = string(d.bytes())
		if !c.Deleted {
			c.Value = d.bytes()
		}
		if d.err != nil {
			return nil, fmt.Errorf("change %d: %w", i, d.err)
		}
		if c.Key == "" {
			return nil, fmt.Errorf("change %d: empty key", i)
		}
		changes = append(changes, c)
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.off != len(d.buf) {
		return nil, fmt.Errorf("%d trailing bytes", len(d.buf)-d.off)
	}
	return changes, nil
}

type decoder struct {
	buf []byte
	off int
	err error
}

func (d *decoder) byte() byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.buf) {
		d.err = fmt.Errorf("truncated at byte %d", d.off)
		return 0
	}
	b := d.buf[d.off]
	d.off++
	return b
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.err = fmt.Errorf("bad length at byte %d", d.off)
		return 0
	}
	if n > 1 && d.buf[d.off+n-1] == 0 { // padded: not what EncodeChanges writes
		d.err = fmt.Errorf("non-minimal length at byte %d", d.off)
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.buf)-d.off) {
		d.err = fmt.Errorf("length %d at byte %d runs past the end", n, d.off)
		return nil
	}
	end := d.off + int(n)
	b := d.buf[d.off:end:end]
	d.off = end
	return b
}
