package healthcheck

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

func benchHandle(b *testing.B) *Handle {
	e := New(Options{Clock: newFakeClock()})
	set, err := e.Prepare("bench", []Spec{{Name: "c", Type: TypeTCP, Target: "127.0.0.1:1", Disabled: true}})
	if err != nil {
		b.Fatal(err)
	}
	set.Start()
	b.Cleanup(set.Close)
	h, _ := set.Handle("c")
	return h
}

// BenchmarkHandleUp is the DNS hot path: one atomic load, no allocation.
func BenchmarkHandleUp(b *testing.B) {
	h := benchHandle(b)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if h.Up() {
			n++
		}
	}
	_ = n
}

func BenchmarkHandleUpParallel(b *testing.B) {
	h := benchHandle(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_ = h.Up()
			_ = h.Latency()
		}
	})
}

func TestHandleAllocs(t *testing.T) {
	e := New(Options{})
	set, _ := e.Apply("t", []Spec{{Name: "c", Type: TypeTCP, Target: "127.0.0.1:1", Disabled: true}})
	defer set.Close()
	h, _ := set.Handle("c")
	if a := testing.AllocsPerRun(1000, func() { _, _ = h.Up(), h.Latency() }); a != 0 {
		t.Errorf("Up+Latency allocate %v times", a)
	}
}

// detectionTrial starts an endpoint and a check on it, kills the endpoint at a random
// moment and returns the time from the death to the check going down. hang makes the
// endpoint stop answering (the probe times out) instead of refusing connections.
func detectionTrial(t testing.TB, e *Engine, name string, hang bool) time.Duration {
	var mu sync.Mutex
	dead := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		d := dead
		mu.Unlock()
		if d {
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	set, err := e.Apply(name, []Spec{{Name: name, Type: TypeHTTP, URL: srv.URL + "/" + name,
		Interval: time.Second, Timeout: 500 * time.Millisecond, Rise: 1, Fall: 2}})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	h, _ := set.Handle(name)
	down := make(chan time.Time, 1)
	cancel := e.Subscribe(func(tr Transition) {
		if tr.Name == name && tr.Changed && !tr.Up {
			select {
			case down <- time.Now():
			default:
			}
		}
	})
	defer cancel()
	for !set.Ready() {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second + rand.N(time.Second)) // #nosec G404
	if !h.Up() {
		t.Fatalf("%s down before the endpoint died", name)
	}
	died := time.Now()
	if hang {
		mu.Lock()
		dead = true
		mu.Unlock()
	} else {
		srv.Listener.Close()
		srv.CloseClientConnections()
	}
	select {
	case at := <-down:
		return at.Sub(died)
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never went down", name)
	}
	return 0
}

// TestDetectionBound checks a few deaths against interval × fall + timeout (1 s × 2
// + 500 ms), with slack for a loaded machine; BenchmarkDetection reports the
// distribution over many trials.
func TestDetectionBound(t *testing.T) {
	if testing.Short() {
		t.Skip("real-time trials")
	}
	e := New(Options{})
	bound := 2*time.Second + 500*time.Millisecond
	var wg sync.WaitGroup
	for i, hang := range []bool{false, true, false, true} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "trial" + string(rune('a'+i))
			if d := detectionTrial(t, e, name, hang); d > bound+300*time.Millisecond {
				t.Errorf("%s (hang %v): down after %s, bound %s", name, hang, d, bound)
			}
		}()
	}
	wg.Wait()
}

// summarize returns min, median, p90 and max.
func summarize(ds []time.Duration) (lo, p50, p90, hi time.Duration) {
	slices.Sort(ds)
	return ds[0], ds[len(ds)/2], ds[len(ds)*9/10], ds[len(ds)-1]
}
