package main

import "github.com/coredns/coredns/coremain"

const appName = "coretraffic"

// version is stamped by the Makefile with -ldflags "-X main.version=…"; the commit goes
// into coremain.GitCommit, which CoreDNS prints on its release line.
var version = "dev"

// appVersion is what `coredns -version` prints after "coretraffic-": our version and the
// CoreDNS release it is built on.
func appVersion() string {
	return version + " (CoreDNS-" + coremain.CoreVersion + ")"
}
