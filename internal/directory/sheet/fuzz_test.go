package sheet

import (
	"archive/zip"
	"bytes"
	"io"
	"testing"
)

// fuzzLimits keep each fuzz iteration cheap.
var fuzzLimits = Limits{MaxBytes: 256 << 10, MaxRows: 200, MaxUnzippedBytes: 4 << 20}

// checkParsed asserts what must hold for any successful Parse, then runs
// Validate on the result.
func checkParsed(t *testing.T, s *Sheet, err error) {
	if err != nil {
		return
	}
	last := 0
	for _, r := range s.Rows {
		if r.Line <= last || r.Line < 2 {
			t.Fatalf("row lines out of order: %d after %d", r.Line, last)
		}
		last = r.Line
	}
	if s.Columns[FieldName] == "" || s.Columns[FieldEmail] == "" {
		t.Fatalf("required columns missing from %v", s.Columns)
	}
	for _, e := range Validate(s) {
		if e.Column == "" || e.Field == "" || e.Code == "" || e.Message == "" {
			t.Fatalf("incomplete error %+v", e)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, lang := range []string{"zh-CN", "en"} {
		var buf bytes.Buffer
		if err := Template(&buf, FormatCSV, lang); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	var buf bytes.Buffer
	if err := Export(&buf, FormatCSV, "zh-CN", dangerous); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte("Name,Email\n\"a\nb\",\"x@y.cn\"\"\n,,,,z"))
	f.Add([]byte("\xff\xfeN\x00a\x00"))
	f.Add([]byte("\xd0\xd5\xc3\xfb,\xd3\xca\xcf\xe4\r\n\xd5\xc5,a@b.cn"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data), FormatCSV, fuzzLimits)
		checkParsed(t, s, err)
	})
}

// FuzzParseXLSX feeds each input to Parse twice: as a whole file, and as the
// worksheet XML of the template workbook. Most mutations of a whole file break
// its zip checksums and stop at checkZip; the second form reaches excelize's
// XML reader.
func FuzzParseXLSX(f *testing.F) {
	var tmpl bytes.Buffer
	if err := Template(&tmpl, FormatXLSX, "zh-CN"); err != nil {
		f.Fatal(err)
	}
	parts := map[string][]byte{}
	var names []string
	zr, err := zip.NewReader(bytes.NewReader(tmpl.Bytes()), int64(tmpl.Len()))
	if err != nil {
		f.Fatal(err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			f.Fatal(err)
		}
		parts[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			f.Fatal(err)
		}
		names = append(names, zf.Name)
	}
	const sheetPart = "xl/worksheets/sheet1.xml"
	f.Add(tmpl.Bytes())
	f.Add(parts[sheetPart])
	f.Add([]byte(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Email</t></is></c></row>` +
		`<row r="3"><c r="A3" t="s"><v>9</v></c><c r="B3"><v>1.3800138E10</v></c><c r="XFD3" t="b"><v>1</v></c></row>` +
		`</sheetData></worksheet>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data), FormatXLSX, fuzzLimits)
		checkParsed(t, s, err)

		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range names {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			content := parts[name]
			if name == sheetPart {
				content = data
			}
			if _, err := w.Write(content); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		s, err = Parse(&buf, FormatXLSX, fuzzLimits)
		checkParsed(t, s, err)
	})
}
