package console

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coredns/caddy"
)

func TestSetup(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, []byte("[ops]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret\n"), 0o600)
	store := filepath.Join(dir, "store.db")
	tests := []struct {
		input   string
		wantErr string // "" means success
	}{
		{"console 127.0.0.1:0 {\n store " + store + "\n credentials " + creds + "\n}", ""},
		{"console {\n store " + store + "\n credentials " + creds + "\n}", "want one listen address"},
		{"console localhost {\n store " + store + "\n credentials " + creds + "\n}", `"localhost" is not a listen address`},
		{"console 127.0.0.1:0 {\n credentials " + creds + "\n}", "no store"},
		{"console 127.0.0.1:0 {\n store " + store + "\n}", "no credentials"},
		{"console 127.0.0.1:0 {\n store " + store + "\n credentials " + filepath.Join(dir, "missing") + "\n}", "no such file"},
		{"console 127.0.0.1:0 {\n store " + store + "\n credentials " + creds + "\n tls cert.pem key.pem\n}", "tls: open"},
		{"console 127.0.0.1:0 {\n store " + store + "\n credentials " + creds + "\n tls cert.pem\n}", "Wrong argument count"},
		{"console 127.0.0.1:0 {\n store " + store + " " + store + "\n credentials " + creds + "\n}", "Wrong argument count"},
		{"console 127.0.0.1:0 {\n store " + store + "\n credentials " + creds + "\n bogus 1\n}", `unknown property "bogus"`},
		{"console 127.0.0.1:0 {\n store " + store + "\n credentials " + creds + "\n}\nconsole 127.0.0.1:1 {\n store " + store + "\n credentials " + creds + "\n}",
			"can only be used once per Server Block"},
	}
	for i, tc := range tests {
		c := caddy.NewTestController("dns", tc.input)
		err := setup(c)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%d: unexpected error: %v", i, err)
		case tc.wantErr != "" && err == nil:
			t.Errorf("%d: no error, want %q", i, tc.wantErr)
		case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
			t.Errorf("%d: error %q, want %q", i, err, tc.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), "Testfile:") && !strings.Contains(err.Error(), "once per Server Block") {
			t.Errorf("%d: error %q does not name the Corefile line", i, err)
		}
	}
}
