package controlplane

import (
	"os"
	"testing"
	"time"
)

// TestMain shortens the start-up wait for an etcd that does not answer, which
// several tests reach on purpose.
func TestMain(m *testing.M) {
	connectTimeout = time.Second
	os.Exit(m.Run())
}
