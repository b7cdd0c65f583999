package notify

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Config is the notify slice of the server configuration.
type Config struct {
	// SMTPURL selects the mail server (--smtp-url):
	//
	//	smtp://user:pass@host:587          STARTTLS required (default port 587)
	//	smtps://user:pass@host:465         implicit TLS (default port 465)
	//	smtp+insecure://host:25            no TLS, for a local relay or tests (default port 25)
	//
	// User and password are percent-encoded. Query parameters: from=<address> (the sender,
	// used when From is empty) and auth=plain|login|cram-md5|scram-sha-1|scram-sha-256
	// (default: PLAIN or LOGIN, whichever the server offers, else the strongest SCRAM or
	// CRAM-MD5 it offers). Empty disables mail: deliveries are still recorded, with status
	// "disabled".
	SMTPURL string
	// From is the sender address, optionally with a display name ("即时通 <noreply@x.cn>").
	// Default: the URL's from parameter, else noreply@<public URL host>.
	From string
	// PublicURL is the base of every link in a mail (--public-url), e.g.
	// "https://meet.example.cn". Links are never built from request headers.
	PublicURL string
	// SIPDomain is the domain of the SIP dial string sip:<number>@<domain>; default the
	// public URL's host.
	SIPDomain string
	// RetryDelays are the waits after the 1st, 2nd, … failed attempt; a delivery that fails
	// once more than there are delays is "failed". Default 30s, 2m, 10m, 30m, 2h (six
	// attempts over about 2h45m).
	RetryDelays []time.Duration
	// SendTimeout bounds one SMTP attempt (connect, TLS, auth, transfer); default 60s.
	SendTimeout time.Duration
	// Concurrency is how many messages are sent at once by one Outbox; default 4.
	Concurrency int
	// PollInterval is how often the worker looks for due deliveries written by other
	// processes or due retries; default 5s. Enqueue in this process wakes it at once.
	PollInterval time.Duration
	// RootCAs, when set, replaces the system roots for verifying the SMTP server's
	// certificate (a private CA, or a test's self-signed one). Verification itself can
	// never be turned off.
	RootCAs *x509.CertPool
}

// Default values of Config.
var (
	DefaultRetryDelays  = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, 2 * time.Hour}
	DefaultSendTimeout  = 60 * time.Second
	DefaultConcurrency  = 4
	DefaultPollInterval = 5 * time.Second
)

// smtpSecurity is how the connection to the mail server is protected.
type smtpSecurity int

const (
	securityUnknown  smtpSecurity = iota
	securityStartTLS              // smtp://: STARTTLS is mandatory
	securityTLS                   // smtps://: TLS from the first byte (RFC 8314)
	securityNone                  // smtp+insecure://
)

func (s smtpSecurity) String() string {
	switch s {
	case securityStartTLS:
		return "starttls"
	case securityTLS:
		return "tls"
	case securityNone:
		return "none"
	}
	return "unknown"
}

// smtpTarget is a parsed --smtp-url.
type smtpTarget struct {
	host     string
	port     int
	security smtpSecurity
	user     string
	password string
	auth     gomail.SMTPAuthType // "" = choose from what the server offers
	from     string              // the from parameter, validated
}

// redacted returns the URL without its password, for logs.
func (t smtpTarget) redacted() string {
	u := url.URL{Host: net.JoinHostPort(t.host, strconv.Itoa(t.port))}
	switch t.security {
	case securityStartTLS:
		u.Scheme = "smtp"
	case securityTLS:
		u.Scheme = "smtps"
	default:
		u.Scheme = "smtp+insecure"
	}
	if t.user != "" {
		u.User = url.UserPassword(t.user, "xxxxx")
	}
	return u.String()
}

var authTypes = map[string]gomail.SMTPAuthType{
	"plain":         gomail.SMTPAuthPlain,
	"login":         gomail.SMTPAuthLogin,
	"cram-md5":      gomail.SMTPAuthCramMD5,
	"scram-sha-1":   gomail.SMTPAuthSCRAMSHA1,
	"scram-sha-256": gomail.SMTPAuthSCRAMSHA256,
}

// configError builds an error wrapping ErrInvalidConfig. Callers never pass the password
// or any text that could contain it.
func configError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
}

// parseSMTPURL parses and validates an --smtp-url. Its errors never echo any part of the
// URL: net/url's own errors quote the input, and a password with an
// unencoded '/', '?' or '#' spills into the port, path, query or fragment.
func parseSMTPURL(raw string) (smtpTarget, error) {
	var t smtpTarget
	if strings.ContainsFunc(raw, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return t, configError("--smtp-url contains control characters")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return t, configError("--smtp-url cannot be parsed; percent-encode special characters in the user name and password")
	}
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		t.security, t.port = securityStartTLS, 587
	case "smtps":
		t.security, t.port = securityTLS, 465
	case "smtp+insecure":
		t.security, t.port = securityNone, 25
	case "":
		return t, configError("--smtp-url needs a scheme: smtp:// (STARTTLS), smtps:// (TLS) or smtp+insecure://")
	default:
		return t, configError("--smtp-url scheme is not supported; use smtp:// (STARTTLS), smtps:// (TLS) or smtp+insecure://")
	}
	if u.Opaque != "" {
		return t, configError("--smtp-url must look like smtp://user:password@host:port")
	}
	if u.User != nil {
		t.user = u.User.Username()
		t.password, _ = u.User.Password()
		if t.user == "" {
			return t, configError("--smtp-url has a password but no user name")
		}
		if t.password == "" {
			return t, configError("--smtp-url has a user name but no password")
		}
	}
	t.host = u.Hostname()
	if t.host == "" {
		return t, configError("--smtp-url has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return t, configError("--smtp-url port is not a number from 1 to 65535")
		}
		t.port = n
	}
	if u.Path != "" && u.Path != "/" {
		return t, configError("--smtp-url must not have a path (is a '/' in the password not percent-encoded?)")
	}
	if u.Fragment != "" {
		return t, configError("--smtp-url must not have a fragment (is a '#' in the password not percent-encoded?)")
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return t, configError("--smtp-url query cannot be parsed")
	}
	for k, vs := range q {
		if len(vs) != 1 {
			return t, configError("--smtp-url has a repeated query parameter")
		}
		v := vs[0]
		switch k {
		case "from":
			if _, err := parseFrom(v); err != nil {
				return t, configError("--smtp-url from parameter is not a mail address")
			}
			t.from = v
		case "auth":
			a, ok := authTypes[strings.ToLower(v)]
			if !ok {
				return t, configError("--smtp-url auth parameter is not one of plain, login, cram-md5, scram-sha-1, scram-sha-256")
			}
			if t.user == "" {
				return t, configError("--smtp-url auth parameter needs a user name and password")
			}
			t.auth = a
		default:
			return t, configError("--smtp-url has an unknown query parameter (known: from, auth)")
		}
	}
	if t.security == securityNone && t.user != "" && !isLoopback(t.host) {
		// go-mail would refuse PLAIN/LOGIN here anyway; say why at start-up instead.
		return t, configError("--smtp-url smtp+insecure:// with a password is only allowed to a loopback host; use smtp:// (STARTTLS) or smtps://")
	}
	return t, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// parseFrom parses a sender, with or without a display name.
func parseFrom(s string) (*mail.Address, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, err
	}
	if !validEmail(a.Address) {
		return nil, fmt.Errorf("not a plain address")
	}
	return a, nil
}

// resolved is a validated Config with its defaults applied.
type resolved struct {
	Config
	smtp       *smtpTarget // nil: mail disabled
	from       *mail.Address
	publicURL  string // without a trailing slash
	publicHost string // host name without port
}

// Validate checks the configuration: the SMTP URL, the public URL and the sender. Its
// errors wrap ErrInvalidConfig and never contain the SMTP password.
func (c Config) Validate() error {
	_, err := c.resolve()
	return err
}

func (c Config) resolve() (*resolved, error) {
	r := &resolved{Config: c}
	pu, err := url.Parse(c.PublicURL)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" || pu.User != nil ||
		pu.RawQuery != "" || pu.Fragment != "" {
		return nil, configError("public URL %q must be an absolute http(s) URL without user, query or fragment", c.PublicURL)
	}
	r.publicURL = strings.TrimSuffix(pu.String(), "/")
	r.publicHost = pu.Hostname()
	if r.SIPDomain == "" {
		r.SIPDomain = r.publicHost
	}
	if strings.ContainsAny(r.SIPDomain, "@:/ \t\r\n") {
		return nil, configError("SIP domain %q must be a host name", r.SIPDomain)
	}
	if c.SMTPURL != "" {
		t, err := parseSMTPURL(c.SMTPURL)
		if err != nil {
			return nil, err
		}
		r.smtp = &t
	}
	from := c.From
	if from == "" && r.smtp != nil {
		from = r.smtp.from
	}
	if from == "" {
		from = "noreply@" + r.publicHost
	}
	r.from, err = parseFrom(from)
	if err != nil {
		return nil, configError("sender %q is not a mail address", from)
	}
	if r.RetryDelays == nil {
		r.RetryDelays = DefaultRetryDelays
	}
	for _, d := range r.RetryDelays {
		if d <= 0 {
			return nil, configError("retry delays must be positive")
		}
	}
	if r.SendTimeout <= 0 {
		r.SendTimeout = DefaultSendTimeout
	}
	if r.Concurrency <= 0 {
		r.Concurrency = DefaultConcurrency
	}
	if r.PollInterval <= 0 {
		r.PollInterval = DefaultPollInterval
	}
	return r, nil
}
