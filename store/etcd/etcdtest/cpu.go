package etcdtest

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is the kernel's USER_HZ, the unit of /proc/<pid>/stat's times; it
// is 100 on every Linux this runs on.
const clockTick = 100

// CPU returns the CPU time (user + system) the member's process has used so
// far, read from /proc, for benchmarks that charge the cluster's work to what
// they measure.
func (m *Member) CPU() (time.Duration, error) {
	if m.cmd == nil || m.cmd.Process == nil {
		return 0, fmt.Errorf("etcd %s: not running", m.Name)
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", m.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) is in parentheses and may hold spaces: the
	// fields counted from after its closing parenthesis start at field 3.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("etcd %s: unreadable /proc stat %q", m.Name, s)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("etcd %s: short /proc stat %q", m.Name, s)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("etcd %s: /proc stat times %q %q", m.Name, f[11], f[12])
	}
	return time.Duration(utime+stime) * time.Second / clockTick, nil
}
