package healthcheck

import (
	"net"
	"net/url"
	"time"
)

// CheckView is the JSON shape of one check in the status API.
type CheckView struct {
	Name        string       `json:"name"`
	Names       []string     `json:"names,omitempty"` // when one probe serves several names
	Owners      []string     `json:"owners"`
	Type        Type         `json:"type"`
	Target      string       `json:"target,omitempty"`
	Children    []string     `json:"children,omitempty"`
	Up          bool         `json:"up"`
	Healthy     bool         `json:"healthy"`           // probe state before inversion and override
	Verdict     string       `json:"verdict,omitempty"` // "healthy" or "unhealthy" when the vantage points decide
	Observed    bool         `json:"observed"`          // this server's own probe state
	Inverted    bool         `json:"inverted,omitempty"`
	Disabled    bool         `json:"disabled,omitempty"`
	Override    string       `json:"override,omitempty"` // "up" or "down" when forced
	Probed      bool         `json:"probed"`
	Since       time.Time    `json:"since"`
	Interval    string       `json:"interval,omitempty"`
	LatencyMS   float64      `json:"latency_ms"`
	EWMAMS      float64      `json:"latency_ewma_ms"`
	Probes      uint64       `json:"probes"`
	LastResults []ResultView `json:"last_results"`
}

// ResultView is one probe result in the status API.
type ResultView struct {
	At        time.Time `json:"at"`
	OK        bool      `json:"ok"`
	Result    Kind      `json:"result"`
	Code      int       `json:"code,omitempty"`
	Detail    string    `json:"detail,omitempty"`
	LatencyMS float64   `json:"latency_ms"`
}

// View renders info for the status API.
func (info CheckInfo) View() CheckView {
	s, st := info.Spec, info.Status
	v := CheckView{
		Name: info.Name, Owners: info.Owners, Type: s.Type, Target: Target(s), Children: s.Children,
		Up: st.Up, Healthy: st.Healthy, Verdict: st.Verdict.String(), Observed: st.Observed, Inverted: s.Invert, Disabled: s.Disabled,
		Override: st.Override.String(), Probed: st.Probed, Since: st.Since,
		LatencyMS: ms(st.Latency), EWMAMS: ms(st.EWMA), Probes: st.Probes,
		LastResults: make([]ResultView, len(st.Results)),
	}
	if len(info.Names) > 1 {
		v.Names = info.Names
	}
	if s.Interval > 0 {
		v.Interval = s.Interval.String()
	}
	for i, r := range st.Results {
		v.LastResults[i] = ResultView{At: r.At, OK: r.OK, Result: r.Kind, Code: r.Code, Detail: r.Detail, LatencyMS: ms(r.Latency)}
	}
	return v
}

// Target is what a check probes, for humans: the URL (with the dialled address) or
// host:port.
func Target(s *Spec) string {
	switch s.Type {
	case TypeHTTP, TypeHTTPS:
		if s.Address == "" {
			return s.URL
		}
		if u, err := url.Parse(s.URL); err == nil {
			return s.URL + " via " + net.JoinHostPort(s.Address, u.Port())
		}
		return s.URL
	case TypeDNS:
		return s.Target + " " + s.QName
	case TypeCalculated:
		return ""
	}
	return s.Target
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
