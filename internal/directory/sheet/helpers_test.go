package sheet

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// buildXLSX returns a workbook whose first sheet holds rows from A1; cells may
// be strings, numbers or nil.
func buildXLSX(t testing.TB, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	defer x.Close()
	sw, err := x.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// buildCSV returns rows as UTF-8 CSV with CRLF line ends, with a BOM if asked.
func buildCSV(t testing.TB, rows [][]string, bom bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if bom {
		buf.Write(utf8BOM)
	}
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// strings2any converts a string table for buildXLSX.
func strings2any(rows [][]string) [][]any {
	out := make([][]any, len(rows))
	for i, r := range rows {
		out[i] = make([]any, len(r))
		for j, c := range r {
			out[i][j] = c
		}
	}
	return out
}

// build returns rows as a file of format f.
func build(t testing.TB, f Format, rows [][]string) []byte {
	t.Helper()
	if f == FormatXLSX {
		return buildXLSX(t, strings2any(rows))
	}
	return buildCSV(t, rows, true)
}

// both are the formats most tests run against.
var both = []Format{FormatXLSX, FormatCSV}

// rewriteZip copies the zip archive b, passing each part's content through
// edit (nil keeps it). Parts edit maps to nil are dropped.
func rewriteZip(t testing.TB, b []byte, edit map[string]func([]byte) []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		fn, ok := edit[f.Name]
		if !ok {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if fn == nil {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(fn(data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// replacer returns an edit function for rewriteZip that replaces old with new.
func replacer(old, new string) func([]byte) []byte {
	return func(b []byte) []byte { return []byte(strings.ReplaceAll(string(b), old, new)) }
}

// mustParse parses b and fails the test on error.
func mustParse(t testing.TB, b []byte, f Format) *Sheet {
	t.Helper()
	s, err := Parse(bytes.NewReader(b), f, DefaultLimits())
	if err != nil {
		t.Fatalf("Parse(%v): %v", f, err)
	}
	return s
}

// zipOf returns a zip archive of the given parts.
func zipOf(t testing.TB, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, data := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
