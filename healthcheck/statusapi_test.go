package healthcheck

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStatusAPI(t *testing.T) {
	target, _ := toggleServer(t)
	e := New(Options{})
	set, err := e.Apply("corefile", []Spec{inline(t, "web", "http", target.URL, "fall=1")})
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	waitFor(t, "ready", set.Ready)
	token := ""
	api := httptest.NewServer(StatusHandler(e, func() string { return token }))
	defer api.Close()

	do := func(method, path, auth, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, api.URL+path, strings.NewReader(body))
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	code, body := do("GET", "/checks", "", "")
	var list struct{ Checks []CheckView }
	if err := json.Unmarshal([]byte(body), &list); err != nil || code != 200 {
		t.Fatalf("GET /checks: %d %s %v", code, body, err)
	}
	if len(list.Checks) != 1 || !list.Checks[0].Up || list.Checks[0].Owners[0] != "corefile" ||
		list.Checks[0].LastResults[0].Result != KindOK || list.Checks[0].Target != target.URL {
		t.Errorf("checks: %+v", list.Checks)
	}
	if code, _ := do("GET", "/checks/nope", "", ""); code != 404 {
		t.Errorf("unknown check: %d", code)
	}
	if code, _ := do("PUT", "/checks/web/override", "", `{"state":"down"}`); code != 403 {
		t.Errorf("override without a configured token: %d, want 403", code)
	}
	token = "s3cret"
	if code, _ := do("PUT", "/checks/web/override", "wrong", `{"state":"down"}`); code != 401 {
		t.Errorf("wrong token: %d, want 401", code)
	}
	if code, _ := do("PUT", "/checks/web/override", "s3cret", `{"state":"sideways"}`); code != 400 {
		t.Errorf("bad state: %d, want 400", code)
	}
	code, body = do("PUT", "/checks/web/override", "s3cret", `{"state":"down"}`)
	var v CheckView
	json.Unmarshal([]byte(body), &v)
	if code != 200 || v.Up || v.Override != "down" || !v.Healthy {
		t.Errorf("override: %d %s", code, body)
	}
	if h, _ := set.Handle("web"); h.Up() {
		t.Error("handle still up after drain")
	}
	code, body = do("DELETE", "/checks/web/override", "s3cret", "")
	v = CheckView{}
	json.Unmarshal([]byte(body), &v)
	if code != 200 || !v.Up || v.Override != "" {
		t.Errorf("clear: %d %s", code, body)
	}
}
