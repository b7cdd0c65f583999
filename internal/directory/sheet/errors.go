package sheet

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors returned (wrapped) by Parse, DetectFormat, Template and
// Export; match them with errors.Is.
var (
	// ErrTooLarge means the upload is larger than Limits.MaxBytes, or a
	// workbook's XML is over the element budget (see Limits).
	ErrTooLarge = errors.New("sheet: file is too large")
	// ErrTooManyRows means the upload has more than Limits.MaxRows data rows.
	ErrTooManyRows = errors.New("sheet: too many rows")
	// ErrNotSpreadsheet means the upload is neither an .xlsx workbook nor a
	// text CSV file, or is too damaged to read.
	ErrNotSpreadsheet = errors.New("sheet: not a spreadsheet")
	// ErrLegacyXLS means the upload is an old binary .xls workbook or a
	// password-protected workbook (both are OLE compound files); it is always
	// returned together with ErrNotSpreadsheet.
	ErrLegacyXLS = errors.New("sheet: legacy .xls or password-protected workbooks are not supported; save the file as .xlsx (without a password) or .csv")
	// ErrZipBomb means the workbook decompresses to more than
	// Limits.MaxUnzippedBytes, has a suspicious compression ratio or too many
	// parts, or one of its parts is larger than its declared size.
	ErrZipBomb = errors.New("sheet: workbook decompresses beyond the allowed size")
	// ErrBadHeader means the header row is unusable; the error is a
	// *HeaderError that says which columns are wrong.
	ErrBadHeader = errors.New("sheet: bad header row")
	// ErrEmpty means the file has no header row at all.
	ErrEmpty = errors.New("sheet: file is empty")
	// ErrUnsupportedFormat means a Format other than FormatXLSX or FormatCSV was
	// asked of Template or Export.
	ErrUnsupportedFormat = errors.New("sheet: unsupported format")
)

// maxHeaderProblems caps each list in a HeaderError so that a hostile header
// row of thousands of columns cannot produce a huge error.
const maxHeaderProblems = 20

// HeaderCell points at one cell involved in a header problem.
type HeaderCell struct {
	Row    int    // spreadsheet row number, 1-based
	Column string // column letter, e.g. "D"
	Text   string // the cell text as found (trimmed)
}

// HeaderError describes why the header row is unusable; it unwraps to
// ErrBadHeader. Each list holds at most 20 entries.
type HeaderError struct {
	// Unknown lists header cells that name no known column.
	Unknown []HeaderCell
	// Duplicate lists header cells naming a field an earlier column already has.
	Duplicate []HeaderCell
	// Missing lists the field keys of required columns that are absent.
	Missing []string
	// Unnamed lists data cells that sit in a column with no header.
	Unnamed []HeaderCell
}

// Error reports every problem in one line.
func (e *HeaderError) Error() string {
	var parts []string
	for _, c := range e.Unknown {
		parts = append(parts, fmt.Sprintf("unknown column %q in %s", c.Text, c.Column))
	}
	for _, c := range e.Duplicate {
		parts = append(parts, fmt.Sprintf("column %q in %s repeats an earlier column", c.Text, c.Column))
	}
	for _, f := range e.Missing {
		parts = append(parts, fmt.Sprintf("missing required column %s", f))
	}
	for _, c := range e.Unnamed {
		parts = append(parts, fmt.Sprintf("cell %s%d has a value but its column has no header", c.Column, c.Row))
	}
	return ErrBadHeader.Error() + ": " + strings.Join(parts, "; ")
}

// Unwrap returns ErrBadHeader.
func (e *HeaderError) Unwrap() error { return ErrBadHeader }

// empty reports whether e records no problem.
func (e *HeaderError) empty() bool {
	return len(e.Unknown) == 0 && len(e.Duplicate) == 0 && len(e.Missing) == 0 && len(e.Unnamed) == 0
}

// addCapped appends c to list unless the list is full.
func addCapped(list []HeaderCell, c HeaderCell) []HeaderCell {
	if len(list) >= maxHeaderProblems {
		return list
	}
	return append(list, c)
}
