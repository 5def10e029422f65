package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/coretraffic/coretraffic/route53"
	"github.com/coretraffic/coretraffic/route53/apierr"
)

// maxBatchBody bounds a proposed batch (Route 53's own request limit is 32 000
// characters of values; JSON adds the field names).
const maxBatchBody = 1 << 20

// proposal is the body of plan and apply: a change batch, bare or wrapped.
type proposal struct {
	ChangeBatch *route53.ChangeBatch `json:"ChangeBatch"`
	Confirm     bool                 `json:"confirm"`
}

// decodeBatch reads a proposed batch from JSON: {"ChangeBatch": {…}} or the batch
// itself ({"Comment", "Changes"}). Unknown fields are errors that name them, so a
// typo is not silently dropped from a change.
func decodeBatch(data []byte) (*route53.ChangeBatch, bool, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, false, jsonErr(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if _, wrapped := probe["ChangeBatch"]; wrapped {
		var p proposal
		if err := dec.Decode(&p); err != nil {
			return nil, false, jsonErr(err)
		}
		if p.ChangeBatch == nil {
			return nil, false, errors.New("ChangeBatch is null")
		}
		return p.ChangeBatch, p.Confirm, nil
	}
	var cb route53.ChangeBatch
	if err := dec.Decode(&cb); err != nil {
		return nil, false, jsonErr(err)
	}
	return &cb, false, nil
}

// jsonErr says where a body went wrong.
func jsonErr(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("the body is not JSON: %v (at byte %d)", se, se.Offset)
	case errors.As(err, &te):
		return fmt.Errorf("field %s: want %s, not a JSON %s (at byte %d)", te.Field, te.Type, te.Value, te.Offset)
	}
	return fmt.Errorf("the body is not a change batch: %v", err)
}

func readBatch(w http.ResponseWriter, r *http.Request) (*route53.ChangeBatch, bool, bool) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBatchBody))
	if err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, "bad_request", fmt.Sprintf("the body is over %d bytes", maxBatchBody))
		return nil, false, false
	}
	cb, confirm, err := decodeBatch(data)
	if err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", err.Error())
		return nil, false, false
	}
	return cb, confirm, true
}

func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return jsonErr(err)
	}
	return nil
}

// diffDoc is one record set a batch touches (API.md, plan).
type diffDoc struct {
	Name          string                     `json:"name"`
	Type          string                     `json:"type"`
	SetIdentifier string                     `json:"set_identifier,omitempty"`
	Action        string                     `json:"action"`
	Before        *route53.ResourceRecordSet `json:"before"`
	After         *route53.ResourceRecordSet `json:"after"`
	Fields        []string                   `json:"fields"`
}

// diff pairs what a plan replaces with what it writes, by record set key.
func diff(before, after []route53.ResourceRecordSet) []diffDoc {
	key := func(rs *route53.ResourceRecordSet) route53.RecordKey {
		return route53.RecordKey{Name: rs.Name, Type: rs.Type, SetIdentifier: rs.SetIdentifier}
	}
	var out []diffDoc
	idx := map[route53.RecordKey]int{}
	for i := range before {
		b := before[i]
		idx[key(&b)] = len(out)
		out = append(out, diffDoc{Name: b.Name, Type: b.Type, SetIdentifier: b.SetIdentifier, Action: "delete", Before: &b, Fields: []string{}})
	}
	for i := range after {
		a := after[i]
		if j, ok := idx[key(&a)]; ok {
			out[j].Action, out[j].After, out[j].Fields = "update", &a, changedFields(out[j].Before, &a)
			continue
		}
		out = append(out, diffDoc{Name: a.Name, Type: a.Type, SetIdentifier: a.SetIdentifier, Action: "create", After: &a, Fields: []string{}})
	}
	return out
}

// changedFields names the top-level fields that differ.
func changedFields(a, b *route53.ResourceRecordSet) []string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	out := []string{}
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, va.Type().Field(i).Name)
		}
	}
	return out
}

// writeRefusal answers a refused batch: 400 (or the error's status) with ok false
// and the field errors placed on their changes.
func writeRefusal(w http.ResponseWriter, ae *apierr.Error, cb *route53.ChangeBatch) {
	if ae.Status >= 500 {
		writeStoreError(w, ae)
		return
	}
	errs := fieldErrors(ae)
	if cb != nil {
		placeMessages(errs, cb)
	}
	if errs == nil {
		errs = []fieldError{{Change: -1, Message: ae.Message}}
	}
	writeJSON(w, ae.Status, map[string]any{"ok": false, "error": ae.Code, "message": ae.Message, "errors": errs})
}

// placeMessages puts InvalidChangeBatch messages that name a record set
// ("[name='…', type='…', set-identifier='…']") on the change of that record set.
func placeMessages(errs []fieldError, cb *route53.ChangeBatch) {
	for i := range errs {
		if errs[i].Change >= 0 {
			continue
		}
		for j, c := range cb.Changes {
			rs := c.ResourceRecordSet
			name, _ := route53.NormalizeName(rs.Name)
			m := errs[i].Message
			if name == "" || !strings.Contains(m, "name='"+name+"'") || !strings.Contains(m, "type='"+rs.Type+"'") {
				continue
			}
			if rs.SetIdentifier != "" && strings.Contains(m, "set-identifier=") && !strings.Contains(m, "set-identifier='"+rs.SetIdentifier+"'") {
				continue
			}
			errs[i].Change = j
			break
		}
	}
}

// result is the metric label of a batch's outcome.
func result(aerr *apierr.Error) string {
	if aerr != nil {
		return "refused"
	}
	return "ok"
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request) {
	cb, _, ok := readBatch(w, r)
	if !ok {
		return
	}
	p, aerr := s.api.PlanRecordSets(r.Context(), r.PathValue("zone"), cb)
	edits.WithLabelValues("plan", result(aerr)).Inc()
	if aerr != nil {
		writeRefusal(w, aerr, cb)
		return
	}
	d := diff(p.Before, p.After)
	if d == nil {
		d = []diffDoc{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "revision": p.Revision, "diff": d})
}

func (s *Server) apply(w http.ResponseWriter, r *http.Request) {
	cb, confirm, ok := readBatch(w, r)
	if !ok {
		return
	}
	if !confirm {
		writeError(w, http.StatusBadRequest, "bad_request", `apply needs {"ChangeBatch": {…}, "confirm": true}`)
		return
	}
	user := sessionOf(r).user
	info, aerr := s.api.ChangeRecordSets(r.Context(), user, r.PathValue("zone"), cb)
	edits.WithLabelValues("apply", result(aerr)).Inc()
	if aerr != nil {
		writeRefusal(w, aerr, cb)
		return
	}
	s.cfg.Logf("console: %s applied %s to %s", user, info.Id, r.PathValue("zone"))
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "change": info})
}
