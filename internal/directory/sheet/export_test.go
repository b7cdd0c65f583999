package sheet

import (
	"bytes"
	"encoding/csv"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestNeutralise(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+8613800138000", "'+8613800138000"},
		{"-x", "'-x"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"＝1+1", "'＝1+1"},
		{"＋1", "'＋1"},
		{"－1", "'－1"},
		{"＠x", "'＠x"},
		{"'=x", "''=x"},
		{"'Tis", "'Tis"},
		{"a=b", "a=b"},
		{"张三", "张三"},
		{"", ""},
		{"'", "'"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := Neutralise(tt.in)
			if got != tt.want {
				t.Errorf("Neutralise(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if back := unneutralise(got); back != tt.in {
				t.Errorf("unneutralise(%q) = %q, want %q", got, back, tt.in)
			}
		})
	}
}

// dangerous is an export whose cells would run as formulas if written raw.
var dangerous = []ExportRow{
	{Name: "=1+1", Email: "a@example.com", Phone: "+85291234567", Department: "-x", Title: "@x", EmployeeNo: "E1", Role: RoleAdmin, Status: "active"},
	{Name: "＝HYPERLINK(\"http://evil\")", Email: "b@example.com", Department: "＋研发", Title: "＠x", Role: RoleMember, Status: "frozen"},
	{Name: "'=already quoted", Email: "c@example.com", Department: "研发部", Title: "\t=cmd", Role: "", Status: "active"},
}

func TestExportNeutralisesCSV(t *testing.T) {
	for _, lang := range []string{"zh-CN", "en"} {
		t.Run(lang, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, FormatCSV, lang, dangerous); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			if !bytes.HasPrefix(b, utf8BOM) || !bytes.Contains(b, []byte("\r\n")) {
				t.Fatal("export is not UTF-8 with BOM and CRLF")
			}
			recs, err := csv.NewReader(bytes.NewReader(b[len(utf8BOM):])).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != 4 || len(recs[0]) != 8 {
				t.Fatalf("records = %q", recs)
			}
			checkNeutralised(t, recs[1:])
		})
	}
}

func TestExportNeutralisesXLSX(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(&buf, FormatXLSX, "en", dangerous); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	sheet := x.GetSheetName(0)
	var recs [][]string
	for r := 2; r <= 1+len(dangerous); r++ {
		var rec []string
		for c := 1; c <= 8; c++ {
			cell, _ := excelize.CoordinatesToCellName(c, r)
			typ, err := x.GetCellType(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			v, err := x.GetCellValue(sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			if v != "" && typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("%s type = %v, want a string", cell, typ)
			}
			if f, _ := x.GetCellFormula(sheet, cell); f != "" {
				t.Errorf("%s has formula %q", cell, f)
			}
			rec = append(rec, v)
		}
		recs = append(recs, rec)
	}
	checkNeutralised(t, recs)
}

// checkNeutralised checks the data records of an export of dangerous.
func checkNeutralised(t *testing.T, recs [][]string) {
	t.Helper()
	want := map[[2]int]string{
		{0, 0}: "'=1+1", {0, 2}: "'+85291234567", {0, 3}: "'-x", {0, 4}: "'@x",
		{1, 0}: "'＝HYPERLINK(\"http://evil\")", {1, 3}: "'＋研发", {1, 4}: "'＠x",
		{2, 0}: "''=already quoted", {2, 4}: "'\t=cmd",
	}
	for k, w := range want {
		if got := recs[k[0]][k[1]]; got != w {
			t.Errorf("row %d column %d = %q, want %q", k[0]+2, k[1]+1, got, w)
		}
	}
	for i, rec := range recs {
		for j, c := range rec {
			if r := []rune(c); len(r) > 0 && isFormulaLead(r[0]) {
				t.Errorf("row %d column %d = %q starts a formula", i+2, j+1, c)
			}
		}
	}
}

func TestExportRoundTrip(t *testing.T) {
	rows := append([]ExportRow{
		{Name: "张三", Email: "zhangsan@example.com", Phone: "13800138000", Department: "研发部", Title: "工程师", EmployeeNo: "E0001", Role: RoleMember, Status: "active"},
		{Name: "李四", Email: "lisi@example.com", Role: RoleAdmin, Status: "frozen"},
		{Name: "王五", Phone: "13900139000", Role: RoleMember, Status: "active"}, // a phone instead of an email
	}, dangerous...)
	for _, f := range both {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(f.String()+"/"+lang, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Export(&buf, f, lang, rows); err != nil {
					t.Fatal(err)
				}
				s := mustParse(t, buf.Bytes(), f)
				if len(s.Rows) != len(rows) {
					t.Fatalf("parsed %d rows, want %d", len(s.Rows), len(rows))
				}
				for i, got := range s.Rows {
					r := rows[i]
					role := r.Role
					if role == "" {
						role = RoleMember
					}
					want := Row{Line: i + 2, Name: strings.TrimSpace(r.Name), Email: r.Email, Phone: r.Phone,
						Department: r.Department, Title: strings.TrimSpace(r.Title), EmployeeNo: r.EmployeeNo, Role: role}
					if !reflect.DeepEqual(got, want) {
						t.Errorf("row %d = %+v, want %+v", i+2, got, want)
					}
				}
				if _, ok := s.Columns[FieldStatus]; ok {
					t.Error("status column mapped; it should be ignored")
				}
				if errs := Validate(s); len(errs) != 0 {
					t.Errorf("round trip has errors: %v", errs)
				}
			})
		}
	}
}

func TestExportEmpty(t *testing.T) {
	for _, f := range both {
		t.Run(f.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := Export(&buf, f, "zh-CN", nil); err != nil {
				t.Fatal(err)
			}
			s := mustParse(t, buf.Bytes(), f)
			if len(s.Rows) != 0 || s.Columns[FieldEmail] != "B" {
				t.Errorf("sheet = %+v", s)
			}
		})
	}
}
