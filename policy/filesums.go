package policy

import (
	"crypto/sha256"
	"errors"
	"os"
	"sync"
	"time"
)

// FileSums hashes files to see whether they changed: a data file watcher keeps one.
// Its zero value is ready to use; it is safe for concurrent use.
type FileSums struct {
	mu     sync.Mutex
	stamps map[string]fileStamp // by path: size and time at the last hashing
}

// Sums hashes every file; an unreadable file hashes as empty (a missing one) or as
// its error, and a load then reports why. A file whose size and
// modification time are what they were at its last hashing, and which was not
// modified in the last racyWindow, keeps its last sum without being read: hashing a
// 100k-record file every tick cost 15–25 % of a core with nothing changed
// (bench/scale/RESULTS.md).
func (fs *FileSums) Sums(files []string) [][32]byte {
	out := make([][32]byte, len(files))
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.stamps == nil {
		fs.stamps = map[string]fileStamp{}
	}
	for i, f := range files {
		fi, statErr := os.Stat(f)
		if st, ok := fs.stamps[f]; ok && statErr == nil && st.same(fi) {
			out[i] = st.sum
			continue
		}
		b, err := os.ReadFile(f)
		switch {
		case err == nil:
			out[i] = sha256.Sum256(b)
			if statErr == nil && time.Since(fi.ModTime()) > racyWindow {
				fs.stamps[f] = fileStamp{size: fi.Size(), mod: fi.ModTime(), sum: out[i]}
			}
		case !errors.Is(err, os.ErrNotExist):
			out[i] = sha256.Sum256([]byte(err.Error()))
		}
		if err != nil || statErr != nil {
			delete(fs.stamps, f)
		}
	}
	return out
}

// racyWindow: a file modified this recently is hashed whatever its stamp says, as a
// write within the file system's timestamp granularity can leave size and time equal.
const racyWindow = 2 * time.Second

// fileStamp is what a file looked like when it was last hashed.
type fileStamp struct {
	size int64
	mod  time.Time
	sum  [32]byte
}

func (s fileStamp) same(fi os.FileInfo) bool {
	return s.size == fi.Size() && s.mod.Equal(fi.ModTime()) && time.Since(fi.ModTime()) > racyWindow
}

// EqualSums reports whether two lists of sums are the same.
func EqualSums(a, b [][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
