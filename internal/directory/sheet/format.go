package sheet

import (
	"bytes"
	"fmt"
	"strings"
)

// Format is a spreadsheet file format.
type Format int

// The formats Parse, Template and Export understand.
const (
	FormatUnknown Format = iota
	FormatXLSX
	FormatCSV
)

// String returns "xlsx", "csv" or "unknown".
func (f Format) String() string {
	switch f {
	case FormatXLSX:
		return "xlsx"
	case FormatCSV:
		return "csv"
	default:
		return "unknown"
	}
}

// Extension returns the file name extension for f, with the dot, or "".
func (f Format) Extension() string {
	switch f {
	case FormatXLSX:
		return ".xlsx"
	case FormatCSV:
		return ".csv"
	default:
		return ""
	}
}

// ContentType returns the MIME type for f, for a download's Content-Type.
func (f Format) ContentType() string {
	switch f {
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	default:
		return "application/octet-stream"
	}
}

// Magic numbers at the start of files we recognise.
var (
	zipMagic = []byte("PK\x03\x04")
	// oleMagic starts an OLE compound file: a legacy .xls workbook, or an
	// .xlsx encrypted with a password.
	oleMagic   = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	utf8BOM    = []byte{0xEF, 0xBB, 0xBF}
	utf16LEBOM = []byte{0xFF, 0xFE}
	utf16BEBOM = []byte{0xFE, 0xFF}
	// binaryMagic are common non-spreadsheet uploads that could otherwise
	// pass the text check of a short head.
	binaryMagic = [][]byte{
		[]byte("%PDF-"), []byte("\x89PNG"), []byte("GIF8"), {0xFF, 0xD8, 0xFF},
		{0x1F, 0x8B}, []byte("Rar!"), []byte("7z\xBC\xAF"), []byte("PK\x05\x06"),
	}
)

// content is what the first bytes of a file say it is.
type content int

const (
	contentEmpty content = iota
	contentZip
	contentOLE
	contentBinary
	contentText
)

// sniff classifies a file by its first bytes.
func sniff(head []byte) content {
	switch {
	case len(head) == 0:
		return contentEmpty
	case bytes.HasPrefix(head, zipMagic):
		return contentZip
	case bytes.HasPrefix(head, oleMagic):
		return contentOLE
	case bytes.HasPrefix(head, utf16LEBOM), bytes.HasPrefix(head, utf16BEBOM):
		return contentText
	}
	for _, m := range binaryMagic {
		if bytes.HasPrefix(head, m) {
			return contentBinary
		}
	}
	if looksBinary(head) {
		return contentBinary
	}
	return contentText
}

// sniffLen is how much of a file looksBinary inspects.
const sniffLen = 8 << 10

// looksBinary reports whether the start of b holds bytes no CSV file has:
// NUL or C0 controls other than tab, line feed, form feed, carriage return and
// the DOS end-of-file mark. UTF-8 and GB18030 multi-byte sequences never
// contain such bytes.
func looksBinary(b []byte) bool {
	if len(b) > sniffLen {
		b = b[:sniffLen]
	}
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1A {
			return true
		}
	}
	return false
}

// DetectFormat decides the format of an upload from its file name and its
// first bytes (512 are plenty; either may be empty). The content wins when it
// is conclusive: a zip is XLSX, text is CSV. A legacy .xls file (or an
// encrypted workbook) fails with ErrLegacyXLS, anything else unreadable with
// ErrNotSpreadsheet.
func DetectFormat(filename string, head []byte) (Format, error) {
	ext := extension(filename)
	switch sniff(head) {
	case contentZip:
		return FormatXLSX, nil
	case contentOLE:
		return FormatUnknown, legacyError()
	case contentBinary:
		return FormatUnknown, fmt.Errorf("%w: %q is a binary file", ErrNotSpreadsheet, filename)
	case contentText:
		switch ext {
		case ".xls":
			return FormatUnknown, legacyError()
		case ".xlsx", ".xlsm":
			return FormatUnknown, fmt.Errorf("%w: %q is named like a workbook but holds text", ErrNotSpreadsheet, filename)
		}
		return FormatCSV, nil
	}
	switch ext {
	case ".xlsx", ".xlsm":
		return FormatXLSX, nil
	case ".csv", ".txt":
		return FormatCSV, nil
	case ".xls":
		return FormatUnknown, legacyError()
	}
	return FormatUnknown, fmt.Errorf("%w: cannot tell the format of %q", ErrNotSpreadsheet, filename)
}

// legacyError is the error for OLE files, matching both ErrNotSpreadsheet and
// ErrLegacyXLS.
func legacyError() error {
	return fmt.Errorf("%w: %w", ErrNotSpreadsheet, ErrLegacyXLS)
}

// extension returns the lower-cased extension of a file name that may use
// either slash as a separator (browsers on Windows send full paths).
func extension(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(name[i:]))
}
