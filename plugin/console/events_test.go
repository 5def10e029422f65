package console

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
)

// sse is one event read from a stream.
type sse struct {
	name string
	data string
}

// openEvents connects b to /api/events and returns the events as they come.
func openEvents(t *testing.T, b *browser) (<-chan sse, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", b.f.srv.URL+"/api/events", nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ch := make(chan sse, 64)
	go func() {
		defer close(ch)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var cur sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				cur.name = line[len("event: "):]
			case strings.HasPrefix(line, "data: "):
				cur.data = line[len("data: "):]
			case line == "" && cur.name != "":
				ch <- cur
				cur = sse{}
			}
		}
	}()
	return ch, cancel
}

// next waits up to d for an event called name.
func next(t *testing.T, ch <-chan sse, name string, d time.Duration) sse {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("stream ended waiting for %s", name)
			}
			if e.name == name {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event within %v", name, d)
		}
	}
}

func TestEventsHealthWithinASecond(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	ch, stop := openEvents(t, b)
	defer stop()
	next(t, ch, "hello", time.Second)

	start := time.Now()
	f.engine.SetOverride(f.checkID, hc.OverrideDown)
	e := next(t, ch, "health", time.Second)
	var d transitionDoc
	if err := json.Unmarshal([]byte(e.data), &d); err != nil {
		t.Fatal(err)
	}
	if d.Check != f.checkID || d.Up || d.Override != "down" {
		t.Fatalf("health event %s", e.data)
	}
	t.Logf("health event after %v", time.Since(start))

	// An edit's new revision reaches the page too, and stats come every step.
	resp, body := b.post("/api/zones/"+f.zoneID+"/apply", `{"ChangeBatch":`+weightBatch("10")+`,"confirm":true}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("apply: %d %s", resp.StatusCode, body)
	}
	rev := next(t, ch, "revision", 2*time.Second)
	if !strings.Contains(rev.data, `"revision":`) {
		t.Fatalf("revision event %s", rev.data)
	}
	next(t, ch, "stats", time.Second)
}

func TestEventsEndWithTheSession(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	ch, stop := openEvents(t, b)
	defer stop()
	next(t, ch, "hello", time.Second)
	if resp, _ := b.post("/api/logout", ""); resp.StatusCode != http.StatusNoContent {
		t.Fatal("logout")
	}
	deadline := time.After(time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the stream outlived its session")
		}
	}
}

func TestEventsPerSessionCap(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	var chans []<-chan sse
	for range streamsPerSession + 1 {
		ch, stop := openEvents(t, b)
		defer stop()
		next(t, ch, "hello", time.Second)
		chans = append(chans, ch)
	}
	// The oldest was closed to make room.
	select {
	case _, ok := <-chans[0]:
		for ok {
			_, ok = <-chans[0]
		}
	case <-time.After(time.Second):
		t.Fatal("the oldest stream is still open")
	}
	if n := f.console.hub.count(); n != streamsPerSession {
		t.Fatalf("%d streams, want %d", n, streamsPerSession)
	}
}
