package sheet

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Field keys name the columns in CellError.Field, Sheet.Columns and
// HeaderError.Missing. They are stable: clients may match on them.
const (
	FieldName       = "name"
	FieldEmail      = "email"
	FieldPhone      = "phone"
	FieldDepartment = "department"
	FieldTitle      = "title"
	FieldEmployeeNo = "employeeNo"
	FieldRole       = "role"
	// FieldStatus is written by Export and ignored by Parse.
	FieldStatus = "status"
)

// Roles a Row can hold after Parse.
const (
	RoleMember = "member"
	RoleAdmin  = "admin"
)

// column describes one template column.
type column struct {
	field    string
	zh, en   string
	required bool
	text     bool    // formatted as text in the template so Excel keeps leading zeros and long digits
	width    float64 // in Excel character units
}

// templateColumns are the template's columns, in order.
var templateColumns = []column{
	{field: FieldName, zh: "姓名", en: "Name", required: true, width: 16},
	// Email or Phone: a row needs one of them (Validate); a file needs one of
	// the two columns (readHeader).
	{field: FieldEmail, zh: "邮箱", en: "Email", width: 30},
	{field: FieldPhone, zh: "手机", en: "Phone", text: true, width: 18},
	{field: FieldDepartment, zh: "部门", en: "Department", width: 20},
	{field: FieldTitle, zh: "职务", en: "Title", width: 16},
	{field: FieldEmployeeNo, zh: "工号", en: "Employee No", text: true, width: 14},
	{field: FieldRole, zh: "角色", en: "Role", width: 12},
}

// statusColumn is the extra column Export writes.
var statusColumn = column{field: FieldStatus, zh: "状态", en: "Status", width: 10}

// headerAliases maps a normalised header text (see normaliseHeader) to its
// field key.
var headerAliases = map[string]string{
	"姓名": FieldName, "name": FieldName,
	"邮箱": FieldEmail, "email": FieldEmail, "e-mail": FieldEmail, "电子邮箱": FieldEmail,
	"手机": FieldPhone, "phone": FieldPhone, "手机号": FieldPhone, "手机号码": FieldPhone, "mobile": FieldPhone,
	"部门": FieldDepartment, "department": FieldDepartment,
	"职务": FieldTitle, "title": FieldTitle, "职位": FieldTitle,
	"工号": FieldEmployeeNo, "employee no": FieldEmployeeNo, "employee no.": FieldEmployeeNo,
	"employeeno": FieldEmployeeNo, "employee number": FieldEmployeeNo,
	"角色": FieldRole, "role": FieldRole,
	"状态": FieldStatus, "status": FieldStatus,
}

// normaliseHeader folds a header cell for lookup in headerAliases: trimmed
// (including full-width and zero-width spaces), trailing required-marks '*'
// removed, full-width Latin letters narrowed, lower-cased, inner spaces
// collapsed.
func normaliseHeader(s string) string {
	s = trimCell(s)
	s = strings.TrimRight(s, "*＊")
	s = width.Narrow.String(trimCell(s))
	s = strings.ToLower(s)
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// isEnglish reports whether lang asks for English; anything else is zh-CN.
func isEnglish(lang string) bool {
	lang = strings.ToLower(strings.TrimSpace(lang))
	return lang == "en" || strings.HasPrefix(lang, "en-") || strings.HasPrefix(lang, "en_")
}

// header returns c's header text in the chosen language, with a trailing '*'
// on required columns when mark is set.
func (c column) header(en, mark bool) string {
	h := c.zh
	if en {
		h = c.en
	}
	if mark && c.required {
		h += "*"
	}
	return h
}

// roleAliases maps lower-cased role texts to a role.
var roleAliases = map[string]string{
	"": RoleMember, "member": RoleMember, "成员": RoleMember, "普通成员": RoleMember,
	"admin": RoleAdmin, "administrator": RoleAdmin, "管理员": RoleAdmin, "企业管理员": RoleAdmin,
}

// normaliseRole returns RoleMember or RoleAdmin for a recognised role text
// (empty means member) and the trimmed text unchanged otherwise.
func normaliseRole(s string) string {
	s = trimCell(s)
	if r, ok := roleAliases[strings.ToLower(width.Narrow.String(s))]; ok {
		return r
	}
	return s
}

// roleLabel returns how a role is written in a file of the given language.
func roleLabel(role string, en bool) string {
	if en {
		return role
	}
	switch role {
	case RoleMember:
		return "成员"
	case RoleAdmin:
		return "管理员"
	}
	return role
}

// statusLabel returns how a member status is written in a file of the given
// language; unknown statuses are written as given.
func statusLabel(status string, en bool) string {
	if en {
		return status
	}
	switch status {
	case "active":
		return "正常"
	case "frozen":
		return "冻结"
	}
	return status
}

// columnName returns the spreadsheet letter of the 0-based column i: A, B, ... Z, AA, ...
func columnName(i int) string {
	var b [8]byte
	n := len(b)
	for v := i + 1; v > 0; v = (v - 1) / 26 {
		n--
		b[n] = byte('A' + (v-1)%26)
	}
	return string(b[n:])
}

// columnIndex is the inverse of columnName; it returns -1 for a non-letter string.
func columnIndex(name string) int {
	if name == "" {
		return -1
	}
	v := 0
	for _, r := range name {
		if r < 'A' || r > 'Z' {
			return -1
		}
		v = v*26 + int(r-'A') + 1
		if v > 1<<20 {
			return -1
		}
	}
	return v - 1
}
