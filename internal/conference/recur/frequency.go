package recur

// Frequency is how often a Rule repeats (RFC 5545 FREQ, the subset a booking form offers).
type Frequency int

// Frequencies.
const (
	FrequencyUnknown Frequency = iota
	Daily
	Weekly
	Monthly
)

// String returns the RFC 5545 FREQ value ("DAILY", "WEEKLY", "MONTHLY"), or "UNKNOWN".
func (f Frequency) String() string {
	switch f {
	case Daily:
		return "DAILY"
	case Weekly:
		return "WEEKLY"
	case Monthly:
		return "MONTHLY"
	}
	return "UNKNOWN"
}
