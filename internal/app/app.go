// Package app is the composition root: it builds every plane from the configuration,
// starts them in order and stops them in reverse.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/jishitong/jishitong/graph"
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/config"
	"github.com/jishitong/jishitong/internal/directory"
	"github.com/jishitong/jishitong/internal/directory/sheet"
	"github.com/jishitong/jishitong/internal/loadtest"
	"github.com/jishitong/jishitong/internal/meeting"
	"github.com/jishitong/jishitong/internal/notify"
	"github.com/jishitong/jishitong/internal/store"
	"github.com/jishitong/jishitong/media/rtc"
	"github.com/jishitong/jishitong/media/turn"
	"github.com/jishitong/jishitong/web"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=v1.2.3".
var Version = ""

// version returns Version, or the VCS revision the binary was built from.
func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		rev, dirty := "", false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" {
			if dirty {
				rev += "-dirty"
			}
			return "dev-" + rev
		}
	}
	return "dev"
}

// Main runs the command line and returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "serve":
		cfg, err := config.FromEnv(args[1:])
		if errors.Is(err, flag.ErrHelp) {
			config.Usage(stdout)
			return 0
		}
		if err != nil {
			fmt.Fprintln(stderr, "jishitong serve:", err)
			return 2
		}
		log := newLogger(stderr, cfg.Log)
		// Libraries that print with the standard log package (gqlgen on refused
		// websocket upgrades) go through the structured handler too.
		slog.SetDefault(log)
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := Serve(ctx, cfg, log); err != nil {
			log.Error("server stopped", "err", err)
			return 1
		}
		return 0
	case "loadtest":
		return loadtest.Main(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "jishitong", version())
		return 0
	case "help", "--help", "-h":
		usage(stdout)
		return 0
	}
	fmt.Fprintf(stderr, "jishitong: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprint(w, "jishitong — video conferencing platform\n\nCommands:\n  serve     run every plane in one process\n  loadtest  join synthetic participants to a meeting and report media numbers (loadtest --help)\n  version   print the version\n\n")
	config.Usage(w)
}

func newLogger(w io.Writer, c config.Log) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.Level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Serve runs the server until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, cfg *config.Config, log *slog.Logger) error {
	s, err := Start(ctx, cfg, log)
	if err != nil {
		return err
	}
	<-ctx.Done()
	log.Info("shutting down", "deadline", cfg.HTTP.ShutdownTimeout)
	return s.Close()
}

// Server is a running jishitong.
type Server struct {
	cfg      *config.Config
	log      *slog.Logger
	st       *store.Store
	bus      *bus.Bus
	auth     *auth.Service
	dir      *directory.Service
	mail     *notify.Outbox
	conf     *conference.Service
	meetings *meeting.Service
	mlog     *logAppender
	evict    *accessWatcher // ends revoked accounts' media sessions, voids their join tokens
	rtc      *rtc.Server
	turn     *turn.Server // embedded TURN server, when --turn-port is set
	http     *http.Server
	ln       net.Listener
	ready    atomic.Bool

	baseCancel context.CancelFunc
	served     chan error
	// handlers counts the HTTP handlers running, websockets included.
	handlers  atomic.Int64
	closeOnce sync.Once
	closeErr  error
}

// Addr returns the HTTP listener's address.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// StoreURI returns the MongoDB URI the server uses (the embedded store's loopback
// address by default), so that tests can run a second instance on the same data.
func (s *Server) StoreURI() string { return s.st.URI }

// StoreCommands returns how many commands the server has sent to its store, for
// tests that count a request's round trips.
func (s *Server) StoreCommands() int64 { return s.st.Commands() }

// Handlers returns the number of HTTP handlers running, websockets included, so
// that tests can shut down with requests known to be in flight.
func (s *Server) Handlers() int64 { return s.handlers.Load() }

// Conference returns the conference service, for tests that drive its clock-based
// work (SweepOnce) directly.
func (s *Server) Conference() *conference.Service { return s.conf }

// Auth returns the auth service, for tests that count its password checks.
func (s *Server) Auth() *auth.Service { return s.auth }

// Start builds every plane, bootstraps an empty database and starts serving. The
// HTTP listener is bound first so /healthz answers (and /readyz says 503) while the
// store starts.
func Start(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *Server, err error) {
	s := &Server{cfg: cfg, log: log, served: make(chan error, 1)}
	ln, err := net.Listen("tcp", cfg.HTTP.Listen)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.HTTP.Listen, err)
	}
	s.ln = ln
	mux := http.NewServeMux()
	reg := prometheus.NewRegistry()
	// The live heap after the last GC (go_gc_heap_live_bytes) is what the load tool
	// divides by the participants; heap-in-use swings with every collection.
	liveHeap := collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)}
	reg.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(liveHeap)), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	var appHandler atomic.Pointer[http.Handler]
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := appHandler.Load()
		if h == nil {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	}))
	baseCtx, baseCancel := context.WithCancel(context.Background())
	s.baseCancel = baseCancel
	s.http = &http.Server{
		Handler:           s.countHandlers(instrument(reg, mux)),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return baseCtx },
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go func() { s.served <- s.http.Serve(ln) }()
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	log.Info("starting", "version", version(), "http", ln.Addr().String(), "public_url", cfg.HTTP.PublicURL, "embedded_store", cfg.Store.MongoURI == "")
	if cfg.HTTP.PublicURLDefaulted {
		log.Warn("--public-url is not set: links in invitation mails and notices point to "+cfg.HTTP.PublicURL+
			" and work on this machine only; set --public-url (JISHITONG_PUBLIC_URL) to the address people reach the server at",
			"public_url", cfg.HTTP.PublicURL)
	}
	if s.st, err = store.Open(ctx, storeConfig(cfg.Store), log); err != nil {
		return nil, err
	}
	s.bus = bus.New(log)
	if s.dir, err = directory.New(ctx, directoryConfig(cfg.Store), s.st, s.bus, log); err != nil {
		return nil, err
	}
	if s.auth, err = auth.New(ctx, authConfig(cfg.Auth), s.st, s.dir, s.bus, log); err != nil {
		return nil, err
	}
	s.dir.SetRevoker(s.auth)
	if err := s.bootstrap(ctx, cfg.Auth); err != nil {
		return nil, err
	}
	if s.mail, err = notify.NewOutbox(ctx, notifyConfig(cfg.Mail, cfg.HTTP), s.st, log); err != nil {
		return nil, err
	}
	s.mail.Start()
	// The owners' registry comes first: the bookings tell it of run starts and ends,
	// and the coordinator built on both owns it.
	runs := meeting.NewRegistry(nil)
	ccfg := conferenceConfig(cfg.Conference, cfg.HTTP)
	ccfg.Runs = runs
	if s.conf, err = conference.New(ctx, ccfg, s.st, s.dir, s.mail, s.bus, log); err != nil {
		runs.Close()
		return nil, err
	}
	s.mlog = newLogAppender(s.conf, log)
	if s.meetings, err = meeting.NewService(ctx, meeting.ServiceConfig{Bookings: s.conf, Registry: runs, Log: s.mlog.Append, Logger: log}); err != nil {
		runs.Close()
		return nil, err
	}

	s.evict = startAccessWatcher(s.bus, s.meetings.Registry(), s.conf, log)

	rcfg, err := s.rtcConfig(cfg.RTC, cfg.ICE, cfg.TURN)
	if err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}
	s.rtc = rtc.NewServer(rcfg, rtc.Deps{Admission: s.meetings, Presence: s.meetings, Meetings: s.meetings,
		Whiteboards: s.conf, StateTokens: s.meetings})
	reg.MustRegister(s.rtc.Collector())
	if err := s.rtc.Start(); err != nil {
		return nil, fmt.Errorf("media: %w", err)
	}

	app := http.NewServeMux()
	app.Handle("/rtc", s.rtc)
	app.Handle("/graphql", graph.NewHandler(
		graphConfig(cfg.HTTP),
		&graph.Resolver{Auth: s.auth, Directory: s.dir, Conference: s.conf, Meetings: s.meetings, Importer: directory.NewImporter(s.dir, sheet.DefaultLimits()), PublicURL: cfg.HTTP.PublicURL, SecureCookies: cfg.HTTP.SecureCookies, ICEServers: s.joinICEServers},
		log))
	web.New(s.dir, s.conf, log).Register(app)
	var h http.Handler = s.auth.Middleware(securityHeaders(app))
	appHandler.Store(&h)
	s.ready.Store(true)
	log.Info("ready", "url", cfg.HTTP.PublicURL)
	return s, nil
}

// bootstrap creates the platform admin on an empty database.
func (s *Server) bootstrap(ctx context.Context, c config.Auth) error {
	email := c.AdminEmail
	if email == "" {
		email = "admin@jishitong.local"
	}
	created, generated, err := s.dir.EnsurePlatformAdmin(ctx, email, c.AdminPassword)
	if err != nil {
		return fmt.Errorf("bootstrap platform admin: %w", err)
	}
	switch {
	case created && generated != "":
		s.log.Warn("created the platform admin with a generated password; it is shown only this once", "email", auth.NormalizeEmail(email), "password", generated)
	case created:
		s.log.Info("created the platform admin", "email", auth.NormalizeEmail(email))
	}
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "not ready", http.StatusServiceUnavailable)
		return
	}
	pctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(pctx); err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "ready\n")
}

// Close stops accepting, lets in-flight requests finish within the shutdown
// timeout, cuts those still running then and ends long-lived connections, waits
// for their handlers to return, then stops the planes and the store. Later calls
// return the first call's result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Server) close() error {
	s.ready.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.HTTP.ShutdownTimeout)
	defer cancel()
	var errs []error
	if err := s.http.Shutdown(ctx); err != nil {
		errs = append(errs, fmt.Errorf("http shutdown: %w", err))
		// Past the deadline, cut what still runs: a handler blocked reading a
		// body would otherwise serve its request once the store is closed.
		s.http.Close()
	}
	// Websockets were hijacked: Shutdown does not wait for them; end them now,
	// with every request still running.
	s.baseCancel()
	if err := <-s.served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		errs = append(errs, err)
	}
	if s.rtc != nil {
		if err := s.rtc.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close media: %w", err))
		}
	}
	if s.turn != nil { // after the media plane: it relays to it
		if err := s.turn.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	// The planes and the store close under no handler: cut ones return as soon
	// as they see their context end.
	if n := s.waitHandlers(handlerGrace); n > 0 {
		s.log.Warn("closing the store under running handlers", "handlers", n)
	}
	if s.evict != nil { // before the owners it calls
		s.evict.Close()
	}
	if s.meetings != nil {
		s.meetings.Close()
	}
	if s.mlog != nil {
		s.mlog.Close()
	}
	if s.conf != nil {
		s.conf.Close()
	}
	if s.mail != nil {
		s.mail.Close()
	}
	if s.auth != nil {
		s.auth.Close()
	}
	if s.st != nil {
		// A context of its own: the shutdown's may have run out.
		sctx, scancel := context.WithTimeout(context.Background(), handlerGrace)
		defer scancel()
		if err := s.st.Close(sctx); err != nil {
			errs = append(errs, fmt.Errorf("close store: %w", err))
		}
	}
	s.log.Info("stopped")
	return errors.Join(errs...)
}

// handlerGrace bounds the wait, at shutdown, for handlers whose context was
// cancelled, and the store's own closing.
const handlerGrace = 5 * time.Second

// countHandlers counts the handlers running in s.handlers.
func (s *Server) countHandlers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.handlers.Add(1)
		defer s.handlers.Add(-1)
		next.ServeHTTP(w, r)
	})
}

// waitHandlers waits up to d for every handler to return and returns how many
// still run.
func (s *Server) waitHandlers(d time.Duration) int64 {
	deadline := time.Now().Add(d)
	for {
		n := s.handlers.Load()
		if n == 0 || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// securityHeaders adds headers every response should carry.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}
