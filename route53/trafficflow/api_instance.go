package trafficflow

import (
	"slices"
	"strings"

	"github.com/coretraffic/coretraffic/policy"
	"github.com/coretraffic/coretraffic/route53/apierr"

	"github.com/miekg/dns"
)

// Traffic policy instance operations. An instance created or updated is returned
// in StateCreating: the server sets StateApplied once the query path serves its
// record set (or StateFailed with a Message), as Route 53 does once its records
// have propagated. RecordSet builds that record set from the version's document.

// CreateTrafficPolicyInstance creates instance newID (from NewID).
func CreateTrafficPolicyInstance(s State, req *CreateTrafficPolicyInstanceRequest, newID string) (*TrafficPolicyInstance, *CreateTrafficPolicyInstanceResponse, *apierr.Error) {
	zoneID := strings.TrimPrefix(req.HostedZoneId, "/hostedzone/")
	if zoneID == "" || len(zoneID) > 32 {
		return nil, nil, apierr.InvalidInput("HostedZoneId must be 1 to 32 characters, not %q", req.HostedZoneId)
	}
	ttl, err := checkTTL(req.TTL)
	if err != nil {
		return nil, nil, err
	}
	p, v, err := instancePolicy(s, req.TrafficPolicyId, req.TrafficPolicyVersion)
	if err != nil {
		return nil, nil, err
	}
	origin, ok := s.HostedZone(zoneID)
	if !ok {
		return nil, nil, noSuchZone(zoneID)
	}
	name, err := instanceName(req.Name, origin)
	if err != nil {
		return nil, nil, err
	}
	typ := dns.StringToType[v.Type]
	if typ == dns.TypeCNAME && name == origin {
		return nil, nil, apierr.InvalidInput("%s is the zone apex, which holds the SOA and NS records: a CNAME policy cannot be there", name)
	}
	all := s.Instances()
	for _, in := range all {
		if in.Id == newID {
			return nil, nil, apierr.Conflict("TrafficPolicyInstanceAlreadyExists", "A traffic policy instance with ID %s already exists", newID)
		}
		if in.HostedZoneId != zoneID || in.Name != name {
			continue
		}
		if in.TrafficPolicyType == v.Type {
			return nil, nil, apierr.Conflict("TrafficPolicyInstanceAlreadyExists",
				"Traffic policy instance %s already serves %s %s in hosted zone %s", in.Id, name, v.Type, zoneID)
		}
		if err := cnameConflict(name, typ, dns.StringToType[in.TrafficPolicyType]); err != nil {
			return nil, nil, err
		}
	}
	for _, t := range s.RecordSetTypes(zoneID, name) {
		if t == typ {
			return nil, nil, apierr.InvalidInput("A resource record set %s of type %s already exists: a traffic policy instance makes its own", name, v.Type)
		}
		if err := cnameConflict(name, typ, t); err != nil {
			return nil, nil, err
		}
	}
	if len(all) >= s.Limits().Instances {
		return nil, nil, badRequest("TooManyTrafficPolicyInstances", "The account has %d traffic policy instances, the limit", len(all))
	}
	in := &TrafficPolicyInstance{Id: newID, HostedZoneId: zoneID, Name: name, TTL: ttl, State: StateCreating,
		TrafficPolicyId: p.Id, TrafficPolicyVersion: v.Version, TrafficPolicyType: v.Type}
	return in, &CreateTrafficPolicyInstanceResponse{TrafficPolicyInstance: *in, Location: "/2013-04-01/trafficpolicyinstance/" + newID}, nil
}

// cnameConflict refuses a CNAME beside another type at one name (RFC 1034 §3.6.2).
func cnameConflict(name string, ours, theirs uint16) *apierr.Error {
	if ours != theirs && (ours == dns.TypeCNAME || theirs == dns.TypeCNAME) {
		return apierr.InvalidInput("%s already has a %s record set: a CNAME cannot be beside another type", name, dns.TypeToString[theirs])
	}
	return nil
}

func checkTTL(ttl *int64) (int64, *apierr.Error) {
	if ttl == nil {
		return 0, apierr.InvalidInput("TTL is required")
	}
	if *ttl < 0 || *ttl > maxTTL {
		return 0, apierr.InvalidInput("TTL must be 0..%d, not %d", maxTTL, *ttl)
	}
	return *ttl, nil
}

// instancePolicy finds the policy version an instance request names; it must not
// be deleted.
func instancePolicy(s State, id string, version *int) (*Policy, *PolicyVersion, *apierr.Error) {
	if err := checkID("TrafficPolicyId", id); err != nil {
		return nil, nil, err
	}
	if version == nil || *version < 1 || *version > 1000 {
		return nil, nil, apierr.InvalidInput("TrafficPolicyVersion must be 1..1000")
	}
	p := findPolicy(s, id)
	if p == nil {
		return nil, nil, noSuchPolicy(id)
	}
	v := p.version(*version)
	if v == nil || v.Deleted {
		return nil, nil, noSuchVersion(id, *version)
	}
	return p, v, nil
}

// instanceName is the instance's name as a lower-case FQDN inside the zone. Route 53
// names are absolute with or without the final dot, and "\052" is "*".
func instanceName(name, origin string) (string, *apierr.Error) {
	if name == "" || len(name) > maxDNSName {
		return "", apierr.InvalidInput("Name must be 1 to %d characters", maxDNSName)
	}
	if rest, ok := strings.CutPrefix(name, `\052`); ok {
		name = "*" + rest
	}
	owner, err := policy.OwnerName(dns.Fqdn(name), origin)
	if err != nil {
		return "", apierr.InvalidInput("Name: %v", err)
	}
	return owner, nil
}

// GetTrafficPolicyInstance reads an instance.
func GetTrafficPolicyInstance(s State, id string) (*GetTrafficPolicyInstanceResponse, *apierr.Error) {
	in, err := findInstance(s, id)
	if err != nil {
		return nil, err
	}
	return &GetTrafficPolicyInstanceResponse{TrafficPolicyInstance: *in}, nil
}

func findInstance(s State, id string) (*TrafficPolicyInstance, *apierr.Error) {
	if err := checkID("Id", id); err != nil {
		return nil, err
	}
	for _, in := range s.Instances() {
		if in.Id == id {
			return in, nil
		}
	}
	return nil, noSuchInstance(id)
}

// UpdateTrafficPolicyInstance moves an instance to another policy version and TTL.
// The new version must answer the same record type (ConflictingTypes).
func UpdateTrafficPolicyInstance(s State, id string, req *UpdateTrafficPolicyInstanceRequest) (*TrafficPolicyInstance, *UpdateTrafficPolicyInstanceResponse, *apierr.Error) {
	old, err := findInstance(s, id)
	if err != nil {
		return nil, nil, err
	}
	ttl, err := checkTTL(req.TTL)
	if err != nil {
		return nil, nil, err
	}
	p, v, err := instancePolicy(s, req.TrafficPolicyId, req.TrafficPolicyVersion)
	if err != nil {
		return nil, nil, err
	}
	if v.Type != old.TrafficPolicyType {
		return nil, nil, badRequest("ConflictingTypes", "Traffic policy %s version %d answers %s; instance %s answers %s",
			p.Id, v.Version, v.Type, old.Id, old.TrafficPolicyType)
	}
	in := *old
	in.TTL, in.TrafficPolicyId, in.TrafficPolicyVersion, in.State, in.Message = ttl, p.Id, v.Version, StateCreating, ""
	return &in, &UpdateTrafficPolicyInstanceResponse{TrafficPolicyInstance: in}, nil
}

// DeleteTrafficPolicyInstance returns the instance to delete with its record set.
func DeleteTrafficPolicyInstance(s State, id string) (*TrafficPolicyInstance, *DeleteTrafficPolicyInstanceResponse, *apierr.Error) {
	in, err := findInstance(s, id)
	if err != nil {
		return nil, nil, err
	}
	return in, &DeleteTrafficPolicyInstanceResponse{}, nil
}

// GetTrafficPolicyInstanceCount counts the instances.
func GetTrafficPolicyInstanceCount(s State) *GetTrafficPolicyInstanceCountResponse {
	return &GetTrafficPolicyInstanceCountResponse{TrafficPolicyInstanceCount: len(s.Instances())}
}

// instancePage is one page of instances in Route 53's order (hosted zone ID, name,
// type) and the markers of the next page.
type instancePage struct {
	items                  []TrafficPolicyInstance
	truncated              bool
	zone, name, typ, limit string
}

// pageInstances pages the instances keep accepts, starting at the markers (all
// empty, or name and type set, with zone set when the listing spans zones; a
// listing of one zone passes its ID as zone).
func pageInstances(s State, keep func(*TrafficPolicyInstance) bool, zone, name, typ, maxitems string, spansZones bool) (*instancePage, *apierr.Error) {
	n, echo, err := maxItems(maxitems)
	if err != nil {
		return nil, err
	}
	if (name == "") != (typ == "") || spansZones && (zone == "") != (name == "") {
		return nil, apierr.InvalidInput("give every marker of the previous page (hostedzoneid, trafficpolicyinstancename, trafficpolicyinstancetype) or none")
	}
	var list []*TrafficPolicyInstance
	for _, in := range s.Instances() {
		if keep(in) {
			list = append(list, in)
		}
	}
	key := func(in *TrafficPolicyInstance) []string {
		return []string{in.HostedZoneId, in.Name, in.TrafficPolicyType}
	}
	slices.SortFunc(list, func(a, b *TrafficPolicyInstance) int { return slices.Compare(key(a), key(b)) })
	start := 0
	if name != "" {
		mark := []string{strings.TrimPrefix(zone, "/hostedzone/"), strings.ToLower(dns.Fqdn(name)), strings.ToUpper(typ)}
		start, _ = slices.BinarySearchFunc(list, mark, func(in *TrafficPolicyInstance, m []string) int { return slices.Compare(key(in), m) })
	}
	page := &instancePage{limit: echo}
	for _, in := range list[start:] {
		if len(page.items) == n {
			page.truncated, page.zone, page.name, page.typ = true, in.HostedZoneId, in.Name, in.TrafficPolicyType
			break
		}
		page.items = append(page.items, *in)
	}
	return page, nil
}

// ListTrafficPolicyInstances lists every instance, by hosted zone, name and type.
func ListTrafficPolicyInstances(s State, zoneMarker, nameMarker, typeMarker, maxitems string) (*ListTrafficPolicyInstancesResponse, *apierr.Error) {
	pg, err := pageInstances(s, func(*TrafficPolicyInstance) bool { return true }, zoneMarker, nameMarker, typeMarker, maxitems, true)
	if err != nil {
		return nil, err
	}
	return &ListTrafficPolicyInstancesResponse{TrafficPolicyInstances: instanceList{pg.items}, IsTruncated: pg.truncated,
		HostedZoneIdMarker: pg.zone, TrafficPolicyInstanceNameMarker: pg.name, TrafficPolicyInstanceTypeMarker: pg.typ, MaxItems: pg.limit}, nil
}

// ListTrafficPolicyInstancesByHostedZone lists the instances of one hosted zone.
func ListTrafficPolicyInstancesByHostedZone(s State, zoneID, nameMarker, typeMarker, maxitems string) (*ListTrafficPolicyInstancesByHostedZoneResponse, *apierr.Error) {
	zoneID = strings.TrimPrefix(zoneID, "/hostedzone/")
	if _, ok := s.HostedZone(zoneID); !ok {
		return nil, noSuchZone(zoneID)
	}
	pg, err := pageInstances(s, func(in *TrafficPolicyInstance) bool { return in.HostedZoneId == zoneID }, zoneID, nameMarker, typeMarker, maxitems, false)
	if err != nil {
		return nil, err
	}
	return &ListTrafficPolicyInstancesByHostedZoneResponse{TrafficPolicyInstances: instanceList{pg.items}, IsTruncated: pg.truncated,
		TrafficPolicyInstanceNameMarker: pg.name, TrafficPolicyInstanceTypeMarker: pg.typ, MaxItems: pg.limit}, nil
}

// ListTrafficPolicyInstancesByPolicy lists the instances of one policy version.
func ListTrafficPolicyInstancesByPolicy(s State, id, version, zoneMarker, nameMarker, typeMarker, maxitems string) (*ListTrafficPolicyInstancesByPolicyResponse, *apierr.Error) {
	_, v, err := lookupVersion(s, id, version, true)
	if err != nil {
		return nil, err
	}
	pg, err := pageInstances(s, func(in *TrafficPolicyInstance) bool {
		return in.TrafficPolicyId == id && in.TrafficPolicyVersion == v.Version
	}, zoneMarker, nameMarker, typeMarker, maxitems, true)
	if err != nil {
		return nil, err
	}
	return &ListTrafficPolicyInstancesByPolicyResponse{TrafficPolicyInstances: instanceList{pg.items}, IsTruncated: pg.truncated,
		HostedZoneIdMarker: pg.zone, TrafficPolicyInstanceNameMarker: pg.name, TrafficPolicyInstanceTypeMarker: pg.typ, MaxItems: pg.limit}, nil
}

// InstanceRecordSet is the record set instance in serves: its policy version's
// document translated, under the instance's name and TTL. The TTL is capped at
// 2^31−1, which checkTTL already ensures.
func InstanceRecordSet(p *Policy, in *TrafficPolicyInstance, opt Options) (*policy.RecordSet, error) {
	v := p.version(in.TrafficPolicyVersion)
	if v == nil {
		return nil, noSuchVersion(p.Id, in.TrafficPolicyVersion)
	}
	d, err := Parse([]byte(v.Document))
	if err != nil {
		return nil, err
	}
	return RecordSet(d, in.Name, uint32(min(max(in.TTL, 0), maxTTL)), opt)
}
