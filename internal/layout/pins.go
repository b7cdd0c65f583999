package layout

import (
	"maps"
	"slices"
)

// ValidatePins checks pins (pane index -> participant) against the layout they are meant
// for: every pane exists in l, no ID is empty and nobody is pinned to two panes. Errors
// are *ValidationError about the field "pins". Pins of participants who are not in the
// meeting are valid: they take effect when the participant joins.
//
// Assign ignores pins that fail these checks pane by pane: a pane that does not exist or
// an empty ID pins nothing, and of two pins of one participant the lower pane wins.
func ValidatePins(pins map[int]ParticipantID, l Layout) error {
	pinned := make(map[ParticipantID]int, len(pins))
	for _, i := range slices.Sorted(maps.Keys(pins)) {
		id := pins[i]
		switch j, twice := pinned[id]; {
		case i < 0 || i >= len(l.Panes):
			return invalid("pins", "pane %d does not exist in the %s layout, which has panes 0 to %d", i, l.Mode, len(l.Panes)-1)
		case id == "":
			return invalid("pins", "pane %d is pinned to an empty participant ID", i)
		case twice:
			return invalid("pins", "participant %q is pinned to panes %d and %d", short(string(id)), j, i)
		}
		pinned[id] = i
	}
	return nil
}
