package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func TestXMLScanner(t *testing.T) {
	tests := []struct {
		name      string
		parts     []string
		sheet     int64 // sheetBudget
		part      int64 // partBudget
		wantErr   error
		wantSheet int64 // elements charged to the sheet budget
	}{
		{name: "counts start tags only", parts: []string{`<?xml version="1.0"?><a><b/><c x="1">t</c></a>`}, sheet: 10, part: 3},
		{name: "part budget", parts: []string{`<a><b/><c/><d/></a>`}, sheet: 100, part: 3, wantErr: errElementBudget},
		{name: "comments and CDATA over-count", parts: []string{`<a><!-- <b><c> --></a>`}, sheet: 100, part: 2, wantErr: errElementBudget},
		{name: "worksheet uses the sheet budget", parts: []string{`<worksheet><sheetData><row><c/></row></sheetData></worksheet>`}, sheet: 10, part: 1, wantSheet: 4},
		{name: "prefixed root", parts: []string{`<x:worksheet xmlns:x="u"><x:row/><x:row/></x:worksheet>`}, sheet: 10, part: 1, wantSheet: 3},
		{name: "sst", parts: []string{`<sst><si><t>a</t></si></sst>`}, sheet: 10, part: 1, wantSheet: 3},
		{name: "sheet budget shared across parts", parts: []string{`<worksheet><row/></worksheet>`, `<sst><si/></sst>`}, sheet: 3, part: 10, wantErr: errElementBudget},
		{name: "root name decides, not the file name", parts: []string{`<workbook><worksheet/><worksheet/></workbook>`}, sheet: 100, part: 2, wantErr: errElementBudget},
		{name: "utf-8 declaration", parts: []string{`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><a/>`}, sheet: 1, part: 1},
		{name: "single-quoted utf-8", parts: []string{`<?xml version='1.0' encoding='utf-8'?><a/>`}, sheet: 1, part: 1},
		{name: "utf-16 declaration", parts: []string{`<?xml version="1.0" encoding="UTF-16"?><a/>`}, sheet: 1, part: 1, wantErr: errXMLEncoding},
		{name: "gbk declaration later in the part", parts: []string{`<a/><?xml version="1.0" encoding="gbk"?>`}, sheet: 10, part: 10, wantErr: errXMLEncoding},
		{name: "procInst skips to the second encoding", parts: []string{`<?xml encoding=encoding='utf-8' encoding='utf-16'?><a/>`}, sheet: 10, part: 10, wantErr: errXMLEncoding},
		{name: "long declaration", parts: []string{`<?xml version="1.0" ` + strings.Repeat(" ", maxXMLDecl) + `?><a/>`}, sheet: 10, part: 10, wantErr: errXMLEncoding},
		{name: "part bytes", parts: []string{`<a>` + strings.Repeat(" ", 1<<20) + `</a>`}, sheet: 10, part: 10, wantErr: errPartBytes},
		{name: "streamed parts have no byte limit", parts: []string{`<sst>` + strings.Repeat(" ", 1<<20) + `</sst>`}, sheet: 10, part: 10, wantSheet: 1},
		{name: "other processing instructions", parts: []string{`<?mso-application progid="Excel.Sheet"?><a/>`}, sheet: 1, part: 1},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 7, 1 << 20} {
			t.Run(fmt.Sprintf("%s/chunk %d", tt.name, chunk), func(t *testing.T) {
				s := &xmlScanner{sheetBudget: tt.sheet, partBudget: tt.part, partBytes: 1 << 20}
				var err error
				for _, p := range tt.parts {
					s.startPart()
					for i := 0; i < len(p) && err == nil; i += chunk {
						_, err = s.Write([]byte(p[i:min(i+chunk, len(p))]))
					}
				}
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if tt.wantErr == nil && s.sheetUsed != tt.wantSheet {
					t.Errorf("sheet elements = %d, want %d", s.sheetUsed, tt.wantSheet)
				}
			})
		}
	}
}

func TestProcInst(t *testing.T) {
	tests := []struct{ in, want string }{
		{`version="1.0" encoding="UTF-8"`, "UTF-8"},
		{`encoding='gbk'`, "gbk"},
		{`encoding=x encoding="utf-16"`, "utf-16"},
		{`encoding=`, ""},
		{`encoding="unterminated`, ""},
		{`version="1.0"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := procInst("encoding", tt.in); got != tt.want {
				t.Errorf("procInst = %q, want %q", got, tt.want)
			}
		})
	}
}

// varied returns n copies of format with %s replaced by varying text, so
// that the result compresses no better than real data.
func varied(format string, n int) string {
	before, after, _ := strings.Cut(format, "%s")
	var sb strings.Builder
	sb.Grow(n * (len(format) + 1))
	x := uint32(1)
	const alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
	for range n {
		x = x*1664525 + 1013904223
		sb.WriteString(before)
		sb.WriteByte(alpha[(x>>8)%36])
		sb.WriteByte(alpha[(x>>16)%36])
		sb.WriteByte(alpha[(x>>24)%36])
		sb.WriteString(after)
	}
	return sb.String()
}

// withPart returns workbook b with part name set to content (added if new).
func withPart(t testing.TB, b []byte, name, content string) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name != name {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	w, err := zw.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestParseXMLAmplification covers workbooks within the size and ratio
// limits whose XML would make excelize allocate far more than their size.
func TestParseXMLAmplification(t *testing.T) {
	base := buildXLSX(t, [][]any{{"Name", "Email"}, {"a", "a@example.com"}})
	const ns = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`
	header := `<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c></row>`
	lim := Limits{MaxRows: 100} // sheet budget 101*48 elements
	tests := []struct {
		name, part, content string
		wantErr             error
	}{
		{"bloated styles are dropped", "xl/styles.xml",
			`<styleSheet ` + ns + `><cellXfs>` + varied(`<xf numFmtId="1%s"/>`, 200000) + `</cellXfs></styleSheet>`, nil},
		{"bloated drawing is dropped", "xl/drawings/drawing1.xml", varied(`<a x="%s"/>`, 200000), nil},
		{"defined names", "xl/workbook.xml",
			`<workbook ` + ns + `><definedNames>` + varied(`<definedName name="n%s">1</definedName>`, partElements) + `</definedNames></workbook>`, ErrTooLarge},
		{"relationships", "xl/_rels/workbook.xml.rels",
			`<Relationships>` + varied(`<Relationship Id="x%s" Type="t" Target="a"/>`, partElements) + `</Relationships>`, ErrTooLarge},
		{"shared strings", "xl/sharedStrings.xml", `<sst ` + ns + `>` + varied(`<si><t>%s</t></si>`, 5000) + `</sst>`, ErrTooLarge},
		{"wide row", "xl/worksheets/sheet1.xml",
			`<worksheet ` + ns + `><sheetData>` + header + `<row r="2">` + varied(`<c><v>%s</v></c>`, 5000) + `</row></sheetData></worksheet>`, ErrTooLarge},
		{"one huge defined name", "xl/workbook.xml",
			`<workbook ` + ns + `><definedNames><definedName name="x">` + varied("%s", 3<<19) + `</definedName></definedNames></workbook>`, ErrTooLarge},
		{"large strings are fine in a worksheet", "xl/worksheets/sheet1.xml",
			`<worksheet ` + ns + `><sheetData>` + header + `<row r="2"><c t="inlineStr"><is><t>` + varied("%s", 3<<19) + `</t></is></c><c t="inlineStr"><is><t>a@example.com</t></is></c></row></sheetData></worksheet>`, nil},
		{"utf-16 switch", "xl/worksheets/sheet1.xml",
			`<?xml version="1.0" encoding="UTF-16"?><worksheet ` + ns + `><sheetData>` + header + `</sheetData></worksheet>`, ErrNotSpreadsheet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := withPart(t, base, tt.part, tt.content)
			if len(b) > DefaultMaxBytes {
				t.Fatalf("test file is %d bytes", len(b))
			}
			s, err := Parse(bytes.NewReader(b), FormatXLSX, lim)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && len(s.Rows) != 1 {
				t.Errorf("rows = %+v, want one", s.Rows)
			}
		})
	}
}
