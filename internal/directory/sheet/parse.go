package sheet

import (
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/width"
)

// Parse reads an uploaded file of format f (FormatUnknown: sniff the content)
// within lim and returns its data rows. It fails only for the file as a whole,
// with an error wrapping ErrTooLarge, ErrTooManyRows, ErrNotSpreadsheet,
// ErrLegacyXLS, ErrZipBomb, ErrBadHeader (a *HeaderError) or ErrEmpty, or with
// the reader's own error. Cell values are checked by Validate, not here.
//
// It reads at most lim.MaxBytes+1 bytes from r and holds the whole upload in
// memory; a workbook is vetted (sizes, compression ratios, XML element
// budget, UTF-8 only) before excelize parses it, and large worksheets are
// streamed from temporary files that are removed before Parse returns.
//
// The header is the first non-blank row; its columns may come in any order.
// Only the first worksheet of a workbook is read.
func Parse(r io.Reader, f Format, lim Limits) (*Sheet, error) {
	lim = lim.withDefaults()
	b, err := io.ReadAll(io.LimitReader(r, lim.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("sheet: reading upload: %w", err)
	}
	if int64(len(b)) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: the limit is %d bytes", ErrTooLarge, lim.MaxBytes)
	}
	if len(b) == 0 {
		return nil, ErrEmpty
	}
	if f == FormatUnknown {
		if f, err = DetectFormat("", b[:min(len(b), 512)]); err != nil {
			return nil, err
		}
	}
	switch f {
	case FormatXLSX:
		return parseXLSX(b, lim)
	case FormatCSV:
		return parseCSV(b, lim)
	}
	return nil, fmt.Errorf("%w: %v", ErrUnsupportedFormat, f)
}

// maxQuoted bounds, in runes, the user text quoted in errors.
const maxQuoted = 64

// collector turns the cell records of either format into a Sheet: it finds
// the header, maps columns to fields and builds rows.
type collector struct {
	lim    Limits
	sheet  *Sheet
	fields []string // per column: field key, "" for a column without a header
	header bool     // the header row has been seen
}

// newCollector starts an empty Sheet of format f.
func newCollector(f Format, lim Limits) *collector {
	return &collector{lim: lim, sheet: &Sheet{Format: f, Columns: map[string]string{}}}
}

// add consumes the cells of spreadsheet row line.
func (c *collector) add(line int, cells []string) error {
	if !c.header {
		if blank(cells) {
			return nil
		}
		c.header = true
		return c.readHeader(line, cells)
	}
	row := Row{Line: line}
	empty := true
	for i, v := range cells {
		v = cleanCell(v)
		if v == "" {
			continue
		}
		if i >= len(c.fields) || c.fields[i] == "" {
			return &HeaderError{Unnamed: []HeaderCell{{Row: line, Column: columnName(i), Text: clip(v, maxQuoted)}}}
		}
		if p := row.field(c.fields[i]); p != nil {
			*p = v
			empty = false
		}
	}
	if empty {
		return nil
	}
	if len(c.sheet.Rows) >= c.lim.MaxRows {
		return fmt.Errorf("%w: more than %d rows (at row %d)", ErrTooManyRows, c.lim.MaxRows, line)
	}
	row = normaliseRow(row)
	if c.sheet.Format == FormatXLSX {
		// Raw workbook values: a phone or employee number typed as a number
		// may be stored as 1.3800138E10.
		row.Phone = plainInteger(row.Phone)
		row.EmployeeNo = plainInteger(row.EmployeeNo)
	}
	c.sheet.Rows = append(c.sheet.Rows, row)
	return nil
}

// readHeader maps the header cells of row line to fields.
func (c *collector) readHeader(line int, cells []string) error {
	herr := &HeaderError{}
	c.fields = make([]string, len(cells))
	for i, v := range cells {
		key := normaliseHeader(v)
		if key == "" {
			continue
		}
		hc := HeaderCell{Row: line, Column: columnName(i), Text: clip(cleanCell(v), maxQuoted)}
		field, ok := headerAliases[key]
		switch {
		case !ok:
			herr.Unknown = addCapped(herr.Unknown, hc)
		case field == FieldStatus:
			c.fields[i] = field // known, ignored
		case c.sheet.Columns[field] != "":
			herr.Duplicate = addCapped(herr.Duplicate, hc)
		default:
			c.fields[i] = field
			c.sheet.Columns[field] = hc.Column
		}
	}
	for _, col := range templateColumns {
		if col.required && c.sheet.Columns[col.field] == "" {
			herr.Missing = append(herr.Missing, col.field)
		}
	}
	if c.sheet.Columns[FieldEmail] == "" && c.sheet.Columns[FieldPhone] == "" {
		// Members sign in by email or phone number: a file needs one of the two.
		herr.Missing = append(herr.Missing, FieldEmail)
	}
	if !herr.empty() {
		return herr
	}
	return nil
}

// finish returns the Sheet, or ErrEmpty if no header row was found.
func (c *collector) finish() (*Sheet, error) {
	if !c.header {
		return nil, ErrEmpty
	}
	return c.sheet, nil
}

// normaliseRow applies the Parse-time normalisation to a row of cleaned cells.
func normaliseRow(r Row) Row {
	r.Email = strings.ToLower(ascii(r.Email))
	r.Phone = ascii(r.Phone)
	r.EmployeeNo = ascii(r.EmployeeNo)
	r.Role = normaliseRole(r.Role)
	return r
}

// ascii prepares a field that should be ASCII: zero-width characters removed
// and full-width forms (１３８, ＠) narrowed, as Chinese input methods type them.
func ascii(s string) string {
	return trimCell(width.Narrow.String(stripInvisible(s)))
}

// blank reports whether every cell is empty after cleaning.
func blank(cells []string) bool {
	for _, v := range cells {
		if cleanCell(v) != "" {
			return false
		}
	}
	return true
}
