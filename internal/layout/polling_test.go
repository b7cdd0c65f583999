package layout

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/errs"
)

const step = 10 * time.Second

// poll returns an enabled polling of panes every step from epoch.
func poll(set []ParticipantID, panes ...int) Polling {
	return Polling{Enabled: true, Panes: panes, Set: set, Interval: step, Epoch: epoch}
}

// TestPollingRotation follows rotations across steps of the meeting's clock.
func TestPollingRotation(t *testing.T) {
	type tick struct {
		now  time.Duration // after epoch
		want []string      // see render
		next time.Duration // NextChange after epoch; 0 for none
	}
	fixed7 := []string{"p1", "p2", "p3", "p4", "p5", "p6"}
	tests := []struct {
		name  string
		in    Input // Now is set per tick
		ticks []tick
	}{
		{
			"everyone not shown, two small panes of 1+7",
			Input{Mode: OnePlus7, Roster: people(12), Polling: poll(nil, 7, 6)},
			[]tick{
				{0, cells(fixed7, "~p7", "~p8"), step},
				{step - 1, cells(fixed7, "~p7", "~p8"), step},
				{step, cells(fixed7, "~p9", "~p10"), 2 * step},
				{2*step + 5*time.Second, cells(fixed7, "~p11", "~p12"), 3 * step},
				{3 * step, cells(fixed7, "~p7", "~p8"), 4 * step},
			},
		},
		{
			"candidates not a multiple of the panes wrap within a step",
			Input{Mode: Grid2x2, Roster: people(7), Polling: poll(nil, 2, 3)},
			[]tick{ // candidates p3..p7
				{0, []string{"p1", "p2", "~p3", "~p4"}, step},
				{step, []string{"p1", "p2", "~p5", "~p6"}, 2 * step},
				{2 * step, []string{"p1", "p2", "~p7", "~p3"}, 3 * step},
				{3 * step, []string{"p1", "p2", "~p4", "~p5"}, 4 * step},
				{5 * step, []string{"p1", "p2", "~p3", "~p4"}, 6 * step},
			},
		},
		{
			"before the epoch is step 0",
			Input{Mode: Grid2x2, Roster: people(6), Polling: poll(nil, 3)},
			[]tick{
				{-time.Hour, []string{"p1", "p2", "p3", "~p4"}, step},
				{-1, []string{"p1", "p2", "p3", "~p4"}, step},
				{0, []string{"p1", "p2", "p3", "~p4"}, step},
				{step, []string{"p1", "p2", "p3", "~p5"}, 2 * step},
			},
		},
		{
			"set smaller than the polled panes: shown once, nothing rotates",
			Input{Mode: OnePlus7, Roster: people(12), Polling: poll(ids(9, 10), 5, 6, 7)},
			[]tick{
				{0, cells(names(ids(1, 5)...), "~p9", "~p10", "~"), 0},
				{7 * step, cells(names(ids(1, 5)...), "~p9", "~p10", "~"), 0},
			},
		},
		{
			"set as many as the polled panes: nothing rotates",
			Input{Mode: Grid2x2, Roster: people(6), Polling: poll(ids(5, 6), 2, 3)},
			[]tick{{0, []string{"p1", "p2", "~p5", "~p6"}, 0}, {step, []string{"p1", "p2", "~p5", "~p6"}, 0}},
		},
		{
			"explicit set rotates in set order; fixed panes take the others first",
			Input{Mode: Grid2x2, Roster: people(10), Polling: poll([]ParticipantID{"p3", "p1", "p2"}, 0)},
			[]tick{
				{0, []string{"~p3", "p4", "p5", "p6"}, step},
				{step, []string{"~p1", "p4", "p5", "p6"}, 2 * step},
				{2 * step, []string{"~p2", "p4", "p5", "p6"}, 3 * step},
				{3 * step, []string{"~p3", "p4", "p5", "p6"}, 4 * step},
			},
		},
		{
			"set members fill fixed panes before they stay empty",
			Input{Mode: OnePlus7, Roster: people(5), Polling: poll(ids(1, 5), 0)},
			[]tick{{0, []string{"~", "p1", "p2", "p3", "p4", "p5", "", ""}, 0}},
		},
		{
			"set member in a fixed pane by priority leaves the rotation",
			Input{Mode: Grid2x2, Roster: people(8), ActiveSpeaker: "p6", Polling: poll(ids(5, 8), 3)},
			[]tick{
				{0, []string{"p6", "p1", "p2", "~p5"}, step},
				{step, []string{"p6", "p1", "p2", "~p7"}, 2 * step},
				{2 * step, []string{"p6", "p1", "p2", "~p8"}, 3 * step},
			},
		},
		{
			"set with absent, repeated and empty IDs",
			Input{Mode: Grid2x2, Roster: people(6), Polling: poll([]ParticipantID{"gone", "p5", "", "p5", "p6", "p4"}, 3)},
			[]tick{
				{0, []string{"p1", "p2", "p3", "~p5"}, step},
				{step, []string{"p1", "p2", "p3", "~p6"}, 2 * step},
				{2 * step, []string{"p1", "p2", "p3", "~p4"}, 3 * step},
			},
		},
		{
			"a pin wins over a polled pane",
			Input{Mode: Grid2x2, Roster: people(8), Pins: map[int]ParticipantID{3: "p8"}, Polling: poll(nil, 2, 3)},
			[]tick{
				{0, []string{"p1", "p2", "~p3", "p8"}, step},
				{step, []string{"p1", "p2", "~p4", "p8"}, 2 * step},
			},
		},
		{
			"all polled panes pinned: nothing rotates",
			Input{Mode: Grid2x2, Roster: people(8), Pins: map[int]ParticipantID{3: "p8"}, Polling: poll(ids(1, 8), 3)},
			[]tick{{0, []string{"p1", "p2", "p3", "p8"}, 0}},
		},
		{
			"a polled big pane leaves the screen share to the first fixed pane",
			Input{Mode: OnePlus7, Roster: append(roster("s!"), people(9)...), Polling: poll(nil, 0)},
			[]tick{
				{0, []string{"~p6", "s/screen", "s", "p1", "p2", "p3", "p4", "p5"}, step},
				{step, []string{"~p7", "s/screen", "s", "p1", "p2", "p3", "p4", "p5"}, 2 * step},
			},
		},
		{
			"single polled pane rotates through everyone",
			Input{Mode: Single, Roster: people(3), Polling: poll(nil, 0)},
			[]tick{
				{0, []string{"~p1"}, step},
				{step, []string{"~p2"}, 2 * step},
				{2 * step, []string{"~p3"}, 3 * step},
				{3 * step, []string{"~p1"}, 4 * step},
			},
		},
		{
			"skip participants without video",
			Input{Mode: Grid2x2, Roster: roster("a", "b", "c", "d-", "e", "f-", "g"), Polling: Polling{Enabled: true, Panes: []int{3}, Interval: step, Epoch: epoch, SkipNoVideo: true}},
			[]tick{
				{0, []string{"a", "b", "c", "~e"}, step},
				{step, []string{"a", "b", "c", "~g"}, 2 * step},
				{2 * step, []string{"a", "b", "c", "~e"}, 3 * step},
			},
		},
		{
			"invalid polling does not run",
			Input{Mode: Grid2x2, Roster: people(6), Polling: Polling{Enabled: true, Panes: []int{3}, Interval: time.Second, Epoch: epoch}},
			[]tick{{0, []string{"p1", "p2", "p3", "p4"}, 0}},
		},
		{
			"polling of a pane of another layout does not run",
			Input{Mode: Grid2x2, Roster: people(6), Polling: poll(nil, 3, 7)},
			[]tick{{0, []string{"p1", "p2", "p3", "p4"}, 0}},
		},
		{
			"disabled polling does not run",
			Input{Mode: Grid2x2, Roster: people(6), Polling: Polling{Panes: []int{3}, Interval: step, Epoch: epoch}},
			[]tick{{0, []string{"p1", "p2", "p3", "p4"}, 0}},
		},
		{
			"no candidates: polled panes stay empty",
			Input{Mode: Grid2x2, Roster: people(2), Polling: poll(nil, 0, 3)},
			[]tick{{0, []string{"~", "p1", "p2", "~"}, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tk := range tt.ticks {
				in := tt.in
				in.Now = at(tk.now)
				r := Assign(in)
				checkInvariants(t, in, r)
				if got := render(r); !slices.Equal(got, tk.want) {
					t.Errorf("at %v:\n got %q\nwant %q", tk.now, got, tk.want)
				}
				var next time.Time
				if tk.next != 0 {
					next = at(tk.next)
				}
				if !r.NextChange.Equal(next) {
					t.Errorf("at %v: NextChange = %v, want %v", tk.now, r.NextChange, next)
				}
			}
		})
	}
}

// TestPollingLeaveMidRotation removes participants between steps: the rotation goes on
// over the remaining candidates, without duplicates or absent participants.
func TestPollingLeaveMidRotation(t *testing.T) {
	in := Input{Mode: OnePlus7, Roster: people(14), Polling: poll(nil, 6, 7)}
	fixed := names(ids(1, 6)...)
	after := names("p1", "p3", "p4", "p5", "p6", "p7") // once p2 has left
	// Step k shows candidates 2k and 2k+1 (modulo their number).
	steps := []struct {
		leave []ParticipantID // before this step
		want  []string
	}{
		{nil, cells(fixed, "~p7", "~p8")},                      // p7..p14: 0, 1
		{nil, cells(fixed, "~p9", "~p10")},                     // p7..p14: 2, 3
		{[]ParticipantID{"p11"}, cells(fixed, "~p12", "~p13")}, // p7..p10 p12..p14: 4, 5
		{[]ParticipantID{"p2"}, cells(after, "~p8", "~p9")},    // p7 to a fixed pane; p8..p10 p12..p14: 0, 1
		{[]ParticipantID{"p8"}, cells(after, "~p13", "~p14")},  // a polled one leaves; p9 p10 p12..p14: 3, 4
	}
	for k, s := range steps {
		in.Roster = slices.DeleteFunc(slices.Clone(in.Roster), func(p Participant) bool { return slices.Contains(s.leave, p.ID) })
		in.Now = at(time.Duration(k)*step + time.Second)
		r := Assign(in)
		checkInvariants(t, in, r)
		if got := render(r); !slices.Equal(got, s.want) {
			t.Errorf("step %d:\n got %q\nwant %q", k, got, s.want)
		}
	}
	// Everyone leaves but one polled candidate: shown, and nothing rotates any more.
	in.Roster = people(7)
	in.Now = at(40 * step)
	r := Assign(in)
	checkInvariants(t, in, r)
	if got := render(r); !slices.Equal(got, cells(fixed, "~p7", "~")) || !r.NextChange.IsZero() {
		t.Errorf("got %q, next %v", got, r.NextChange)
	}
}

// TestPollingCoversEveryone checks, for many sizes, that while the candidates stay the
// same every candidate appears within ceil(candidates/panes) consecutive steps, and that
// NextChange is the boundary of the step.
func TestPollingCoversEveryone(t *testing.T) {
	for _, n := range []int{1, 2, 3, 5, 8} {
		for extra := 1; extra <= 30; extra += 3 {
			// 22-n fixed panes, so n+extra candidates.
			in := Input{Mode: OnePlus21, Roster: people(22 + extra), Polling: Polling{Enabled: true, Interval: 17 * time.Second, Epoch: epoch}}
			for i := range n {
				in.Polling.Panes = append(in.Polling.Panes, 21-i)
			}
			m := n + extra // candidates
			for start := range 3 {
				seen := map[ParticipantID]bool{}
				steps := (m + n - 1) / n
				for k := start; k < start+steps; k++ {
					in.Now = at(time.Duration(k)*17*time.Second + 3*time.Second)
					r := Assign(in)
					checkInvariants(t, in, r)
					if want := at(time.Duration(k+1) * 17 * time.Second); !r.NextChange.Equal(want) {
						t.Fatalf("n=%d m=%d step %d: NextChange %v, want %v", n, m, k, r.NextChange, want)
					}
					for _, a := range r.Panes {
						if a.Polled {
							seen[a.Participant] = true
						}
					}
				}
				if len(seen) != m {
					t.Errorf("%d panes, %d candidates, from step %d: %d seen in %d steps", n, m, start, len(seen), steps)
				}
			}
		}
	}
}

// TestPollingFarFuture checks clocks far from the epoch: no overflow, and where the
// polling clock stops (292 years after the epoch) NextChange is zero, never in the past.
func TestPollingFarFuture(t *testing.T) {
	in := Input{Mode: Grid2x2, Roster: people(9), Polling: poll(nil, 3)}
	for _, c := range []struct {
		now    time.Time
		next   time.Time
		stable bool // the result no longer changes
	}{
		{epoch.AddDate(100, 0, 0).Add(3 * time.Second), epoch.AddDate(100, 0, 0).Add(step), false},
		{epoch.Add(math.MaxInt64 - 2*step), epoch.Add(time.Duration(math.MaxInt64/int64(step)-1) * step), false},
		{epoch.Add(time.Duration(math.MaxInt64/int64(step))*step - 1), epoch.Add(time.Duration(math.MaxInt64/int64(step)) * step), false},
		{epoch.Add(math.MaxInt64 - 1), time.Time{}, true},
		{epoch.AddDate(400, 0, 0), time.Time{}, true},
		{epoch.AddDate(-400, 0, 0), epoch.Add(step), false},
	} {
		in.Now = c.now
		r := Assign(in)
		checkInvariants(t, in, r)
		if !r.NextChange.Equal(c.next) || r.Panes[3].Participant == "" {
			t.Errorf("at %v: %q, next %v, want %v", c.now, render(r), r.NextChange, c.next)
		}
		if c.stable {
			in.Now = c.now.AddDate(1000, 0, 0)
			if later := Assign(in); !slices.Equal(render(later), render(r)) {
				t.Errorf("after %v the rotation still changes", c.now)
			}
		}
	}
}

func TestValidatePolling(t *testing.T) {
	l := Of(OnePlus7)
	valid := poll(nil, 7)
	with := func(f func(*Polling)) Polling {
		p := valid
		f(&p)
		return p
	}
	tests := []struct {
		name  string
		p     Polling
		field string // "" when valid
	}{
		{"valid", valid, ""},
		{"valid with a set", with(func(p *Polling) { p.Set = ids(1, 9) }), ""},
		{"several panes", with(func(p *Polling) { p.Panes = []int{0, 7, 3} }), ""},
		{"5 seconds", with(func(p *Polling) { p.Interval = MinInterval }), ""},
		{"300 seconds", with(func(p *Polling) { p.Interval = MaxInterval }), ""},
		{"disabled and empty", Polling{}, ""},
		{"disabled with nonsense", Polling{Panes: []int{-5}, Interval: -1}, ""},

		{"interval too short", with(func(p *Polling) { p.Interval = MinInterval - 1 }), "interval"},
		{"interval too long", with(func(p *Polling) { p.Interval = MaxInterval + time.Millisecond }), "interval"},
		{"interval zero", with(func(p *Polling) { p.Interval = 0 }), "interval"},
		{"no epoch", with(func(p *Polling) { p.Epoch = time.Time{} }), "epoch"},
		{"no panes", with(func(p *Polling) { p.Panes = nil }), "panes"},
		{"pane beyond the layout", with(func(p *Polling) { p.Panes = []int{8} }), "panes"},
		{"negative pane", with(func(p *Polling) { p.Panes = []int{-1} }), "panes"},
		{"pane twice", with(func(p *Polling) { p.Panes = []int{3, 4, 3} }), "panes"},
		{"empty ID in the set", with(func(p *Polling) { p.Set = []ParticipantID{"a", ""} }), "set"},
		{"ID twice in the set", with(func(p *Polling) { p.Set = []ParticipantID{"a", "b", "a"} }), "set"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidatePolling(tt.p, l)
			checkValidation(t, err, tt.field)
			// Assign runs exactly the polling that validates, set aside.
			if runs := tt.p.runs(len(l.Panes)); runs != (tt.p.Enabled && (err == nil || tt.field == "set")) {
				t.Errorf("runs = %v with error %v", runs, err)
			}
		})
	}
	if err := ValidatePolling(valid, Of(ModeUnknown)); err == nil {
		t.Error("polling validates on a layout without panes")
	}
}

func TestValidatePins(t *testing.T) {
	l := Of(Grid2x2)
	tests := []struct {
		name  string
		pins  map[int]ParticipantID
		field string
	}{
		{"none", nil, ""},
		{"valid", map[int]ParticipantID{0: "a", 3: "b"}, ""},
		{"absent participants are fine", map[int]ParticipantID{1: "not-yet-joined"}, ""},
		{"pane beyond the layout", map[int]ParticipantID{0: "a", 4: "b"}, "pins"},
		{"negative pane", map[int]ParticipantID{-1: "a"}, "pins"},
		{"empty ID", map[int]ParticipantID{2: ""}, "pins"},
		{"pinned twice", map[int]ParticipantID{0: "a", 2: "a"}, "pins"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkValidation(t, ValidatePins(tt.pins, l), tt.field)
		})
	}
}

// checkValidation checks that err is nil when field is "", and otherwise a
// *ValidationError about field that the edges see as invalid input.
func checkValidation(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != field {
		t.Fatalf("error %v, want a ValidationError about %q", err, field)
	}
	e, ok := errs.As(err)
	if !errors.Is(err, errs.ErrInvalid) || !ok || e.Field != field || e.Message != ve.Message {
		t.Fatalf("error %v does not unwrap to an invalid-input error about %q", err, field)
	}
}
