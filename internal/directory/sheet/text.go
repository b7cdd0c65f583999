package sheet

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// isInvisible reports zero-width characters that Excel and chat apps leave in
// pasted text.
func isInvisible(r rune) bool {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u180E':
		return true
	}
	return false
}

// isTrimmable reports runes trimmed from both ends of every cell: Unicode white
// space (which includes U+3000 IDEOGRAPHIC SPACE and NBSP) and zero-width
// characters.
func isTrimmable(r rune) bool {
	return unicode.IsSpace(r) || isInvisible(r)
}

// trimCell trims white space and zero-width characters from both ends.
func trimCell(s string) string {
	return strings.TrimFunc(s, isTrimmable)
}

// stripInvisible removes zero-width characters anywhere in s; used on fields
// that must be plain ASCII (email, phone, employee number).
func stripInvisible(s string) string {
	if strings.IndexFunc(s, isInvisible) < 0 {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isInvisible(r) {
			return -1
		}
		return r
	}, s)
}

// isFormulaLead reports runes that make a spreadsheet application treat a cell
// as a formula (https://owasp.org/www-community/attacks/CSV_Injection), plus
// their full-width forms, which some Excel locales also accept.
func isFormulaLead(r rune) bool {
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// needsQuote reports whether s, after any leading single quotes, starts with
// a formula lead. Counting the quotes makes neutralise and unneutralise exact
// inverses: a value that itself starts with a quote and "=" is written with
// two quotes and read back with one.
func needsQuote(s string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, "'"))
	return isFormulaLead(r)
}

// Neutralise prefixes a single quote to a cell that would start a formula (= + - @,
// tab, CR and their full-width forms), for any spreadsheet the product writes.
func Neutralise(s string) string {
	if needsQuote(s) {
		return "'" + s
	}
	return s
}

// unneutralise undoes neutralise: it strips one leading quote when the rest
// would have been neutralised. Other leading quotes are data and stay.
func unneutralise(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && needsQuote(rest) {
		return rest
	}
	return s
}

// cleanCell is applied to every uploaded cell: trim, undo export
// neutralisation, trim again.
func cleanCell(s string) string {
	s = trimCell(s)
	if u := unneutralise(s); u != s {
		s = trimCell(u)
	}
	return s
}

// hasControl reports control characters (including line breaks typed with
// Alt+Enter) and bidirectional overrides, which have no place in a directory
// entry and can disguise text.
func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || ('\u202A' <= r && r <= '\u202E') || ('\u2066' <= r && r <= '\u2069')
	}) >= 0
}

// plainInteger rewrites an integer that a workbook stored in floating-point
// notation ("1.3800138E10", "13800138000.0") as plain digits
// ("13800138000"). Anything else, including numbers with a real fractional
// part, comes back unchanged. Scientific notation must be normalised (one
// digit, a dot, digits) as number writers emit it, so that text such as the
// employee number "2019E001" is left alone. It works on the decimal text, so
// no precision is lost to float64.
func plainInteger(s string) string {
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, ok := smallUint(strings.TrimPrefix(s[i+1:], "+"))
		if !ok || e > 30 || i < 3 || s[1] != '.' {
			return s
		}
		mant, exp = s[:i], e
	}
	whole, frac, dot := strings.Cut(mant, ".")
	if !dot || !allDigits(whole) || !allDigits(frac) {
		return s
	}
	if len(frac) > exp {
		if strings.Trim(frac[exp:], "0") != "" {
			return s
		}
		frac = frac[:exp]
	}
	digits := strings.TrimLeft(whole+frac+strings.Repeat("0", exp-len(frac)), "0")
	if digits == "" {
		return "0"
	}
	return digits
}

// smallUint parses a short unsigned decimal.
func smallUint(s string) (int, bool) {
	if !allDigits(s) || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n, true
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens s to at most n runes, marking the cut with an ellipsis; for
// quoting user text in error messages.
func clip(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
