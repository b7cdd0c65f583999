package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// dist is the built web app (frontend/, `make build` runs `npm run build` into
// web/dist). Only web/dist/.keep is committed, so a plain `go build` embeds no app
// and serves a page that says so.
//
//go:embed all:dist
var dist embed.FS

// apiPrefixes are paths the app's fallback never answers: they belong to the API,
// media signaling, logos and operations, and an unknown path under them is a 404,
// not the app's index page.
var apiPrefixes = []string{"/graphql", "/rtc", "/api/", "/branding/", "/metrics", "/healthz", "/readyz"}

// csp is the web app's Content-Security-Policy: its own scripts only; antd injects
// style elements; camera previews and downloads use blob: URLs; GraphQL
// subscriptions and /rtc use websockets to this origin.
const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"media-src 'self' blob: mediastream:; connect-src 'self' ws: wss:; font-src 'self' data:; worker-src 'self' blob:; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// App serves the single-page web app from files: hashed assets under /assets/
// cached for a year, other files briefly, and index.html, never cached, for every
// other GET that is not an API path (client-side routes such as /schedule).
type App struct {
	files   fs.FS
	index   []byte
	etag    string
	modTime time.Time
	built   bool
}

// NewApp returns the app served from files (the root holds index.html). A nil
// files serves the embedded build.
func NewApp(files fs.FS) *App {
	if files == nil {
		sub, err := fs.Sub(dist, "dist")
		if err != nil {
			panic(err) // the embed pattern guarantees the folder
		}
		files = sub
	}
	a := &App{files: files, modTime: time.Now()}
	if b, err := fs.ReadFile(files, "index.html"); err == nil {
		a.index, a.built = b, true
	} else {
		a.index = []byte(notBuiltPage)
	}
	sum := sha256.Sum256(a.index)
	a.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
	return a
}

// Built reports whether a built web app is being served.
func (a *App) Built() bool { return a.built }

func isAPIPath(p string) bool {
	for _, prefix := range apiPrefixes {
		if p == strings.TrimSuffix(prefix, "/") || strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// ServeHTTP serves GET and HEAD requests.
func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if isAPIPath(p) {
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(p, "/")
	if name != "" && name != "index.html" {
		if a.serveFile(w, r, name) {
			return
		}
		// A missing hashed asset is a stale page asking for an old build: 404, so
		// that the browser does not take index.html for a script or style.
		if strings.HasPrefix(name, "assets/") || looksLikeFile(name) {
			http.NotFound(w, r)
			return
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", a.etag)
	h.Set("Content-Security-Policy", csp)
	http.ServeContent(w, r, "index.html", a.modTime, bytes.NewReader(a.index))
}

// serveFile serves a file of the build, reporting false when there is none.
func (a *App) serveFile(w http.ResponseWriter, r *http.Request, name string) bool {
	f, err := a.files.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	rs, ok := f.(io.ReadSeeker)
	if err != nil || st.IsDir() || !ok {
		return false
	}
	if strings.HasPrefix(name, "assets/") {
		// Vite puts a content hash in every file name under assets/.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=3600")
	}
	http.ServeContent(w, r, name, a.modTime, rs)
	return true
}

// looksLikeFile reports whether the last path element has an extension of a file
// a browser would fetch (as opposed to a client route such as /join/123.456).
func looksLikeFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".js", ".mjs", ".css", ".map", ".png", ".jpg", ".jpeg", ".gif", ".svg", ".ico", ".webp", ".woff", ".woff2", ".ttf", ".json", ".txt", ".wasm", ".webmanifest":
		return true
	}
	return false
}

// notBuiltPage is served when the binary was built without the web app.
const notBuiltPage = `<!doctype html><html lang="zh-CN"><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>及时通 Jishitong</title>
<body style="font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em;line-height:1.6">
<h1>及时通 Jishitong</h1>
<p>服务器正在运行，但此程序构建时没有包含网页应用。请运行 <code>make build</code>（先构建 <code>frontend/</code> 再编译程序）。
GraphQL 接口位于 <code>/graphql</code>。</p>
<p>The server is running, but this binary was built without the web app. Run <code>make build</code>, which builds
<code>frontend/</code> before the binary. The GraphQL API is at <code>/graphql</code>.</p>
</body></html>`
