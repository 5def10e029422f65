package vantage_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	hc "github.com/coretraffic/coretraffic/healthcheck"
	"github.com/coretraffic/coretraffic/route53/checks"
	"github.com/coretraffic/coretraffic/route53/vantage"
	"github.com/coretraffic/coretraffic/store"
)

// TestPointAlone: a Point whose group has one member (LocalPresence, as a
// one-process store) publishes its heartbeat and its report in Route 53's
// words, decides with itself as the only checker (the verdict is its own
// state), has no peers to list, and on stop withdraws its keys and gives the
// check back to its own probes.
func TestPointAlone(t *testing.T) {
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer target.Close()
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	portN, _ := strconv.Atoi(port)
	cfg := checks.HealthCheckConfig{Type: checks.TypeHTTP, IPAddress: "127.0.0.1", Port: portN, ResourcePath: "/"}
	cfg.Normalize()
	spec, err := checks.ToSpec("c1", cfg)
	if err != nil {
		t.Fatal(err)
	}
	engine := hc.New(hc.Options{})
	set, err := engine.Apply("test", []hc.Spec{spec})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()

	pres := store.NewLocalPresence("solo")
	p, err := vantage.New(pres, engine, vantage.Options{Region: "eu-west-1", Heartbeat: 50 * time.Millisecond}, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	p.SetChecks(map[string]checks.HealthCheckConfig{"c1": cfg})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()

	h, _ := set.Handle("c1")
	deadline := time.Now().Add(5 * time.Second)
	for h.Status().Verdict != hc.VerdictHealthy {
		if time.Now().After(deadline) {
			t.Fatalf("no verdict: %+v", h.Status())
		}
		time.Sleep(10 * time.Millisecond)
	}
	keys := map[string][]byte{}
	vctx, vcancel := context.WithCancel(context.Background())
	_ = pres.Observe(vctx, "", func(anns []store.Announcement) {
		for _, a := range anns {
			keys[a.Key] = a.Value
		}
		vcancel()
	})
	var r vantage.Report
	if err := json.Unmarshal(keys["health/check/c1"], &r); err != nil {
		t.Fatalf("report: %v (keys %q)", err, keys)
	}
	if !r.Healthy || r.Region != "eu-west-1" || r.IP != "127.0.0.1" || r.Status != "Success: HTTP Status Code 200, OK" || r.Checked.IsZero() {
		t.Errorf("report %+v", r)
	}
	if _, ok := keys["health/alive"]; !ok {
		t.Errorf("no heartbeat among %q", keys)
	}
	if heard := p.LastHeard(); heard.IsZero() || time.Since(heard) > 5*time.Second {
		t.Errorf("LastHeard %v", heard)
	}
	if peers := p.Peers("c1", cfg); len(peers) != 0 {
		t.Errorf("peers of a lone checker: %+v", peers)
	}

	cancel()
	<-done
	if v := h.Status().Verdict; v != hc.VerdictNone {
		t.Errorf("after stop: verdict %v, want none", v)
	}
	vctx, vcancel = context.WithCancel(context.Background())
	_ = pres.Observe(vctx, "", func(anns []store.Announcement) {
		if len(anns) != 0 {
			t.Errorf("after stop, keys left: %+v", anns)
		}
		vcancel()
	})
}

func TestNewRefusesThreshold(t *testing.T) {
	for _, th := range []float64{-1, 100, 150} {
		if _, err := vantage.New(store.NewLocalPresence(""), hc.New(hc.Options{}), vantage.Options{Threshold: th}, nil); err == nil {
			t.Errorf("threshold %v accepted", th)
		}
	}
}
