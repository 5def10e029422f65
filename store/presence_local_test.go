package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coretraffic/coretraffic/store"
)

// TestLocalPresence: the single-member Presence of one-process stores
// delivers the whole view under the prefix at once and after each change.
func TestLocalPresence(t *testing.T) {
	p := store.NewLocalPresence("solo")
	views := make(chan string, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.Observe(ctx, "x", func(v []store.Announcement) {
			var s []string
			for _, a := range v {
				s = append(s, a.Member+":"+a.Key+"="+string(a.Value))
			}
			views <- strings.Join(s, " ")
		})
	}()
	next := func(want string) {
		t.Helper()
		for deadline := time.After(time.Second); ; {
			select {
			case got := <-views:
				if got == want {
					return
				}
			case <-deadline:
				t.Fatalf("no view %q", want)
			}
		}
	}
	next("")
	bg := context.Background()
	for _, kv := range [][2]string{{"x1", "1"}, {"y", "2"}, {"x0", "0"}} {
		if err := p.Announce(bg, kv[0], []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	next("solo:x0=0 solo:x1=1")
	if err := p.Withdraw(bg, "x0"); err != nil {
		t.Fatal(err)
	}
	if err := p.Withdraw(bg, "absent"); err != nil {
		t.Fatal(err)
	}
	next("solo:x1=1")
	if err := p.Announce(bg, "", nil); err != store.ErrEmptyKey {
		t.Errorf("Announce of the empty key: %v", err)
	}
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Observe returned %v, want context.Canceled", err)
	}
	if d := store.NewLocalPresence("").Member(); d == "" || strings.Contains(d, "/") {
		t.Errorf("default member %q", d)
	}
}
