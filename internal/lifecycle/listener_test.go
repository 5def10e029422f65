package lifecycle

import (
	"net/http"
	"strings"
	"testing"
)

// Two directives of one instance that claim one route on one address get an error
// that names the address, not a panic out of setup.
func TestMuxHandleConflict(t *testing.T) {
	m := &Mux{addr: "127.0.0.1:8080", mux: http.NewServeMux()}
	h := http.NotFoundHandler()
	for _, tc := range []struct {
		pattern string
		wantErr bool
	}{
		{"/checks", false},
		{"/checks/", false},
		{"/explain", false},
		{"/checks", true},
		{"/checks/", true},
		{"GET /explain", false}, // more specific than /explain: no conflict
	} {
		err := m.Handle(tc.pattern, h)
		if (err != nil) != tc.wantErr {
			t.Errorf("Handle(%q) = %v, want error %v", tc.pattern, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), m.addr) {
			t.Errorf("Handle(%q) error %q does not name the address", tc.pattern, err)
		}
	}
}
