// Package apierr is the error of coretraffic's Route 53 API: a Route 53 error code,
// the HTTP status Route 53 answers it with, and its message, written as the XML body
// the AWS SDKs parse into typed errors (*types.NoSuchHostedZone, …).
//
// Every part of the API (record sets, health checks, traffic policies, the server)
// returns *Error, so a caller sees Route 53's code whichever part refused.
package apierr

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// Namespace is the XML namespace of every Route 53 2013-04-01 document.
const Namespace = "https://route53.amazonaws.com/doc/2013-04-01/"

// Error is a Route 53 API error.
type Error struct {
	Code    string // Route 53's error code: "NoSuchHostedZone", "InvalidInput", …
	Status  int    // the HTTP status Route 53 answers the code with
	Message string
	// Messages, when set, makes the error an InvalidChangeBatch document: one message
	// per refused change (Route 53 writes them so, and the SDKs read them so).
	Messages []string
}

func (e *Error) Error() string {
	if len(e.Messages) > 0 {
		return fmt.Sprintf("%s: %v", e.Code, e.Messages)
	}
	return e.Code + ": " + e.Message
}

// New returns an error with code, status and a formatted message.
func New(code string, status int, format string, args ...any) *Error {
	return &Error{Code: code, Status: status, Message: fmt.Sprintf(format, args...)}
}

// Sender errors Route 53 answers with 400 unless said otherwise.

// InvalidInput is Route 53's catch-all for a malformed or out-of-range field.
func InvalidInput(format string, args ...any) *Error {
	return New("InvalidInput", http.StatusBadRequest, format, args...)
}

// NotFound returns a 404 error with a NoSuch… code.
func NotFound(code, format string, args ...any) *Error {
	return New(code, http.StatusNotFound, format, args...)
}

// Conflict returns a 409 error (…AlreadyExists, …NotEmpty, …InUse, version mismatches).
func Conflict(code, format string, args ...any) *Error {
	return New(code, http.StatusConflict, format, args...)
}

// InvalidChangeBatch returns Route 53's InvalidChangeBatch error with one message per
// refused change.
func InvalidChangeBatch(messages ...string) *Error {
	return &Error{Code: "InvalidChangeBatch", Status: http.StatusBadRequest, Message: "ChangeBatch errors occurred", Messages: messages}
}

// errorResponse is the restXml error document. An InvalidChangeBatch carries its
// messages twice: joined in Message as Route 53 writes them ("[a, b]", what the aws
// CLI prints) and one by one in Messages (what the Go SDK's
// types.InvalidChangeBatch.Messages reads).
type errorResponse struct {
	XMLName   xml.Name  `xml:"ErrorResponse"`
	Xmlns     string    `xml:"xmlns,attr"`
	Type      string    `xml:"Error>Type"`
	Code      string    `xml:"Error>Code"`
	Message   string    `xml:"Error>Message"`
	Messages  *messages `xml:"Error>Messages,omitempty"`
	RequestID string    `xml:"RequestId"`
}

type messages struct {
	Message []string `xml:"Message"`
}

// Write sends e as Route 53 does: status, content type and XML body.
func (e *Error) Write(w http.ResponseWriter, requestID string) {
	kind := "Sender"
	if e.Status >= 500 {
		kind = "Receiver"
	}
	doc := errorResponse{Xmlns: Namespace, Type: kind, Code: e.Code, Message: e.Message, RequestID: requestID}
	if len(e.Messages) > 0 {
		doc.Message = "[" + strings.Join(e.Messages, ", ") + "]"
		doc.Messages = &messages{e.Messages}
	}
	body, err := xml.Marshal(doc)
	if err != nil { // only strings: cannot fail
		panic(err)
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("X-Amzn-RequestId", requestID)
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(body)
}
