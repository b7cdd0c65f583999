package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/errs"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 8

// MaxPasswordLength bounds the work a single password can cause.
const MaxPasswordLength = 128

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list, as a set.
var commonPasswords = func() map[string]struct{} {
	set := make(map[string]struct{})
	for line := range strings.Lines(commonPasswordsText) {
		if w := strings.TrimSpace(line); w != "" && !strings.HasPrefix(w, "#") {
			set[w] = struct{}{}
		}
	}
	return set
}()

// CheckPasswordPolicy returns an error when pw is not acceptable as a new password
// (NIST SP 800-63B, 5.1.1.2): shorter than MinPasswordLength characters, longer than
// MaxPasswordLength bytes, a common password (the embedded list, also with digits
// or symbols appended), one character repeated, a run such as 12345678 or abcdefgh,
// a short pattern repeated, or one of personal (the account's email and name),
// also with digits or symbols appended.
func CheckPasswordPolicy(pw string, personal ...string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLength {
		return errs.Invalid("password", "password must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > MaxPasswordLength {
		return errs.Invalid("password", "password must be at most %d bytes", MaxPasswordLength)
	}
	lower := strings.ToLower(pw)
	base := strings.TrimRightFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) })
	if _, ok := commonPasswords[lower]; ok {
		return errs.Invalid("password", "this password is too common; choose another")
	}
	// A common password with digits or symbols appended.
	for i := len(lower) - 1; i > 0; i-- {
		r, _ := utf8.DecodeRuneInString(lower[i:])
		if unicode.IsLetter(r) {
			break
		}
		if _, ok := commonPasswords[lower[:i]]; ok {
			return errs.Invalid("password", "this password is a common one with characters added; choose another")
		}
	}
	if repeated(lower) || run(lower) {
		return errs.Invalid("password", "this password is a simple pattern; choose another")
	}
	for _, p := range personal {
		p = strings.ToLower(strings.TrimSpace(p))
		forms := []string{p, strings.Join(strings.Fields(p), "")}
		if local, _, ok := strings.Cut(p, "@"); ok {
			forms = append(forms, local)
		}
		for _, f := range forms {
			if utf8.RuneCountInString(f) >= 3 && (lower == f || base == f) {
				return errs.Invalid("password", "the password must not be your email, phone number or name")
			}
		}
	}
	return nil
}

// repeated reports whether s is a unit of at most 4 characters repeated, such as
// aaaaaaaa, abababab or 12341234.
func repeated(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= 4 && unit < len(r); unit++ {
		if len(r)%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < len(r) && same; i++ {
			same = r[i] == r[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}

// run reports whether every character of s is one after (or one before) the
// previous: 12345678, 87654321, abcdefgh, 78901234.
func run(s string) bool {
	r := []rune(s)
	for _, step := range []rune{1, -1} {
		ok := true
		for i := 1; i < len(r) && ok; i++ {
			d := r[i] - r[i-1]
			if unicode.IsDigit(r[i]) && unicode.IsDigit(r[i-1]) {
				d = (d + 10) % 10
				if step < 0 {
					d -= 10
				}
			}
			ok = d == step
		}
		if ok {
			return true
		}
	}
	return false
}
