package sheet

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// allFields maps every field to its template column.
var allFields = map[string]string{"name": "A", "email": "B", "phone": "C", "department": "D", "title": "E", "employeeNo": "F", "role": "G"}

// validRow returns a row that passes Validate.
func validRow(line int) Row {
	return Row{Line: line, Name: "张三", Email: fmt.Sprintf("u%d@example.com", line), Role: RoleMember}
}

func TestValidateCells(t *testing.T) {
	tests := []struct {
		name      string
		edit      func(*Row)
		wantField string // "" means valid
		wantCode  string
		wantMsg   string // substring of the message
		check     func(*testing.T, Row)
	}{
		{name: "valid minimal", edit: func(*Row) {}},
		{name: "valid full", edit: func(r *Row) {
			r.Phone, r.Department, r.Title, r.EmployeeNo, r.Role = "13912345678", "研发部/后端组", "工程师", "E_01-a", RoleAdmin
		}},
		{name: "name required", edit: func(r *Row) { r.Name = "" }, wantField: "name", wantCode: CodeRequired, wantMsg: "name is required"},
		{name: "name 64 runes", edit: func(r *Row) { r.Name = strings.Repeat("张", 64) }},
		{name: "name 65 runes", edit: func(r *Row) { r.Name = strings.Repeat("张", 65) }, wantField: "name", wantCode: CodeTooLong, wantMsg: "65 characters"},
		{name: "name with line break", edit: func(r *Row) { r.Name = "张\n三" }, wantField: "name", wantCode: CodeInvalidCharacters},
		{name: "title with bidi override", edit: func(r *Row) { r.Title = "a\u202Eb" }, wantField: "title", wantCode: CodeInvalidCharacters},
		{name: "email or phone required", edit: func(r *Row) { r.Email = "" }, wantField: "email", wantCode: CodeEmailOrPhone,
			wantMsg: "an email address or a phone number is required"},
		{name: "phone instead of email", edit: func(r *Row) { r.Email, r.Phone = "", "138 0013 8000" }},
		{name: "email upper-case accepted", edit: func(r *Row) { r.Email = "Zhang.San+tag@Mail.Example.CN" },
			check: func(t *testing.T, r Row) {
				if r.Email != "zhang.san+tag@mail.example.cn" {
					t.Errorf("email = %q", r.Email)
				}
			}},
		{name: "email idn", edit: func(r *Row) { r.Email = "a@例子.中国" }},
		{name: "email x@", edit: func(r *Row) { r.Email = "x@" }, wantField: "email", wantCode: CodeInvalidEmail, wantMsg: `email "x@" is not a valid address`},
		{name: "email no at", edit: func(r *Row) { r.Email = "zhangsan.example.com" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email two ats", edit: func(r *Row) { r.Email = "a@b@example.com" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email no dot in domain", edit: func(r *Row) { r.Email = "a@localhost" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email display name", edit: func(r *Row) { r.Email = "Zhang <a@example.com>" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email comment", edit: func(r *Row) { r.Email = "a@example.com (x)" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email space", edit: func(r *Row) { r.Email = "a b@example.com" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email quoted local", edit: func(r *Row) { r.Email = `"a b"@example.com` }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email domain literal", edit: func(r *Row) { r.Email = "a@[127.0.0.1]" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email numeric tld", edit: func(r *Row) { r.Email = "a@1.2.3.4" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email double dot", edit: func(r *Row) { r.Email = "a@example..com" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email hyphen label", edit: func(r *Row) { r.Email = "a@-example.com" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email local part too long", edit: func(r *Row) { r.Email = strings.Repeat("a", 65) + "@example.com" }, wantField: "email", wantCode: CodeInvalidEmail},
		{name: "email too long", edit: func(r *Row) { r.Email = "a@" + strings.Repeat("b", 250) + ".com" }, wantField: "email", wantCode: CodeTooLong},
		{name: "phone with spaces and dashes", edit: func(r *Row) { r.Phone = "138 0013-8000" },
			check: func(t *testing.T, r Row) {
				if r.Phone != "13800138000" {
					t.Errorf("phone = %q, want 13800138000", r.Phone)
				}
			}},
		{name: "phone international", edit: func(r *Row) { r.Phone = "+852 9123 4567" },
			check: func(t *testing.T, r Row) {
				if r.Phone != "+85291234567" {
					t.Errorf("phone = %q, want +85291234567", r.Phone)
				}
			}},
		{name: "phone +86 mobile", edit: func(r *Row) { r.Phone = "+86 138-0013-8000" },
			check: func(t *testing.T, r Row) {
				if r.Phone != "13800138000" {
					t.Errorf("phone = %q, want 13800138000 (as the directory stores it)", r.Phone)
				}
			}},
		{name: "phone 15 digits", edit: func(r *Row) { r.Phone = "+123456789012345" }},
		{name: "phone 16 digits", edit: func(r *Row) { r.Phone = "+1234567890123456" }, wantField: "phone", wantCode: CodeInvalidPhone},
		{name: "phone 7 digits", edit: func(r *Row) { r.Phone = "+1234567" }, wantField: "phone", wantCode: CodeInvalidPhone},
		{name: "phone starts 12", edit: func(r *Row) { r.Phone = "12800138000" }, wantField: "phone", wantCode: CodeInvalidPhone},
		{name: "phone 10 digits", edit: func(r *Row) { r.Phone = "1380013800" }, wantField: "phone", wantCode: CodeInvalidPhone},
		{name: "phone landline without plus", edit: func(r *Row) { r.Phone = "010-12345678" }, wantField: "phone", wantCode: CodeInvalidPhone},
		{name: "phone scientific", edit: func(r *Row) { r.Phone = "1.38E+10" }, wantField: "phone", wantCode: CodeInvalidPhone, wantMsg: `"1.38E+10"`},
		{name: "phone letters", edit: func(r *Row) { r.Phone = "+86abc" }, wantField: "phone", wantCode: CodeInvalidPhone},
		{name: "department too long", edit: func(r *Row) { r.Department = strings.Repeat("d", 65) }, wantField: "department", wantCode: CodeTooLong},
		{name: "title too long", edit: func(r *Row) { r.Title = strings.Repeat("职", 65) }, wantField: "title", wantCode: CodeTooLong},
		{name: "employee no 32", edit: func(r *Row) { r.EmployeeNo = strings.Repeat("9", 32) }},
		{name: "employee no 33", edit: func(r *Row) { r.EmployeeNo = strings.Repeat("9", 33) }, wantField: "employeeNo", wantCode: CodeTooLong},
		{name: "employee no space", edit: func(r *Row) { r.EmployeeNo = "E 01" }, wantField: "employeeNo", wantCode: CodeInvalidEmployeeNo},
		{name: "employee no chinese", edit: func(r *Row) { r.EmployeeNo = "工01" }, wantField: "employeeNo", wantCode: CodeInvalidEmployeeNo},
		{name: "role admin by alias", edit: func(r *Row) { r.Role = "管理员" },
			check: func(t *testing.T, r Row) {
				if r.Role != RoleAdmin {
					t.Errorf("role = %q", r.Role)
				}
			}},
		{name: "role empty", edit: func(r *Row) { r.Role = "" }},
		{name: "role unknown", edit: func(r *Row) { r.Role = "owner" }, wantField: "role", wantCode: CodeInvalidRole, wantMsg: `role "owner"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := validRow(5)
			tt.edit(&r)
			s := &Sheet{Rows: []Row{r}, Columns: allFields}
			errs := Validate(s)
			if tt.wantField == "" {
				if len(errs) != 0 {
					t.Fatalf("errors = %v, want none", errs)
				}
			} else {
				if len(errs) != 1 {
					t.Fatalf("errors = %v, want one %s on %s", errs, tt.wantCode, tt.wantField)
				}
				e := errs[0]
				if e.Row != 5 || e.Field != tt.wantField || e.Column != allFields[tt.wantField] || e.Code != tt.wantCode {
					t.Errorf("error = %+v, want row 5, %s (%s), %s", e, tt.wantField, allFields[tt.wantField], tt.wantCode)
				}
				if !strings.Contains(e.Message, tt.wantMsg) {
					t.Errorf("message = %q, want it to contain %q", e.Message, tt.wantMsg)
				}
			}
			if tt.check != nil {
				tt.check(t, s.Rows[0])
			}
		})
	}
}

func TestValidateDuplicatesAndOrder(t *testing.T) {
	rows := []Row{validRow(2), validRow(3), validRow(4), validRow(5)}
	rows[0].EmployeeNo = "E1"
	rows[2].Email = rows[0].Email // duplicate on row 4
	rows[2].EmployeeNo = "E1"     // and duplicate employee number
	rows[3].Email = "not-an-email"
	rows[3].Name = ""
	rows[3].Role = "boss"
	rows[1].Email = "U2@EXAMPLE.COM" // same as row 2 after lower-casing
	s := &Sheet{Rows: rows, Columns: map[string]string{"role": "A", "email": "B", "name": "C", "employeeNo": "AA"}}
	got := Validate(s)
	type key struct {
		Row          int
		Column, Code string
	}
	var keys []key
	for _, e := range got {
		keys = append(keys, key{e.Row, e.Column, e.Code})
	}
	want := []key{
		{3, "B", CodeDuplicateInFile},
		{4, "B", CodeDuplicateInFile},
		{4, "AA", CodeDuplicateInFile},
		{5, "A", CodeInvalidRole},
		{5, "B", CodeInvalidEmail},
		{5, "C", CodeRequired},
	}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("errors = %+v\nwant %+v", got, want)
	}
	if got[0].Message != `email "u2@example.com" already appears on row 2` {
		t.Errorf("message = %q", got[0].Message)
	}
	if got[2].Message != `employee number "E1" already appears on row 2` {
		t.Errorf("message = %q", got[2].Message)
	}
	if got[0].Error() != `row 3, column B (email): email "u2@example.com" already appears on row 2` {
		t.Errorf("Error() = %q", got[0].Error())
	}
}

func TestValidateDuplicatePhones(t *testing.T) {
	rows := []Row{validRow(2), validRow(3), validRow(4)}
	rows[0].Phone = "13800138000"
	rows[1].Email, rows[1].Phone = "", "+86 138 0013 8000" // the same number, spelled otherwise
	rows[2].Phone = "13900139000"
	got := Validate(&Sheet{Rows: rows, Columns: allFields})
	if len(got) != 1 || got[0].Row != 3 || got[0].Field != FieldPhone || got[0].Column != "C" || got[0].Code != CodeDuplicateInFile ||
		got[0].Message != `phone "13800138000" already appears on row 2` {
		t.Fatalf("errors = %+v, want the phone of row 3 as a repeat of row 2", got)
	}
}

func TestValidateNeitherWithoutEmailColumn(t *testing.T) {
	r := validRow(2)
	r.Email = ""
	got := Validate(&Sheet{Rows: []Row{r}, Columns: map[string]string{"name": "A", "phone": "B"}})
	if len(got) != 1 || got[0].Field != FieldPhone || got[0].Column != "B" || got[0].Code != CodeEmailOrPhone {
		t.Fatalf("errors = %+v, want the empty phone cell", got)
	}
}

func TestValidateNil(t *testing.T) {
	if errs := Validate(nil); errs != nil {
		t.Errorf("Validate(nil) = %v", errs)
	}
	if errs := Validate(&Sheet{}); errs != nil {
		t.Errorf("Validate(empty) = %v", errs)
	}
}

// TestValidateThousandRows parses a generated 1,000-row workbook with
// reordered columns and three bad rows.
func TestValidateThousandRows(t *testing.T) {
	rows := [][]any{{"工号", "邮箱", "姓名", "手机", "部门", "职务", "角色"}}
	for line := 2; line <= 1001; line++ {
		email := fmt.Sprintf("user%04d@example.com", line)
		name := fmt.Sprintf("成员%d", line)
		switch line {
		case 17:
			email = "user17@example"
		case 503:
			name = ""
		case 998:
			email = "user0010@example.com"
		}
		phone := any(int64(13800000000 + line))
		if line%2 == 0 {
			phone = fmt.Sprintf("139-%04d-%04d", line, line)
		}
		role := "成员"
		if line%100 == 0 {
			role = "管理员"
		}
		rows = append(rows, []any{fmt.Sprintf("E%05d", line), email, name, phone, "研发部", "工程师", role})
	}
	s := mustParse(t, buildXLSX(t, rows), FormatXLSX)
	if len(s.Rows) != 1000 {
		t.Fatalf("parsed %d rows, want 1000", len(s.Rows))
	}
	got := Validate(s)
	type key struct {
		Row                 int
		Column, Field, Code string
	}
	var keys []key
	for _, e := range got {
		keys = append(keys, key{e.Row, e.Column, e.Field, e.Code})
	}
	want := []key{
		{17, "B", "email", CodeInvalidEmail},
		{503, "C", "name", CodeRequired},
		{998, "B", "email", CodeDuplicateInFile},
	}
	if !reflect.DeepEqual(keys, want) {
		t.Fatalf("errors = %+v\nwant %+v", got, want)
	}
	if !strings.Contains(got[2].Message, "row 10") {
		t.Errorf("duplicate message %q does not name row 10", got[2].Message)
	}
	if p := s.Rows[0].Phone; p != "13900020002" {
		t.Errorf("row 2 phone = %q, want normalised 13900020002", p)
	}
	if p := s.Rows[1].Phone; p != "13800000003" {
		t.Errorf("row 3 phone = %q, want 13800000003", p)
	}
	if s.Rows[98].Role != RoleAdmin {
		t.Errorf("row 100 role = %q, want admin", s.Rows[98].Role)
	}
}
