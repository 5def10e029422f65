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
//
// What the server calls, by operation:
//
//   - every POST body: Decode(body, &XxxRequest) (InvalidInput on malformed XML,
//     unknown elements, a wrong or missing namespace); responses are the
//     XxxResponse types, written with xml.Marshal after xml.Header.
//   - CreateHostedZone: CreateZone (Zone, its SOA and NS record sets), then
//     Zone.API, Zone.DelegationSet, NewChangeInfo. GetHostedZone: Zone.API,
//     NoSuchHostedZone. ListHostedZones: ListZones. ListHostedZonesByName:
//     ListZonesByName. DeleteHostedZone: CheckDeletable. GetHostedZoneCount:
//     GetHostedZoneCountResponse. IDs: NewID, TrimZoneID, ValidZoneID.
//   - ChangeResourceRecordSets: PlanChanges (a Delta for the store: Put, Delete,
//     Groups; AffectedGroups adds the aliases that inline changed groups) or
//     ApplyChanges (the new sorted record sets), then NewChangeInfo.
//     PlanInstanceChanges is the same for a traffic policy instance's record sets.
//   - ListResourceRecordSets: ListRecordSets over record sets kept sorted with
//     SortRecordSets (ApplyChanges and Delta.Apply keep them sorted).
//   - GetChange: GetChangeResponse with the stored ChangeInfo (Status INSYNC once
//     the query path serves the change's revision).
//   - CIDR collections: CreateCidrCollection, ChangeCidrCollection,
//     CheckCidrDeletable, ListCidrCollections, ListCidrLocations, ListCidrBlocks,
//     NoSuchCidrCollection.
//   - the query path: ToPolicy (a whole zone) or GroupToPolicy (one name and type,
//     for an incremental swap) with PolicyCollections, Regions and LatencyTable
//     for the policy.Data the zone is compiled with; health check IDs are the
//     leaves' check names.
//   - import and export: ReadCLIJSON, WriteCLIJSON, ImportRecordSets,
//     ImportBatches, FromPolicy.
package route53
