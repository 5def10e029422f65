package console

import (
	"net/http"
	"strings"
	"testing"
)

func TestUnauthenticated(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	tests := []struct {
		method, path string
		status       int
		location     string
	}{
		{"GET", "/api/zones", http.StatusUnauthorized, ""},
		{"GET", "/api/tree?set=w.example.net./A", http.StatusUnauthorized, ""},
		{"GET", "/api/events", http.StatusUnauthorized, ""},
		{"GET", "/api/nothing", http.StatusUnauthorized, ""},
		{"POST", "/api/zones/" + "Z1/apply", http.StatusUnauthorized, ""},
		{"GET", "/api/session", http.StatusUnauthorized, ""},
		{"GET", "/", http.StatusSeeOther, "/login"},
		{"GET", "/index.html", http.StatusSeeOther, "/login"},
		{"GET", "/health.html", http.StatusSeeOther, "/login?next=%2Fhealth.html"},
		{"GET", "/app.js", http.StatusSeeOther, "/login"},
		{"GET", "/login", http.StatusOK, ""},
	}
	for _, tc := range tests {
		resp, body := b.do(tc.method, tc.path, "", nil)
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d (%s)", tc.method, tc.path, resp.StatusCode, tc.status, body)
		}
		if tc.location != "" && resp.Header.Get("Location") != tc.location {
			t.Errorf("%s %s: Location %q, want %q", tc.method, tc.path, resp.Header.Get("Location"), tc.location)
		}
		if tc.status == http.StatusSeeOther && len(body) > 0 && strings.Contains(string(body), "<body>") {
			t.Errorf("%s %s: a redirect with page content: %s", tc.method, tc.path, body)
		}
		if tc.status == http.StatusUnauthorized && !strings.Contains(string(body), `"unauthenticated"`) {
			t.Errorf("%s %s: body %s", tc.method, tc.path, body)
		}
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t)
	origin := map[string]string{"Origin": f.srv.URL}
	tests := []struct {
		name   string
		body   string
		hdr    map[string]string
		status int
	}{
		{"wrong secret", `{"access_key_id":"` + testKey + `","secret_access_key":"nope"}`, origin, http.StatusUnauthorized},
		{"unknown key", `{"access_key_id":"AKIDOTHER","secret_access_key":"` + testSecret + `"}`, origin, http.StatusUnauthorized},
		{"empty", `{}`, origin, http.StatusUnauthorized},
		{"not json", `{`, origin, http.StatusBadRequest},
		{"no origin", `{"access_key_id":"` + testKey + `","secret_access_key":"` + testSecret + `"}`, nil, http.StatusForbidden},
		{"other origin", `{"access_key_id":"` + testKey + `","secret_access_key":"` + testSecret + `"}`, map[string]string{"Origin": "http://evil.example"}, http.StatusForbidden},
		{"good", `{"access_key_id":"` + testKey + `","secret_access_key":"` + testSecret + `"}`, origin, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := f.browser()
			resp, body := b.do("POST", "/api/login", tc.body, tc.hdr)
			if resp.StatusCode != tc.status {
				t.Fatalf("%d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			cookies := resp.Cookies()
			if tc.status != http.StatusOK {
				if len(cookies) > 0 {
					t.Fatalf("a refused login set cookies: %v", cookies)
				}
				return
			}
			if len(cookies) != 1 {
				t.Fatalf("cookies %v", cookies)
			}
			c := cookies[0]
			if c.Name != sessionCookie || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || len(c.Value) < 40 {
				t.Fatalf("cookie %+v", c)
			}
			if r, _ := b.do("GET", "/api/zones", "", nil); r.StatusCode != http.StatusOK {
				t.Fatalf("with the cookie: %d", r.StatusCode)
			}
			if r, _ := b.do("GET", "/", "", nil); r.StatusCode != http.StatusOK {
				t.Fatalf("the page with the cookie: %d", r.StatusCode)
			}
		})
	}
}

func TestSecureCookieWithTLS(t *testing.T) {
	f := newFixture(t)
	f.console.cfg.TLS = true
	// A TLS console's origin is https: the test client speaks plain HTTP to it.
	req, _ := http.NewRequest("POST", f.srv.URL+"/api/login", strings.NewReader(`{"access_key_id":"`+testKey+`","secret_access_key":"`+testSecret+`"}`))
	req.Header.Set("Origin", "https://"+strings.TrimPrefix(f.srv.URL, "http://"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || len(resp.Cookies()) != 1 || !resp.Cookies()[0].Secure {
		t.Fatalf("%d %v", resp.StatusCode, resp.Cookies())
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	batch := `{"Changes":[{"Action":"UPSERT","ResourceRecordSet":{"Name":"w.example.net.","Type":"A","SetIdentifier":"a","Weight":100,"TTL":60,"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}`
	path := "/api/zones/" + f.zoneID + "/plan"
	tests := []struct {
		name   string
		hdr    map[string]string
		status int
	}{
		{"no token", map[string]string{"Origin": f.srv.URL}, http.StatusForbidden},
		{"wrong token", map[string]string{"Origin": f.srv.URL, "X-CSRF-Token": b.csrf + "x"}, http.StatusForbidden},
		{"no origin", map[string]string{"X-CSRF-Token": b.csrf}, http.StatusForbidden},
		{"other origin", map[string]string{"Origin": "http://evil.example", "X-CSRF-Token": b.csrf}, http.StatusForbidden},
		{"another session's token", map[string]string{"Origin": f.srv.URL, "X-CSRF-Token": f.browser().login().csrf}, http.StatusForbidden},
		{"good", map[string]string{"Origin": f.srv.URL, "X-CSRF-Token": b.csrf}, http.StatusOK},
	}
	for _, tc := range tests {
		resp, body := b.do("POST", path, batch, tc.hdr)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, resp.StatusCode, tc.status, body)
		}
		if tc.status == http.StatusForbidden && !strings.Contains(string(body), `"csrf"`) {
			t.Errorf("%s: body %s", tc.name, body)
		}
	}
}

func TestLogout(t *testing.T) {
	f := newFixture(t)
	b := f.browser().login()
	if resp, body := b.post("/api/logout", ""); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("logout: %d %s", resp.StatusCode, body)
	}
	if resp, _ := b.do("GET", "/api/zones", "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t)
	b := f.browser()
	bad := `{"access_key_id":"` + testKey + `","secret_access_key":"wrong"}`
	origin := map[string]string{"Origin": f.srv.URL}
	for i := range loginFailsPerClient {
		if resp, _ := b.do("POST", "/api/login", bad, origin); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	good := `{"access_key_id":"` + testKey + `","secret_access_key":"` + testSecret + `"}`
	resp, _ := b.do("POST", "/api/login", good, origin)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures: %d, Retry-After %q", loginFailsPerClient, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
