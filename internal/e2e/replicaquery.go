package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/route53/types"
	"github.com/miekg/dns"
	"github.com/oschwald/maxminddb-golang/v2"
)

// Question is one query of a comparison: a name and type asked by a client
// in Subnet (carried as ECS; the zero prefix sends none).
type Question struct {
	Name   string
	Type   uint16
	Subnet netip.Prefix
}

func (q Question) String() string {
	return fmt.Sprintf("%s/%s from %s", q.Name, dns.TypeToString[q.Type], q.Subnet)
}

// Ask sends q to the replica over proto ("udp" or "tcp") and returns the reply.
func (r *Replica) Ask(q Question, proto string) (*dns.Msg, error) {
	m := new(dns.Msg)
	m.SetQuestion(dns.Fqdn(q.Name), q.Type)
	if q.Subnet.IsValid() {
		o := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT}}
		o.SetUDPSize(1232)
		e := &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, SourceNetmask: uint8(q.Subnet.Bits()), Address: q.Subnet.Addr().AsSlice()}
		e.Family = 1
		if q.Subnet.Addr().Is6() {
			e.Family = 2
		}
		o.Option = append(o.Option, e)
		m.Extra = append(m.Extra, o)
	}
	c := &dns.Client{Net: proto, Timeout: time.Second}
	reply, _, err := c.Exchange(m, r.DNS)
	return reply, err
}

// Answer is q's reply from the replica over proto in a form that compares
// across servers: rcode, the answer records sorted (TTL and order left out),
// and the ECS scope.
func (r *Replica) Answer(q Question, proto string) (string, error) {
	reply, err := r.Ask(q, proto)
	if err != nil {
		return "", err
	}
	return Canonical(reply), nil
}

// Canonical renders a reply as Answer does.
func Canonical(m *dns.Msg) string {
	var rrs []string
	for _, rr := range m.Answer {
		rr = dns.Copy(rr)
		rr.Header().Ttl = 0
		rrs = append(rrs, rr.String())
	}
	slices.Sort(rrs)
	scope := -1
	if o := m.IsEdns0(); o != nil {
		for _, e := range o.Option {
			if s, ok := e.(*dns.EDNS0_SUBNET); ok {
				scope = int(s.SourceScope)
			}
		}
	}
	return fmt.Sprintf("%s %s scope=%d", dns.RcodeToString[m.Rcode], strings.Join(rrs, " | "), scope)
}

// Diverging asks every question of every live replica (UDP) and returns the
// questions whose answers differ between them or fail, each with what every
// replica said.
func (rs *Replicas) Diverging(qs []Question) []string {
	var out []string
	for _, q := range qs {
		var answers []string
		first, same := "", true
		for _, r := range rs.Nodes {
			if !r.Alive() {
				continue
			}
			a, err := r.Answer(q, "udp")
			if err != nil {
				a, same = "error: "+err.Error(), false
			}
			if len(answers) == 0 {
				first = a
			} else if a != first {
				same = false
			}
			answers = append(answers, r.Name+": "+a)
		}
		if !same {
			out = append(out, q.String()+"\n    "+strings.Join(answers, "\n    "))
		}
	}
	return out
}

// Corpus returns client subnets from geo/testdata/demo-city.mmdb: up to n
// networks, at most two per country, so geolocation answers vary across it.
// The first entry is the zero prefix (a client sending no ECS).
func Corpus(t testing.TB, n int) []netip.Prefix {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	db, err := maxminddb.Open(filepath.Join(root, "geo", "testdata", "demo-city.mmdb"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := []netip.Prefix{{}}
	perCountry := map[string]int{}
	for res := range db.Networks(maxminddb.SkipEmptyValues()) {
		if err := res.Err(); err != nil {
			t.Fatal(err)
		}
		var rec struct {
			Country struct {
				ISOCode string `maxminddb:"iso_code"`
			} `maxminddb:"country"`
		}
		if err := res.Decode(&rec); err != nil {
			t.Fatal(err)
		}
		if perCountry[rec.Country.ISOCode] >= 2 {
			continue
		}
		perCountry[rec.Country.ISOCode]++
		p := res.Prefix()
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		// ECS carries at most /24 (IPv4) or /56 (IPv6) from resolvers.
		limit := 24
		if p.Addr().Is6() {
			limit = 56
		}
		if p.Bits() > limit {
			p = netip.PrefixFrom(p.Addr(), limit).Masked()
		}
		out = append(out, p)
		if len(out) > n {
			break
		}
	}
	return out
}

// Metric reads one sample of a metric from the replica's /metrics: the first
// line starting with prefix (a name, or a name and labels).
func (r *Replica) Metric(prefix string) (float64, error) {
	resp, err := http.Get("http://" + r.Metrics + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		return strconv.ParseFloat(line[i+1:], 64)
	}
	return 0, fmt.Errorf("%s: no %s in /metrics", r.Name, prefix)
}

// ReadyStatus is the HTTP status of the replica's /ready.
func (r *Replica) ReadyStatus() (int, error) {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + r.Ready + "/ready")
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// ChangeStatus is GetChange's status of change id on the replica ("" and the
// error when the API does not answer).
func (r *Replica) ChangeStatus(ctx context.Context, id string) (types.ChangeStatus, error) {
	out, err := r.Client.GetChange(ctx, &route53.GetChangeInput{Id: aws.String(id)})
	if err != nil {
		return "", err
	}
	return out.ChangeInfo.Status, nil
}

// WaitInsync polls GetChange on every live replica until each says INSYNC and
// returns how long that took, or an error after limit.
func (rs *Replicas) WaitInsync(ctx context.Context, id string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	for _, r := range rs.Nodes {
		if !r.Alive() {
			continue
		}
		for {
			st, err := r.ChangeStatus(ctx, id)
			if st == types.ChangeStatusInsync {
				break
			}
			if time.Since(start) > limit {
				return 0, fmt.Errorf("change %s on %s after %v: status %q, %v", id, r.Name, limit, st, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return time.Since(start), nil
}
