package route53

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/coretraffic/coretraffic/route53/apierr"
)

// CLIRecordSets is what `aws route53 list-resource-record-sets` prints: the record
// sets under Route 53's JSON member names (the CLI's pagination merges the pages,
// so NextRecord* are usually absent).
type CLIRecordSets struct {
	ResourceRecordSets   []ResourceRecordSet `json:"ResourceRecordSets"`
	IsTruncated          *bool               `json:"IsTruncated,omitempty"`
	NextRecordName       string              `json:"NextRecordName,omitempty"`
	NextRecordType       string              `json:"NextRecordType,omitempty"`
	NextRecordIdentifier string              `json:"NextRecordIdentifier,omitempty"`
	MaxItems             string              `json:"MaxItems,omitempty"`
}

// ReadCLIJSON reads `aws route53 list-resource-record-sets` output. Unknown members
// are errors (a typo would otherwise drop a routing field silently), as is a
// document with more than one value (*apierr.Error, InvalidInput). Names are
// normalized as Route 53 lists them.
func ReadCLIJSON(r io.Reader) ([]ResourceRecordSet, error) {
	rrsets, err := readCLIJSON(r)
	if err != nil {
		return nil, apierr.InvalidInput("%s", err.Error())
	}
	return rrsets, nil
}

func readCLIJSON(r io.Reader) ([]ResourceRecordSet, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var doc CLIRecordSets
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("list-resource-record-sets JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("list-resource-record-sets JSON: more than one document")
	}
	if doc.ResourceRecordSets == nil {
		return nil, fmt.Errorf("list-resource-record-sets JSON: no ResourceRecordSets member")
	}
	for i := range doc.ResourceRecordSets {
		rs := &doc.ResourceRecordSets[i]
		name, ok := NormalizeName(rs.Name)
		if !ok {
			return nil, fmt.Errorf("ResourceRecordSets[%d].Name: %q is not a valid DNS name", i, rs.Name)
		}
		rs.Name = name
		if a := rs.AliasTarget; a != nil {
			if a.DNSName, ok = NormalizeName(a.DNSName); !ok {
				return nil, fmt.Errorf("ResourceRecordSets[%d].AliasTarget.DNSName: not a valid DNS name", i)
			}
		}
	}
	return doc.ResourceRecordSets, nil
}

// WriteCLIJSON writes record sets as `aws route53 list-resource-record-sets`
// prints them: {"ResourceRecordSets": […]}, indented by four spaces.
func WriteCLIJSON(w io.Writer, rrsets []ResourceRecordSet) error {
	if rrsets == nil {
		rrsets = []ResourceRecordSet{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "    ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(CLIRecordSets{ResourceRecordSets: rrsets}); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// ImportRecordSets turns exported record sets into the change batch that creates
// them in zone z: the apex SOA and NS are UPSERTs (the new zone has its own),
// everything else is CREATE. Alias targets of the exporting zone are moved to z.
// Apply it with ApplyChanges to a zone's current record sets; a batch is at most
// MaxChanges changes and the batch limits, so a large zone is imported in several
// batches: ImportBatches splits it.
func ImportRecordSets(z *Zone, rrsets []ResourceRecordSet) []Change {
	var out []Change
	for i := range rrsets {
		rs := cloneRecordSet(&rrsets[i])
		if rs.AliasTarget != nil {
			rs.AliasTarget.HostedZoneId = z.ID
		}
		action := ActionCreate
		if rs.Name == z.Name && (rs.Type == "SOA" || rs.Type == "NS") {
			action = ActionUpsert
		}
		out = append(out, Change{Action: action, ResourceRecordSet: *rs})
	}
	return out
}

// ImportBatches splits changes into batches within Route 53's limits, keeping the
// record sets of one name and type (a routing group) in one batch, DS record sets
// after the NS sets of their delegations (a DS needs its NS: "DS" sorts before
// "NS", so a batch boundary could otherwise fall between them) and aliases after
// their targets' batches (record sets without aliases first).
func ImportBatches(changes []Change) []ChangeBatch {
	var plain, ds, aliases []Change
	for _, c := range changes {
		switch {
		case c.ResourceRecordSet.AliasTarget != nil:
			aliases = append(aliases, c)
		case c.ResourceRecordSet.Type == "DS":
			ds = append(ds, c)
		default:
			plain = append(plain, c)
		}
	}
	var out []ChangeBatch
	var cur ChangeBatch
	records, chars := 0, 0
	flush := func() {
		if len(cur.Changes) > 0 {
			cur.Comment = "import " + strconv.Itoa(len(out)+1)
			out = append(out, cur)
			cur, records, chars = ChangeBatch{}, 0, 0
		}
	}
	// DS sets follow every plain set in the same run of batches (a boundary may fall
	// anywhere: their NS sets are then in this batch or an earlier one); aliases start
	// a batch of their own.
	for _, list := range [][]Change{append(plain, ds...), aliases} {
		for i := 0; i < len(list); {
			j := i + 1
			for j < len(list) && list[j].ResourceRecordSet.Name == list[i].ResourceRecordSet.Name && list[j].ResourceRecordSet.Type == list[i].ResourceRecordSet.Type {
				j++
			}
			n, c := 0, 0
			for _, ch := range list[i:j] {
				k := 1
				if ch.Action == ActionUpsert {
					k = 2
				}
				n += k * len(ch.ResourceRecordSet.ResourceRecords)
				for _, r := range ch.ResourceRecordSet.ResourceRecords {
					c += k * len(r.Value)
				}
			}
			if len(cur.Changes)+(j-i) > MaxChanges || records+n > MaxBatchRecords || chars+c > MaxBatchValueChars {
				flush()
			}
			cur.Changes = append(cur.Changes, list[i:j]...)
			records, chars = records+n, chars+c
			i = j
		}
		flush()
	}
	return out
}
