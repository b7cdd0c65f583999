package layout

import (
	"math"
	"time"
)

// The range of Polling.Interval.
const (
	MinInterval = 5 * time.Second
	MaxInterval = 300 * time.Second
)

// Polling (轮询) makes chosen panes rotate through participants on the meeting's clock.
// Every consumer that computes the layout from the same Polling and the same Now sees the
// same rotation.
type Polling struct {
	Enabled bool
	// Panes are the indexes of the rotating panes, in any order; they are filled in
	// index order.
	Panes []int
	// Set is the participants to rotate through, in rotation order. Empty means everyone
	// not shown in a fixed pane, in roster order.
	Set []ParticipantID
	// Interval is how long each step of the rotation lasts, MinInterval to MaxInterval.
	Interval time.Duration
	// Epoch is the start of the meeting's polling clock: step k shows from
	// Epoch+k*Interval. The meeting's owner sets it, typically when polling is turned on
	// or changed, so that the first step lasts a whole Interval.
	Epoch time.Time
	// SkipNoVideo leaves participants without camera video out of the rotation (跳过无视频
	// 会场), so that audio-only terminals do not take a rotating pane.
	SkipNoVideo bool
}

// ValidatePolling checks a polling setting against the layout it is meant for: an
// interval of MinInterval to MaxInterval, an epoch, at least one pane, panes that exist in
// l and are listed once, and a set without empty or repeated IDs. A disabled setting is
// always valid. Errors are *ValidationError about the field "interval", "epoch", "panes"
// or "set".
//
// Assign runs only polling whose interval, epoch and panes pass these checks (polling set
// up for another mode stays off until it is set again); it ignores empty, repeated and
// absent IDs in Set.
func ValidatePolling(p Polling, l Layout) error {
	if !p.Enabled {
		return nil
	}
	if p.Interval < MinInterval || p.Interval > MaxInterval {
		return invalid("interval", "the polling interval must be %d to %d seconds", MinInterval/time.Second, MaxInterval/time.Second)
	}
	if p.Epoch.IsZero() {
		return invalid("epoch", "polling needs the start of the meeting's polling clock")
	}
	if len(p.Panes) == 0 {
		return invalid("panes", "choose at least one pane to poll")
	}
	var seen [maxPanes]bool
	for _, i := range p.Panes {
		if i < 0 || i >= len(l.Panes) {
			return invalid("panes", "pane %d does not exist in the %s layout, which has panes 0 to %d", i, l.Mode, len(l.Panes)-1)
		}
		if seen[i] {
			return invalid("panes", "pane %d is listed twice", i)
		}
		seen[i] = true
	}
	set := make(map[ParticipantID]struct{}, len(p.Set))
	for _, id := range p.Set {
		if id == "" {
			return invalid("set", "a participant ID in the polling set is empty")
		}
		if _, ok := set[id]; ok {
			return invalid("set", "participant %q is listed twice", short(string(id)))
		}
		set[id] = struct{}{}
	}
	return nil
}

// runs reports whether Assign runs p on a layout of n panes: the checks of ValidatePolling
// except those of Set, without allocating.
func (p Polling) runs(n int) bool {
	if !p.Enabled || p.Interval < MinInterval || p.Interval > MaxInterval || p.Epoch.IsZero() || len(p.Panes) == 0 {
		return false
	}
	var seen [maxPanes]bool
	for _, i := range p.Panes {
		if i < 0 || i >= n || seen[i] {
			return false
		}
		seen[i] = true
	}
	return true
}

// step returns the step of the rotation at now, floor((now-Epoch)/Interval), with every
// instant before Epoch in step 0, and when the step after it starts. The clock stops
// where time.Duration does, 292 years after Epoch: from the last step it can reach, next
// is zero, because the result never changes again.
func (p Polling) step(now time.Time) (k int64, next time.Time) {
	if d := now.Sub(p.Epoch); d > 0 {
		k = int64(d / p.Interval)
	}
	if k >= math.MaxInt64/int64(p.Interval) {
		return k, time.Time{}
	}
	return k, p.Epoch.Add(time.Duration(k+1) * p.Interval)
}
