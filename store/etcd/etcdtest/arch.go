package etcdtest

import "runtime"

// archEnv is the ETCD_UNSUPPORTED_ARCH value: etcd 3.4 refuses to start on
// architectures other than amd64 (and a few) unless it names the one it runs on.
func archEnv() string { return runtime.GOARCH }
