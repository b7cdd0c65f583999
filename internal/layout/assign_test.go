package layout

import (
	"slices"
	"testing"
)

func TestAssign(t *testing.T) {
	abcd := roster("a", "b", "c", "d")
	tests := []struct {
		name   string
		in     Input
		want   []string // see render
		hidden int
	}{
		// Single.
		{"single empty roster", Input{Mode: Single}, []string{""}, 0},
		{"single first participant", Input{Mode: Single, Roster: abcd}, []string{"a"}, 3},
		{"single active speaker", Input{Mode: Single, Roster: abcd, ActiveSpeaker: "c"}, []string{"c"}, 3},
		{"single presenter before speaker", Input{Mode: Single, Roster: roster("a", "b", "c^", "d"), ActiveSpeaker: "b"}, []string{"c"}, 3},
		{"single screen before presenter", Input{Mode: Single, Roster: roster("a", "b^", "c!", "d"), ActiveSpeaker: "d"}, []string{"c/screen"}, 3},
		{"single pin before everything", Input{Mode: Single, Roster: roster("a", "b^", "c!"), Pins: map[int]ParticipantID{0: "a"}}, []string{"a"}, 2},

		// 2x2 and overflow.
		{"2x2 roster order", Input{Mode: Grid2x2, Roster: abcd}, []string{"a", "b", "c", "d"}, 0},
		{"2x2 fewer participants", Input{Mode: Grid2x2, Roster: roster("a", "b")}, []string{"a", "b", "", ""}, 0},
		{"2x2 extras hidden", Input{Mode: Grid2x2, Roster: roster("a", "b", "c", "d", "e", "f")}, []string{"a", "b", "c", "d"}, 2},
		{"2x2 speaker moves to the front", Input{Mode: Grid2x2, Roster: roster("a", "b", "c", "d", "e"), ActiveSpeaker: "e"}, []string{"e", "a", "b", "c"}, 1},
		{"2x2 screen then camera", Input{Mode: Grid2x2, Roster: roster("a", "b", "c!", "d")}, []string{"c/screen", "c", "a", "b"}, 1},

		// 1+7: screen in the big pane, the sharer's camera in the first small pane.
		{"1+7 roster order", Input{Mode: OnePlus7, Roster: people(9)}, names(ids(1, 8)...), 1},
		{"1+7 screen share", Input{Mode: OnePlus7, Roster: roster("a", "b!", "c", "d")}, []string{"b/screen", "b", "a", "c", "d", "", "", ""}, 0},
		{"1+7 screen, presenter, speaker", Input{Mode: OnePlus7, Roster: roster("a", "b!", "c^", "d", "e", "f", "g", "h", "i"), ActiveSpeaker: "h"},
			[]string{"b/screen", "b", "c", "h", "a", "d", "e", "f"}, 2},
		{"1+7 sharer is presenter and speaker", Input{Mode: OnePlus7, Roster: roster("a", "b!^", "c"), ActiveSpeaker: "b"},
			[]string{"b/screen", "b", "a", "c", "", "", "", ""}, 0},
		{"1+7 two presenters", Input{Mode: OnePlus7, Roster: roster("a", "b^", "c", "d^"), ActiveSpeaker: "c"},
			[]string{"b", "d", "c", "a", "", "", "", ""}, 0},
		{"1+7 only the first screen share", Input{Mode: OnePlus7, Roster: roster("a", "b!", "c!")},
			[]string{"b/screen", "b", "a", "c", "", "", "", ""}, 0},
		{"1+7 absent speaker", Input{Mode: OnePlus7, Roster: roster("a", "b"), ActiveSpeaker: "zz"}, []string{"a", "b", "", "", "", "", "", ""}, 0},

		// 1+21: the sharer's camera in the first small pane.
		{"1+21 screen share", Input{Mode: OnePlus21, Roster: append(roster("x!"), people(30)...), ActiveSpeaker: "p30"},
			cells([]string{"x/screen", "x", "p30"}, names(ids(1, 19)...)...), 10},

		// 2+21: the sharer's camera in the second big pane.
		{"2+21 screen share", Input{Mode: TwoPlus21, Roster: roster("a", "b", "c!", "d^"), ActiveSpeaker: "a"},
			cells([]string{"c/screen", "c", "d", "a", "b"}, repeat("", 18)...), 0},
		{"2+21 presenter and speaker in the big panes", Input{Mode: TwoPlus21, Roster: roster("a", "b", "c^", "d"), ActiveSpeaker: "d"},
			cells([]string{"c", "d", "a", "b"}, repeat("", 19)...), 0},

		// Pins.
		{"pin keeps a participant in a small pane", Input{Mode: OnePlus7, Roster: people(10), Pins: map[int]ParticipantID{3: "p9"}},
			[]string{"p1", "p2", "p3", "p9", "p4", "p5", "p6", "p7"}, 2},
		{"pinned speaker stays pinned", Input{Mode: OnePlus7, Roster: people(4), ActiveSpeaker: "p3", Pins: map[int]ParticipantID{7: "p3"}},
			[]string{"p1", "p2", "p4", "", "", "", "", "p3"}, 0},
		{"pin of an absent participant is filled by the rules", Input{Mode: Grid2x2, Roster: abcd, Pins: map[int]ParticipantID{0: "gone"}},
			[]string{"a", "b", "c", "d"}, 0},
		{"pin in the big pane pushes the screen share down", Input{Mode: OnePlus7, Roster: roster("a", "b!", "c"), Pins: map[int]ParticipantID{0: "c"}},
			[]string{"c", "b/screen", "b", "a", "", "", "", ""}, 0},
		{"pinned sharer keeps the pin, screen in the first free pane", Input{Mode: OnePlus7, Roster: roster("a", "b!", "c"), Pins: map[int]ParticipantID{5: "b"}},
			[]string{"b/screen", "a", "c", "", "", "b", "", ""}, 0},
		{"one participant pinned twice: the lower pane wins", Input{Mode: Grid2x2, Roster: abcd, Pins: map[int]ParticipantID{3: "a", 1: "a"}},
			[]string{"b", "a", "c", "d"}, 0},
		{"pins outside the layout and empty pins are ignored", Input{Mode: Grid2x2, Roster: abcd, Pins: map[int]ParticipantID{-1: "d", 4: "d", 2: ""}},
			[]string{"a", "b", "c", "d"}, 0},

		// The whiteboard shown to everyone: the first free pane, before a screen share.
		{"1+7 whiteboard in the big pane", Input{Mode: OnePlus7, Roster: roster("a", "b"), Whiteboard: true},
			[]string{"board", "a", "b", "", "", "", "", ""}, 0},
		{"1+7 whiteboard before a screen share", Input{Mode: OnePlus7, Roster: roster("a", "b!", "c"), Whiteboard: true},
			[]string{"board", "b/screen", "b", "a", "c", "", "", ""}, 0},
		{"2+21 whiteboard and screen share in the big panes", Input{Mode: TwoPlus21, Roster: roster("a", "b!"), Whiteboard: true},
			cells([]string{"board", "b/screen", "b", "a"}, repeat("", 19)...), 0},
		{"2x2 whiteboard first", Input{Mode: Grid2x2, Roster: abcd, Whiteboard: true}, []string{"board", "a", "b", "c"}, 1},
		{"single whiteboard", Input{Mode: Single, Roster: roster("a", "b!^"), Whiteboard: true}, []string{"board"}, 2},
		{"pin in the big pane pushes the whiteboard down", Input{Mode: OnePlus7, Roster: roster("a", "b"), Pins: map[int]ParticipantID{0: "b"}, Whiteboard: true},
			[]string{"b", "board", "a", "", "", "", "", ""}, 0},
		{"pin of the only pane: no whiteboard", Input{Mode: Single, Roster: roster("a", "b"), Pins: map[int]ParticipantID{0: "b"}, Whiteboard: true},
			[]string{"b"}, 1},
		{"whiteboard with an empty roster", Input{Mode: Grid2x2, Whiteboard: true}, []string{"board", "", "", ""}, 0},

		// Roster oddities.
		{"repeated and empty IDs are shown once", Input{Mode: Grid2x2, Roster: roster("a", "", "a!", "b", "a^")},
			[]string{"a", "b", "", ""}, 0},
		{"unknown mode has no panes", Input{Mode: ModeUnknown, Roster: abcd}, []string{}, 4},
		{"participants without video fill fixed panes", Input{Mode: Grid2x2, Roster: roster("a-", "b", "c-")}, []string{"a", "b", "c", ""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Assign(tt.in)
			checkInvariants(t, tt.in, r)
			if got := render(r); !slices.Equal(got, tt.want) {
				t.Errorf("panes\n got %q\nwant %q", got, tt.want)
			}
			if r.Hidden != tt.hidden {
				t.Errorf("Hidden = %d, want %d", r.Hidden, tt.hidden)
			}
			if !r.NextChange.IsZero() {
				t.Errorf("NextChange = %v without polling", r.NextChange)
			}
			if r.Layout.Mode != tt.in.Mode && tt.in.Mode.Valid() {
				t.Errorf("layout %s, want %s", r.Layout.Mode, tt.in.Mode)
			}
		})
	}
}

// TestAssignDeterministic runs the same input many times: map order must not matter.
func TestAssignDeterministic(t *testing.T) {
	in := Input{
		Mode:          OnePlus21,
		Roster:        append(roster("s!"), people(40)...),
		ActiveSpeaker: "p17",
		Pins:          map[int]ParticipantID{4: "p30", 9: "p30", 12: "p2", 15: "p39", 20: "p1"},
		Polling:       Polling{Enabled: true, Panes: []int{21, 18, 19, 20}, Interval: MinInterval, Epoch: epoch},
		Now:           at(42 * MinInterval),
	}
	want := render(Assign(in))
	for range 100 {
		if got := render(Assign(in)); !slices.Equal(got, want) {
			t.Fatalf("got %q, then %q", want, got)
		}
	}
}

// TestAssignDoesNotModifyInput guards the callers' slices and maps.
func TestAssignDoesNotModifyInput(t *testing.T) {
	in := Input{
		Mode:    OnePlus7,
		Roster:  people(12),
		Pins:    map[int]ParticipantID{2: "p5"},
		Polling: Polling{Enabled: true, Panes: []int{7, 6}, Set: ids(1, 12), Interval: MinInterval, Epoch: epoch},
		Now:     at(MinInterval),
	}
	roster, panes, set := slices.Clone(in.Roster), slices.Clone(in.Polling.Panes), slices.Clone(in.Polling.Set)
	r := Assign(in)
	r.Layout.Panes[0].Role = Small
	if !slices.Equal(in.Roster, roster) || !slices.Equal(in.Polling.Panes, panes) || !slices.Equal(in.Polling.Set, set) || len(in.Pins) != 1 {
		t.Fatal("Assign changed its input")
	}
	if Of(OnePlus7).Panes[0].Role != Big {
		t.Fatal("a caller changed the shared layout")
	}
}
