package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

func TestParseHeaders(t *testing.T) {
	row := func(line int, name, email string) Row {
		return Row{Line: line, Name: name, Email: email, Role: RoleMember}
	}
	tests := []struct {
		name    string
		rows    [][]string
		want    *Sheet
		wantErr *HeaderError
	}{
		{
			name: "english",
			rows: [][]string{
				{"Name", "Email", "Phone", "Department", "Title", "Employee No", "Role"},
				{"Zhang San", "zs@example.com", "13800138000", "R&D", "Engineer", "E1", "admin"},
			},
			want: &Sheet{
				Rows:    []Row{{Line: 2, Name: "Zhang San", Email: "zs@example.com", Phone: "13800138000", Department: "R&D", Title: "Engineer", EmployeeNo: "E1", Role: RoleAdmin}},
				Columns: map[string]string{"name": "A", "email": "B", "phone": "C", "department": "D", "title": "E", "employeeNo": "F", "role": "G"},
			},
		},
		{
			name: "chinese with marks and full-width spaces",
			rows: [][]string{
				{"　姓名*　", "邮箱 *", "手机", "部门", "职务", "工号", "角色＊"},
				{"张三", "zs@example.com", "", "", "", "", "管理员"},
			},
			want: &Sheet{
				Rows:    []Row{{Line: 2, Name: "张三", Email: "zs@example.com", Role: RoleAdmin}},
				Columns: map[string]string{"name": "A", "email": "B", "phone": "C", "department": "D", "title": "E", "employeeNo": "F", "role": "G"},
			},
		},
		{
			name: "english variants",
			rows: [][]string{
				{"ＮＡＭＥ", " EMAIL ", "Employee  No."},
				{"a", "a@example.com", "7"},
			},
			want: &Sheet{
				Rows:    []Row{{Line: 2, Name: "a", Email: "a@example.com", EmployeeNo: "7", Role: RoleMember}},
				Columns: map[string]string{"name": "A", "email": "B", "employeeNo": "C"},
			},
		},
		{
			name: "employee number spellings",
			rows: [][]string{{"employeeno", "Name", "Email"}, {"x1", "a", "a@example.com"}},
			want: &Sheet{
				Rows:    []Row{{Line: 2, Name: "a", Email: "a@example.com", EmployeeNo: "x1", Role: RoleMember}},
				Columns: map[string]string{"employeeNo": "A", "name": "B", "email": "C"},
			},
		},
		{
			name: "reordered",
			rows: [][]string{{"角色", "Email", "姓名"}, {"", "b@example.com", "b"}},
			want: &Sheet{
				Rows:    []Row{row(2, "b", "b@example.com")},
				Columns: map[string]string{"role": "A", "email": "B", "name": "C"},
			},
		},
		{
			name: "status is known and ignored",
			rows: [][]string{{"Name", "Email", "Status"}, {"a", "a@example.com", "frozen"}, {"", "", "active"}},
			want: &Sheet{
				Rows:    []Row{row(2, "a", "a@example.com")},
				Columns: map[string]string{"name": "A", "email": "B"},
			},
		},
		{
			name: "header after blank rows, blank rows skipped",
			rows: [][]string{{""}, {"Name", "Email"}, {"", ""}, {"a", "a@example.com"}, {" ", "\u200b"}, {"b", "b@example.com"}},
			want: &Sheet{
				Rows:    []Row{row(4, "a", "a@example.com"), row(6, "b", "b@example.com")},
				Columns: map[string]string{"name": "A", "email": "B"},
			},
		},
		{
			name: "empty header cells without data are fine",
			rows: [][]string{{"Name", "", "Email"}, {"a", "", "a@example.com"}},
			want: &Sheet{
				Rows:    []Row{row(2, "a", "a@example.com")},
				Columns: map[string]string{"name": "A", "email": "C"},
			},
		},
		{
			name:    "unknown columns",
			rows:    [][]string{{"Name", "Email", "Nickname", "生日"}},
			wantErr: &HeaderError{Unknown: []HeaderCell{{1, "C", "Nickname"}, {1, "D", "生日"}}},
		},
		{
			name:    "missing required",
			rows:    [][]string{{"Department", "Name"}, {"1", "a"}},
			wantErr: &HeaderError{Missing: []string{"email"}},
		},
		{
			name:    "missing both required",
			rows:    [][]string{{"Department"}},
			wantErr: &HeaderError{Missing: []string{"name", "email"}},
		},
		{
			name:    "duplicate",
			rows:    [][]string{{"Name", "Email", "邮箱"}},
			wantErr: &HeaderError{Duplicate: []HeaderCell{{1, "C", "邮箱"}}},
		},
		{
			name:    "value in a column without header",
			rows:    [][]string{{"Name", "Email"}, {"a", "a@example.com"}, {"b", "b@example.com", "", "note"}},
			wantErr: &HeaderError{Unnamed: []HeaderCell{{3, "D", "note"}}},
		},
	}
	for _, f := range both {
		for _, tt := range tests {
			t.Run(f.String()+"/"+tt.name, func(t *testing.T) {
				got, err := Parse(bytes.NewReader(build(t, f, tt.rows)), f, DefaultLimits())
				if tt.wantErr != nil {
					var herr *HeaderError
					if !errors.As(err, &herr) || !errors.Is(err, ErrBadHeader) {
						t.Fatalf("err = %v, want a HeaderError", err)
					}
					if !reflect.DeepEqual(herr, tt.wantErr) {
						t.Fatalf("err = %#v, want %#v", herr, tt.wantErr)
					}
					if herr.Error() == "" {
						t.Error("empty message")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				tt.want.Format = f
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("got  %+v\nwant %+v", got, tt.want)
				}
			})
		}
	}
}

func TestHeaderErrorMessage(t *testing.T) {
	err := &HeaderError{
		Unknown:   []HeaderCell{{1, "C", "Nick"}},
		Duplicate: []HeaderCell{{1, "D", "Email"}},
		Missing:   []string{"name"},
		Unnamed:   []HeaderCell{{7, "H", "x"}},
	}
	want := `sheet: bad header row: unknown column "Nick" in C; column "Email" in D repeats an earlier column; missing required column name; cell H7 has a value but its column has no header`
	if got := err.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestParseHeaderProblemsCapped(t *testing.T) {
	header := []string{"Name", "Email"}
	for i := range 100 {
		header = append(header, fmt.Sprintf("x%d", i))
	}
	_, err := Parse(bytes.NewReader(buildCSV(t, [][]string{header}, false)), FormatCSV, Limits{})
	var herr *HeaderError
	if !errors.As(err, &herr) || len(herr.Unknown) != maxHeaderProblems {
		t.Fatalf("err = %v, want %d unknown columns", err, maxHeaderProblems)
	}
}

func TestParseCells(t *testing.T) {
	tests := []struct {
		name string
		in   []string // name, email, phone, department, title, employee no, role
		want Row
	}{
		{"trim spaces", []string{" 　张三\u3000", " zs@example.com\t", " 138 0013 8000 ", "\u200b研发部\u200b", " 工程师", " E1 ", " 成员 "},
			Row{Name: "张三", Email: "zs@example.com", Phone: "138 0013 8000", Department: "研发部", Title: "工程师", EmployeeNo: "E1", Role: RoleMember}},
		{"email lower-cased, invisible chars removed", []string{"a", "Zhang\u200bSan@Example.COM", "", "", "", "", ""},
			Row{Name: "a", Email: "zhangsan@example.com", Role: RoleMember}},
		{"full-width ascii narrowed", []string{"ａ", "ｚｓ＠ｅｘａｍｐｌｅ．ｃｏｍ", "１３８００１３８０００", "", "", "Ｅ０１", ""},
			Row{Name: "ａ", Email: "zs@example.com", Phone: "13800138000", EmployeeNo: "E01", Role: RoleMember}},
		{"roles", []string{"a", "a@example.com", "", "", "", "", "企业管理员"}, Row{Name: "a", Email: "a@example.com", Role: RoleAdmin}},
		{"role admin any case", []string{"a", "a@example.com", "", "", "", "", "ADMIN"}, Row{Name: "a", Email: "a@example.com", Role: RoleAdmin}},
		{"role 普通成员", []string{"a", "a@example.com", "", "", "", "", "普通成员"}, Row{Name: "a", Email: "a@example.com", Role: RoleMember}},
		{"unknown role kept for Validate", []string{"a", "a@example.com", "", "", "", "", "Boss"}, Row{Name: "a", Email: "a@example.com", Role: "Boss"}},
		{"neutralised cells restored", []string{"'=1+1", "a@example.com", "'+8613800138000", "'-研发", "'＠x", "", ""},
			Row{Name: "=1+1", Email: "a@example.com", Phone: "+8613800138000", Department: "-研发", Title: "＠x", Role: RoleMember}},
		{"other leading quotes are data", []string{"'Tis", "a@example.com", "", "''=x", "'", "", ""},
			Row{Name: "'Tis", Email: "a@example.com", Department: "'=x", Title: "'", Role: RoleMember}},
	}
	header := []string{"Name", "Email", "Phone", "Department", "Title", "Employee No", "Role"}
	for _, f := range both {
		for _, tt := range tests {
			t.Run(f.String()+"/"+tt.name, func(t *testing.T) {
				s := mustParse(t, build(t, f, [][]string{header, tt.in}), f)
				tt.want.Line = 2
				if len(s.Rows) != 1 || s.Rows[0] != tt.want {
					t.Errorf("rows = %+v, want %+v", s.Rows, tt.want)
				}
			})
		}
	}
}

func TestParseCSVEncodings(t *testing.T) {
	text := "姓名,邮箱,部门\r\n张三,zhangsan@example.com,研发部\r\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	utf16le, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(strings.ReplaceAll(text, ",", "\t"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
	}{
		{"utf-8 with BOM", "\uFEFF" + text},
		{"utf-8", text},
		{"gb18030", gb},
		{"gbk", gbk},
		{"utf-16 with tabs", utf16le},
		{"semicolons, LF", strings.ReplaceAll(strings.ReplaceAll(text, ",", ";"), "\r\n", "\n")},
		{"no final newline", strings.TrimSuffix(text, "\r\n")},
		{"excel sep line", "sep=;\r\n" + strings.ReplaceAll(text, ",", ";")},
		{"excel sep line, pipes", "\uFEFFSEP=|\n" + strings.ReplaceAll(text, ",", "|")},
	}
	want := []Row{{Line: 2, Name: "张三", Email: "zhangsan@example.com", Department: "研发部", Role: RoleMember}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "gb18030" && utf8Valid(tt.in) {
				t.Fatal("test input is valid UTF-8")
			}
			s := mustParse(t, []byte(tt.in), FormatCSV)
			if !reflect.DeepEqual(s.Rows, want) {
				t.Errorf("rows = %+v, want %+v", s.Rows, want)
			}
		})
	}
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }

func TestParseCSVLines(t *testing.T) {
	in := "Name,Email\r\n\r\na,a@example.com\r\n\"multi\r\nline\",b@example.com\r\n \r\nc\"d,c@example.com\r\n"
	s := mustParse(t, []byte(in), FormatCSV)
	got := make([]string, len(s.Rows))
	for i, r := range s.Rows {
		got[i] = fmt.Sprintf("%d:%s", r.Line, r.Name)
	}
	want := []string{"3:a", "4:multi\nline", "6:c\"d"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %q, want %q", got, want)
	}
}

func TestParseXLSXNumbers(t *testing.T) {
	header := []any{"Name", "Email", "Phone", "Employee No"}
	tests := []struct {
		name      string
		cells     []any
		xmlOld    string // raw sheet XML to replace, to mimic other writers
		xmlNew    string
		phone, no string
	}{
		{"integers", []any{"a", "a@example.com", int64(13800138000), 12345}, "", "", "13800138000", "12345"},
		{"float", []any{"a", "a@example.com", 13800138000.0, 7.0}, "", "", "13800138000", "7"},
		{"scientific notation", []any{"a", "a@example.com", int64(13800138000), 12345},
			"<v>13800138000</v>", "<v>1.3800138E10</v>", "13800138000", "12345"},
		{"lower-case exponent with sign", []any{"a", "a@example.com", int64(13800138000), 12345},
			"<v>13800138000</v>", "<v>1.3800138e+10</v>", "13800138000", "12345"},
		{"trailing .0", []any{"a", "a@example.com", int64(13800138000), 12345},
			"<v>12345</v>", "<v>12345.0</v>", "13800138000", "12345"},
		{"text stays text", []any{"a", "a@example.com", "+86 138-0013-8000", "0012E5"}, "", "", "+86 138-0013-8000", "0012E5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := buildXLSX(t, [][]any{header, tt.cells})
			if tt.xmlOld != "" {
				b = rewriteZip(t, b, map[string]func([]byte) []byte{"xl/worksheets/sheet1.xml": replacer(tt.xmlOld, tt.xmlNew)})
			}
			s := mustParse(t, b, FormatXLSX)
			if len(s.Rows) != 1 || s.Rows[0].Phone != tt.phone || s.Rows[0].EmployeeNo != tt.no {
				t.Errorf("rows = %+v, want phone %q and employee no %q", s.Rows, tt.phone, tt.no)
			}
		})
	}
}

func TestPlainInteger(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13800138000", "13800138000"},
		{"1.3800138E10", "13800138000"},
		{"1.3800138e+10", "13800138000"},
		{"1.23456789012345E14", "123456789012345"},
		{"13800138000.0", "13800138000"},
		{"5E3", "5E3"},
		{"0.5E1", "5"},
		{"0.0", "0"},
		{"1.5", "1.5"},
		{"1.25E1", "1.25E1"},
		{"1E-3", "1E-3"},
		{"2019E001", "2019E001"},
		{"12.5E1", "12.5E1"},
		{"E10", "E10"},
		{"1.E5", "1.E5"},
		{"abc", "abc"},
		{"", ""},
		{"1E999", "1E999"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := plainInteger(tt.in)
			if got != tt.want {
				t.Errorf("plainInteger(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseXLSXRowNumbers(t *testing.T) {
	b := buildXLSX(t, [][]any{{"Name", "Email"}, {"a", "a@example.com"}, {}, {nil, nil}, {"b", "b@example.com"}})
	// Also a gap in the XML: rows without <row> elements at all.
	b = rewriteZip(t, b, map[string]func([]byte) []byte{"xl/worksheets/sheet1.xml": func(x []byte) []byte {
		return []byte(strings.NewReplacer(`r="5"`, `r="9"`, `"A5"`, `"A9"`, `"B5"`, `"B9"`).Replace(string(x)))
	}})
	s := mustParse(t, b, FormatXLSX)
	if len(s.Rows) != 2 || s.Rows[0].Line != 2 || s.Rows[1].Line != 9 {
		t.Errorf("rows = %+v, want lines 2 and 9", s.Rows)
	}
}

func TestParseFirstSheetOnly(t *testing.T) {
	var buf bytes.Buffer
	if err := Template(&buf, FormatXLSX, "en"); err != nil {
		t.Fatal(err)
	}
	// The instructions sheet has text in column A only; reading it would
	// fail the header check.
	s := mustParse(t, buf.Bytes(), FormatXLSX)
	if len(s.Rows) != 1 {
		t.Errorf("rows = %+v, want the example row only", s.Rows)
	}
}

func TestParseFileErrors(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	garbage := make([]byte, 4096)
	for i := range garbage {
		garbage[i] = byte(i*7 + i/13)
	}
	header := []string{"Name", "Email"}
	rows := func(n int) [][]string {
		out := [][]string{header}
		for i := range n {
			out = append(out, []string{"n", fmt.Sprintf("u%d@example.com", i)})
		}
		return out
	}
	small := Limits{MaxBytes: 1 << 20, MaxRows: 3, MaxUnzippedBytes: 10 << 20}
	tests := []struct {
		name    string
		in      []byte
		f       Format
		lim     Limits
		wantErr error
	}{
		{"csv too large", bytes.Repeat([]byte("a,b\n"), 100), FormatCSV, Limits{MaxBytes: 399}, ErrTooLarge},
		{"csv at size limit", bytes.Repeat([]byte("Name,Email\n"), 10), FormatCSV, Limits{MaxBytes: 110}, nil},
		{"xlsx too large", buildXLSX(t, strings2any(rows(10))), FormatXLSX, Limits{MaxBytes: 1000}, ErrTooLarge},
		{"csv too many rows", buildCSV(t, rows(4), false), FormatCSV, small, ErrTooManyRows},
		{"xlsx too many rows", buildXLSX(t, strings2any(rows(4))), FormatXLSX, small, ErrTooManyRows},
		{"csv rows at limit", buildCSV(t, append(rows(3), []string{"", ""}, []string{" "}), false), FormatCSV, small, nil},
		{"xlsx rows at limit", buildXLSX(t, strings2any(append(rows(3), []string{"", ""}))), FormatXLSX, small, nil},
		{"csv empty", nil, FormatCSV, small, ErrEmpty},
		{"csv only blank lines", []byte("\uFEFF\r\n , \r\n\r\n"), FormatCSV, small, ErrEmpty},
		{"xlsx empty", buildXLSX(t, nil), FormatXLSX, small, ErrEmpty},
		{"unknown format empty", nil, FormatUnknown, small, ErrEmpty},
		{"xlsx zero bytes", nil, FormatXLSX, small, ErrEmpty},
		{"garbage as csv", garbage, FormatCSV, small, ErrNotSpreadsheet},
		{"garbage as xlsx", garbage, FormatXLSX, small, ErrNotSpreadsheet},
		{"garbage sniffed", garbage, FormatUnknown, small, ErrNotSpreadsheet},
		{"xls sniffed", ole, FormatUnknown, small, ErrLegacyXLS},
		{"xls as xlsx", ole, FormatXLSX, small, ErrNotSpreadsheet},
		{"xls as csv", ole, FormatCSV, small, ErrLegacyXLS},
		{"zip that is not a workbook", zipOf(t, map[string]string{"word/document.xml": "<w/>"}), FormatXLSX, small, ErrNotSpreadsheet},
		{"xlsx as csv", buildXLSX(t, strings2any(rows(1))), FormatCSV, small, ErrNotSpreadsheet},
		{"csv as xlsx", buildCSV(t, rows(1), false), FormatXLSX, small, ErrNotSpreadsheet},
		{"csv sniffed", buildCSV(t, rows(1), true), FormatUnknown, small, nil},
		{"xlsx sniffed", buildXLSX(t, strings2any(rows(1))), FormatUnknown, small, nil},
		{"truncated xlsx", buildXLSX(t, strings2any(rows(1)))[:2000], FormatXLSX, small, ErrNotSpreadsheet},
		{"unsupported format", []byte("a"), Format(9), small, ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.in), tt.f, tt.lim)
			if tt.wantErr == nil && err != nil || !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func TestParseReadError(t *testing.T) {
	boom := errors.New("boom")
	_, err := Parse(iotest.ErrReader(boom), FormatCSV, Limits{})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	// Parse reads at most MaxBytes+1 bytes.
	r := &countingReader{r: io.LimitReader(zeroReader{}, 1<<30)}
	if _, err := Parse(r, FormatCSV, Limits{MaxBytes: 1000}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if r.n > 1001 {
		t.Errorf("read %d bytes, want at most 1001", r.n)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func TestParsePhoneColumnWithoutEmail(t *testing.T) {
	s := mustParse(t, []byte("姓名,手机号\n王五,138 0013 8000\n"), FormatCSV)
	if len(s.Rows) != 1 || s.Rows[0].Phone != "138 0013 8000" || s.Columns[FieldEmail] != "" {
		t.Fatalf("sheet = %+v, want one row with a phone and no email column", s)
	}
	if errs := Validate(s); len(errs) != 0 {
		t.Fatalf("errors = %v, want none: a phone stands for the email", errs)
	}
}
