package geo

import (
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/coretraffic/coretraffic/geo/geotest"
)

// replace writes data to path the way a careful updater does (temp file and
// rename), or in place when inPlace, and moves the mtime so the change is seen
// even within the filesystem's timestamp granularity.
func replace(t *testing.T, path string, data []byte, inPlace bool, n int) {
	t.Helper()
	if inPlace {
		writeFile(t, path, data)
	} else {
		tmp := path + ".tmp"
		writeFile(t, tmp, data)
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	mt := time.Now().Add(time.Duration(n) * time.Second)
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

func TestReloadWhileLookingUp(t *testing.T) {
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	writeFile(t, city, mustRead(t, "testdata/demo-city.mmdb"))
	r, err := NewReader([]string{city})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	// Version 2 moves 192.0.2.0/24 to Paris.
	moved := append([]geotest.Entry(nil), geotest.Demo...)
	moved[0].City, moved[0].Country, moved[0].Subdivisions = "Paris", "FR", []string{"IDF"}
	v2 := filepath.Join(dir, "v2.mmdb")
	if err := geotest.Write(v2, "coretraffic-Demo-City", moved); err != nil {
		t.Fatal(err)
	}
	good := mustRead(t, city)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var lookups, bad atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				var loc Location
				_, found, err := r.Lookup(netip.MustParseAddr("192.0.2.1"), &loc)
				if err != nil || !found || (loc.City != "Frankfurt am Main" && loc.City != "Paris") {
					bad.Add(1)
				}
				lookups.Add(1)
			}
		}()
	}

	steps := []struct {
		name     string
		data     []byte
		inPlace  bool
		wantErr  string
		wantCity string
	}{
		{"unchanged", nil, false, "", "Frankfurt am Main"},
		{"replaced", mustRead(t, v2), false, "", "Paris"},
		{"truncated in place", good[:len(good)/2], true, "MaxMind DB", "Paris"},
		{"garbage", []byte("not a database"), false, "not a valid MaxMind DB", "Paris"},
		{"wrong type", mustRead(t, "testdata/demo-asn.mmdb"), false, "replaces a city database", "Paris"},
		{"empty", []byte{}, true, "empty", "Paris"},
		{"good again", good, false, "", "Frankfurt am Main"},
	}
	for i, st := range steps {
		if st.data != nil {
			replace(t, city, st.data, st.inPlace, i+1)
		}
		res := r.Reload()
		switch {
		case st.data == nil && len(res) != 0:
			t.Errorf("%s: reload reported %+v for an unchanged file", st.name, res)
		case st.data != nil && len(res) != 1:
			t.Fatalf("%s: reload reported %+v", st.name, res)
		case st.wantErr == "" && st.data != nil && (!res[0].Reloaded || res[0].Err != nil):
			t.Errorf("%s: %+v, want a reload", st.name, res[0])
		case st.wantErr != "" && (res[0].Err == nil || !strings.Contains(res[0].Err.Error(), st.wantErr)):
			t.Errorf("%s: %+v, want error containing %q", st.name, res[0], st.wantErr)
		}
		if again := r.Reload(); len(again) != 0 { // a refused file is reported once
			t.Errorf("%s: second reload reported %+v", st.name, again)
		}
		var loc Location
		if _, _, err := r.Lookup(netip.MustParseAddr("192.0.2.1"), &loc); err != nil || loc.City != st.wantCity {
			t.Errorf("%s: city %q err %v, want %q", st.name, loc.City, err, st.wantCity)
		}
	}
	close(stop)
	wg.Wait()
	if bad.Load() != 0 {
		t.Errorf("%d of %d concurrent lookups failed", bad.Load(), lookups.Load())
	}
}

// TestReloadReleasesOldDatabases shows that a replaced Database is reclaimed:
// nothing keeps old versions (and their file contents) alive, no file stays
// open and no goroutine is left behind.
func TestReloadReleasesOldDatabases(t *testing.T) {
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	data := mustRead(t, "testdata/demo-city.mmdb")
	writeFile(t, city, data)
	r, err := NewReader([]string{city})
	if err != nil {
		t.Fatal(err)
	}
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	var old []weak.Pointer[Database]
	for i := range 50 {
		old = append(old, weak.Make(r.slots[0].db.Load()))
		replace(t, city, data, false, i+1)
		if res := r.Reload(); len(res) != 1 || !res[0].Reloaded {
			t.Fatalf("reload %d: %+v", i, res)
		}
	}
	r.Close()
	old = append(old, weak.Make((*Database)(nil)))
	runtime.GC()
	runtime.GC()
	for i, w := range old {
		if w.Value() != nil {
			t.Errorf("database version %d still reachable after reload", i)
		}
	}
	if g := runtime.NumGoroutine(); g > goroutines {
		t.Errorf("%d goroutines after reloads, %d before", g, goroutines)
	}
	if f := openFDs(t); f > fds {
		t.Errorf("%d open files after reloads, %d before", f, fds)
	}
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(entries)
}

func TestReaderClosed(t *testing.T) {
	r, err := NewReader([]string{"testdata/demo-city.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	var loc Location
	if _, found, err := r.Lookup(netip.MustParseAddr("192.0.2.1"), &loc); err == nil || found {
		t.Errorf("lookup on a closed reader: found %v err %v", found, err)
	}
	if res := r.Reload(); res != nil {
		t.Errorf("reload on a closed reader: %+v", res)
	}
}

func TestNewReaderErrors(t *testing.T) {
	if _, err := NewReader(nil); err == nil {
		t.Error("no paths: no error")
	}
	if _, err := NewReader([]string{"testdata/demo-city.mmdb", "testdata/nope.mmdb"}); err == nil || !strings.Contains(err.Error(), "nope.mmdb") {
		t.Errorf("missing second file: %v", err)
	}
}

func TestVerifyAll(t *testing.T) {
	dir := t.TempDir()
	city := filepath.Join(dir, "city.mmdb")
	data := mustRead(t, "testdata/demo-city.mmdb")
	writeFile(t, city, data)
	r, err := NewReader([]string{city, "testdata/demo-asn.mmdb"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.VerifyAll(); err != nil {
		t.Fatalf("good databases: %v", err)
	}
	// Find a corruption only full verification notices, and check that
	// reloads now refuse it.
	for i := len(data) / 2; i < len(data)-64; i++ {
		c := append([]byte(nil), data...)
		c[i] ^= 0xff
		if _, err := openBytes(city, c, options{}); err != nil {
			continue
		}
		if _, err := openBytes(city, c, options{verify: true}); err == nil {
			continue
		}
		replace(t, city, c, false, 1)
		res := r.Reload()
		if len(res) != 1 || res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "corrupt database") {
			t.Errorf("byte %d: reload after VerifyAll gave %+v, want a corrupt database error", i, res)
		}
		return
	}
	t.Skip("no corruption found that only verification notices")
}
