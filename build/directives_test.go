package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/coredns/coredns/core/dnsserver"
)

func TestCoretrafficDirectivesOrder(t *testing.T) {
	stock := slices.Clone(dnsserver.Directives)
	got, err := coretrafficDirectives(stock)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(stock, dnsserver.Directives) {
		t.Fatal("the stock list was modified")
	}

	// Removing ours gives back the stock list exactly: nothing lost, nothing moved.
	var rest []string
	for _, d := range got {
		if d != "geo" && d != "healthcheck" && d != "policy" && d != "route53api" && d != "console" {
			rest = append(rest, d)
		}
	}
	if !slices.Equal(rest, stock) {
		t.Errorf("stock order not preserved:\n got %v\nwant %v", rest, stock)
	}
	if len(got) != len(stock)+5 {
		t.Errorf("got %d directives, want %d", len(got), len(stock)+5)
	}

	at := func(name string) int { return slices.Index(got, name) }
	adjacent := []struct{ first, second string }{
		{"geoip", "geo"},
		{"geo", "cancel"}, // what follows geoip in v1.15.0
		{"healthcheck", "policy"},
		{"policy", "route53api"},
		{"route53api", "console"},
		{"console", "file"},
		{"kubernetes", "healthcheck"}, // what precedes file in v1.15.0
	}
	for _, tc := range adjacent {
		if at(tc.first)+1 != at(tc.second) {
			t.Errorf("%s should be right before %s: %v", tc.first, tc.second, got)
		}
	}
	before := []struct{ first, second string }{
		{"metadata", "geo"}, // metadata collects labels from the providers after it
		{"geo", "policy"},   // policy reads the location geo puts in the context
		{"cache", "policy"}, // the hazard plugin/policy detects at setup
	}
	for _, tc := range before {
		if at(tc.first) >= at(tc.second) {
			t.Errorf("%s should run before %s", tc.first, tc.second)
		}
	}
}

func TestCoretrafficDirectivesErrors(t *testing.T) {
	tests := []struct {
		name  string
		stock []string
		err   string
	}{
		{"missing geoip", []string{"metadata", "file"}, `anchor directive "geoip"`},
		{"missing file", []string{"metadata", "geoip", "forward"}, `anchor directive "file"`},
		{"name taken", []string{"geoip", "policy", "file"}, `"policy" already present`},
		{"empty", nil, `anchor directive "geoip"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := coretrafficDirectives(tc.stock)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want error containing %s", err, tc.err)
			}
		})
	}
}

func TestCoretrafficDirectivesMinimal(t *testing.T) {
	got, err := coretrafficDirectives([]string{"geoip", "file"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"geoip", "geo", "healthcheck", "policy", "route53api", "console", "file"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
