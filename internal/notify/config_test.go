package notify

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"
)

func TestParseSMTPURL(t *testing.T) {
	const pw = "s3cr/et#pw"
	pwEnc := url.UserPassword("u", pw).String() // u:s3cr%2Fet%23pw
	good := []struct {
		url      string
		host     string
		port     int
		security smtpSecurity
		user     string
		password string
		auth     gomail.SMTPAuthType
		from     string
	}{
		{"smtp://user:pass@mail.example.cn", "mail.example.cn", 587, securityStartTLS, "user", "pass", "", ""},
		{"smtp://user:pass@mail.example.cn:2525/", "mail.example.cn", 2525, securityStartTLS, "user", "pass", "", ""},
		{"smtps://user%40corp:p%2Fa%3Fs%23s@mail.example.cn", "mail.example.cn", 465, securityTLS, "user@corp", "p/a?s#s", "", ""},
		{"SMTPS://u:p@[::1]:4650?auth=login", "::1", 4650, securityTLS, "u", "p", gomail.SMTPAuthLogin, ""},
		{"smtp+insecure://relay.internal", "relay.internal", 25, securityNone, "", "", "", ""},
		{"smtp+insecure://u:p@127.0.0.1:2525?from=meet%40example.cn", "127.0.0.1", 2525, securityNone, "u", "p", "", "meet@example.cn"},
		{"smtp://u:p@h?auth=SCRAM-SHA-256&from=%E5%8D%B3%E6%97%B6%E9%80%9A+%3Cnoreply%40x.cn%3E", "h", 587, securityStartTLS, "u", "p", gomail.SMTPAuthSCRAMSHA256, "即时通 <noreply@x.cn>"},
	}
	for _, tc := range good {
		t.Run(tc.url, func(t *testing.T) {
			got, err := parseSMTPURL(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			if got.host != tc.host || got.port != tc.port || got.security != tc.security || got.user != tc.user ||
				got.password != tc.password || got.auth != tc.auth || got.from != tc.from {
				t.Fatalf("got %+v", got)
			}
			if len(tc.password) > 3 && strings.Contains(got.redacted(), tc.password) {
				t.Fatalf("redacted form %q shows the password", got.redacted())
			}
		})
	}

	bad := []struct {
		url, want string
	}{
		{"mail.example.cn:587", "scheme"},
		{"http://" + pwEnc + "@h", "scheme is not supported"},
		{"smtp://", "no host"},
		{"smtp://" + pwEnc + "@h:99999", "port"},
		{"smtp://" + pwEnc + "@h:abc", "cannot be parsed"},
		{"smtp://u:s3cr/et@h", "cannot be parsed"}, // unencoded '/' ends the host at "u:s3cr"
		{"smtp://u:123/s3cret@h", "path"},          // … or parses with the rest as a path
		{"smtp://u:123#s3cret@h", "fragment"},      // … or as a fragment
		{"smtp://u:123?auth=s3cret@h", "auth"},     // … or as a query
		{"smtp://u:123?from=s3cret", "from"},
		{"smtp://u:123?s3cret=1", "unknown"}, // … or as an unknown parameter
		{"smtp://u@h", "no password"},
		{"smtp://:" + url.QueryEscape(pw) + "@h", "no user"},
		{"smtp://h?auth=plain", "needs a user"},
		{"smtp://" + pwEnc + "@h?auth=ntlm", "auth"},
		{"smtp://" + pwEnc + "@h?from=a&from=b", "repeated"},
		{"smtp+insecure://" + pwEnc + "@mail.example.cn", "loopback"},
		{"smtp://" + pwEnc + "@h\r\nX: y", "control"},
		{"smtp:" + pwEnc + "@h", "must look like"},
	}
	for _, tc := range bad {
		t.Run(tc.url, func(t *testing.T) {
			_, err := parseSMTPURL(tc.url)
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("%v does not wrap ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not mention %q", err, tc.want)
			}
			for _, secret := range []string{pw, "s3cr", "et#pw", "s3cret"} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q shows the password", err)
				}
			}
		})
	}
}

func TestConfigResolve(t *testing.T) {
	r, err := Config{PublicURL: "https://meet.example.cn:8443/app/"}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	if r.publicURL != "https://meet.example.cn:8443/app" || r.publicHost != "meet.example.cn" ||
		r.SIPDomain != "meet.example.cn" || r.from.Address != "noreply@meet.example.cn" || r.smtp != nil {
		t.Fatalf("defaults: %+v from %v", r, r.from)
	}
	if r.SendTimeout != DefaultSendTimeout || r.Concurrency != DefaultConcurrency || len(r.RetryDelays) != 5 {
		t.Fatalf("defaults: %+v", r)
	}
	r, err = Config{PublicURL: "https://m.x.cn", SMTPURL: "smtp://u:p@h?from=a%40b.cn"}.resolve()
	if err != nil || r.from.Address != "a@b.cn" {
		t.Fatalf("from parameter: %v %v", r, err)
	}
	r, err = Config{PublicURL: "https://m.x.cn", From: "c@d.cn", SMTPURL: "smtp://u:p@h?from=a%40b.cn"}.resolve()
	if err != nil || r.from.Address != "c@d.cn" {
		t.Fatalf("From wins: %v %v", r, err)
	}
	for _, c := range []Config{
		{PublicURL: ""},
		{PublicURL: "meet.example.cn"},
		{PublicURL: "ftp://meet.example.cn"},
		{PublicURL: "https://u:p@meet.example.cn"},
		{PublicURL: "https://meet.example.cn", From: "not an address"},
		{PublicURL: "https://meet.example.cn", From: `"a b"@y.cn`},
		{PublicURL: "https://meet.example.cn", SIPDomain: "a@b"},
		{PublicURL: "https://meet.example.cn", RetryDelays: []time.Duration{-1}},
	} {
		if err := c.Validate(); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%+v: got %v", c, err)
		}
	}
}
