package policy

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/internal/inproc"
	"github.com/coretraffic/coretraffic/policy/answer"
	"github.com/miekg/dns"
)

// A Corefile reload that fails after OnStartup (a later block's port is taken) is
// discarded without its OnShutdown; its explain reference must go with its loader,
// or explain answers from the discarded data (the newest target wins) and the
// listener can never close (found by review).
func TestExplainAfterFailedReload(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.yaml")
	neu := filepath.Join(dir, "new.yaml")
	reviewWrite(t, old, "zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.1}\n")
	reviewWrite(t, neu, "zones:\n  example.net:\n    records:\n      www:\n        A: {value: 192.0.2.99}\n")
	port := reviewPort(t)
	ep := fmt.Sprintf("127.0.0.1:%d", reviewPort(t))
	corefile := func(file string) string {
		return fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n  explain %s\n }\n}\n", port, file, ep)
	}
	inst := reviewStart(t, corefile(old))
	defer func() { inproc.Stop(inst) }()

	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	if _, err := inproc.Restart(inst, reviewInput(corefile(neu)+taken.LocalAddr().String()+" {\n whoami\n}\n")); err == nil {
		t.Fatal("restart on a taken port succeeded")
	}

	r, err := dns.Exchange(new(dns.Msg).SetQuestion("www.example.net.", dns.TypeA), inst.Servers()[0].LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Answer) != 1 || r.Answer[0].(*dns.A).A.String() != "192.0.2.1" {
		t.Fatalf("server answers %v, want the old data's 192.0.2.1", r.Answer)
	}
	resp, err := http.Get("http://" + ep + "/explain?name=www.example.net")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var x answer.Explanation
	if err := json.NewDecoder(resp.Body).Decode(&x); err != nil {
		t.Fatal(err)
	}
	if len(x.Answer) != 1 || !strings.Contains(x.Answer[0], "192.0.2.1") {
		t.Errorf("explain answers %v; the server answers 192.0.2.1", x.Answer)
	}

	// A reload without explain closes the listener: no reference is left behind.
	good, err := inproc.Restart(inst, reviewInput(fmt.Sprintf("example.net:%d {\n policy {\n  data %s\n }\n}\n", port, old)))
	if err != nil {
		t.Fatal(err)
	}
	inst = good
	if c, err := net.Dial("tcp", ep); err == nil {
		c.Close()
		t.Errorf("explain listener %s still open after a reload without explain", ep)
	}
}
