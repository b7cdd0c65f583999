package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
)

func get(t *testing.T, h http.Handler, method, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	return rec
}

func TestAppServesBuild(t *testing.T) {
	app := NewApp(fstest.MapFS{
		"index.html":           {Data: []byte(`<!doctype html><div id="root"></div>`)},
		"assets/index-abc.js":  {Data: []byte(`console.log(1)`)},
		"assets/index-abc.css": {Data: []byte(`body{}`)},
		"favicon.svg":          {Data: []byte(`<svg/>`)},
	})
	if !app.Built() {
		t.Fatal("Built() = false with an index.html")
	}
	for _, tc := range []struct {
		name, method, path string
		status             int
		cache, ctype, body string
	}{
		{"root", "GET", "/", 200, "no-cache", "text/html", `id="root"`},
		{"client route", "GET", "/schedule", 200, "no-cache", "text/html", `id="root"`},
		{"nested client route", "GET", "/meeting/1234567890", 200, "no-cache", "text/html", `id="root"`},
		{"route with a dot", "GET", "/join/123.4", 200, "no-cache", "text/html", `id="root"`},
		{"index by name", "GET", "/index.html", 200, "no-cache", "text/html", `id="root"`},
		{"hashed asset", "GET", "/assets/index-abc.js", 200, "public, max-age=31536000, immutable", "javascript", "console.log"},
		{"hashed style", "GET", "/assets/index-abc.css", 200, "public, max-age=31536000, immutable", "text/css", "body"},
		{"other file", "GET", "/favicon.svg", 200, "public, max-age=3600", "image/svg+xml", "<svg"},
		{"head", "HEAD", "/schedule", 200, "no-cache", "text/html", ""},
		{"missing asset", "GET", "/assets/index-old.js", 404, "", "", ""},
		{"missing file", "GET", "/robots.txt", 404, "", "", ""},
		{"api path", "GET", "/api/unknown", 404, "", "", ""},
		{"graphql", "GET", "/graphql", 404, "", "", ""},
		{"rtc", "GET", "/rtc", 404, "", "", ""},
		{"branding", "GET", "/branding/logo/x", 404, "", "", ""},
		{"metrics", "GET", "/metrics", 404, "", "", ""},
		{"healthz", "GET", "/healthz", 404, "", "", ""},
		{"readyz", "GET", "/readyz", 404, "", "", ""},
		{"post", "POST", "/schedule", 405, "", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, app, tc.method, tc.path)
			if rec.Code != tc.status {
				t.Fatalf("%s %s: status %d, want %d", tc.method, tc.path, rec.Code, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if got := rec.Header().Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control = %q, want %q", got, tc.cache)
			}
			if got := rec.Header().Get("Content-Type"); !strings.Contains(got, tc.ctype) {
				t.Errorf("Content-Type = %q, want %q", got, tc.ctype)
			}
			if !strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("body %q lacks %q", rec.Body.String(), tc.body)
			}
			if tc.ctype == "text/html" && !strings.Contains(rec.Header().Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("index without a CSP: %q", rec.Header().Get("Content-Security-Policy"))
			}
		})
	}
}

func TestAppIndexRevalidates(t *testing.T) {
	app := NewApp(fstest.MapFS{"index.html": {Data: []byte(`<html>`)}})
	rec := get(t, app, "GET", "/")
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on index.html")
	}
	req := httptest.NewRequest("GET", "/settings/branding", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	app.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified {
		t.Fatalf("revalidation: status %d, want 304", rec.Code)
	}
}

func TestAppNotBuilt(t *testing.T) {
	app := NewApp(fstest.MapFS{".keep": {Data: nil}})
	if app.Built() {
		t.Fatal("Built() = true without index.html")
	}
	rec := get(t, app, "GET", "/schedule")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "make build") {
		t.Fatalf("status %d, body %q: want the not-built page", rec.Code, rec.Body.String())
	}
}

// TestEmbeddedApp checks the binary's own embed, built or not: / answers a page.
func TestEmbeddedApp(t *testing.T) {
	app := NewApp(nil)
	rec := get(t, app, "GET", "/")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if app.Built() && !strings.Contains(rec.Body.String(), `id="root"`) {
		t.Fatalf("built app without its root element: %q", rec.Body.String())
	}
}

// TestRegisterRoutes checks that the app's catch-all leaves the API's routes alone
// when registered beside them, as internal/app does.
func TestRegisterRoutes(t *testing.T) {
	mux := http.NewServeMux()
	stub := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) })
	}
	mux.Handle("/graphql", stub("graphql"))
	mux.Handle("/rtc", stub("rtc"))
	New(nil, nil, slog.New(slog.NewTextHandler(io.Discard, nil))).Register(mux)
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{"POST", "/graphql", 200, "graphql"},
		{"GET", "/graphql", 200, "graphql"},
		{"GET", "/rtc", 200, "rtc"},
		{"GET", "/api/directory/template.csv", 401, ""}, // the spreadsheet handler, signed out
		{"GET", "/api/unknown", 404, ""},
		{"GET", "/schedule", 200, ""},
		{"GET", "/", 200, ""},
		{"DELETE", "/schedule", 405, ""},
	} {
		rec := get(t, mux, tc.method, tc.path)
		if rec.Code != tc.status || (tc.body != "" && rec.Body.String() != tc.body) {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, rec.Code, rec.Body.String(), tc.status, tc.body)
		}
	}
}
