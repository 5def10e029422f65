// Package route53 is the library core of coretraffic's Route 53 API (2013-04-01):
// the request and response shapes of hosted zones, record sets, changes and CIDR
// collections with their XML (and the aws CLI's JSON), a strict decoder, the hosted
// zone model, change batches validated and applied all-or-nothing with Route 53's
// error messages, ListResourceRecordSets ordering and paging, and the translation of
// Route 53 record sets into policy trees and back.
//
// It has no CoreDNS imports and keeps no state: the store holds zones, record sets
// and collections; the HTTP server decodes a request, calls these functions with
// what the store holds, and writes what they return. Every error is an
// *apierr.Error carrying Route 53's code, HTTP status and message.
package route53
