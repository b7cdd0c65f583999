package sheet

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"

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
	// maxXMLInMemory is the largest part excelize keeps in memory; larger
	// worksheets and shared-string tables are spilled to temporary files
	// and streamed from there, which keeps the heap small.
	maxXMLInMemory = 16 << 20
)

// parseXLSX reads the first worksheet of the workbook held in b.
func parseXLSX(b []byte, lim Limits) (s *Sheet, err error) {
	if err := checkZip(b, lim.MaxUnzippedBytes); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{
		// Raw values: the display format could show a phone number as
		// 1.38E+10 and lose digits.
		RawCellValue:      true,
		UnzipSizeLimit:    lim.MaxUnzippedBytes,
		UnzipXMLSizeLimit: min(lim.MaxUnzippedBytes, maxXMLInMemory),
	})
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

// checkZip refuses a workbook that would decompress to more than maxUnzipped
// bytes, before excelize reads it. It first checks the declared sizes (total,
// per-part compression ratio, number of parts), then inflates every part to
// io.Discard to prove the declarations true: a part whose stream is longer
// than its declared size is a bomb aimed at readers that trust the header.
// Inflation stops at the declared size, so the cost is bounded by maxUnzipped
// and memory by a few small buffers.
func checkZip(b []byte, maxUnzipped int64) error {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return fmt.Errorf("%w: %v", ErrNotSpreadsheet, err)
	}
	if len(zr.File) > maxZipEntries {
		return fmt.Errorf("%w: %d parts, the limit is %d", ErrZipBomb, len(zr.File), maxZipEntries)
	}
	limit := uint64(maxUnzipped)
	var total uint64
	for _, zf := range zr.File {
		size := zf.UncompressedSize64
		if size > limit || total+size > limit {
			return fmt.Errorf("%w: more than %d bytes uncompressed", ErrZipBomb, maxUnzipped)
		}
		total += size
		if size > ratioFloor && size/max(zf.CompressedSize64, 1) > maxRatio {
			return fmt.Errorf("%w: part %q has a compression ratio above %d:1", ErrZipBomb, zf.Name, maxRatio)
		}
	}
	for _, zf := range zr.File {
		if err := checkPart(zf); err != nil {
			return err
		}
	}
	return nil
}

// checkPart inflates one part to io.Discard and checks that it is exactly
// as long as declared and intact.
func checkPart(zf *zip.File) error {
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%w: part %q: %v", ErrNotSpreadsheet, zf.Name, err)
	}
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, int64(zf.UncompressedSize64)+1))
	switch {
	case uint64(n) > zf.UncompressedSize64, errors.Is(err, zip.ErrFormat):
		// archive/zip reports ErrFormat when a part outgrows its declared size.
		return fmt.Errorf("%w: part %q is larger than its declared %d bytes", ErrZipBomb, zf.Name, zf.UncompressedSize64)
	case err != nil:
		return fmt.Errorf("%w: part %q: %v", ErrNotSpreadsheet, zf.Name, err)
	}
	return nil
}
