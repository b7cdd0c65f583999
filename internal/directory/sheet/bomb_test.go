package sheet

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// zeros is the deflated form of 200 MiB of zero bytes (about 250 KB), built
// once.
var zeros = sync.OnceValues(func() ([]byte, uint32) {
	return deflateZeros(200 << 20)
})

// deflateZeros returns n zero bytes deflated, and their CRC-32.
func deflateZeros(n int) ([]byte, uint32) {
	chunk := make([]byte, 1<<20)
	var buf bytes.Buffer
	w, _ := flate.NewWriter(&buf, flate.BestSpeed)
	crc := crc32.NewIEEE()
	for n > 0 {
		c := chunk[:min(n, len(chunk))]
		_, _ = w.Write(c)
		_, _ = crc.Write(c)
		n -= len(c)
	}
	_ = w.Close()
	return buf.Bytes(), crc.Sum32()
}

// withRawPart returns the workbook base with part name replaced by raw
// deflate data described by fh, which may lie.
func withRawPart(t testing.TB, base []byte, fh zip.FileHeader, raw []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(base), int64(len(base)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range zr.File {
		if f.Name == fh.Name {
			continue
		}
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	fh.Method = zip.Deflate
	w, err := zw.CreateRaw(&fh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestParseZipBomb(t *testing.T) {
	base := buildXLSX(t, [][]any{{"Name", "Email"}, {"a", "a@example.com"}})
	const sheetPart = "xl/worksheets/sheet1.xml"
	big, bigCRC := zeros()
	small, smallCRC := deflateZeros(2 << 20)
	tiny, tinyCRC := deflateZeros(100 << 10)
	manyParts := func() []byte {
		var buf bytes.Buffer
		zr, _ := zip.NewReader(bytes.NewReader(base), int64(len(base)))
		zw := zip.NewWriter(&buf)
		for _, f := range zr.File {
			_ = zw.Copy(f)
		}
		for i := range maxZipEntries {
			w, _ := zw.Create(fmt.Sprintf("xl/media/x%d.bin", i))
			_, _ = w.Write([]byte("x"))
		}
		_ = zw.Close()
		return buf.Bytes()
	}
	thousand := [][]any{{"Name", "Email"}}
	for i := range 1000 {
		thousand = append(thousand, []any{"n", fmt.Sprintf("u%d@example.com", i)})
	}

	tests := []struct {
		name    string
		in      []byte
		lim     Limits
		wantErr error
	}{
		{"declared size lies: 200 MiB stream declared as 4 KiB",
			withRawPart(t, base, zip.FileHeader{Name: sheetPart, CompressedSize64: uint64(len(big)), UncompressedSize64: 4096, CRC32: bigCRC}, big),
			DefaultLimits(), ErrZipBomb},
		{"declared size lies: zero declared",
			withRawPart(t, base, zip.FileHeader{Name: sheetPart, CompressedSize64: uint64(len(big)), UncompressedSize64: 0}, big),
			DefaultLimits(), ErrZipBomb},
		{"honest 200 MiB part",
			withRawPart(t, base, zip.FileHeader{Name: sheetPart, CompressedSize64: uint64(len(big)), UncompressedSize64: 200 << 20, CRC32: bigCRC}, big),
			DefaultLimits(), ErrZipBomb},
		{"honest 2 MiB part at 1000:1",
			withRawPart(t, base, zip.FileHeader{Name: sheetPart, CompressedSize64: uint64(len(small)), UncompressedSize64: 2 << 20, CRC32: smallCRC}, small),
			DefaultLimits(), ErrZipBomb},
		{"too many parts", manyParts(), DefaultLimits(), ErrZipBomb},
		{"total above MaxUnzippedBytes", buildXLSX(t, thousand), Limits{MaxUnzippedBytes: 40 << 10}, ErrZipBomb},
		{"declared size too large: stream ends early",
			withRawPart(t, base, zip.FileHeader{Name: sheetPart, CompressedSize64: uint64(len(tiny)), UncompressedSize64: 200 << 10, CRC32: tinyCRC}, tiny),
			DefaultLimits(), ErrNotSpreadsheet},
		{"bad checksum",
			withRawPart(t, base, zip.FileHeader{Name: sheetPart, CompressedSize64: uint64(len(tiny)), UncompressedSize64: 100 << 10, CRC32: tinyCRC + 1}, tiny),
			DefaultLimits(), ErrNotSpreadsheet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			_, err := Parse(bytes.NewReader(tt.in), FormatXLSX, tt.lim)
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%v in %v, allocated %d KiB, heap in use %d KiB", err, elapsed, allocated>>10, after.HeapInuse>>10)
			if allocated > 100<<20 {
				t.Errorf("allocated %d MiB, want under 100 MiB", allocated>>20)
			}
			if elapsed > 2*time.Second {
				t.Errorf("took %v, want under 2s", elapsed)
			}
		})
	}
}

// TestExcelizeBoundedWithoutPrecheck opens the lying bomb with excelize
// directly, with the options parseXLSX passes, to show that the second line
// of defence holds: archive/zip stops inflating a part at its declared size,
// so a 200 MiB stream costs a small multiple of what it declares, never of
// its real size. (excelize spills parts above maxXMLInMemory to a temporary
// file and, when that copy fails, reads the part into memory instead.)
func TestExcelizeBoundedWithoutPrecheck(t *testing.T) {
	base := buildXLSX(t, [][]any{{"Name", "Email"}, {"a", "a@example.com"}})
	big, crc := zeros()
	for _, declared := range []uint64{4096, 8 << 20} {
		t.Run(fmt.Sprint(declared), func(t *testing.T) {
			bomb := withRawPart(t, base, zip.FileHeader{Name: "xl/worksheets/sheet1.xml", CompressedSize64: uint64(len(big)), UncompressedSize64: declared, CRC32: crc}, big)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			x, err := excelize.OpenReader(bytes.NewReader(bomb), excelizeOptions(DefaultLimits()))
			if err == nil {
				rows, _ := x.GetRows(x.GetSheetName(0))
				t.Logf("excelize read %d rows", len(rows))
				_ = x.Close()
			}
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("err %v, allocated %d KiB", err, allocated>>10)
			if limit := 8*declared + 16<<20; allocated > limit {
				t.Errorf("allocated %d KiB, want under %d KiB", allocated>>10, limit>>10)
			}
		})
	}
}

// TestParseZipBombLegitimate checks that a legitimate, highly
// compressible workbook is not mistaken for a bomb.
func TestParseZipBombLegitimate(t *testing.T) {
	rows := [][]any{{"Name", "Email", "Department"}}
	for i := range 5000 {
		rows = append(rows, []any{"张三", fmt.Sprintf("user%d@example.com", i), "研发部研发部研发部研发部"})
	}
	s := mustParse(t, buildXLSX(t, rows), FormatXLSX)
	if len(s.Rows) != 5000 {
		t.Errorf("parsed %d rows, want 5000", len(s.Rows))
	}
}
