// Package snapshot keeps a local copy of a shared store's data, so a replica whose
// store cannot be reached at start-up serves its last data rather than nothing:
// Keeper follows the store and writes the copy to a file as it goes (coalesced,
// atomically), and Fallback is a store.Store that serves the copy read at start
// until the real store opens, then becomes it.
//
// The file is the data at one revision in the store's own change-log encoding
// (store.EncodeChanges), not a bolt file: one write of one buffer, replaced by
// rename, read whole at start; a bolt file would be rewritten whole anyway (an
// atomic replace), be several times larger for its pages, and number its
// revisions its own way rather than the shared store's.
package snapshot

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// Snapshot is a store's data at one revision.
type Snapshot struct {
	// Store names the store the data came from (the etcd prefix), so a snapshot is
	// never taken for another store's.
	Store    string
	Revision int64
	// Written is when the process that wrote it last heard from the store.
	Written time.Time
	// KVs are sorted by key, keys unique.
	KVs []store.KV
}

// File format, version 1:
//
//	"coretraffic-snapshot\n" 1 (version), int64 revision, int64 unix nanoseconds
//	(big endian), uvarint length and bytes of the Store name, the KVs as a
//	store.EncodeChanges entry, then the CRC-32C of all that (big endian).
const magic = "coretraffic-snapshot\n"

const version = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode returns the file's bytes.
func (s *Snapshot) Encode() []byte {
	changes := make([]store.Change, len(s.KVs))
	for i, kv := range s.KVs {
		changes[i] = store.Change{Key: kv.Key, Value: kv.Value}
	}
	var buf bytes.Buffer
	buf.WriteString(magic)
	buf.WriteByte(version)
	binary.Write(&buf, binary.BigEndian, s.Revision)
	binary.Write(&buf, binary.BigEndian, s.Written.UnixNano())
	buf.Write(binary.AppendUvarint(nil, uint64(len(s.Store))))
	buf.WriteString(s.Store)
	buf.Write(store.EncodeChanges(changes))
	binary.Write(&buf, binary.BigEndian, crc32.Checksum(buf.Bytes(), castagnoli))
	return buf.Bytes()
}

// Decode parses a file's bytes, refusing a truncated, corrupt or foreign one.
func Decode(b []byte) (*Snapshot, error) {
	const head = len(magic) + 1 + 8 + 8
	if len(b) < head+4 || !strings.HasPrefix(string(b[:len(magic)]), magic) {
		return nil, errors.New("not a snapshot file")
	}
	body, sum := b[:len(b)-4], binary.BigEndian.Uint32(b[len(b)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("checksum mismatch (truncated or corrupt)")
	}
	if v := b[len(magic)]; v != version {
		return nil, fmt.Errorf("version %d, want %d", v, version)
	}
	s := &Snapshot{
		Revision: int64(binary.BigEndian.Uint64(b[len(magic)+1:])),
		Written:  time.Unix(0, int64(binary.BigEndian.Uint64(b[len(magic)+9:]))),
	}
	if s.Revision < 0 {
		return nil, fmt.Errorf("revision %d", s.Revision)
	}
	rest := body[head:]
	n, w := binary.Uvarint(rest)
	if w <= 0 || n > uint64(len(rest)-w) {
		return nil, errors.New("store name: bad length")
	}
	s.Store, rest = string(rest[w:w+int(n)]), rest[w+int(n):]
	changes, err := store.DecodeChanges(rest)
	if err != nil {
		return nil, err
	}
	s.KVs = make([]store.KV, len(changes))
	for i, c := range changes {
		if c.Deleted || c.Key == "" || (i > 0 && c.Key <= changes[i-1].Key) {
			return nil, fmt.Errorf("entry %d (%q): not a sorted, unique, present key", i, c.Key)
		}
		s.KVs[i] = store.KV{Key: c.Key, Value: c.Value}
	}
	return s, nil
}

// Read reads the snapshot file at path; a missing file is an error that
// errors.Is(err, os.ErrNotExist).
func Read(path string) (*Snapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := Decode(b)
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return s, nil
}

// Write replaces the file at path with s atomically: a temporary file in the same
// directory, fsync'd, renamed over path, and the directory fsync'd, so a crash
// leaves the old file or the new one, never a mix.
func Write(path string, s *Snapshot) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if _, err := f.Write(s.Encode()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// reader is store.Reader over a snapshot's sorted KVs.
type reader struct{ kvs []store.KV }

func (r reader) Get(key string) ([]byte, bool, error) {
	i, ok := slices.BinarySearchFunc(r.kvs, key, func(kv store.KV, k string) int { return strings.Compare(kv.Key, k) })
	if !ok {
		return nil, false, nil
	}
	return bytes.Clone(r.kvs[i].Value), true, nil
}

func (r reader) Scan(prefix, after string, fn func(key string, value []byte) bool) error {
	start := prefix
	if after >= prefix {
		start = after + "\x00"
	}
	i, _ := slices.BinarySearchFunc(r.kvs, start, func(kv store.KV, k string) int { return strings.Compare(kv.Key, k) })
	for ; i < len(r.kvs) && strings.HasPrefix(r.kvs[i].Key, prefix); i++ {
		if !fn(r.kvs[i].Key, r.kvs[i].Value) {
			return nil
		}
	}
	return nil
}

var _ store.Reader = reader{}
