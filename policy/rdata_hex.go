package policy

import (
	"encoding/hex"
	"fmt"

	"github.com/miekg/dns"
)

// Hex digits of the digests and fingerprints whose length their type fixes. The
// zone parser takes any text for these fields and only packing fails on bad hex, so
// without this check a bad value would load and SERVFAIL at query time.
var (
	dsDigestHex   = map[uint8]int{1: 40, 2: 64, 4: 96} // SHA-1 (RFC 4034), SHA-256 (RFC 4509), SHA-384 (RFC 6605)
	tlsaMatchHex  = map[uint8]int{1: 64, 2: 128}       // SHA-256, SHA-512 (RFC 6698 §2.1.3); 0 is the whole data
	sshfpPrintHex = map[uint8]int{1: 40, 2: 64}        // SHA-1 (RFC 4255), SHA-256 (RFC 6594)
)

// CheckHexRdata checks the hexadecimal field of a DS, TLSA or SSHFP record: present,
// hexadecimal, and as long as its digest type says. Other types pass. The policy
// format and the Route 53 API refuse the same values through it.
func CheckHexRdata(rr dns.RR) error {
	switch r := rr.(type) {
	case *dns.DS:
		return hexField("digest", r.Digest, dsDigestHex[r.DigestType], "digest type", r.DigestType)
	case *dns.TLSA:
		return hexField("certificate association data", r.Certificate, tlsaMatchHex[r.MatchingType], "matching type", r.MatchingType)
	case *dns.SSHFP:
		return hexField("fingerprint", r.FingerPrint, sshfpPrintHex[r.Type], "fingerprint type", r.Type)
	}
	return nil
}

// hexField checks s, the field called what; want is its length in hex digits
// (0: any), fixed by the type field kind = t.
func hexField(what, s string, want int, kind string, t uint8) error {
	if s == "" {
		return fmt.Errorf("no %s", what)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return fmt.Errorf("the %s %q is not hexadecimal (an even number of 0-9 A-F)", what, s)
	}
	if want > 0 && len(s) != want {
		return fmt.Errorf("the %s has %d hex digits, %s %d has %d", what, len(s), kind, t, want)
	}
	return nil
}
