package sheet

import (
	"cmp"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Codes in CellError.Code; stable, for clients and translations.
const (
	CodeRequired          = "required"
	CodeTooLong           = "too_long"
	CodeInvalidEmail      = "invalid_email"
	CodeInvalidPhone      = "invalid_phone"
	CodeInvalidRole       = "invalid_role"
	CodeInvalidEmployeeNo = "invalid_employee_no"
	CodeInvalidCharacters = "invalid_characters"
	CodeDuplicateInFile   = "duplicate_in_file"
	// CodeEmailOrPhone: the row has neither an email nor a phone number.
	CodeEmailOrPhone = "email_or_phone_required"
)

// Field length limits, in runes (bytes for the ASCII-only fields).
const (
	MaxNameLen       = 64
	MaxDepartmentLen = 64
	MaxTitleLen      = 64
	MaxEmployeeNoLen = 32
	MaxEmailLen      = 254 // RFC 5321 §4.5.3.1.3 path limit minus the angle brackets
	maxEmailLocalLen = 64  // RFC 5321 §4.5.3.1.1
)

// CellError is one problem with one cell of an upload.
type CellError struct {
	Row     int    // spreadsheet row number, as in Row.Line
	Column  string // column letter in the uploaded file, e.g. "B"
	Field   string // field key, e.g. FieldEmail
	Code    string // machine code, e.g. CodeInvalidEmail
	Message string // English message for people
}

// Error formats the problem with its position.
func (e CellError) Error() string {
	return fmt.Sprintf("row %d, column %s (%s): %s", e.Row, e.Column, e.Field, e.Message)
}

// Validate checks every row of s and returns all problems, at most one per
// cell, sorted by row then column. It normalises rows in place: Phone becomes
// digits or +digits (a mainland number without +86), and Email and Role are
// normalised again in case the rows were built by hand. A row needs an email or
// a phone number (or both). Duplicate emails, phone numbers and employee numbers
// are reported on the later row. A nil or empty sheet has no problems.
func Validate(s *Sheet) []CellError {
	if s == nil {
		return nil
	}
	v := validator{sheet: s, emails: map[string]int{}, phones: map[string]int{}, employeeNos: map[string]int{}}
	for i := range s.Rows {
		v.row(&s.Rows[i])
	}
	slices.SortStableFunc(v.errs, func(a, b CellError) int {
		return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(columnIndex(a.Column), columnIndex(b.Column)))
	})
	return v.errs
}

// validator holds the state of one Validate call.
type validator struct {
	sheet       *Sheet
	errs        []CellError
	emails      map[string]int // email -> first row
	phones      map[string]int // normalised phone -> first row
	employeeNos map[string]int // employee number -> first row
}

// fail records a problem with field of row r.
func (v *validator) fail(r *Row, field, code, format string, args ...any) {
	v.errs = append(v.errs, CellError{
		Row: r.Line, Column: v.sheet.Column(field), Field: field, Code: code,
		Message: fmt.Sprintf(format, args...),
	})
}

// row checks one row.
func (v *validator) row(r *Row) {
	v.text(r, FieldName, "name", r.Name, MaxNameLen, true)
	v.email(r)
	v.phone(r)
	v.text(r, FieldDepartment, "department", r.Department, MaxDepartmentLen, false)
	v.text(r, FieldTitle, "title", r.Title, MaxTitleLen, false)
	v.employeeNo(r)
	r.Role = normaliseRole(r.Role)
	if r.Role != RoleMember && r.Role != RoleAdmin {
		v.fail(r, FieldRole, CodeInvalidRole, "role %q must be member or admin (成员 or 管理员)", clip(r.Role, maxQuoted))
	}
}

// text checks a free-text field.
func (v *validator) text(r *Row, field, label, s string, maxLen int, required bool) {
	switch n := utf8.RuneCountInString(s); {
	case s == "" && required:
		v.fail(r, field, CodeRequired, "%s is required", label)
	case n > maxLen:
		v.fail(r, field, CodeTooLong, "%s is %d characters long; the limit is %d", label, n, maxLen)
	case hasControl(s):
		v.fail(r, field, CodeInvalidCharacters, "%s contains line breaks or control characters", label)
	}
}

// email checks the email and records it for the duplicate check.
func (v *validator) email(r *Row) {
	r.Email = strings.ToLower(r.Email)
	switch {
	case r.Email == "" && r.Phone == "":
		field := FieldEmail
		if v.sheet.Column(FieldEmail) == "" {
			field = FieldPhone
		}
		v.fail(r, field, CodeEmailOrPhone, "an email address or a phone number is required")
	case r.Email == "":
	case len(r.Email) > MaxEmailLen:
		v.fail(r, FieldEmail, CodeTooLong, "email is %d characters long; the limit is %d", len(r.Email), MaxEmailLen)
	case !validEmail(r.Email):
		v.fail(r, FieldEmail, CodeInvalidEmail, "email %q is not a valid address", clip(r.Email, maxQuoted))
	default:
		if first, ok := v.emails[r.Email]; ok {
			v.fail(r, FieldEmail, CodeDuplicateInFile, "email %q already appears on row %d", r.Email, first)
			return
		}
		v.emails[r.Email] = r.Line
	}
}

// phone checks and normalises the phone number.
func (v *validator) phone(r *Row) {
	if r.Phone == "" {
		return
	}
	p, ok := normalisePhone(r.Phone)
	if !ok {
		v.fail(r, FieldPhone, CodeInvalidPhone,
			"phone %q is not valid: use an 11-digit mobile number starting with 13-19, or + country code and number (8 to 15 digits)", clip(r.Phone, maxQuoted))
		return
	}
	r.Phone = p
	if first, ok := v.phones[p]; ok {
		v.fail(r, FieldPhone, CodeDuplicateInFile, "phone %q already appears on row %d", p, first)
		return
	}
	v.phones[p] = r.Line
}

// employeeNo checks the employee number and records it for the duplicate
// check.
func (v *validator) employeeNo(r *Row) {
	switch s := r.EmployeeNo; {
	case s == "":
	case len(s) > MaxEmployeeNoLen:
		v.fail(r, FieldEmployeeNo, CodeTooLong, "employee number is %d characters long; the limit is %d", utf8.RuneCountInString(s), MaxEmployeeNoLen)
	case strings.IndexFunc(s, func(c rune) bool { return !isEmployeeNoRune(c) }) >= 0:
		v.fail(r, FieldEmployeeNo, CodeInvalidEmployeeNo, "employee number %q may contain only letters A-Z, digits, '_' and '-'", clip(s, maxQuoted))
	default:
		if first, ok := v.employeeNos[s]; ok {
			v.fail(r, FieldEmployeeNo, CodeDuplicateInFile, "employee number %q already appears on row %d", s, first)
			return
		}
		v.employeeNos[s] = r.Line
	}
}

// isEmployeeNoRune reports the runes allowed in an employee number.
func isEmployeeNoRune(c rune) bool {
	return c < utf8.RuneSelf && (c == '_' || c == '-' || unicode.IsLetter(c) || unicode.IsDigit(c))
}

// normalisePhone removes spaces and dashes and accepts a mainland China
// mobile number (11 digits, 1[3-9]...) or an international number in E.164
// form: '+' and 8 to 15 digits (https://www.itu.int/rec/T-REC-E.164). A mainland
// number written with +86 loses it, as the directory stores it.
func normalisePhone(s string) (string, bool) {
	s = strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) || c == '-' || c == '‐' || c == '–' || c == '—' || c == '－' || c == '(' || c == ')' {
			return -1
		}
		return c
	}, s)
	if rest, ok := strings.CutPrefix(s, "+86"); ok && len(rest) == 11 && allDigits(rest) && rest[0] == '1' && rest[1] >= '3' {
		return rest, true
	}
	if rest, ok := strings.CutPrefix(s, "+"); ok {
		return s, allDigits(rest) && len(rest) >= 8 && len(rest) <= 15 && rest[0] != '0'
	}
	return s, len(s) == 11 && allDigits(s) && s[0] == '1' && s[1] >= '3'
}

// validEmail accepts a bare address that net/mail parses to itself (no
// display name, comment or quoting), with one '@', a local part of at most 64
// bytes, and a domain of dot-separated labels with a top-level domain.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > maxEmailLocalLen || strings.Contains(domain, "@") {
		return false
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Name != "" || addr.Address != s {
		return false
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range l {
			if c != '-' && !unicode.IsLetter(c) && !unicode.IsDigit(c) {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	return utf8.RuneCountInString(tld) >= 2 && !allDigits(tld)
}
