package console

import (
	"net/http"
	"testing"
)

// BenchmarkMap is one map request of a geolocation tree with a what-if: every
// country and the tree's subdivisions, 16 samples now and 16 with the check down.
func BenchmarkMap(b *testing.B) {
	f := newFixture(&testing.T{})
	br := f.browser().login()
	path := "/api/map?set=geo.example.net./A&down=" + f.checkID
	b.ReportAllocs()
	for b.Loop() {
		if resp, _ := br.do("GET", path, "", nil); resp.StatusCode != http.StatusOK {
			b.Fatal(resp.StatusCode)
		}
	}
}

// BenchmarkBroadcast is one health event fanned out to 100 connected pages' queues.
func BenchmarkBroadcast(b *testing.B) {
	h := newHub()
	sess := &session{done: make(chan struct{})}
	var sts []*stream
	for range 100 {
		st := &stream{sess: sess, ch: make(chan []byte, 1), quit: make(chan struct{})}
		h.streams[st] = true
		sts = append(sts, st)
	}
	e := event{name: "health", data: transitionDoc{Check: "0f3c9a", Up: false, Reason: "timeout"}}
	b.ReportAllocs()
	for b.Loop() {
		h.broadcast(e)
		for _, st := range sts {
			<-st.ch
		}
	}
}
