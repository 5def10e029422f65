// Package catalog is where the Route 53 API keeps its data in the store: one key
// layout and one JSON record per kind, written by the API server (route53/api) and
// read by every replica that serves it (route53/replica). Nothing else knows the
// layout.
//
//	zone/<zone ID>                               Zone
//	rrset/<zone ID>/<sort key> 0 <type> 0 <set>  route53.ResourceRecordSet
//	alias/<zone ID>/<record set key>             the alias record sets of a zone (their target name)
//	change/<change ID>                           Change
//	healthcheck/<health check ID>                checks.HealthCheck
//	hcref/<health check ID>/<record set key>     the record sets using a check (empty value)
//	hcgone/<caller reference>                    a deleted check's ID (CallerReference reuse)
//	trafficpolicy/<policy ID>                    TrafficPolicy (every version, deleted ones too)
//	tpinstance/<instance ID>                     trafficflow.TrafficPolicyInstance
//	cidrcollection/<collection ID>               route53.CidrCollection
//	cidrref/<collection ID>/<record set key>     the record sets using a collection (value: location)
//
// A traffic policy instance's record set is stored under its record set key like
// any other, with Name, Type, TTL and TrafficPolicyInstanceId only (what
// ListResourceRecordSets shows of it); what it answers is its instance's policy
// version, compiled by the replica.
//
// Record set keys sort in ListResourceRecordSets' order (name with its labels
// reversed, then type, then SetIdentifier), so a page is one Scan. A change's
// revision is the revision of the store Event that wrote its key.
package catalog

import (
	"strings"
	"time"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/trafficflow"
)

// Key prefixes.
const (
	ZonePrefix        = "zone/"
	RecordPrefix      = "rrset/"
	AliasPrefix       = "alias/"
	ChangePrefix      = "change/"
	HealthCheckPrefix = "healthcheck/"
	HealthCheckRefs   = "hcref/"
	DeletedChecks     = "hcgone/"
	TrafficPolicies   = "trafficpolicy/"
	Instances         = "tpinstance/"
	CidrCollections   = "cidrcollection/"
	CidrRefs          = "cidrref/"
)

// sep separates the parts of a record set key: below every octet of a name's sort
// key but NUL itself, so "example.com." sorts before "www.example.com.".
const sep = "\x00"

// Zone is a hosted zone as stored: route53.Zone plus what the API reports of it.
type Zone struct {
	route53.Zone
	Created time.Time
	// Sets counts the zone's record sets (ResourceRecordSetCount).
	Sets int64
}

// Change is one applied change batch: who, when, why, and the record sets it
// replaced (Before) and wrote (After), for `coredns changes` and revert.
type Change struct {
	ID        string // "C…"
	ZoneID    string
	Submitted time.Time
	Caller    string // the access key ID that signed the request
	Comment   string
	Before    []route53.ResourceRecordSet `json:",omitempty"`
	After     []route53.ResourceRecordSet `json:",omitempty"`
}

// ZoneKey is the key of zone id.
func ZoneKey(id string) string { return ZonePrefix + id }

// ZoneRecords is the prefix of zone id's record sets.
func ZoneRecords(id string) string { return RecordPrefix + id + "/" }

// NameRecords is the prefix of zone id's record sets at name (normalized).
func NameRecords(id, name string) string { return ZoneRecords(id) + route53.SortKey(name) + sep }

// RecordKey is the key of a record set (normalized name) of zone id.
func RecordKey(id string, rs *route53.ResourceRecordSet) string {
	return NameRecords(id, rs.Name) + rs.Type + sep + rs.SetIdentifier
}

// StartKey is the first record set key at or after (name, type, set) in zone id: the
// key ListResourceRecordSets' start parameters name (type and set may be empty).
func StartKey(id, name, typ, set string) string {
	k := NameRecords(id, name)
	if typ == "" {
		return k
	}
	k += typ + sep
	if set == "" {
		return k
	}
	return k + set
}

// AliasKey is the alias index entry of a record set of zone id.
func AliasKey(id string, rs *route53.ResourceRecordSet) string {
	return AliasPrefix + id + "/" + strings.TrimPrefix(RecordKey(id, rs), ZoneRecords(id))
}

// ZoneAliases is the prefix of zone id's alias index.
func ZoneAliases(id string) string { return AliasPrefix + id + "/" }

// ChangeKey is the key of change id ("C…", without "/change/").
func ChangeKey(id string) string { return ChangePrefix + id }

// HealthCheckKey is the key of health check id.
func HealthCheckKey(id string) string { return HealthCheckPrefix + id }

// RecordZone returns the zone ID of a record set key.
func RecordZone(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, RecordPrefix)
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, "/")
	return id, ok
}

// CheckRefs is the prefix of the record sets using health check id.
func CheckRefs(id string) string { return HealthCheckRefs + id + "/" }

// CheckRefKey is the entry saying that a record set of zone id uses its health check.
func CheckRefKey(id string, rs *route53.ResourceRecordSet) string {
	return CheckRefs(rs.HealthCheckId) + RecordKey(id, rs)
}

// DeletedCheckKey remembers the caller reference of a deleted health check.
func DeletedCheckKey(callerReference string) string { return DeletedChecks + callerReference }

// TrafficPolicy is a traffic policy as stored: Seq orders policies by creation,
// the order ListTrafficPolicies pages them in.
type TrafficPolicy struct {
	trafficflow.Policy
	Seq int64
}

// TrafficPolicyKey is the key of traffic policy id.
func TrafficPolicyKey(id string) string { return TrafficPolicies + id }

// InstanceKey is the key of traffic policy instance id.
func InstanceKey(id string) string { return Instances + id }

// CidrCollectionKey is the key of CIDR collection id.
func CidrCollectionKey(id string) string { return CidrCollections + id }

// CollectionRefs is the prefix of the record sets using CIDR collection id.
func CollectionRefs(id string) string { return CidrRefs + id + "/" }

// CidrRefKey is the entry saying that a record set of zone id uses its CIDR
// collection; its value is the location the record set names.
func CidrRefKey(id string, rs *route53.ResourceRecordSet) string {
	return CollectionRefs(rs.CidrRoutingConfig.CollectionId) + RecordKey(id, rs)
}
