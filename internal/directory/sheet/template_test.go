package sheet

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestTemplate(t *testing.T) {
	tests := []struct {
		lang    string
		header  string // first cells of the header row
		example Row
	}{
		{"zh-CN", "姓名*,邮箱,手机,部门,职务,工号,角色",
			Row{Line: 2, Name: "张三", Email: "zhangsan@example.com", Phone: "13800138000", Department: "研发部", Title: "工程师", EmployeeNo: "E0001", Role: RoleMember}},
		{"", "姓名*,邮箱,手机,部门,职务,工号,角色",
			Row{Line: 2, Name: "张三", Email: "zhangsan@example.com", Phone: "13800138000", Department: "研发部", Title: "工程师", EmployeeNo: "E0001", Role: RoleMember}},
		{"en", "Name*,Email,Phone,Department,Title,Employee No,Role",
			Row{Line: 2, Name: "Zhang San", Email: "zhangsan@example.com", Phone: "13800138000", Department: "R&D", Title: "Engineer", EmployeeNo: "E0001", Role: RoleMember}},
	}
	allColumns := map[string]string{"name": "A", "email": "B", "phone": "C", "department": "D", "title": "E", "employeeNo": "F", "role": "G"}
	for _, f := range both {
		for _, tt := range tests {
			t.Run(f.String()+"/"+tt.lang, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Template(&buf, f, tt.lang); err != nil {
					t.Fatal(err)
				}
				b := buf.Bytes()
				if got := templateHeader(t, f, b); got != tt.header {
					t.Errorf("header = %q, want %q", got, tt.header)
				}

				s := mustParse(t, b, f)
				if len(s.Rows) != 1 || s.Rows[0] != tt.example {
					t.Errorf("rows = %+v, want the example %+v", s.Rows, tt.example)
				}
				if errs := Validate(s); len(errs) != 0 {
					t.Errorf("example row has errors: %v", errs)
				}

				s = mustParse(t, removeExample(t, f, b), f)
				if len(s.Rows) != 0 {
					t.Errorf("rows = %+v, want none", s.Rows)
				}
				if len(s.Columns) != len(allColumns) {
					t.Errorf("columns = %v, want %v", s.Columns, allColumns)
				}
				for k, v := range allColumns {
					if s.Columns[k] != v {
						t.Errorf("column of %s = %q, want %q", k, s.Columns[k], v)
					}
				}
			})
		}
	}
}

// templateHeader returns the header row of a template, comma-joined.
func templateHeader(t *testing.T, f Format, b []byte) string {
	t.Helper()
	if f == FormatCSV {
		if !bytes.HasPrefix(b, utf8BOM) {
			t.Error("CSV template has no BOM")
		}
		if strings.Count(string(b), "\n") != strings.Count(string(b), "\r\n") {
			t.Error("CSV template has bare LF line ends")
		}
		line, _, _ := strings.Cut(string(b[len(utf8BOM):]), "\r\n")
		return line
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(x.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(rows[0], ",")
}

// removeExample deletes row 2 of a template.
func removeExample(t *testing.T, f Format, b []byte) []byte {
	t.Helper()
	if f == FormatCSV {
		i := bytes.Index(b, []byte("\r\n"))
		return b[:i+2]
	}
	x, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if err := x.RemoveRow(x.GetSheetName(0), 2); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestTemplateXLSXLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := Template(&buf, FormatXLSX, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := x.GetSheetList(); len(got) != 2 || got[0] != "成员" || got[1] != "说明" {
		t.Errorf("sheets = %q, want [成员 说明]", got)
	}
	const sheet = "成员"
	t.Run("bold header", func(t *testing.T) {
		for _, cell := range []string{"A1", "G1"} {
			id, err := x.GetCellStyle(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := x.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			if st.Font == nil || !st.Font.Bold {
				t.Errorf("%s is not bold", cell)
			}
		}
	})
	t.Run("column widths", func(t *testing.T) {
		if w, _ := x.GetColWidth(sheet, "B"); w != 30 {
			t.Errorf("email column width = %v, want 30", w)
		}
	})
	t.Run("phone is text", func(t *testing.T) {
		id, err := x.GetCellStyle(sheet, "C2")
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.NumFmt != 49 {
			t.Errorf("phone number format = %d, want 49 (text)", st.NumFmt)
		}
	})
	t.Run("role drop-down", func(t *testing.T) {
		dvs, err := x.GetDataValidations(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(dvs) != 1 || !strings.HasPrefix(dvs[0].Sqref, "G2:G") || !strings.Contains(dvs[0].Formula1, "成员,管理员") {
			t.Errorf("data validations = %+v, want a 成员/管理员 list on G", dvs)
		}
	})
}

func TestTemplateUnsupportedFormat(t *testing.T) {
	for _, f := range []Format{FormatUnknown, Format(7)} {
		t.Run(f.String(), func(t *testing.T) {
			if err := Template(io.Discard, f, "en"); !errors.Is(err, ErrUnsupportedFormat) {
				t.Errorf("Template err = %v, want ErrUnsupportedFormat", err)
			}
			if err := Export(io.Discard, f, "en", nil); !errors.Is(err, ErrUnsupportedFormat) {
				t.Errorf("Export err = %v, want ErrUnsupportedFormat", err)
			}
		})
	}
}

func TestTemplateWriteError(t *testing.T) {
	boom := errors.New("boom")
	for _, f := range both {
		t.Run(f.String(), func(t *testing.T) {
			if err := Template(failingWriter{boom}, f, "en"); !errors.Is(err, boom) {
				t.Errorf("err = %v, want %v", err, boom)
			}
		})
	}
}

type failingWriter struct{ err error }

func (w failingWriter) Write([]byte) (int, error) { return 0, w.err }
