package directory

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

var (
	employeeNoRe  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	colourRe      = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)
	shortCodeRe   = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,31}$`)
	domainLabelRe = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// clean trims spaces, including full-width ones, and drops control characters.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u200b' || r == '\ufeff' {
			return -1
		}
		return r
	}, s)
	return strings.TrimFunc(s, unicode.IsSpace)
}

func checkLen(field, v string, max int) error {
	if utf8.RuneCountInString(v) > max {
		return errs.Invalid(field, "%s must be at most %d characters", field, max)
	}
	return nil
}

// normalizeEmail validates an email address and returns it lower-cased; empty
// stays empty (a member may have a phone number instead).
func normalizeEmail(v string) (string, error) {
	v = strings.ToLower(clean(v))
	if v == "" {
		return "", nil
	}
	a, err := mail.ParseAddress(v)
	at := strings.LastIndexByte(v, '@')
	if err != nil || a.Address != v || len(v) > 254 || at < 1 || !strings.Contains(v[at+1:], ".") {
		return "", errs.Invalid("email", "%q is not a valid email address", v)
	}
	return v, nil
}

// normalizePhone validates a phone number (a mainland China mobile number, or an
// international number with +country code) and returns its canonical form
// (auth.NormalizePhone, which sign-in uses too).
func normalizePhone(v string) (string, error) {
	v = clean(v)
	if v == "" {
		return "", nil
	}
	p, ok := auth.NormalizePhone(v)
	if !ok {
		return "", errs.Invalid("phone", "%q is not a valid phone number (11-digit mobile or +country code)", p)
	}
	return p, nil
}

// maskPhone shows a phone number's first three and last two digits only, for logs.
func maskPhone(p string) string {
	if len(p) <= 5 {
		return strings.Repeat("*", len(p))
	}
	return p[:3] + strings.Repeat("*", len(p)-5) + p[len(p)-2:]
}

func normalizeEmployeeNo(v string) (string, error) {
	v = clean(v)
	if v == "" {
		return "", nil
	}
	if !employeeNoRe.MatchString(v) {
		return "", errs.Invalid("employeeNo", "employee number may hold only letters, digits, _ and -, at most 32")
	}
	return v, nil
}

// normalizeDomain validates a host name for custom branding domains.
func normalizeDomain(v string) (string, error) {
	v = strings.TrimSuffix(strings.ToLower(clean(v)), ".")
	labels := strings.Split(v, ".")
	if len(v) > 253 || len(labels) < 2 {
		return "", errs.Invalid("domains", "%q is not a valid domain name", v)
	}
	for _, l := range labels {
		if !domainLabelRe.MatchString(l) {
			return "", errs.Invalid("domains", "%q is not a valid domain name", v)
		}
	}
	return v, nil
}
