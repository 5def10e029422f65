package healthcheck

import (
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// StatusHandler serves the status API of e:
//
//	GET    /checks                     every check
//	GET    /checks/NAME                one check
//	PUT    /checks/NAME/override       body {"state":"up"|"down"|"none"}, bearer token
//	DELETE /checks/NAME/override       clear, bearer token
//
// token returns the bearer token that allows overrides; when it returns "" the API is
// read-only and overrides answer 403.
func StatusHandler(e *Engine, token func() string) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /checks", func(w http.ResponseWriter, r *http.Request) {
		infos := e.Checks()
		views := make([]CheckView, len(infos))
		for i := range infos {
			views[i] = infos[i].View()
		}
		writeJSON(w, http.StatusOK, map[string]any{"checks": views})
	})
	mux.HandleFunc("GET /checks/{name}", func(w http.ResponseWriter, r *http.Request) {
		if v, ok := findView(e, r.PathValue("name")); ok {
			writeJSON(w, http.StatusOK, v)
			return
		}
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such check"})
	})
	override := func(w http.ResponseWriter, r *http.Request) {
		if status, msg := authorize(r, token()); status != 0 {
			writeJSON(w, status, map[string]string{"error": msg})
			return
		}
		o := OverrideNone
		if r.Method != http.MethodDelete {
			var body struct {
				State string `json:"state"`
			}
			dec := json.NewDecoder(io.LimitReader(r.Body, 4096))
			dec.DisallowUnknownFields()
			var ok bool
			if err := dec.Decode(&body); err == nil {
				o, ok = ParseOverride(body.State)
			}
			if !ok {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"state": "up" | "down" | "none"}`})
				return
			}
		}
		name := r.PathValue("name")
		if !e.SetOverride(name, o) {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such check"})
			return
		}
		v, _ := findView(e, name)
		writeJSON(w, http.StatusOK, v)
	}
	mux.HandleFunc("PUT /checks/{name}/override", override)
	mux.HandleFunc("POST /checks/{name}/override", override)
	mux.HandleFunc("DELETE /checks/{name}/override", override)
	return mux
}

// authorize returns 0 when r carries the bearer token, else an HTTP status and why.
func authorize(r *http.Request, token string) (int, string) {
	if token == "" {
		return http.StatusForbidden, "read-only: no token configured"
	}
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
		return http.StatusUnauthorized, "bad or missing bearer token"
	}
	return 0, ""
}

func findView(e *Engine, name string) (CheckView, bool) {
	for _, info := range e.Checks() {
		for _, n := range info.Names {
			if n == name {
				return info.View(), true
			}
		}
	}
	return CheckView{}, false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}
