package console

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"sync"
)

// gzipOK marks a response whose request accepts gzip: writeJSON compresses bodies
// over gzipMin bytes (a map is ~30 kB of JSON, ~3 kB compressed).
type gzipOK struct{ http.ResponseWriter }

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (g gzipOK) Unwrap() http.ResponseWriter { return g.ResponseWriter }

const gzipMin = 1024

var gzipPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.DefaultCompression); return w }}

// errorDoc is every error's body (API.md, Errors).
type errorDoc struct {
	Error   string       `json:"error"`
	Message string       `json:"message"`
	Errors  []fieldError `json:"errors,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal","message":"encoding the answer failed"}`)
	}
	b = append(b, '\n')
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if _, ok := w.(gzipOK); ok && len(b) > gzipMin {
		var buf bytes.Buffer
		zw := gzipPool.Get().(*gzip.Writer)
		zw.Reset(&buf)
		zw.Write(b)
		zw.Close()
		gzipPool.Put(zw)
		b = buf.Bytes()
		h.Set("Content-Encoding", "gzip")
	}
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, errorDoc{Error: code, Message: msg})
}
