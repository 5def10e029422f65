package trafficflow

import (
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// Traffic policy operations. Each takes the current State and the request's
// fields (path and query parameters as the strings they arrived as), and returns
// the response and, when the operation changes something, the policy to write.

// CreateTrafficPolicy creates policy newID (from NewID) with version 1.
func CreateTrafficPolicy(s State, req *CreateTrafficPolicyRequest, newID string) (*Policy, *CreateTrafficPolicyResponse, *apierr.Error) {
	if strings.TrimSpace(req.Name) == "" || len(req.Name) > maxNameLen {
		return nil, nil, apierr.InvalidInput("Name must be 1 to %d characters", maxNameLen)
	}
	if len(req.Comment) > maxCommentLen {
		return nil, nil, apierr.InvalidInput("Comment has at most %d characters", maxCommentLen)
	}
	d, err := ParseDocument(s, req.Document)
	if err != nil {
		return nil, nil, err
	}
	live := 0
	for _, p := range s.Policies() {
		if p.Id == newID {
			return nil, nil, apierr.Conflict("TrafficPolicyAlreadyExists", "A traffic policy with ID %s already exists", newID)
		}
		if len(p.live()) == 0 {
			continue // a deleted policy's name is free again
		}
		live++
		if p.Name == req.Name {
			return nil, nil, apierr.Conflict("TrafficPolicyAlreadyExists", "A traffic policy named %q already exists: %s", req.Name, p.Id)
		}
	}
	if live >= s.Limits().Policies {
		return nil, nil, badRequest("TooManyTrafficPolicies", "The account has %d traffic policies, the limit", live)
	}
	p := &Policy{Id: newID, Name: req.Name, Versions: []PolicyVersion{{Version: 1, Type: d.RecordType, Document: req.Document, Comment: req.Comment}}}
	return p, &CreateTrafficPolicyResponse{TrafficPolicy: p.wire(&p.Versions[0]), Location: policyLocation(newID, 1)}, nil
}

func policyLocation(id string, v int) string {
	return "/2013-04-01/trafficpolicy/" + id + "/" + strconv.Itoa(v)
}

// GetTrafficPolicy reads a version of a policy, deleted or not.
func GetTrafficPolicy(s State, id, version string) (*GetTrafficPolicyResponse, *apierr.Error) {
	p, v, err := lookupVersion(s, id, version, true)
	if err != nil {
		return nil, err
	}
	return &GetTrafficPolicyResponse{TrafficPolicy: p.wire(v)}, nil
}

// lookupVersion finds the policy and version a request names; deleted versions only
// when withDeleted.
func lookupVersion(s State, id, version string, withDeleted bool) (*Policy, *PolicyVersion, *apierr.Error) {
	if err := checkID("Id", id); err != nil {
		return nil, nil, err
	}
	n, err := parseVersion("Version", version)
	if err != nil {
		return nil, nil, err
	}
	p := findPolicy(s, id)
	if p == nil {
		return nil, nil, noSuchPolicy(id)
	}
	v := p.version(n)
	if v == nil || v.Deleted && !withDeleted {
		return nil, nil, noSuchVersion(id, n)
	}
	return p, v, nil
}

// ListTrafficPolicies lists the policies with a version that is not deleted, in the
// order they were created, each by its latest such version. marker is the ID of
// the first policy of the page.
func ListTrafficPolicies(s State, marker, maxitems string) (*ListTrafficPoliciesResponse, *apierr.Error) {
	n, echo, err := maxItems(maxitems)
	if err != nil {
		return nil, err
	}
	all := s.Policies()
	start := 0
	if marker != "" {
		start = -1
		for i, p := range all {
			if p.Id == marker {
				start = i
			}
		}
		if start < 0 {
			return nil, apierr.InvalidInput("trafficpolicyid %q is not the ID of a traffic policy", marker)
		}
	}
	resp := &ListTrafficPoliciesResponse{MaxItems: echo}
	for _, p := range all[start:] {
		live := p.live()
		if len(live) == 0 {
			continue
		}
		if len(resp.TrafficPolicySummaries.Items) == n {
			resp.IsTruncated, resp.TrafficPolicyIdMarker = true, p.Id
			break
		}
		latest := live[len(live)-1]
		resp.TrafficPolicySummaries.Items = append(resp.TrafficPolicySummaries.Items, TrafficPolicySummary{
			Id: p.Id, Name: p.Name, Type: latest.Type, LatestVersion: latest.Version, TrafficPolicyCount: len(live)})
	}
	return resp, nil
}

// ListTrafficPolicyVersions lists a policy's versions that are not deleted, by
// number. marker is the number of the first version of the page.
func ListTrafficPolicyVersions(s State, id, marker, maxitems string) (*ListTrafficPolicyVersionsResponse, *apierr.Error) {
	if err := checkID("Id", id); err != nil {
		return nil, err
	}
	n, echo, err := maxItems(maxitems)
	if err != nil {
		return nil, err
	}
	from := 1
	if marker != "" {
		if from, err = parseVersion("trafficpolicyversion", marker); err != nil {
			return nil, err
		}
	}
	p := findPolicy(s, id)
	if p == nil {
		return nil, noSuchPolicy(id)
	}
	resp := &ListTrafficPolicyVersionsResponse{MaxItems: echo}
	for _, v := range p.live() {
		if v.Version < from {
			continue
		}
		if len(resp.TrafficPolicies.Items) == n {
			resp.IsTruncated, resp.TrafficPolicyVersionMarker = true, strconv.Itoa(v.Version)
			break
		}
		resp.TrafficPolicies.Items = append(resp.TrafficPolicies.Items, p.wire(&v))
	}
	return resp, nil
}

// CreateTrafficPolicyVersion adds a version to a policy; its number is one more
// than the highest so far, deleted ones included.
func CreateTrafficPolicyVersion(s State, id string, req *CreateTrafficPolicyVersionRequest) (*Policy, *CreateTrafficPolicyVersionResponse, *apierr.Error) {
	if err := checkID("Id", id); err != nil {
		return nil, nil, err
	}
	if len(req.Comment) > maxCommentLen {
		return nil, nil, apierr.InvalidInput("Comment has at most %d characters", maxCommentLen)
	}
	old := findPolicy(s, id)
	if old == nil {
		return nil, nil, noSuchPolicy(id)
	}
	if len(old.Versions) >= s.Limits().Versions {
		return nil, nil, badRequest("TooManyTrafficPolicyVersionsForCurrentPolicy",
			"Traffic policy %s has %d versions, the limit: create a new traffic policy", id, len(old.Versions))
	}
	d, err := ParseDocument(s, req.Document)
	if err != nil {
		return nil, nil, err
	}
	p := old.clone()
	next := 1
	if len(p.Versions) > 0 {
		next = p.Versions[len(p.Versions)-1].Version + 1
	}
	p.Versions = append(p.Versions, PolicyVersion{Version: next, Type: d.RecordType, Document: req.Document, Comment: req.Comment})
	return p, &CreateTrafficPolicyVersionResponse{TrafficPolicy: p.wire(&p.Versions[len(p.Versions)-1]), Location: policyLocation(id, next)}, nil
}

// UpdateTrafficPolicyComment replaces the comment of a version that is not deleted.
func UpdateTrafficPolicyComment(s State, id, version string, req *UpdateTrafficPolicyCommentRequest) (*Policy, *UpdateTrafficPolicyCommentResponse, *apierr.Error) {
	if len(req.Comment) > maxCommentLen {
		return nil, nil, apierr.InvalidInput("Comment has at most %d characters", maxCommentLen)
	}
	old, v, err := lookupVersion(s, id, version, false)
	if err != nil {
		return nil, nil, err
	}
	p := old.clone()
	nv := p.version(v.Version)
	nv.Comment = req.Comment
	return p, &UpdateTrafficPolicyCommentResponse{TrafficPolicy: p.wire(nv)}, nil
}

// DeleteTrafficPolicy marks a version deleted, unless an instance uses it
// (TrafficPolicyInUse).
func DeleteTrafficPolicy(s State, id, version string) (*Policy, *DeleteTrafficPolicyResponse, *apierr.Error) {
	old, v, err := lookupVersion(s, id, version, false)
	if err != nil {
		return nil, nil, err
	}
	for _, in := range s.Instances() {
		if in.TrafficPolicyId == id && in.TrafficPolicyVersion == v.Version {
			return nil, nil, badRequest("TrafficPolicyInUse", "Traffic policy %s version %d is used by traffic policy instance %s (%s)",
				id, v.Version, in.Id, in.Name)
		}
	}
	p := old.clone()
	p.version(v.Version).Deleted = true
	return p, &DeleteTrafficPolicyResponse{}, nil
}
