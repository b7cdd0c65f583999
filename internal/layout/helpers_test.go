package layout

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// roster builds participants from compact specs: an ID followed by any of
// '!' (sharing a screen), '^' (presenter) and '-' (no camera video).
func roster(specs ...string) []Participant {
	ps := make([]Participant, 0, len(specs))
	for _, s := range specs {
		p := Participant{ID: ParticipantID(strings.TrimRight(s, "!^-")), Video: !strings.Contains(s, "-")}
		p.Screen = strings.Contains(s, "!")
		p.Presenter = strings.Contains(s, "^")
		ps = append(ps, p)
	}
	return ps
}

// people returns participants p1 ... pn with video, in that roster order.
func people(n int) []Participant {
	ps := make([]Participant, n)
	for i := range ps {
		ps[i] = Participant{ID: ParticipantID(fmt.Sprintf("p%d", i+1)), Video: true}
	}
	return ps
}

// ids returns "p<from>" ... "p<to>".
func ids(from, to int) []ParticipantID {
	var out []ParticipantID
	for i := from; i <= to; i++ {
		out = append(out, ParticipantID(fmt.Sprintf("p%d", i)))
	}
	return out
}

// render writes each pane as the participant's ID, with "/screen" for a screen share,
// "board" for the whiteboard and a "~" prefix for a polled pane; an empty pane is ""
// (or "~").
func render(r Result) []string {
	out := make([]string, len(r.Panes))
	for i, a := range r.Panes {
		s := string(a.Participant)
		switch a.Source {
		case SourceScreen:
			s += "/screen"
		case SourceWhiteboard:
			s += "board"
		}
		if a.Polled {
			s = "~" + s
		}
		out[i] = s
	}
	return out
}

// cells is render with the first n panes given and the rest filled with following.
func cells(first []string, following ...string) []string {
	return append(append([]string(nil), first...), following...)
}

// names returns the IDs as strings.
func names(ids ...ParticipantID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// repeat returns n copies of s.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// epoch is the start of the polling clock in the tests.
var epoch = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// at returns the instant d after epoch.
func at(d time.Duration) time.Time { return epoch.Add(d) }

// checkInvariants checks what must hold for every input: one assignment per pane, shown
// participants are in the roster, nobody is shown twice except a sharer's screen next to
// the same camera, polled marks only on polled panes, and a sane NextChange.
func checkInvariants(t testing.TB, in Input, r Result) {
	t.Helper()
	l := Of(in.Mode)
	if len(r.Panes) != len(l.Panes) || len(r.Layout.Panes) != len(l.Panes) {
		t.Fatalf("%d assignments and %d panes for %s, want %d", len(r.Panes), len(r.Layout.Panes), in.Mode, len(l.Panes))
	}
	present := map[ParticipantID]Participant{}
	for _, p := range in.Roster {
		if _, ok := present[p.ID]; !ok && p.ID != "" {
			present[p.ID] = p
		}
	}
	camera, screen := map[ParticipantID]int{}, map[ParticipantID]int{}
	polled := map[int]bool{}
	board := false // the whiteboard is in a pane
	if in.Polling.runs(len(l.Panes)) {
		for _, i := range in.Polling.Panes {
			polled[i] = true
		}
	}
	for i, a := range r.Panes {
		if a.Pane != i {
			t.Fatalf("assignment %d is for pane %d", i, a.Pane)
		}
		if a.Polled && !polled[i] {
			t.Fatalf("pane %d is polled but not in %v", i, in.Polling.Panes)
		}
		if a.Source == SourceWhiteboard {
			if a.Participant != "" || a.Polled || !in.Whiteboard || board {
				t.Fatalf("pane %d: whiteboard with participant %q, polled %v, shown %v, already shown %v", i, a.Participant, a.Polled, in.Whiteboard, board)
			}
			board = true
			continue
		}
		if (a.Participant == "") != (a.Source == SourceUnknown) {
			t.Fatalf("pane %d: participant %q with source %s", i, a.Participant, a.Source)
		}
		if a.Participant == "" {
			continue
		}
		p, ok := present[a.Participant]
		if !ok {
			t.Fatalf("pane %d shows %q, who is not in the roster", i, a.Participant)
		}
		switch a.Source {
		case SourceCamera:
			if j, twice := camera[a.Participant]; twice {
				t.Fatalf("%q is shown in panes %d and %d", a.Participant, j, i)
			}
			camera[a.Participant] = i
		case SourceScreen:
			if !p.Screen {
				t.Fatalf("pane %d shows the screen of %q, who does not share", i, a.Participant)
			}
			if len(screen) > 0 {
				t.Fatalf("pane %d shows a second screen share", i)
			}
			screen[a.Participant] = i
		}
		if a.Polled && in.Polling.SkipNoVideo && !p.Video {
			t.Fatalf("pane %d rotates in %q, who has no video", i, a.Participant)
		}
	}
	hidden := 0
	for id := range present {
		if _, c := camera[id]; !c {
			if _, s := screen[id]; !s {
				hidden++
			}
		}
	}
	if r.Hidden != hidden {
		t.Fatalf("Hidden = %d, want %d", r.Hidden, hidden)
	}
	// A fixed pane left empty means there was nobody left to show.
	for i, a := range r.Panes {
		if a.Participant == "" && a.Source != SourceWhiteboard && !a.Polled && len(camera) < len(present) {
			t.Fatalf("fixed pane %d is empty while %d of %d participants have no camera pane: %q",
				i, len(present)-len(camera), len(present), render(r))
		}
	}
	// The whiteboard shown to everyone has a pane unless pins and polling hold them all.
	if in.Whiteboard && !board {
		for i, a := range r.Panes {
			if !a.Polled && !pinnedHere(in, r, i) {
				t.Fatalf("the whiteboard is shown to everyone but in no pane, while pane %d is neither pinned nor polled: %q", i, render(r))
			}
		}
	}
	if !r.NextChange.IsZero() {
		if !r.NextChange.After(in.Now) && !in.Now.Before(in.Polling.Epoch) {
			t.Fatalf("NextChange %v is not after Now %v", r.NextChange, in.Now)
		}
		if d := r.NextChange.Sub(in.Polling.Epoch); d <= 0 || d%in.Polling.Interval != 0 {
			t.Fatalf("NextChange %v is not a step boundary after %v", r.NextChange, in.Polling.Epoch)
		}
	}
}

// pinnedHere reports that pane i shows the participant pinned to it.
func pinnedHere(in Input, r Result, i int) bool {
	id, ok := in.Pins[i]
	return ok && id != "" && r.Panes[i].Participant == id && r.Panes[i].Source == SourceCamera
}
