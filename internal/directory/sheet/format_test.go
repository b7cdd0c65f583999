package sheet

import (
	"errors"
	"testing"
)

func TestFormatString(t *testing.T) {
	tests := []struct {
		f                Format
		want, ext, mime0 string
	}{
		{FormatUnknown, "unknown", "", "application/octet-stream"},
		{FormatXLSX, "xlsx", ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{FormatCSV, "csv", ".csv", "text/csv; charset=utf-8"},
		{Format(42), "unknown", "", "application/octet-stream"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.f.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := tt.f.Extension(); got != tt.ext {
				t.Errorf("Extension() = %q, want %q", got, tt.ext)
			}
			if got := tt.f.ContentType(); got != tt.mime0 {
				t.Errorf("ContentType() = %q, want %q", got, tt.mime0)
			}
		})
	}
}

func TestDetectFormat(t *testing.T) {
	ole := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}
	tests := []struct {
		name     string
		filename string
		head     []byte
		want     Format
		wantErr  error
	}{
		{"xlsx by content", "members.xlsx", []byte("PK\x03\x04rest"), FormatXLSX, nil},
		{"xlsx content wins over csv name", "members.csv", []byte("PK\x03\x04rest"), FormatXLSX, nil},
		{"xlsx by name only", `C:\Users\a\成员.XLSX`, nil, FormatXLSX, nil},
		{"csv by content", "members.csv", []byte("姓名,邮箱\r\n"), FormatCSV, nil},
		{"csv without name", "", []byte("Name,Email\n"), FormatCSV, nil},
		{"csv gbk", "m.csv", []byte{0xD0, 0xD5, 0xC3, 0xFB, ','}, FormatCSV, nil},
		{"csv utf16", "m.txt", []byte{0xFF, 0xFE, 'N', 0}, FormatCSV, nil},
		{"csv by name only", "m.csv", nil, FormatCSV, nil},
		{"xls by content", "m.xls", ole, FormatUnknown, ErrLegacyXLS},
		{"encrypted xlsx", "m.xlsx", ole, FormatUnknown, ErrLegacyXLS},
		{"xls by name only", "m.xls", nil, FormatUnknown, ErrLegacyXLS},
		{"xls name with text", "m.xls", []byte("<html>"), FormatUnknown, ErrLegacyXLS},
		{"xlsx name with text", "m.xlsx", []byte("Name,Email"), FormatUnknown, ErrNotSpreadsheet},
		{"pdf", "m.pdf", []byte("%PDF-1.7\n"), FormatUnknown, ErrNotSpreadsheet},
		{"png", "m.csv", []byte("\x89PNG\r\n\x1a\n"), FormatUnknown, ErrNotSpreadsheet},
		{"garbage", "m.csv", []byte{0x01, 0x02, 0x03, 0xFF}, FormatUnknown, ErrNotSpreadsheet},
		{"unknown name, no content", "m.doc", nil, FormatUnknown, ErrNotSpreadsheet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DetectFormat(tt.filename, tt.head)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("format = %v, want %v", got, tt.want)
			}
			if errors.Is(err, ErrLegacyXLS) && !errors.Is(err, ErrNotSpreadsheet) {
				t.Errorf("legacy error %v does not match ErrNotSpreadsheet", err)
			}
		})
	}
}
