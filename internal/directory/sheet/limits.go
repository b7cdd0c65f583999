package sheet

// Limits bounds what Parse accepts; a zero or negative field means its default.
//
// A workbook is also held to an XML element budget derived from MaxRows, so
// that its structure, not only its size, stays proportional to the rows it
// may hold; Parse refuses one over budget with ErrTooLarge.
type Limits struct {
	MaxBytes         int64 // size of the uploaded file
	MaxRows          int   // non-blank data rows, header excluded
	MaxUnzippedBytes int64 // total decompressed size of an .xlsx workbook
}

// Default limit values, see DefaultLimits.
const (
	DefaultMaxBytes         = 5 << 20
	DefaultMaxRows          = 10000
	DefaultMaxUnzippedBytes = 50 << 20
)

// DefaultLimits returns 5 MiB per file, 10,000 rows and 50 MiB decompressed.
func DefaultLimits() Limits {
	return Limits{MaxBytes: DefaultMaxBytes, MaxRows: DefaultMaxRows, MaxUnzippedBytes: DefaultMaxUnzippedBytes}
}

// withDefaults fills zero or negative fields with the defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxRows <= 0 {
		l.MaxRows = DefaultMaxRows
	}
	if l.MaxUnzippedBytes <= 0 {
		l.MaxUnzippedBytes = DefaultMaxUnzippedBytes
	}
	return l
}
