// Package config reads the server's configuration from flags and environment
// variables, flags winning, into one Config that nests a struct per plane: Log, HTTP,
// Store, Auth, Mail, Conference, RTC, ICE and TURN. Only the composition root
// (internal/app) sees the whole Config; it slices it, and each component receives its
// own slice, or its own config type built from that slice in one place
// (internal/app/wire.go). Live streaming, VOD and SIP join as planes of their own
// (Live, VOD, SIP) when they are built, with their flags named after them.
//
// The flags, their environment variables, defaults and error messages are a public
// contract (README's configuration table, `jishitong serve --help`).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole server configuration, one field per plane.
type Config struct {
	Log        Log
	HTTP       HTTP
	Store      Store
	Auth       Auth
	Mail       Mail
	Conference Conference
	RTC        RTC
	ICE        ICE
	TURN       TURN
}

// Log is how the server logs (--log-*).
type Log struct {
	Level  slog.Level
	Format string // text or json
}

// HTTP is the HTTP plane: the listener, the public URL and what GraphQL accepts.
type HTTP struct {
	Listen    string // listen address (--http)
	PublicURL string // without a trailing slash
	// PublicURLDefaulted is true when --public-url was not given: PublicURL is then
	// http://localhost:<port>, and links in mails work on this machine only.
	PublicURLDefaulted bool
	// SecureCookies is true when PublicURL is https: session cookies carry Secure.
	SecureCookies   bool
	ShutdownTimeout time.Duration
	Dev             bool // GraphQL introspection for everyone
	MaxUploadBytes  int64
}

// Store is where the data lives: MongoDB or the embedded store in DataDir.
type Store struct {
	DataDir  string // the embedded store and files (logos)
	MongoURI string // empty runs the embedded store
	Database string // database name in the store
}

// Auth is logins and the platform admin created on an empty database.
type Auth struct {
	SessionTTL time.Duration
	// AdminEmail and AdminPassword are read from the environment only
	// (JISHITONG_ADMIN_EMAIL, JISHITONG_ADMIN_PASSWORD), at bootstrap.
	AdminEmail    string
	AdminPassword string
}

// Mail is the invitation mail's server and sender.
type Mail struct {
	SMTPURL string // empty disables mail
	From    string // empty: noreply@<public host>
}

// Conference is the bookings' platform-wide rules.
type Conference struct {
	Capacity int // concurrent participants the platform serves
	// EarlyStart is how long before its booked start a host may start a meeting; 0
	// means at any time ("any").
	EarlyStart time.Duration
}

// RTC is the media plane's sockets and the address it announces.
type RTC struct {
	UDPPort      int    // single UDP port for all media (ICE UDP mux); 0 = ephemeral ports
	FastSend     bool   // send on UDPPort from a second socket outside Go's netpoller
	TCPPort      int    // passive ICE-TCP listener for all media; 0 = none
	PublicIP     string // address announced in ICE candidates (1:1 NAT)
	LoopbackOnly bool   // restrict ICE to 127.0.0.1 (tests, single-machine demos)
}

// ICE is the STUN and TURN servers handed to clients (see parseICE for the rules
// between them). TURNSecret and TURNTTL also sign the embedded TURN server's
// credentials.
type ICE struct {
	STUNServers  []string      // stun:/stuns: URLs (RFC 7064)
	TURNServers  []string      // turn:/turns: URLs of external TURN servers (RFC 7065)
	TURNUsername string        // fixed credentials for TURNServers…
	TURNPassword string        // …
	TURNSecret   string        // …or a shared secret minting time-limited ones per join
	TURNTTL      time.Duration // lifetime of minted credentials
}

// TURN is the embedded TURN server (off when Port is 0).
type TURN struct {
	Port               int
	Realm              string
	RelayPortMin       uint16 // relay ports; 0-0 = ephemeral
	RelayPortMax       uint16
	UserQuota          int // allocations per participant at once; 0 = no cap
	AllocationLifetime time.Duration
}

// option is one flag with its environment variable.
type option struct {
	name, env, def, usage string
}

var options = []option{
	{"http", "JISHITONG_HTTP", ":8080", "HTTP listen address"},
	{"data", "JISHITONG_DATA", "./data", "folder for the embedded store and files"},
	{"mongo-uri", "JISHITONG_MONGO_URI", "", "MongoDB URI; empty runs the embedded store"},
	{"mongo-database", "JISHITONG_MONGO_DATABASE", "jishitong", "database name"},
	{"public-url", "JISHITONG_PUBLIC_URL", "", "URL users reach the server at (default http://localhost:<port>)"},
	{"log-level", "JISHITONG_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "JISHITONG_LOG_FORMAT", "text", "text or json"},
	{"dev", "JISHITONG_DEV", "false", "development mode: GraphQL introspection for everyone, verbose errors in logs"},
	{"shutdown-timeout", "JISHITONG_SHUTDOWN_TIMEOUT", "15s", "how long in-flight requests may take to finish on shutdown"},
	{"session-ttl", "JISHITONG_SESSION_TTL", "72h", "how long a login lasts"},
	{"max-upload", "JISHITONG_MAX_UPLOAD", "8388608", "largest accepted upload in bytes"},
	{"rtc-udp-port", "JISHITONG_RTC_UDP_PORT", "0", "UDP port every media connection shares (ICE UDP mux); 0 uses ephemeral ports"},
	{"rtc-fast-send", "JISHITONG_RTC_FAST_SEND", "true", "send media on --rtc-udp-port from a second socket on the port that Go's netpoller does not watch, never blocking (a full send buffer drops the packet); false sends through Go's socket"},
	{"rtc-tcp-port", "JISHITONG_RTC_TCP_PORT", "0", "TCP port of the ICE-TCP listener every media connection shares, the fallback where UDP is blocked; 0 turns it off"},
	{"rtc-public-ip", "JISHITONG_RTC_PUBLIC_IP", "", "public IPv4 address announced to clients when the server is behind 1:1 NAT"},
	{"rtc-loopback-only", "JISHITONG_RTC_LOOPBACK_ONLY", "false", "offer only 127.0.0.1 as a media address (tests and single-machine demos)"},
	{"stun-servers", "JISHITONG_STUN_SERVERS", "", "comma-separated stun: URLs handed to clients (RFC 7064), e.g. stun:stun.example.com:3478"},
	{"turn-servers", "JISHITONG_TURN_SERVERS", "", "comma-separated turn:/turns: URLs of external TURN servers handed to clients (RFC 7065), e.g. turn:turn.example.com:3478?transport=udp"},
	{"turn-username", "JISHITONG_TURN_USERNAME", "", "fixed username for --turn-servers (or use --turn-secret)"},
	{"turn-password", "JISHITONG_TURN_PASSWORD", "", "fixed password for --turn-servers"},
	{"turn-secret", "JISHITONG_TURN_SECRET", "", "shared secret (16+ characters) for time-limited TURN credentials minted per join (TURN REST API, coturn's static-auth-secret); the embedded TURN server generates one when empty"},
	{"turn-ttl", "JISHITONG_TURN_TTL", "12h", "how long minted TURN credentials are valid"},
	{"turn-port", "JISHITONG_TURN_PORT", "0", "UDP and TCP port of the embedded TURN server (3478 is the standard); 0 turns it off"},
	{"turn-realm", "JISHITONG_TURN_REALM", "", "realm of the embedded TURN server (default the public URL's host)"},
	{"turn-relay-ports", "JISHITONG_TURN_RELAY_PORTS", "", "UDP port range of the embedded TURN server's relays, e.g. 49152-65535 (default ephemeral ports)"},
	{"turn-user-quota", "JISHITONG_TURN_USER_QUOTA", "10", "relay allocations one participant may hold at once on the embedded TURN server; 0 = no limit"},
	{"turn-allocation-lifetime", "JISHITONG_TURN_ALLOCATION_LIFETIME", "10m", "lifetime of an embedded TURN allocation between refreshes, 1m to 1h"},
	{"capacity", "JISHITONG_CAPACITY", "1000", "concurrent participants the platform serves (bookings beyond it are refused)"},
	{"early-start", "JISHITONG_EARLY_START", "any", "how long before its booked start the host may start a meeting: any (at any time, as Tencent Meeting and Zoom) or a duration such as 30m; guests wait for the host or the booked start either way"},
	{"smtp-url", "JISHITONG_SMTP_URL", "", "mail server for invitations: smtp://user:pass@host:587 (STARTTLS), smtps://…:465 (TLS); empty disables mail"},
	{"smtp-from", "JISHITONG_SMTP_FROM", "", "sender address of invitations (default noreply@<public host>)"},
}

// Usage writes the flag table with environment variables.
func Usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: jishitong serve [flags]")
	fmt.Fprintln(w, "\nFlags (each also read from its environment variable; the flag wins):")
	for _, o := range options {
		fmt.Fprintf(w, "  --%-24s %-34s %s (default %q)\n", o.name, o.env, o.usage, o.def)
	}
	fmt.Fprintln(w, "\nBootstrap (first start on an empty database): JISHITONG_ADMIN_EMAIL, JISHITONG_ADMIN_PASSWORD")
}

// Parse reads args (without the program and command names) and the environment.
func Parse(args []string, getenv func(string) string) (*Config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	vals := make(map[string]*string, len(options))
	for _, o := range options {
		def := o.def
		if v := getenv(o.env); v != "" {
			def = v
		}
		v := new(string)
		*v = def
		if o.def == "false" || o.def == "true" {
			// A boolean: --dev alone means true, --dev=false is allowed too.
			fs.Var(boolValue{v}, o.name, o.usage)
		} else {
			fs.StringVar(v, o.name, def, o.usage)
		}
		vals[o.name] = v
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w (see jishitong serve --help)", err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c := &Config{
		HTTP:  HTTP{Listen: *vals["http"], PublicURL: *vals["public-url"]},
		Store: Store{DataDir: *vals["data"], MongoURI: *vals["mongo-uri"], Database: *vals["mongo-database"]},
		Log:   Log{Format: *vals["log-format"]},
		Auth:  Auth{AdminEmail: getenv("JISHITONG_ADMIN_EMAIL"), AdminPassword: getenv("JISHITONG_ADMIN_PASSWORD")},
	}
	var err error
	if err = c.Log.Level.UnmarshalText([]byte(*vals["log-level"])); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", *vals["log-level"])
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		return nil, fmt.Errorf("--log-format: %q is not text or json", c.Log.Format)
	}
	if c.HTTP.Dev, err = strconv.ParseBool(*vals["dev"]); err != nil {
		return nil, fmt.Errorf("--dev: %q is not a boolean", *vals["dev"])
	}
	if c.HTTP.ShutdownTimeout, err = time.ParseDuration(*vals["shutdown-timeout"]); err != nil || c.HTTP.ShutdownTimeout <= 0 {
		return nil, fmt.Errorf("--shutdown-timeout: %q is not a positive duration", *vals["shutdown-timeout"])
	}
	if c.Auth.SessionTTL, err = time.ParseDuration(*vals["session-ttl"]); err != nil || c.Auth.SessionTTL < time.Minute {
		return nil, fmt.Errorf("--session-ttl: %q is not a duration of at least 1m", *vals["session-ttl"])
	}
	if c.HTTP.MaxUploadBytes, err = strconv.ParseInt(*vals["max-upload"], 10, 64); err != nil || c.HTTP.MaxUploadBytes < 1024 {
		return nil, fmt.Errorf("--max-upload: %q is not a byte count of at least 1024", *vals["max-upload"])
	}
	if c.Conference.Capacity, err = strconv.Atoi(*vals["capacity"]); err != nil || c.Conference.Capacity < 1 {
		return nil, fmt.Errorf("--capacity: %q is not a positive number", *vals["capacity"])
	}
	if v := *vals["early-start"]; v != "any" {
		if c.Conference.EarlyStart, err = time.ParseDuration(v); err != nil || c.Conference.EarlyStart < time.Minute {
			return nil, fmt.Errorf("--early-start: %q is not any or a duration of at least 1m", v)
		}
	}
	c.Mail = Mail{SMTPURL: *vals["smtp-url"], From: *vals["smtp-from"]}
	if c.RTC.UDPPort, err = strconv.Atoi(*vals["rtc-udp-port"]); err != nil || c.RTC.UDPPort < 0 || c.RTC.UDPPort > 65535 {
		return nil, fmt.Errorf("--rtc-udp-port: %q is not a port number", *vals["rtc-udp-port"])
	}
	if c.RTC.FastSend, err = strconv.ParseBool(*vals["rtc-fast-send"]); err != nil {
		return nil, fmt.Errorf("--rtc-fast-send: %q is not a boolean", *vals["rtc-fast-send"])
	}
	if c.RTC.PublicIP = *vals["rtc-public-ip"]; c.RTC.PublicIP != "" && net.ParseIP(c.RTC.PublicIP).To4() == nil {
		return nil, fmt.Errorf("--rtc-public-ip: %q is not an IPv4 address", c.RTC.PublicIP)
	}
	if c.RTC.LoopbackOnly, err = strconv.ParseBool(*vals["rtc-loopback-only"]); err != nil {
		return nil, fmt.Errorf("--rtc-loopback-only: %q is not a boolean", *vals["rtc-loopback-only"])
	}
	if c.Store.DataDir == "" {
		return nil, errors.New("--data must not be empty")
	}
	h := &c.HTTP
	if h.PublicURL == "" {
		port := h.Listen[strings.LastIndexByte(h.Listen, ':')+1:]
		h.PublicURL = "http://localhost:" + port
		h.PublicURLDefaulted = true
	}
	u, err := url.Parse(h.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--public-url: %q is not an http(s) URL", h.PublicURL)
	}
	h.PublicURL = strings.TrimSuffix(h.PublicURL, "/")
	h.SecureCookies = strings.HasPrefix(h.PublicURL, "https://")
	if err := c.parseICE(vals, u.Hostname()); err != nil {
		return nil, err
	}
	return c, nil
}

// FromEnv is Parse with the process environment.
func FromEnv(args []string) (*Config, error) { return Parse(args, os.Getenv) }

// boolValue is a flag.Value that accepts being given without a value.
type boolValue struct{ s *string }

func (b boolValue) String() string {
	if b.s == nil {
		return ""
	}
	return *b.s
}
func (b boolValue) Set(v string) error { *b.s = v; return nil }
func (b boolValue) IsBoolFlag() bool   { return true }
