// Command coredns is the coretraffic binary: stock CoreDNS v1.15.0 with every stock
// plugin in stock order, plus the coretraffic directives geo, healthcheck and policy.
package main

import (
	"log"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/core/plugin" // every stock plugin
	"github.com/coredns/coredns/coremain"
)

func main() {
	directives, err := coretrafficDirectives(dnsserver.Directives)
	if err != nil {
		log.Fatalf("coretraffic: %v", err)
	}
	if err := dnsserver.SetDirectives(directives); err != nil {
		log.Fatalf("coretraffic: %v", err)
	}
	// coremain's init set AppName/AppVersion to CoreDNS's; -version, chaos and dnstap
	// report what is actually running.
	caddy.AppName = appName
	caddy.AppVersion = appVersion()
	coremain.Run()
}
