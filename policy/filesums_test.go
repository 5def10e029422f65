package policy

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The watcher hashes a file only when its size or modification time changed, or it
// changed recently: an unchanged file is not read at every tick.
func TestFileSumsSkipUnchangedFiles(t *testing.T) {
	f := filepath.Join(t.TempDir(), "data.yaml")
	old := time.Now().Add(-time.Hour)
	write := func(content string, mod time.Time) {
		if err := os.WriteFile(f, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(f, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	var fs FileSums
	write("version: 1", old)
	first := fs.Sums([]string{f})[0]

	// Same size, same time: the stamp stands in for the content (not read).
	write("version: 2", old)
	if got := fs.Sums([]string{f})[0]; got != first {
		t.Fatal("an unchanged stamp was hashed again")
	}
	// A new time: hashed, the change seen.
	write("version: 2", old.Add(time.Second))
	second := fs.Sums([]string{f})[0]
	if second == first {
		t.Fatal("a file with a new modification time was not hashed again")
	}
	// Modified just now: hashed at every tick, whatever the stamp says.
	now := time.Now()
	write("version: 3", now)
	if got := fs.Sums([]string{f})[0]; got == second {
		t.Fatal("a recently modified file was not hashed")
	}
	write("version: 4", now)
	if got := fs.Sums([]string{f})[0]; got == second {
		t.Fatal("a file modified within the racy window kept a stale sum")
	}
	// Gone: the empty sum, and a new file of the same stamp is read again.
	os.Remove(f)
	if got := fs.Sums([]string{f})[0]; got != ([32]byte{}) {
		t.Fatal("a missing file has a sum")
	}
}
