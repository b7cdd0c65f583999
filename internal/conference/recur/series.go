package recur

import (
	"iter"
	"maps"
	"slices"
	"time"
)

// MaxDuration is the longest meeting, for the series and for a single occurrence.
const MaxDuration = 24 * time.Hour

// Exception changes one occurrence of a series, which is identified by its Key in
// Series.Exceptions (iCalendar: EXDATE when cancelled, a RECURRENCE-ID override when
// moved).
type Exception struct {
	// Cancelled removes the occurrence; Start and Duration are then ignored.
	Cancelled bool
	// Start is the moved start; the zero time keeps the original start.
	Start time.Time
	// Duration is the moved duration; 0 keeps the series duration.
	Duration time.Duration
}

// Series is a recurring booking, or a single meeting when Rule is nil. Methods take it by
// value and never modify it. The expanding methods (Between, All, Window, Has, ExDates,
// Moved) expect a series that passed Validate; on other input they return nothing or
// partial results, never more than MaxOccurrences occurrences, and do not panic.
type Series struct {
	// Start is the start of the first occurrence: an instant (its location does not
	// matter); the series repeats at its wall-clock time in Zone. Build it with Date so that
	// DST gaps and overlaps resolve as in iCalendar. Whole seconds.
	Start    time.Time
	Duration time.Duration
	// Zone is the booker's IANA time zone, in which the rule is expanded.
	Zone *time.Location
	// Rule repeats the meeting; nil means a single meeting.
	Rule *Rule
	// Exceptions change single occurrences, keyed by their original start (KeyOf).
	Exceptions map[Key]Exception
}

// Occurrence is one meeting of a series.
type Occurrence struct {
	// Key is the original start (the iCalendar RECURRENCE-ID).
	Key Key
	// Start and End are the meeting's time in UTC, after exceptions.
	Start, End time.Time
	// Moved reports that an exception changed the start or the duration.
	Moved bool
}

// Validate reports whether s is a bookable series: a zone, a whole-second start, a
// duration in (0, MaxDuration], a valid Rule for the start (see Rule.Validate), a start
// that is the first of two readings when its wall-clock time occurs twice (the only one
// iCalendar can name), and exceptions only on occurrences of the series, with durations
// in [0, MaxDuration]. A single meeting has no exceptions. Errors are *ValidationError.
func (s Series) Validate() error {
	switch {
	case s.Zone == nil:
		return invalid("zone", "a time zone is required")
	case s.Start.IsZero():
		return invalid("start", "a start is required")
	case s.Start.Nanosecond() != 0:
		return invalid("start", "the start must be a whole second")
	case s.Duration <= 0 || s.Duration > MaxDuration:
		return invalid("duration", "the duration must be more than 0 and at most %s", MaxDuration)
	}
	if s.Rule == nil {
		if len(s.Exceptions) > 0 {
			return invalid("exceptions", "a single meeting has no exceptions: change the meeting itself")
		}
		return nil
	}
	local := s.Start.In(s.Zone)
	if err := s.Rule.Validate(local); err != nil {
		return err
	}
	if first := resolve(wallOf(local), s.Zone); !first.Equal(s.Start) {
		return invalid("start", "%s occurs twice on %s in %s and a recurring series can only start at the first (%s UTC)",
			local.Format("15:04"), local.Format(time.DateOnly), s.Zone, first.Format("15:04"))
	}
	keys := slices.SortedFunc(maps.Keys(s.Exceptions), Key.Compare)
	for _, k := range keys {
		if ex := s.Exceptions[k]; !ex.Cancelled && (ex.Duration < 0 || ex.Duration > MaxDuration) {
			return invalid("exceptions", "the meeting of %s: the duration must be at most %s", k, MaxDuration)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	found := make(map[Key]bool, len(keys))
	for _, start := range s.originals() {
		found[KeyOf(start)] = true
	}
	for _, k := range keys {
		if !found[k] {
			return invalid("exceptions", "no meeting of the series starts at %s", k)
		}
	}
	return nil
}

// Between returns every occurrence overlapping [from, to), after exceptions (a moved
// occurrence appears where it was moved to, a cancelled one not at all), sorted by Start.
func (s Series) Between(from, to time.Time) []Occurrence {
	if !from.Before(to) {
		return nil
	}
	// Originals are expanded in order, so stop at to, unless an occurrence that starts
	// later was moved and might land in the window.
	horizon := to
	for k, ex := range s.Exceptions {
		if t := k.Time(); !ex.Cancelled && !ex.Start.IsZero() && !t.Before(horizon) {
			horizon = t.Add(time.Second)
		}
	}
	var out []Occurrence
	for _, start := range s.originals() {
		if !start.Before(horizon) {
			break
		}
		if o, ok := s.apply(start); ok && o.Start.Before(to) && o.End.After(from) {
			out = append(out, o)
		}
	}
	sortByStart(out)
	return out
}

// All returns every occurrence of the series (at most MaxOccurrences), after exceptions,
// sorted by Start: what a conflict check compares.
func (s Series) All() []Occurrence {
	var out []Occurrence
	for _, start := range s.originals() {
		if o, ok := s.apply(start); ok {
			out = append(out, o)
		}
	}
	sortByStart(out)
	return out
}

// Window returns the interval [from, to) covering every occurrence after exceptions,
// from the earliest start to the latest end, for indexing a series. Both are zero when no
// occurrence remains.
func (s Series) Window() (from, to time.Time) {
	for i, o := range s.All() {
		if i == 0 {
			from = o.Start
		}
		if o.End.After(to) {
			to = o.End
		}
	}
	return from, to
}

// Has reports whether key is the original start of an occurrence of s (cancelled or not),
// to validate a request to move or cancel it.
func (s Series) Has(key Key) bool {
	t := key.Time()
	for _, start := range s.originals() {
		if !start.Before(t) {
			return start.Equal(t)
		}
	}
	return false
}

// ExDates returns the original starts of the cancelled occurrences, in order, for the
// iCalendar EXDATE property.
func (s Series) ExDates() []Key {
	var out []Key
	for _, start := range s.originals() {
		if k := KeyOf(start); s.Exceptions[k].Cancelled {
			out = append(out, k)
		}
	}
	return out
}

// Moved returns the moved occurrences in order of their original start, for iCalendar
// overrides (a VEVENT with RECURRENCE-ID per occurrence).
func (s Series) Moved() []Occurrence {
	var out []Occurrence
	for _, start := range s.originals() {
		if o, ok := s.apply(start); ok && o.Moved {
			out = append(out, o)
		}
	}
	return out
}

// SplitAt implements "this and following occurrences": before is s ending just before
// the occurrence at key, keeping the exceptions before key; after is a new series that
// starts at that occurrence's original start, with the same rule shape (the remaining
// Count, or the same Until) and the exceptions at and after key. Together they have
// exactly the occurrences of s. SplitAt refuses an invalid series, a key that is not an
// occurrence (ErrNotOccurrence), the first occurrence (ErrSplitAtFirst: change the whole
// series) and an occurrence shifted by a DST gap (ErrSplitInGap).
func (s Series) SplitAt(key Key) (before, after Series, err error) {
	if err := s.Validate(); err != nil {
		return Series{}, Series{}, err
	}
	i := 0
	var prev, wall, start time.Time
	found := false
	for w, t := range s.originals() {
		if k := KeyOf(t); k == key {
			wall, start, found = w, t, true
			break
		} else if k.Compare(key) > 0 {
			break
		}
		prev = w
		i++
	}
	switch {
	case !found:
		return Series{}, Series{}, ErrNotOccurrence
	case i == 0:
		return Series{}, Series{}, ErrSplitAtFirst
	case !exists(wall, s.Zone):
		return Series{}, Series{}, ErrSplitInGap
	}
	br, ar := s.Rule.clone(), s.Rule.clone()
	if s.Rule.Count > 0 {
		br.Count, ar.Count = i, s.Rule.Count-i
	} else {
		br.Until = dateOf(prev)
	}
	before = Series{Start: s.Start, Duration: s.Duration, Zone: s.Zone, Rule: &br}
	after = Series{Start: start, Duration: s.Duration, Zone: s.Zone, Rule: &ar}
	for k, ex := range s.Exceptions {
		half := &before
		if k.Compare(key) >= 0 {
			half = &after
		}
		if half.Exceptions == nil {
			half.Exceptions = make(map[Key]Exception)
		}
		half.Exceptions[k] = ex
	}
	return before, after, nil
}

// originals yields the floating wall-clock start and the instant (UTC) of every original
// occurrence, in order: at most MaxOccurrences, nothing when s has no zone or start or an
// invalid rule.
func (s Series) originals() iter.Seq2[time.Time, time.Time] {
	return func(yield func(wall, start time.Time) bool) {
		if s.Zone == nil || s.Start.IsZero() {
			return
		}
		w := wallOf(s.Start.In(s.Zone))
		if s.Rule == nil {
			yield(w, time.Unix(s.Start.Unix(), 0).UTC())
			return
		}
		if s.Rule.check() != nil {
			return
		}
		n := 0
		for t := range s.Rule.walls(w) {
			if n == MaxOccurrences || !yield(t, resolve(t, s.Zone)) {
				return
			}
			n++
		}
	}
}

// apply returns the occurrence originally starting at start after its exception, and
// false when it is cancelled.
func (s Series) apply(start time.Time) (Occurrence, bool) {
	o := Occurrence{Key: KeyOf(start), Start: start, End: start.Add(s.Duration)}
	ex, ok := s.Exceptions[o.Key]
	switch {
	case !ok:
		return o, true
	case ex.Cancelled:
		return Occurrence{}, false
	}
	d := s.Duration
	if ex.Duration > 0 {
		d = ex.Duration
	}
	if !ex.Start.IsZero() {
		o.Start = ex.Start.UTC()
	}
	o.End = o.Start.Add(d)
	o.Moved = !o.Start.Equal(start) || d != s.Duration
	return o, true
}

func sortByStart(os []Occurrence) {
	slices.SortFunc(os, func(a, b Occurrence) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return a.Key.Compare(b.Key)
	})
}
