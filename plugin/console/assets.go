package console

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
)

// web holds the page: index.html, login.html and what they load. Everything is in
// the binary; the page needs no network beyond this server.
//
//go:embed web
var web embed.FS

// asset is one embedded file, ready to serve.
type asset struct {
	body  []byte
	gz    []byte // gzip of body, nil when it does not pay
	etag  string
	ctype string
}

var assetsOnce = sync.OnceValue(loadAssets)

// loadAssets reads web/ once: content types, strong ETags (content hashes) and
// gzip of what compresses.
func loadAssets() map[string]*asset {
	out := map[string]*asset{}
	_ = fs.WalkDir(web, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := web.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := &asset{body: b, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`, ctype: mime.TypeByExtension(path.Ext(p))}
		if a.ctype == "" {
			a.ctype = http.DetectContentType(b)
		}
		if len(b) > 512 {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(b)
			zw.Close()
			if buf.Len() < len(b)*9/10 {
				a.gz = buf.Bytes()
			}
		}
		out[strings.TrimPrefix(p, "web/")] = a
		return nil
	})
	return out
}

// public reports whether a file may be served without a session: the login page
// and its own assets only.
func public(name string) bool {
	return name == "favicon.ico" || strings.HasPrefix(name, "login.") || strings.HasPrefix(name, "login/")
}

func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	writeAsset(w, r, "login.html")
}

// serveAsset serves a file of web/ ("/" is index.html): public ones to anyone, the
// others with a session; without one, a redirect to the login page and nothing else.
func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
	if name == "" {
		name = "index.html"
	}
	if !public(name) {
		if _, ok := s.sessions.from(r); !ok {
			to := "/login"
			if strings.HasSuffix(name, ".html") && name != "index.html" {
				to += "?next=" + url.QueryEscape("/"+name) // cleaned: never "//host"
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return
		}
	}
	writeAsset(w, r, name)
}

func writeAsset(w http.ResponseWriter, r *http.Request, name string) {
	a, ok := assetsOnce()[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	h.Add("Vary", "Accept-Encoding")
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gz != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	w.Write(body)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
