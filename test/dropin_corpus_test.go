package test

import (
	"net"
	"time"

	"github.com/miekg/dns"
)

// dropInQuery is one query of the drop-in corpus.
type dropInQuery struct {
	name   string
	qname  string
	qtype  uint16
	proto  string // "udp" (default) or "tcp"
	edns   uint16 // EDNS0 buffer size; 0 = no OPT record
	do     bool
	raw    []byte // a raw packet instead of a query (malformed input)
	expect string // a substring the answer must contain, so the test cannot pass on two empty replies
}

var dropInCorpus = []dropInQuery{
	{name: "A", qname: "www.example.org.", qtype: dns.TypeA, expect: "192.0.2.11"},
	{name: "AAAA", qname: "www.example.org.", qtype: dns.TypeAAAA, expect: "2001:db8::10"},
	{name: "MX", qname: "example.org.", qtype: dns.TypeMX, expect: "mail2.example.org."},
	{name: "TXT", qname: "example.org.", qtype: dns.TypeTXT, expect: "v=spf1"},
	{name: "SRV", qname: "_sip._udp.example.org.", qtype: dns.TypeSRV, expect: "5060 sip.example.org."},
	{name: "NS", qname: "example.org.", qtype: dns.TypeNS, expect: "ns2.example.org."},
	{name: "SOA", qname: "example.org.", qtype: dns.TypeSOA, expect: "2026112501"},
	{name: "NXDOMAIN", qname: "nope.example.org.", qtype: dns.TypeA, expect: "NXDOMAIN"},
	{name: "NODATA", qname: "www.example.org.", qtype: dns.TypeMX, expect: "hostmaster.example.org."},
	{name: "empty non-terminal", qname: "empty.nonterminal.example.org.", qtype: dns.TypeA, expect: "NOERROR"},
	{name: "CNAME chain", qname: "alias2.example.org.", qtype: dns.TypeA, expect: "192.0.2.10"},
	{name: "CNAME out of zone", qname: "outside.example.org.", qtype: dns.TypeA, expect: "up.example.com."},
	{name: "wildcard", qname: "anything.wild.example.org.", qtype: dns.TypeA, expect: "192.0.2.99"},
	{name: "ANY", qname: "www.example.org.", qtype: dns.TypeANY},
	{name: "rewrite", qname: "old.example.org.", qtype: dns.TypeA, expect: "192.0.2.10"},
	{name: "cached repeat", qname: "www.example.org.", qtype: dns.TypeA, expect: "192.0.2.10"},
	{name: "TC without EDNS", qname: "big.example.org.", qtype: dns.TypeTXT, expect: " tc"},
	{name: "EDNS 4096", qname: "big.example.org.", qtype: dns.TypeTXT, edns: 4096, expect: "ffff"},
	{name: "EDNS DO", qname: "www.example.org.", qtype: dns.TypeA, edns: 1232, do: true, expect: "flags: do"},
	{name: "EDNS without DO", qname: "mail.example.org.", qtype: dns.TypeA, edns: 1232, expect: "udp: 1232"},
	{name: "TCP", qname: "big.example.org.", qtype: dns.TypeTXT, proto: "tcp", expect: "eeee"},
	{name: "TCP AAAA", qname: "ns2.example.org.", qtype: dns.TypeAAAA, proto: "tcp", expect: "2001:db8::2"},
	{name: "NAPTR", qname: "sipnaptr.example.org.", qtype: dns.TypeNAPTR, expect: "SIP+D2U"},
	{name: "SPF", qname: "example.org.", qtype: dns.TypeSPF, expect: "SPF\t\"v=spf1 -all\""},
	{name: "TLSA", qname: "_443._tcp.www.example.org.", qtype: dns.TypeTLSA, expect: "TLSA\t3 1 1 2bb183af"},
	{name: "SSHFP", qname: "host.example.org.", qtype: dns.TypeSSHFP, expect: "SSHFP\t4 2 2BB183AF"},
	{name: "DS at a cut", qname: "child.example.org.", qtype: dns.TypeDS, expect: "DS\t12345 13 2"},
	{name: "DS at a cut without DS", qname: "nods.example.org.", qtype: dns.TypeDS, expect: "hostmaster.example.org."},
	{name: "NS at a cut", qname: "child.example.org.", qtype: dns.TypeNS, expect: "192.0.2.53"},
	{name: "A below a cut", qname: "x.child.example.org.", qtype: dns.TypeA, expect: "ns1.child.example.org."},
	{name: "DS below a cut", qname: "x.child.example.org.", qtype: dns.TypeDS, expect: "ns1.child.example.org."},
	{name: "hosts A", qname: "printer.example.net.", qtype: dns.TypeA, expect: "192.0.2.61"},
	{name: "hosts AAAA", qname: "printer.example.net.", qtype: dns.TypeAAAA, expect: "2001:db8::61"},
	{name: "hosts PTR", qname: "62.2.0.192.in-addr.arpa.", qtype: dns.TypePTR},
	{name: "template", qname: "tmpl.example.net.", qtype: dns.TypeA, expect: "192.0.2.7"},
	{name: "hosts miss", qname: "other.example.net.", qtype: dns.TypeA, expect: "SERVFAIL"}, // stock hosts has no SOA to deny with
	{name: "forward", qname: "up.example.com.", qtype: dns.TypeA, expect: "198.51.100.1"},
	{name: "forward NXDOMAIN", qname: "nx.example.com.", qtype: dns.TypeA, expect: "NXDOMAIN"},
	{name: "forward TCP", qname: "tcp.example.com.", qtype: dns.TypeA, proto: "tcp", expect: "198.51.100.1"},
	{name: "whoami", qname: "whoami.test.", qtype: dns.TypeA, expect: "127.0.0.1"},
	{name: "malformed header", raw: []byte{0x12, 0x34, 0x01}},
	{name: "malformed question", raw: []byte{0x12, 0x35, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x03, 'w', 'w'}},
	{name: "query with answer count", raw: []byte{0x12, 0x36, 0x01, 0x00, 0x00, 0x01, 0, 5, 0, 0, 0, 0, 0x00, 0x00, 0x01, 0x00, 0x01}},
}

// send asks addr and returns the reply as text, normalised where two correct servers
// legitimately differ (whoami reports the client's port).
func (q dropInQuery) send(addr string, id uint16) (string, error) {
	if q.raw != nil {
		return sendRaw(addr, q.raw)
	}
	m := new(dns.Msg)
	m.SetQuestion(q.qname, q.qtype)
	m.Id = id
	if q.edns > 0 {
		m.SetEdns0(q.edns, q.do)
	}
	proto := q.proto
	if proto == "" {
		proto = "udp"
	}
	c := &dns.Client{Net: proto, Timeout: 3 * time.Second, UDPSize: 65535}
	r, _, err := c.Exchange(m, addr)
	if err != nil {
		return "", err
	}
	if r == nil {
		return "", err
	}
	for _, rr := range r.Extra {
		if srv, ok := rr.(*dns.SRV); ok && q.qname == "whoami.test." {
			srv.Port = 0
		}
	}
	return r.String(), nil
}

// sendRaw writes a packet over UDP and returns the raw reply, if any, as text.
func sendRaw(addr string, packet []byte) (string, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	if _, err := conn.Write(packet); err != nil {
		return "", err
	}
	conn.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 65535)
	n, err := conn.Read(buf)
	if err != nil {
		return "", err
	}
	r := new(dns.Msg)
	if err := r.Unpack(buf[:n]); err != nil {
		return "", err
	}
	return r.String(), nil
}
