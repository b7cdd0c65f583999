package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Zip-bomb thresholds applied before excelize sees a workbook.
const (
	// maxZipEntries bounds the parts of a workbook; a real one has a few dozen.
	maxZipEntries = 1000
	// maxRatio is the largest compression ratio allowed for a part larger
	// than ratioFloor. Sheet XML compresses about 10:1; zeros about 1000:1.
	maxRatio   = 100
	ratioFloor = 1 << 20
	// maxXMLInMemory is the largest worksheet or shared-string table
	// excelize keeps in memory; larger ones are spilled to temporary files
	// and streamed from there. A shared-string table in memory costs about
	// 20 times its size in heap; streamed, about 50 bytes per string.
	maxXMLInMemory = 1 << 20
	// sheetElementsPerRow sets the XML element budget of the worksheets and
	// the shared-string table together: this many elements per allowed row.
	// A dense row of the template costs about 25 (row, cells, values or
	// inline strings, shared strings).
	sheetElementsPerRow = 48
	// partElements and partBytes bound every other part (workbook,
	// relationships, content types), which excelize may unmarshal whole at
	// several hundred bytes per element and copy several times; real ones
	// hold tens to hundreds of elements in a few kilobytes.
	partElements = 10000
	partBytes    = 4 << 20
)

// unusedParts are parts excelize would unmarshal when it opens a workbook
// (with the theme, under unusedPrefixes) but that reading the raw cell values
// of the first sheet never needs. They are neither inflated nor given to excelize, which removes
// their cost and their attack surface. Names are as excelize looks them up
// (exact, forward slashes).
var unusedParts = map[string]bool{
	"xl/styles.xml":    true,
	"xl/calcChain.xml": true,
}

// unusedPrefixes are folders of parts that excelize does not read for raw
// cell values: drawings, charts, pivot tables, media, comments and so on.
// Dropping a part excelize did need would only make the upload fail.
var unusedPrefixes = []string{
	"docProps/", "customXml/", "xl/media/", "xl/drawings/", "xl/charts/",
	"xl/chartsheets/", "xl/pivotTables/", "xl/pivotCache/", "xl/externalLinks/",
	"xl/printerSettings/", "xl/tables/", "xl/queryTables/", "xl/slicers/",
	"xl/slicerCaches/", "xl/timelines/", "xl/timelineCaches/", "xl/ctrlProps/",
	"xl/activeX/", "xl/embeddings/", "xl/threadedComments/", "xl/persons/",
	"xl/richData/", "xl/theme/", "xl/comments", "xl/vbaProject", "xl/model/",
	"xl/revisions/",
}

// unused reports whether the part named name is dropped before excelize.
func unused(name string) bool {
	name = strings.ReplaceAll(name, `\`, "/")
	if unusedParts[name] {
		return true
	}
	for _, p := range unusedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// parseXLSX reads the first worksheet of the workbook held in b.
func parseXLSX(b []byte, lim Limits) (s *Sheet, err error) {
	b, err = inspectZip(b, lim)
	if err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelizeOptions(lim))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
	}
	defer func() {
		// Close removes excelize's temporary files.
		if cerr := f.Close(); cerr != nil && err == nil {
			s, err = nil, fmt.Errorf("sheet: closing workbook: %w", cerr)
		}
	}()
	names := f.GetSheetList()
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: workbook has no worksheet", ErrNotSpreadsheet)
	}
	rows, err := f.Rows(names[0])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
	}
	c := newCollector(FormatXLSX, lim)
	// Rows.Next also stops at gaps between rows, so counting calls gives the
	// spreadsheet row number.
	for line := 1; rows.Next(); line++ {
		cells, err := rows.Columns()
		if err != nil {
			_ = rows.Close()
			return nil, fmt.Errorf("%w: row %d: %v", ErrNotSpreadsheet, line, err)
		}
		if err := c.add(line, cells); err != nil {
			_ = rows.Close()
			return nil, err
		}
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
	}
	return c.finish()
}

// excelizeOptions bounds excelize itself, as a second line of defence behind
// inspectZip.
func excelizeOptions(lim Limits) excelize.Options {
	return excelize.Options{
		// Raw values: the display format could show a phone number as
		// 1.38E+10 and lose digits. It also means styles are never needed.
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUnzippedBytes,
		UnzipXMLSizeLimit: min(lim.MaxUnzippedBytes, maxXMLInMemory),
	}
}

// inspectZip vets a workbook before excelize reads it and returns the
// workbook excelize should read: the same parts minus the unused ones.
//
// It first checks the declared sizes (total, per-part compression ratio,
// number of parts), then inflates every part through an xmlScanner to prove
// the declarations true and to bound the XML elements: a part whose stream is
// longer than its declared size is a bomb aimed at readers that trust the
// header. Inflation stops at the declared size, so the cost is bounded by
// MaxUnzippedBytes and memory by a few small buffers.
func inspectZip(b []byte, lim Limits) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
	}
	if len(zr.File) > maxZipEntries {
		return nil, fmt.Errorf("%w: %d parts, the limit is %d", ErrZipBomb, len(zr.File), maxZipEntries)
	}
	limit := uint64(lim.MaxUnzippedBytes)
	var total uint64
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		if size > limit || total+size > limit {
			return nil, fmt.Errorf("%w: more than %d bytes uncompressed", ErrZipBomb, lim.MaxUnzippedBytes)
		}
		total += size
		if size > ratioFloor && size/max(zf.CompressedSize64, 1) > maxRatio {
			return nil, fmt.Errorf("%w: part %q has a compression ratio above %d:1", ErrZipBomb, zf.Name, maxRatio)
		}
	}
	scan := &xmlScanner{
		sheetBudget: int64(lim.MaxRows+1) * sheetElementsPerRow,
		partBudget:  partElements,
		partBytes:   partBytes,
	}
	prune := false
	for _, zf := range zr.File {
		if unused(zf.Name) {
			prune = true
			continue
		}
		if err := checkPart(zf, scan); err != nil {
			return nil, err
		}
	}
	if !prune {
		return b, nil
	}
	var out bytes.Buffer
	out.Grow(len(b))
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		if unused(zf.Name) {
			continue
		}
		// Copy moves the compressed bytes as they are: no inflating.
		if err := zw.Copy(zf); err != nil {
			return nil, fmt.Errorf("%w: part %q: %v", ErrNotSpreadsheet, zf.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
	}
	return out.Bytes(), nil
}

// checkPart inflates one part into scan and checks that it is exactly as long
// as declared, intact, and within the element budget.
func checkPart(zf *zip.File, scan *xmlScanner) error {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%w: part %q: %v", ErrNotSpreadsheet, zf.Name, err)
	}
	defer rc.Close()
	scan.startPart()
	n, err := io.Copy(scan, io.LimitReader(rc, int64(zf.UncompressedSize64)+1))
	switch {
	case uint64(n) > zf.UncompressedSize64, errors.Is(err, zip.ErrFormat):
		// archive/zip reports ErrFormat when a part outgrows its declared size.
		return fmt.Errorf("%w: part %q is larger than its declared %d bytes", ErrZipBomb, zf.Name, zf.UncompressedSize64)
	case errors.Is(err, errElementBudget), errors.Is(err, errPartBytes):
		return fmt.Errorf("%w: part %q takes the workbook over its XML element budget; save only the member list as a new .xlsx or .csv", ErrTooLarge, zf.Name)
	case errors.Is(err, errXMLEncoding):
		return fmt.Errorf("%w: part %q: %v", ErrNotSpreadsheet, zf.Name, err)
	case err != nil:
		return fmt.Errorf("%w: part %q: %v", ErrNotSpreadsheet, zf.Name, err)
	}
	return nil
}
