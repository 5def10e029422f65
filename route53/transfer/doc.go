// Package transfer moves Route 53 data in and out of coretraffic: it reads what
// the aws CLI prints (`aws route53 list-resource-record-sets` per zone,
// `list-health-checks`, `get-traffic-policy` and `list-traffic-policy-instances`)
// and writes it back in the same form, writes it as a policy data file (YAML,
// policy/FORMAT.md and healthcheck/FORMAT.md) that serves the same answers, and
// drives a running Route 53 API (ours) with the aws-sdk-go-v2 client: import,
// export, and the change log extension (list and revert).
//
// It is the library behind `coredns import`, `coredns export` and `coredns
// changes`; no CoreDNS imports.
package transfer
