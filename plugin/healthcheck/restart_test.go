package healthcheck

import (
	"fmt"
	"net"
	"testing"

	"github.com/coretraffic/coretraffic/internal/inproc"
)

// A reload that adds the healthcheck directive and then fails after our OnStartup ran
// (a later server block's port is taken) is discarded by caddy without its
// OnShutdown. The running Corefile has no healthcheck directive, so no hook of ours is
// on the instance whose OnRestartFailed runs: the new checks and status listener must
// still be released at once, not when some later reload happens.
func TestFailedReloadAddingDirectiveReleasesChecks(t *testing.T) {
	port := freePort(t)
	status := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	inst := start(t, fmt.Sprintf(".:%d {\n bind 127.0.0.1\n whoami\n}\n", port))
	defer func() { inproc.Stop(inst) }()

	taken, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	bad := fmt.Sprintf(".:%d {\n bind 127.0.0.1\n healthcheck {\n  check added tcp 127.0.0.1:1 interval=10s timeout=1s\n  status %s\n }\n whoami\n}\n", port, status) +
		taken.LocalAddr().String() + " {\n whoami\n}\n"
	if _, err := inproc.Restart(inst, input(bad)); err == nil {
		t.Fatal("restart on a taken port succeeded")
	}
	if _, ok := Engine().Handle("added"); ok {
		t.Error("the check of the failed reload is still running")
	}
	if c, err := net.Dial("tcp", status); err == nil {
		c.Close()
		t.Errorf("the status listener %s of the failed reload is still open", status)
	}
}
