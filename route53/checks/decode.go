package checks

import (
	"io"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// configFields are the HealthCheckConfig elements coretraffic accepts. Route 53's
// CLOUDWATCH_METRIC and RECOVERY_CONTROL elements (AlarmIdentifier,
// InsufficientDataHealthStatus, RoutingControlArn) are refused as unknown: there is
// no CloudWatch or ARC behind this server.
var configFields = []string{"IPAddress", "Port", "Type", "ResourcePath", "FullyQualifiedDomainName", "SearchString",
	"RequestInterval", "FailureThreshold", "MeasureLatency", "Inverted", "Disabled", "HealthThreshold",
	"ChildHealthChecks", "EnableSNI", "Regions"}

// DecodeCreate reads a CreateHealthCheckRequest document. It checks the document's
// shape (elements, namespace, value syntax); Create validates the values.
func DecodeCreate(r io.Reader) (CreateHealthCheckRequest, *apierr.Error) {
	var req CreateHealthCheckRequest
	root, err := parseTree(r, "CreateHealthCheckRequest")
	if err != nil {
		return req, err
	}
	f, err := root.fields("CallerReference", "HealthCheckConfig")
	if err != nil {
		return req, err
	}
	if f["CallerReference"] == nil || f["HealthCheckConfig"] == nil {
		return req, apierr.InvalidInput("CallerReference and HealthCheckConfig are required")
	}
	if req.CallerReference, err = text(f["CallerReference"]); err != nil {
		return req, err
	}
	req.HealthCheckConfig, err = decodeConfig(f["HealthCheckConfig"])
	return req, err
}

func decodeConfig(n *node) (HealthCheckConfig, *apierr.Error) {
	var c HealthCheckConfig
	f, err := n.fields(configFields...)
	if err != nil {
		return c, err
	}
	if f["Type"] == nil {
		return c, apierr.InvalidInput("HealthCheckConfig requires Type")
	}
	for _, s := range []struct {
		name string
		dst  *string
	}{{"Type", &c.Type}, {"IPAddress", &c.IPAddress}, {"ResourcePath", &c.ResourcePath},
		{"FullyQualifiedDomainName", &c.FullyQualifiedDomainName}, {"SearchString", &c.SearchString}} {
		if f[s.name] != nil {
			if *s.dst, err = text(f[s.name]); err != nil {
				return c, err
			}
		}
	}
	for _, s := range []struct {
		name string
		dst  *int
	}{{"Port", &c.Port}, {"RequestInterval", &c.RequestInterval}, {"FailureThreshold", &c.FailureThreshold}} {
		if f[s.name] != nil {
			if *s.dst, err = integer(f[s.name]); err != nil {
				return c, err
			}
		}
	}
	if c.HealthThreshold, err = optInt(f["HealthThreshold"]); err != nil {
		return c, err
	}
	for _, s := range []struct {
		name string
		dst  *bool
	}{{"Inverted", &c.Inverted}, {"Disabled", &c.Disabled}} {
		if f[s.name] != nil {
			if *s.dst, err = boolean(f[s.name]); err != nil {
				return c, err
			}
		}
	}
	if c.MeasureLatency, err = optBool(f["MeasureLatency"]); err != nil {
		return c, err
	}
	if c.EnableSNI, err = optBool(f["EnableSNI"]); err != nil {
		return c, err
	}
	if n := f["ChildHealthChecks"]; n != nil {
		if c.ChildHealthChecks, err = n.list("ChildHealthCheck"); err != nil {
			return c, err
		}
	}
	if n := f["Regions"]; n != nil {
		if c.Regions, err = n.list("Region"); err != nil {
			return c, err
		}
	}
	return c, nil
}

// DecodeUpdate reads an UpdateHealthCheckRequest document.
func DecodeUpdate(r io.Reader) (UpdateHealthCheckRequest, *apierr.Error) {
	var u UpdateHealthCheckRequest
	root, err := parseTree(r, "UpdateHealthCheckRequest")
	if err != nil {
		return u, err
	}
	f, err := root.fields("HealthCheckVersion", "IPAddress", "Port", "ResourcePath", "FullyQualifiedDomainName",
		"SearchString", "FailureThreshold", "Inverted", "Disabled", "HealthThreshold", "ChildHealthChecks",
		"EnableSNI", "Regions", "ResetElements")
	if err != nil {
		return u, err
	}
	if n := f["HealthCheckVersion"]; n != nil {
		t, err := text(n)
		if err != nil {
			return u, err
		}
		v, perr := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		if perr != nil {
			return u, apierr.InvalidInput("HealthCheckVersion must be an integer, not %q", clip(t))
		}
		u.HealthCheckVersion = &v
	}
	for _, s := range []struct {
		name string
		dst  **string
	}{{"IPAddress", &u.IPAddress}, {"ResourcePath", &u.ResourcePath}, {"FullyQualifiedDomainName", &u.FullyQualifiedDomainName},
		{"SearchString", &u.SearchString}} {
		if f[s.name] != nil {
			t, err := text(f[s.name])
			if err != nil {
				return u, err
			}
			*s.dst = &t
		}
	}
	for _, s := range []struct {
		name string
		dst  **int
	}{{"Port", &u.Port}, {"FailureThreshold", &u.FailureThreshold}, {"HealthThreshold", &u.HealthThreshold}} {
		if *s.dst, err = optInt(f[s.name]); err != nil {
			return u, err
		}
	}
	for _, s := range []struct {
		name string
		dst  **bool
	}{{"Inverted", &u.Inverted}, {"Disabled", &u.Disabled}, {"EnableSNI", &u.EnableSNI}} {
		if *s.dst, err = optBool(f[s.name]); err != nil {
			return u, err
		}
	}
	for _, s := range []struct {
		name, item string
		dst        **[]string
	}{{"ChildHealthChecks", "ChildHealthCheck", &u.ChildHealthChecks}, {"Regions", "Region", &u.Regions}} {
		if n := f[s.name]; n != nil {
			l, err := n.list(s.item)
			if err != nil {
				return u, err
			}
			*s.dst = &l
		}
	}
	if n := f["ResetElements"]; n != nil {
		if u.ResetElements, err = n.list("ResettableElementName"); err != nil {
			return u, err
		}
	}
	return u, nil
}

func text(n *node) (string, *apierr.Error) {
	if len(n.kids) > 0 {
		return "", apierr.InvalidInput("Element %s must hold text, not elements", n.name)
	}
	return n.text, nil
}

func integer(n *node) (int, *apierr.Error) {
	t, err := text(n)
	if err != nil {
		return 0, err
	}
	t = strings.TrimSpace(t)
	v, perr := strconv.Atoi(t)
	if perr != nil || len(t) > 10 {
		return 0, apierr.InvalidInput("%s must be an integer, not %q", n.name, clip(t))
	}
	return v, nil
}

func optInt(n *node) (*int, *apierr.Error) {
	if n == nil {
		return nil, nil
	}
	v, err := integer(n)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func boolean(n *node) (bool, *apierr.Error) {
	t, err := text(n)
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(t) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, apierr.InvalidInput("%s must be true or false, not %q", n.name, clip(t))
}

func optBool(n *node) (*bool, *apierr.Error) {
	if n == nil {
		return nil, nil
	}
	v, err := boolean(n)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// clip bounds what an error message repeats of its input.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}
