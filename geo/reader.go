package geo

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Reader answers lookups from one or more database files and replaces any of
// them when its file changes. Lookups read each database through an atomic
// pointer: no locks, no allocation. A replaced Database is dropped, not
// closed; in-flight lookups finish on it and the garbage collector reclaims it.
type Reader struct {
	slots []*slot
	mu    sync.Mutex // serialises Reload, VerifyAll and Close; guards opts
	opts  []Option
}

type slot struct {
	path   string
	schema Schema
	db     atomic.Pointer[Database]
	seen   fileStamp // the file as last opened, or as last refused
}

// fileStamp identifies a version of a file without reading it.
type fileStamp struct {
	fi   os.FileInfo
	size int64
	mod  time.Time
}

func stampOf(path string) (fileStamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{fi: fi, size: fi.Size(), mod: fi.ModTime()}, nil
}

func (s fileStamp) same(o fileStamp) bool {
	if s.fi == nil || o.fi == nil {
		return s.fi == o.fi
	}
	return os.SameFile(s.fi, o.fi) && s.size == o.size && s.mod.Equal(o.mod)
}

// NewReader opens every path (see Open); reloads use the same options.
// Databases are consulted in order: the first one with a value for a field
// provides it.
func NewReader(paths []string, opts ...Option) (*Reader, error) {
	if len(paths) == 0 {
		return nil, errors.New("geo: no database files")
	}
	r := &Reader{opts: opts, slots: make([]*slot, len(paths))}
	for i, p := range paths {
		st, err := stampOf(p)
		if err != nil {
			return nil, err
		}
		db, err := Open(p, opts...)
		if err != nil {
			return nil, err
		}
		s := &slot{path: p, schema: db.info.Schema, seen: st}
		s.db.Store(db)
		r.slots[i] = s
	}
	return r, nil
}

// Lookup fills loc for addr from all databases. bits is the longest prefix
// length of the networks that answered (found or not), in addr's own bits:
// each database's answer is the same across its network, the networks are
// nested around addr, so the combined result is the same for every address
// sharing the longest one. found reports whether any database had data. On
// error loc holds what was found so far. A closed Reader finds nothing.
func (r *Reader) Lookup(addr netip.Addr, loc *Location) (bits int, found bool, err error) {
	for _, s := range r.slots {
		db := s.db.Load()
		if db == nil {
			return 0, false, errors.New("geo: reader closed")
		}
		b, f, e := db.Lookup(addr, loc)
		if e != nil {
			return 0, found, e
		}
		bits = max(bits, b)
		found = found || f
	}
	return bits, found, nil
}

// VerifyAll checks every loaded database completely (see Verify) and makes
// later reloads do the same. It returns the first database that fails.
func (r *Reader) VerifyAll() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opts = append(r.opts, Verify())
	for _, s := range r.slots {
		if db := s.db.Load(); db != nil {
			if err := db.r.Verify(); err != nil {
				return fmt.Errorf("%s: corrupt database: %w", s.path, err)
			}
		}
	}
	return nil
}

// Databases describes the databases currently in use, in lookup order.
func (r *Reader) Databases() []Info {
	out := make([]Info, 0, len(r.slots))
	for _, s := range r.slots {
		if db := s.db.Load(); db != nil {
			out = append(out, db.info)
		}
	}
	return out
}

// Paths returns the database files in lookup order.
func (r *Reader) Paths() []string {
	out := make([]string, len(r.slots))
	for i, s := range r.slots {
		out[i] = s.path
	}
	return out
}

// ReloadResult says what Reload did with one file.
type ReloadResult struct {
	Path     string
	Reloaded bool  // a new version was opened and swapped in
	Err      error // a new version was refused; the old one keeps serving
}

// Reload checks every file and swaps in those that changed since they were last
// opened. A changed file is opened and verified before the swap; a refused
// one (corrupt, truncated, wrong schema, unreadable) is reported once and left
// alone until it changes again. Only files that changed are reported.
func (r *Reader) Reload() []ReloadResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []ReloadResult
	for _, s := range r.slots {
		if s.db.Load() == nil {
			return nil // closed
		}
		st, err := stampOf(s.path)
		if err != nil {
			if s.seen.fi != nil { // report a vanished file once
				s.seen = fileStamp{}
				out = append(out, ReloadResult{Path: s.path, Err: err})
			}
			continue
		}
		if st.same(s.seen) {
			continue
		}
		s.seen = st
		db, err := Open(s.path, r.opts...)
		if err == nil && db.info.Schema != s.schema {
			err = fmt.Errorf("%s: database type %q (%s) replaces a %s database", s.path, db.info.DatabaseType, db.info.Schema, s.schema)
		}
		if err != nil {
			out = append(out, ReloadResult{Path: s.path, Err: err})
			continue
		}
		s.db.Store(db)
		out = append(out, ReloadResult{Path: s.path, Reloaded: true})
	}
	return out
}

// Close drops every database. Lookups that already started finish normally;
// later ones return an error.
func (r *Reader) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.slots {
		s.db.Store(nil)
	}
}
