package audiolevel

import "errors"

// Sentinel errors of the package, matched with errors.Is.
var (
	// ErrDuplicateID is returned by Detector.Add for an ID that is already present.
	ErrDuplicateID = errors.New("audiolevel: id already added")
	// ErrNilMeter is returned by Detector.Add for a nil Meter.
	ErrNilMeter = errors.New("audiolevel: nil meter")
)
