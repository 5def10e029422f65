//go:build scale

package policy

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/miekg/dns"
)

// TestScaleHeap loads bench/scale's data (POLICY_SCALE_SETS record sets, 100,000 by
// default, no checks) in process and reports the live heap the loaded data holds,
// with the answer series it created, then again after every record set was
// answered once:
//
//	go test -tags scale -run ScaleHeap -v ./plugin/policy
func TestScaleHeap(t *testing.T) {
	n := 100_000
	if s := os.Getenv("POLICY_SCALE_SETS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "scale.yaml")
	gen := exec.Command("go", "run", "../../bench/scale", "gen", "-n", strconv.Itoa(n), "-checks", "0", "-o", path)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	const zone = "scale.test."
	clearSeries(t, zone)

	base := liveHeap()
	p := newTestPolicy(t, nil, path)
	loaded := liveHeap()
	t.Logf("%d record sets loaded: live heap %.1f MiB (%.0f B per record set), %d answer series",
		n, mib(loaded-base), float64(loaded-base)/float64(n), len(answerSeries(t, zone)))

	for i := range n {
		m := new(dns.Msg).SetQuestion("r"+strconv.Itoa(i)+"."+zone, dns.TypeA)
		if r, _ := serve(t, p, m, nil); len(r.Answer) == 0 {
			t.Fatalf("r%d: no answer", i)
		}
	}
	answered := liveHeap()
	t.Logf("every record set answered once: live heap %.1f MiB (%.0f B per record set), %d answer series",
		mib(answered-base), float64(answered-base)/float64(n), len(answerSeries(t, zone)))
	runtime.KeepAlive(p)
}

func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
