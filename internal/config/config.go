// Package config reads the server's configuration from flags and environment
// variables, flags winning. Each component receives only its own slice of it.
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

// Config is the whole server configuration.
type Config struct {
	HTTP      string // listen address
	DataDir   string
	MongoURI  string
	Database  string // database name in the store
	PublicURL string
	// PublicURLDefaulted is true when --public-url was not given: PublicURL is then
	// http://localhost:<port>, and links in mails work on this machine only.
	PublicURLDefaulted bool
	LogLevel           slog.Level
	LogFormat          string // text or json
	Dev                bool

	ShutdownTimeout time.Duration
	SessionTTL      time.Duration
	MaxUploadBytes  int64

	AdminEmail    string
	AdminPassword string

	RTCUDPPort  int    // single UDP port for all media (ICE UDP mux); 0 = ephemeral ports
	RTCFastSend bool   // send on RTCUDPPort from a second socket outside Go's netpoller
	RTCTCPPort  int    // passive ICE-TCP listener for all media; 0 = none
	RTCPublicIP string // address announced in ICE candidates (1:1 NAT)
	RTCLoopback bool   // restrict ICE to 127.0.0.1 (tests, single-machine demos)
	Capacity    int    // concurrent participants the platform serves
	// EarlyStart is how long before its booked start a host may start a meeting; 0
	// means at any time ("any").
	EarlyStart time.Duration
	SMTPURL    string // invitation mail; empty disables mail
	SMTPFrom   string

	// ICE servers handed to clients (see ice.go for the rules between them).
	STUNServers  []string      // stun:/stuns: URLs (RFC 7064)
	TURNServers  []string      // turn:/turns: URLs of external TURN servers (RFC 7065)
	TURNUsername string        // fixed credentials for TURNServers…
	TURNPassword string        // …
	TURNSecret   string        // …or a shared secret minting time-limited ones per join
	TURNTTL      time.Duration // lifetime of minted credentials

	// The embedded TURN server (off when TURNPort is 0).
	TURNPort               int
	TURNRealm              string
	TURNRelayPortMin       uint16 // relay ports; 0-0 = ephemeral
	TURNRelayPortMax       uint16
	TURNUserQuota          int // allocations per participant at once; 0 = no cap
	TURNAllocationLifetime time.Duration
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
		HTTP: *vals["http"], DataDir: *vals["data"], MongoURI: *vals["mongo-uri"], Database: *vals["mongo-database"], PublicURL: *vals["public-url"],
		LogFormat:     *vals["log-format"],
		AdminEmail:    getenv("JISHITONG_ADMIN_EMAIL"),
		AdminPassword: getenv("JISHITONG_ADMIN_PASSWORD"),
	}
	var err error
	if err = c.LogLevel.UnmarshalText([]byte(*vals["log-level"])); err != nil {
		return nil, fmt.Errorf("--log-level: %q is not debug, info, warn or error", *vals["log-level"])
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return nil, fmt.Errorf("--log-format: %q is not text or json", c.LogFormat)
	}
	if c.Dev, err = strconv.ParseBool(*vals["dev"]); err != nil {
		return nil, fmt.Errorf("--dev: %q is not a boolean", *vals["dev"])
	}
	if c.ShutdownTimeout, err = time.ParseDuration(*vals["shutdown-timeout"]); err != nil || c.ShutdownTimeout <= 0 {
		return nil, fmt.Errorf("--shutdown-timeout: %q is not a positive duration", *vals["shutdown-timeout"])
	}
	if c.SessionTTL, err = time.ParseDuration(*vals["session-ttl"]); err != nil || c.SessionTTL < time.Minute {
		return nil, fmt.Errorf("--session-ttl: %q is not a duration of at least 1m", *vals["session-ttl"])
	}
	if c.MaxUploadBytes, err = strconv.ParseInt(*vals["max-upload"], 10, 64); err != nil || c.MaxUploadBytes < 1024 {
		return nil, fmt.Errorf("--max-upload: %q is not a byte count of at least 1024", *vals["max-upload"])
	}
	if c.Capacity, err = strconv.Atoi(*vals["capacity"]); err != nil || c.Capacity < 1 {
		return nil, fmt.Errorf("--capacity: %q is not a positive number", *vals["capacity"])
	}
	if v := *vals["early-start"]; v != "any" {
		if c.EarlyStart, err = time.ParseDuration(v); err != nil || c.EarlyStart < time.Minute {
			return nil, fmt.Errorf("--early-start: %q is not any or a duration of at least 1m", v)
		}
	}
	c.SMTPURL, c.SMTPFrom = *vals["smtp-url"], *vals["smtp-from"]
	if c.RTCUDPPort, err = strconv.Atoi(*vals["rtc-udp-port"]); err != nil || c.RTCUDPPort < 0 || c.RTCUDPPort > 65535 {
		return nil, fmt.Errorf("--rtc-udp-port: %q is not a port number", *vals["rtc-udp-port"])
	}
	if c.RTCFastSend, err = strconv.ParseBool(*vals["rtc-fast-send"]); err != nil {
		return nil, fmt.Errorf("--rtc-fast-send: %q is not a boolean", *vals["rtc-fast-send"])
	}
	if c.RTCPublicIP = *vals["rtc-public-ip"]; c.RTCPublicIP != "" && net.ParseIP(c.RTCPublicIP).To4() == nil {
		return nil, fmt.Errorf("--rtc-public-ip: %q is not an IPv4 address", c.RTCPublicIP)
	}
	if c.RTCLoopback, err = strconv.ParseBool(*vals["rtc-loopback-only"]); err != nil {
		return nil, fmt.Errorf("--rtc-loopback-only: %q is not a boolean", *vals["rtc-loopback-only"])
	}
	if c.DataDir == "" {
		return nil, errors.New("--data must not be empty")
	}
	if c.PublicURL == "" {
		port := c.HTTP[strings.LastIndexByte(c.HTTP, ':')+1:]
		c.PublicURL = "http://localhost:" + port
		c.PublicURLDefaulted = true
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("--public-url: %q is not an http(s) URL", c.PublicURL)
	}
	c.PublicURL = strings.TrimSuffix(c.PublicURL, "/")
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
