// Command coredns is the coretraffic binary: stock CoreDNS v1.15.0 with every stock
// plugin in stock order, plus the coretraffic directives geo, healthcheck and policy.
package main

import (
	"log"
	"os"

	"github.com/coredns/caddy"
	"github.com/coredns/coredns/core/dnsserver"
	_ "github.com/coredns/coredns/core/plugin" // every stock plugin
	"github.com/coredns/coredns/coremain"
)

func main() {
	if len(os.Args) > 1 {
		if tool, ok := tools[os.Args[1]]; ok {
			os.Exit(tool(os.Args[2:], os.Stdout, os.Stderr))
		}
	}
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
