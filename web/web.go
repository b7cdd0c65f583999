// Package web serves what is not GraphQL over plain HTTP: the web app (built from
// frontend/ into dist/ and embedded), enterprise logos, directory spreadsheets
// (template and export) and meeting logs.
package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/directory/sheet"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/i18n"
)

// Directory is what this edge needs of the directory.
type Directory interface {
	LogoPath(ctx context.Context, enterpriseID, file string) (path, contentType string, err error)
	Export(ctx context.Context, p *auth.Principal, w io.Writer, f sheet.Format, lang string) error
}

// Conference is what this edge needs of the conference domain.
type Conference interface {
	MeetingLog(ctx context.Context, p *auth.Principal, runID string) (*conference.Run, []conference.LogEntry, error)
}

// Handler serves the plain HTTP routes.
type Handler struct {
	dir  Directory
	conf Conference
	app  *App
	log  *slog.Logger
}

// New returns the handler, with the embedded web app.
func New(dir Directory, conf Conference, log *slog.Logger) *Handler {
	return &Handler{dir: dir, conf: conf, app: NewApp(nil), log: log}
}

// Register adds the routes to mux. The handlers expect auth.Service.Middleware
// in front of them.
func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /branding/logo/{enterprise}/{file}", h.logo)
	mux.HandleFunc("GET /api/directory/{file}", h.signedIn(h.spreadsheet))
	mux.HandleFunc("GET /api/meetings/runs/{run}/log.csv", h.signedIn(h.meetingLog))
	// Least specific: every other path is the web app or its client-side routes
	// (App refuses API prefixes and methods other than GET and HEAD).
	mux.Handle("/", h.app)
}

// signedIn refuses a session that must change its password first
// (auth.ErrPasswordChangeRequired) before next sees the request.
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p := auth.FromContext(r.Context()); p != nil && p.MustChangePassword {
			h.fail(w, r, auth.ErrPasswordChangeRequired)
			return
		}
		next(w, r)
	}
}

// logo serves an enterprise logo. Names are content hashes, so they never change:
// browsers may cache them for a year.
func (h *Handler) logo(w http.ResponseWriter, r *http.Request) {
	path, ctype, err := h.dir.LogoPath(r.Context(), r.PathValue("enterprise"), r.PathValue("file"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	http.ServeContent(w, r, "", st.ModTime(), f)
}

func format(ext string) (sheet.Format, bool) {
	switch ext {
	case "xlsx":
		return sheet.FormatXLSX, true
	case "csv":
		return sheet.FormatCSV, true
	}
	return sheet.FormatUnknown, false
}

func lang(r *http.Request) string {
	if l, ok := i18n.Parse(r.URL.Query().Get("lang")); ok {
		return l
	}
	if strings.HasPrefix(strings.ToLower(r.Header.Get("Accept-Language")), "en") {
		return i18n.English
	}
	return i18n.Chinese
}

// defaultZone is the product's default time zone (China Standard Time).
const defaultZone = "Asia/Shanghai"

// zone returns the caller's time zone, ?tz= (an IANA name), for dates in file names
// and exported times; China Standard Time when absent or unknown.
func zone(r *http.Request) *time.Location {
	if tz := r.URL.Query().Get("tz"); tz != "" && tz != "Local" && len(tz) <= 64 {
		if loc, err := time.LoadLocation(tz); err == nil {
			return loc
		}
	}
	loc, err := time.LoadLocation(defaultZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// spreadsheet serves template.xlsx, template.csv, export.xlsx and export.csv.
func (h *Handler) spreadsheet(w http.ResponseWriter, r *http.Request) {
	name, ext, _ := strings.Cut(r.PathValue("file"), ".")
	f, ok := format(ext)
	switch {
	case !ok:
		http.NotFound(w, r)
	case name == "template":
		h.template(w, r, f)
	case name == "export":
		h.export(w, r, f)
	default:
		http.NotFound(w, r)
	}
}

// template serves the empty import template. Signed-in accounts only.
func (h *Handler) template(w http.ResponseWriter, r *http.Request, f sheet.Format) {
	if auth.FromContext(r.Context()) == nil {
		h.fail(w, r, errs.ErrUnauthenticated)
		return
	}
	var buf bytes.Buffer
	l := lang(r)
	if err := sheet.Template(&buf, f, l); err != nil {
		h.fail(w, r, err)
		return
	}
	name := "members-template"
	if l != "en" {
		name = "成员导入模板"
	}
	attach(w, f, name)
	w.Write(buf.Bytes())
}

// export serves the directory as a spreadsheet. Enterprise admins only.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, f sheet.Format) {
	var buf bytes.Buffer
	if err := h.dir.Export(r.Context(), auth.FromContext(r.Context()), &buf, f, lang(r)); err != nil {
		h.fail(w, r, err)
		return
	}
	name := "通讯录-"
	if lang(r) == i18n.English {
		name = "members-"
	}
	attach(w, f, name+time.Now().In(zone(r)).Format("20060102"))
	w.Write(buf.Bytes())
}

func attach(w http.ResponseWriter, f sheet.Format, name string) {
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s",
		"members"+f.Extension(), url.PathEscape(name+f.Extension()))) // Extension includes the dot
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// fail answers err with the HTTP status of its kind; internals are logged, not shown.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	msg := "internal error"
	if de, ok := errs.As(err); ok && de.Kind != errs.KindUnknown {
		msg = de.Message
		switch de.Kind {
		case errs.KindNotFound:
			status = http.StatusNotFound
		case errs.KindUnauthenticated:
			status = http.StatusUnauthorized
		case errs.KindForbidden:
			status = http.StatusForbidden
		case errs.KindInvalid:
			status = http.StatusBadRequest
		case errs.KindConflict:
			status = http.StatusConflict
		case errs.KindRateLimited:
			status = http.StatusTooManyRequests
		case errs.KindTooLarge:
			status = http.StatusRequestEntityTooLarge
		}
	} else if errors.Is(err, os.ErrNotExist) {
		status, msg = http.StatusNotFound, "not found"
	} else {
		h.log.Error("http", "path", r.URL.Path, "err", err)
	}
	http.Error(w, msg, status)
}

// meetingLog serves a meeting log as CSV, UTF-8 with a BOM so spreadsheet programs
// show Chinese names correctly, in the reader's language (?lang=, else
// Accept-Language): kinds, controls and their values are worded, not codes. Cells are
// neutralised against formula injection.
func (h *Handler) meetingLog(w http.ResponseWriter, r *http.Request) {
	run, entries, err := h.conf.MeetingLog(r.Context(), auth.FromContext(r.Context()), r.PathValue("run"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	header := []string{"时间 Time", "事件 Event", "操作人 Actor", "对象 Subject", "终端 Client", "地址 Address", "详情 Detail"}
	if lang(r) == "en" {
		header = []string{"Time", "Event", "Actor", "Subject", "Client", "Address", "Detail"}
	}
	cw.Write(header)
	loc := zone(r)
	words := logTextsFor(lang(r))
	for _, e := range entries {
		cw.Write([]string{e.At.In(loc).Format(time.RFC3339), words.kind(e), sheet.Neutralise(e.ActorName), sheet.Neutralise(e.Subject), words.client(e),
			e.Address, sheet.Neutralise(words.detail(e))})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	stamp := run.StartedAt.In(loc).Format("20060102-1504")
	name := fmt.Sprintf("meeting-%s-%s.csv", run.Number, stamp)
	local := fmt.Sprintf("会议记录-%s-%s.csv", run.Number, stamp)
	if lang(r) == i18n.English {
		local = name
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q; filename*=UTF-8''%s", name, url.PathEscape(local)))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
