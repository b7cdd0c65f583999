package layout

import "strings"

// Mode names one of the fixed layouts.
type Mode int

// Modes. The names are those of hardware MCUs: "1+7" is one big pane and seven small ones.
const (
	ModeUnknown Mode = iota
	Single           // one pane filling the canvas
	Grid2x2          // four equal panes
	OnePlus7         // 4x4 grid: a 3x3 big pane top left, 7 small panes right and below
	OnePlus21        // 5x5 grid: a 2x2 big pane top left, 21 small panes
	TwoPlus21        // two big panes in the top half, 7x3 small panes in the bottom half
)

var modeNames = [...]string{
	ModeUnknown: "unknown",
	Single:      "single",
	Grid2x2:     "2x2",
	OnePlus7:    "1+7",
	OnePlus21:   "1+21",
	TwoPlus21:   "2+21",
}

// String returns the mode's name ("single", "2x2", "1+7", "1+21", "2+21"), or "unknown".
func (m Mode) String() string {
	if !m.Valid() {
		return "unknown"
	}
	return modeNames[m]
}

// Valid reports whether m is one of the defined modes (not ModeUnknown).
func (m Mode) Valid() bool { return m > ModeUnknown && int(m) < len(modeNames) }

// Modes returns every valid mode, in the order of the constants.
func Modes() []Mode { return []Mode{Single, Grid2x2, OnePlus7, OnePlus21, TwoPlus21} }

// ParseMode returns the mode named s (as String spells it; case and surrounding spaces are
// ignored), or a *ValidationError about the field "mode".
func ParseMode(s string) (Mode, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for _, m := range Modes() {
		if modeNames[m] == v {
			return m, nil
		}
	}
	return ModeUnknown, invalid("mode", "unknown layout %q: choose single, 2x2, 1+7, 1+21 or 2+21", short(s))
}
