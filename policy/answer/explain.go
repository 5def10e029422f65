package answer

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strconv"
	"strings"

	"github.com/coretraffic/coretraffic/geo"
	"github.com/coretraffic/coretraffic/policy"
	"github.com/miekg/dns"
)

// Question is what explain is asked: a query, who sends it, and which checks to
// take as down.
type Question struct {
	Name string
	Type uint16
	// Source is the query's source address (the resolver, or the client itself);
	// ECS the client subnet the query carries, invalid for none.
	Source netip.Addr
	ECS    netip.Prefix
	Down   []string // checks, node names or endpoint values to take as down
	// Location, when set, places the client there instead of looking Source up
	// (simulate asks from continents and countries, not addresses).
	Location *geo.Location
	// Rand, when set, is the randomness of weighted and multivalue choices (nil:
	// the global generator, as queries).
	Rand *rand.Rand
}

// Explanation is explain's answer: the reply this server sends for the question and
// the path each record set's tree took to it.
type Explanation struct {
	Question   string     `json:"question"`
	Source     string     `json:"source"`
	ECS        string     `json:"ecs,omitempty"`
	Location   string     `json:"location"`
	Down       []string   `json:"forced_down,omitempty"`
	Rcode      string     `json:"rcode"`
	Answer     []string   `json:"answer"`
	Authority  []string   `json:"authority,omitempty"`  // the authority section: SOA of a negative answer, NS of a referral
	Additional []string   `json:"additional,omitempty"` // the additional section without OPT: glue of a referral
	TTL        uint32     `json:"ttl"`                  // the smallest TTL in the answer section
	Scope      *int       `json:"ecs_scope,omitempty"`  // the reply's ECS SCOPE PREFIX-LENGTH; nil without ECS
	Sets       []SetTrace `json:"record_sets"`
	Next       string     `json:"next_plugin,omitempty"` // set when policy passes the query on
}

// SetTrace is the trace of one record set's tree (a CNAME chain or glue evaluates
// several).
type SetTrace struct {
	Set   string        `json:"set"`
	Trace *policy.Trace `json:"trace"`
}

// Locator places a client as the geo directive of the block would; nil when the
// block has none.
type Locator func(src netip.Addr, ecs *geo.ECS) (geo.Client, error)

// Explain answers q from d exactly as ServeDNS answers a query with the same
// name, type, source and ECS option, recording the trees' decisions.
//
// fall is the block's fallthrough (nil: none): an NXDOMAIN it passes on is not
// this plugin's answer, and the explanation says so.
func Explain(d *Data, locate Locator, fall func(qname string) bool, q Question) (*Explanation, error) {
	qname := strings.ToLower(dns.Fqdn(q.Name))
	if _, ok := dns.IsDomainName(qname); !ok {
		return nil, fmt.Errorf("%q is not a domain name", q.Name)
	}
	z := d.Snap.Zone(qname)
	if z == nil {
		return nil, fmt.Errorf("%s is in none of this server's policy zones (%s)", qname, strings.Join(d.Snap.Origins(), " "))
	}
	r := new(dns.Msg).SetQuestion(qname, q.Type)
	var ecs *geo.ECS
	if q.ECS.IsValid() {
		p := q.ECS.Masked()
		fam := uint16(geo.FamilyIPv4)
		if p.Addr().Is6() {
			fam = geo.FamilyIPv6
		}
		ecs = &geo.ECS{Family: fam, Source: p.Bits(), Addr: p.Addr()}
		r.SetEdns0(1232, false)
		r.IsEdns0().Option = append(r.IsEdns0().Option, &dns.EDNS0_SUBNET{Code: dns.EDNS0SUBNET, Family: fam,
			SourceNetmask: uint8(p.Bits()), Address: p.Addr().AsSlice()})
	}
	x := &Explanation{Question: qname + " " + dns.TypeToString[q.Type], Source: q.Source.String(), Down: q.Down, Location: "unknown (no geo directive)"}
	if ecs != nil {
		x.ECS = q.ECS.Masked().String()
	}
	var traces []SetTrace
	a := Builder{Data: d, Zone: z, Msg: new(dns.Msg), Traces: &traces, Rand: q.Rand}
	if len(q.Down) > 0 {
		down := map[string]bool{}
		for _, d := range q.Down {
			down[d] = true
		}
		a.Down = func(check string) bool { return down[check] }
	}
	switch {
	case q.Location != nil:
		src := geo.Canonical(q.Source)
		c := geo.Client{Addr: src, SourcePrefix: src.BitLen(), Location: *q.Location, Found: true}
		a.Client = &c
		a.Subnet = c.Subnet()
		x.Location = describe(&c)
	case locate != nil:
		c, err := locate(q.Source, ecs)
		if err != nil {
			return nil, err
		}
		a.Client = &c
		a.Subnet = c.Subnet()
		x.Location = describe(&c)
	default:
		src := geo.Canonical(q.Source)
		a.Subnet = netip.PrefixFrom(src, src.BitLen())
	}
	a.Msg.SetReply(r)
	a.Msg.Authoritative = true
	if q.Type == dns.TypeAXFR || q.Type == dns.TypeIXFR {
		x.Rcode, x.Answer = "REFUSED", []string{} // as ServeDNS: answers depend on the client, no transfers
		return x, nil
	}
	kind := a.Answer(qname, q.Type)
	if kind == policy.NXDomain && len(a.Msg.Answer) == 0 && fall != nil && fall(qname) {
		x.Next = "fallthrough: the name is not in the policy data, the next plugin of the block answers"
	}
	a.SetECS(r)

	x.Rcode = dns.RcodeToString[a.Msg.Rcode]
	x.Answer = []string{}
	for i, rr := range a.Msg.Answer {
		x.Answer = append(x.Answer, rr.String())
		if i == 0 || rr.Header().Ttl < x.TTL {
			x.TTL = rr.Header().Ttl
		}
	}
	for _, rr := range a.Msg.Ns {
		x.Authority = append(x.Authority, rr.String())
	}
	for _, rr := range a.Msg.Extra {
		if _, ok := rr.(*dns.OPT); !ok { // the OPT record's ECS option is Scope
			x.Additional = append(x.Additional, rr.String())
		}
	}
	if opt := a.Msg.IsEdns0(); opt != nil {
		for _, o := range opt.Option {
			if s, ok := o.(*dns.EDNS0_SUBNET); ok {
				scope := int(s.SourceScope)
				x.Scope = &scope
			}
		}
	}
	x.Sets = traces
	return x, nil
}

// CheckDown refuses down keys that name nothing in the data: no health check, node
// name or endpoint value. A typo ("fra1" for "fra-1") would otherwise report that
// nothing moves.
func CheckDown(keys map[string]bool, down []string) error {
	var unknown []string
	for _, d := range down {
		if !keys[d] {
			unknown = append(unknown, strconv.Quote(d))
		}
	}
	if len(unknown) > 0 {
		return fmt.Errorf("down: %s names no health check, node or endpoint value in the data", strings.Join(unknown, ", "))
	}
	return nil
}

// describe is a client's location in one line.
func describe(c *geo.Client) string {
	if !c.Found {
		return fmt.Sprintf("%s: not in the geo databases", c.Addr)
	}
	return fmt.Sprintf("%s: %s, database network /%d", c.Addr, c.Location.String(), c.Scope)
}

// String renders x for a terminal.
func (x *Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "question  %s\nsource    %s\n", x.Question, x.Source)
	if x.ECS != "" {
		fmt.Fprintf(&b, "ecs       %s\n", x.ECS)
	}
	fmt.Fprintf(&b, "location  %s\n", x.Location)
	if len(x.Down) > 0 {
		fmt.Fprintf(&b, "down      %s (forced)\n", strings.Join(x.Down, ", "))
	}
	for _, s := range x.Sets {
		fmt.Fprintf(&b, "\n%s:\n%s", s.Set, s.Trace)
	}
	if x.Next != "" {
		fmt.Fprintf(&b, "\n%s\n", x.Next)
		return b.String()
	}
	fmt.Fprintf(&b, "\nrcode     %s\n", x.Rcode)
	for _, a := range x.Answer {
		fmt.Fprintf(&b, "answer    %s\n", a)
	}
	for _, a := range x.Authority {
		fmt.Fprintf(&b, "authority %s\n", a)
	}
	for _, a := range x.Additional {
		fmt.Fprintf(&b, "additional %s\n", a)
	}
	if len(x.Answer) > 0 {
		fmt.Fprintf(&b, "ttl       %d\n", x.TTL)
	}
	if x.Scope != nil {
		fmt.Fprintf(&b, "ecs scope /%d\n", *x.Scope)
	}
	return b.String()
}
