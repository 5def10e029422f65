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
				fs.stamps[f] = fileStamp{fi: fi, sum: out[i]}
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

// fileStamp is what a file looked like when it was last hashed: its size, time and
// identity (device and inode), as the path resolves through symlinks. The identity
// catches a file replaced by another of equal size and time, as a Kubernetes
// ConfigMap volume does when it swaps its ..data symlink to a new directory and the
// new file kept the old one's time.
type fileStamp struct {
	fi  os.FileInfo
	sum [32]byte
}

func (s fileStamp) same(fi os.FileInfo) bool {
	return s.fi.Size() == fi.Size() && s.fi.ModTime().Equal(fi.ModTime()) && os.SameFile(s.fi, fi) &&
		time.Since(fi.ModTime()) > racyWindow
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
