package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/coretraffic/coretraffic/internal/e2e"
)

// The console's page works offline and under its Content-Security-Policy: every
// module it imports and every file its HTML names is in plugin/console/web (so
// embedded), no file loads anything from another site, and no HTML has an inline
// script (CSP script-src 'self' would block it).
func TestConsoleAssetsSelfContained(t *testing.T) {
	root, err := e2e.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	web := filepath.Join(root, "plugin", "console", "web")
	importRe := regexp.MustCompile(`(?m)^import [^'"]*['"]([^'"]+)['"]`)
	refRe := regexp.MustCompile(`(?:src|href)="([^"]+)"`)
	urlRe := regexp.MustCompile(`https?://[^\s'"<>)]+`)
	inlineRe := regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	files := 0
	err = filepath.WalkDir(web, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ext := filepath.Ext(path)
		if ext != ".js" && ext != ".html" && ext != ".css" {
			return nil
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		rel, _ := filepath.Rel(web, path)
		for _, u := range urlRe.FindAllString(text, -1) {
			if u != "http://www.w3.org/2000/svg" {
				t.Errorf("%s names another site: %s", rel, u)
			}
		}
		for _, m := range importRe.FindAllStringSubmatch(text, -1) {
			if _, err := os.Stat(filepath.Join(filepath.Dir(path), m[1])); err != nil || !strings.HasPrefix(m[1], "./") {
				t.Errorf("%s imports %s: not a file of web/ (%v)", rel, m[1], err)
			}
		}
		if ext == ".html" {
			for _, m := range refRe.FindAllStringSubmatch(text, -1) {
				if _, err := os.Stat(filepath.Join(web, strings.TrimPrefix(m[1], "/"))); err != nil || !strings.HasPrefix(m[1], "/") {
					t.Errorf("%s names %s: not a file of web/ (%v)", rel, m[1], err)
				}
			}
			for _, tag := range inlineRe.FindAllString(text, -1) {
				if !strings.Contains(tag, "src=") {
					t.Errorf("%s has an inline script, which the console's CSP blocks: %s", rel, tag)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 10 {
		t.Fatalf("only %d web files under %s", files, web)
	}
}
