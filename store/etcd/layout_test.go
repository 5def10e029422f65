package etcdstore

import (
	"testing"
)

func TestLayout(t *testing.T) {
	l := layout{prefix: "/ct/"}
	if got := l.log(42); got != "/ct/log/00000000000000000042" {
		t.Fatalf("log key = %q", got)
	}
	tests := []struct {
		key  string
		rev  int64
		fail bool
	}{
		{"/ct/log/00000000000000000042", 42, false},
		{"/ct/log/42", 0, true},
		{"/ct/d/00000000000000000042", 0, true},
		{"/ct/log/0000000000000000004x", 0, true},
		{"/ct/log/-0000000000000000001", 0, true},
	}
	for _, tc := range tests {
		rev, err := l.logRev([]byte(tc.key))
		if (err != nil) != tc.fail || rev != tc.rev {
			t.Errorf("logRev(%q) = %d, %v", tc.key, rev, err)
		}
	}
	if got := l.userKey([]byte(l.data("x/y"))); got != "x/y" {
		t.Errorf("userKey(data(x/y)) = %q", got)
	}
}
