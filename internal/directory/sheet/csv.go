package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// parseCSV reads a CSV upload held in b.
func parseCSV(b []byte, lim Limits) (*Sheet, error) {
	text, err := decodeText(b)
	if err != nil {
		return nil, err
	}
	comma, text := sepLine(text)
	if comma == 0 {
		comma = sniffDelimiter(text)
	}
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = comma
	r.LazyQuotes = true    // Excel and hand-edited files often carry stray quotes
	r.FieldsPerRecord = -1 // trailing empty cells are often dropped
	r.ReuseRecord = true

	c := newCollector(FormatCSV, lim)
	line, lastLine := 0, 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
		}
		// encoding/csv skips empty lines, which a spreadsheet application
		// shows as rows; count them so Line matches what the user sees.
		// A quoted cell may span lines but is still one row.
		start, _ := r.FieldPos(0)
		line += 1 + max(0, start-lastLine-1)
		end, _ := r.FieldPos(len(rec) - 1)
		lastLine = end + strings.Count(rec[len(rec)-1], "\n")
		if err := c.add(line, rec); err != nil {
			return nil, err
		}
	}
	return c.finish()
}

// decodeText turns the bytes of a CSV upload into UTF-8 without a BOM. It
// accepts UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode
// text") and, for anything that is not valid UTF-8, GB18030, the superset of
// GBK that Excel uses for CSV on Chinese Windows.
func decodeText(b []byte) ([]byte, error) {
	var enc interface{ Bytes([]byte) ([]byte, error) }
	switch {
	case bytes.HasPrefix(b, utf16LEBOM), bytes.HasPrefix(b, utf16BEBOM):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder()
	case sniff(b) == contentOLE:
		return nil, legacyError()
	case bytes.IndexByte(b, 0) >= 0 || sniff(b) != contentText && len(b) > 0:
		return nil, fmt.Errorf("%w: binary content in a CSV file", ErrNotSpreadsheet)
	case bytes.HasPrefix(b, utf8BOM):
		return bytes.ToValidUTF8(b[len(utf8BOM):], []byte("\uFFFD")), nil
	case utf8.Valid(b):
		return b, nil
	default:
		enc = simplifiedchinese.GB18030.NewDecoder()
	}
	text, err := enc.Bytes(b)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot decode text: %v", ErrNotSpreadsheet, err)
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, fmt.Errorf("%w: binary content in a CSV file", ErrNotSpreadsheet)
	}
	return text, nil
}

// sepLine reads the "sep=;" first line that Excel writes and honours to name
// the delimiter. Excel does not show it as a row, so it is cut from text. It
// returns 0 and text unchanged when there is no such line.
func sepLine(text []byte) (rune, []byte) {
	line, rest, _ := bytes.Cut(text, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) != len("sep=;") || !bytes.EqualFold(line[:4], []byte("sep=")) {
		return 0, text
	}
	switch d := line[4]; d {
	case ',', ';', '\t', '|':
		return rune(d), rest
	}
	return 0, text
}

// sniffDelimiter picks the field separator from the first line: a comma when
// it has one, else a tab (Excel's "Unicode text" export), else a semicolon
// (Excel in locales with a decimal comma), else a comma.
func sniffDelimiter(text []byte) rune {
	var counts [256]int
	quoted, seen := false, false
	for _, c := range text {
		switch {
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '\n' && seen:
			// End of the first non-empty line.
			return pickDelimiter(&counts)
		case c != '\n' && c != '\r' && c != ' ':
			counts[c]++
			seen = true
		}
	}
	return pickDelimiter(&counts)
}

// pickDelimiter chooses among the characters counted by sniffDelimiter.
func pickDelimiter(counts *[256]int) rune {
	for _, d := range []byte{',', '\t', ';'} {
		if counts[d] > 0 {
			return rune(d)
		}
	}
	return ','
}
