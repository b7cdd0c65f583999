package layout

import "time"

// Source is what a pane shows of its participant.
type Source int

// Sources.
const (
	SourceUnknown Source = iota // an empty pane
	SourceCamera
	SourceScreen
	// SourceWhiteboard is the meeting's whiteboard, shown to everyone; its pane has no
	// participant.
	SourceWhiteboard
)

// String returns "camera", "screen", "whiteboard" or "unknown".
func (s Source) String() string {
	switch s {
	case SourceCamera:
		return "camera"
	case SourceScreen:
		return "screen"
	case SourceWhiteboard:
		return "whiteboard"
	}
	return "unknown"
}

// Input is everything pane assignment depends on, as the meeting's owner knows it at Now.
type Input struct {
	Mode Mode
	// Roster is the participants in roster (join) order. An empty ID, or an ID that
	// appeared earlier in the roster, is never shown.
	Roster []Participant
	// ActiveSpeaker is the participant speaking now, "" for none.
	ActiveSpeaker ParticipantID
	// Pins keeps a participant in a pane (pane index -> participant) while the
	// participant is in the roster; see ValidatePins.
	Pins    map[int]ParticipantID
	Polling Polling
	// Whiteboard reports that the whiteboard is shown to everyone: it takes the first
	// free pane, before any screen share.
	Whiteboard bool
	// Now is the instant the result is for, read against Polling.Epoch.
	Now time.Time
}

// Assignment is what one pane shows.
type Assignment struct {
	// Pane is the index of the pane in Layout.Panes.
	Pane int
	// Participant is the participant shown, "" for an empty pane and the whiteboard.
	Participant ParticipantID
	// Source is the participant's camera or screen, SourceWhiteboard for the
	// whiteboard, SourceUnknown for an empty pane.
	Source Source
	// Polled reports that the pane rotates (轮询), also while it is empty.
	Polled bool
}

// Result is the assignment of every pane of a layout.
type Result struct {
	Layout Layout
	// Panes holds one assignment per pane of Layout, in the same order.
	Panes []Assignment
	// Hidden is the number of participants in the roster shown in no pane at all.
	Hidden int
	// NextChange is when the polling rotation next changes Panes, given the same input;
	// zero when nothing rotates. The meeting's owner recomputes then instead of ticking.
	NextChange time.Time
}

// Assign decides what every pane of in.Mode shows. It is pure and deterministic: the same
// input gives the same result on every server and browser. The package documentation
// gives the rules.
func Assign(in Input) Result {
	l := Of(in.Mode)
	out := make([]Assignment, len(l.Panes))
	for i := range out {
		out[i].Pane = i
	}
	res := Result{Layout: l, Panes: out}
	a := assigner{in: &in, out: out, free: len(out)}
	a.indexRoster()
	a.pin()
	a.claimPolled()
	a.fill()
	res.NextChange = a.rotate()
	for _, m := range a.marks {
		if m&(skip|onCamera|onScreen) == 0 {
			res.Hidden++
		}
	}
	return res
}

// mark records what the assignment decided about one roster entry.
type mark uint8

const (
	skip     mark = 1 << iota // empty or repeated ID: never shown
	onCamera                  // the camera is in a pane
	onScreen                  // the screen share is in a pane
	inSet                     // member of the explicit polling set
	queued                    // already a rotation candidate
)

// assigner is the working state of one Assign call.
type assigner struct {
	in       *Input
	out      []Assignment
	index    map[ParticipantID]int32 // roster position of each ID's first entry
	marks    []mark                  // by roster position
	busy     [maxPanes]bool          // pinned, polled or filled
	free     int                     // panes not busy
	next     int                     // no free pane before this one
	polled   [maxPanes]int8          // the polled panes no pin holds, in index order
	npolled  int                     // how many of polled are used
	explicit bool                    // polling runs with an explicit set
}

func (a *assigner) indexRoster() {
	roster := a.in.Roster
	a.marks = make([]mark, len(roster))
	a.index = make(map[ParticipantID]int32, len(roster))
	for i, p := range roster {
		if _, seen := a.index[p.ID]; seen || p.ID == "" {
			a.marks[i] = skip
			continue
		}
		a.index[p.ID] = int32(i)
	}
}

// lookup returns the roster position of id.
func (a *assigner) lookup(id ParticipantID) (int, bool) {
	if id == "" {
		return 0, false
	}
	r, ok := a.index[id]
	return int(r), ok
}

// put shows roster entry r's source in pane i.
func (a *assigner) put(i, r int, src Source) {
	a.out[i].Participant = a.in.Roster[r].ID
	a.out[i].Source = src
	if src == SourceScreen {
		a.marks[r] |= onScreen
	} else {
		a.marks[r] |= onCamera
	}
	if !a.busy[i] {
		a.busy[i] = true
		a.free--
	}
}

// place shows roster entry r's source in the first free pane, if any.
func (a *assigner) place(r int, src Source) {
	for a.next < len(a.out) && a.busy[a.next] {
		a.next++
	}
	if a.next < len(a.out) {
		a.put(a.next, r, src)
	}
}

// pin shows pinned participants who are present, the lowest pane first, so that of two
// pins of one participant the lower pane wins whatever the map order.
func (a *assigner) pin() {
	if len(a.in.Pins) == 0 {
		return
	}
	for i := range a.out {
		if r, ok := a.lookup(a.in.Pins[i]); ok && a.marks[r]&onCamera == 0 {
			a.put(i, r, SourceCamera)
		}
	}
}

// claimPolled marks and lists the polled panes that no pin holds. Pins win over polling:
// a pin names one participant for one pane, polling a whole rotation.
func (a *assigner) claimPolled() {
	p := &a.in.Polling
	if !p.runs(len(a.out)) {
		return
	}
	for _, i := range p.Panes {
		a.out[i].Polled = !a.busy[i]
	}
	for i := range a.out {
		if a.out[i].Polled {
			a.busy[i] = true
			a.free--
			a.polled[a.npolled] = int8(i)
			a.npolled++
		}
	}
	if a.npolled > 0 && len(p.Set) > 0 {
		a.explicit = true
		for _, id := range p.Set {
			if r, ok := a.lookup(id); ok {
				a.marks[r] |= inSet
			}
		}
	}
}

// fill gives the free panes, in pane order, to: the whiteboard when it is shown; the
// first screen share and its sharer's camera; the presenters; the active speaker;
// everyone else in roster order, members of an explicit polling set last.
func (a *assigner) fill() {
	roster := a.in.Roster
	if a.in.Whiteboard {
		a.placeBoard()
	}
	for r, p := range roster {
		if p.Screen && a.marks[r]&skip == 0 {
			a.place(r, SourceScreen)
			a.showCamera(r)
			break
		}
	}
	for r, p := range roster {
		if p.Presenter && a.free > 0 {
			a.showCamera(r)
		}
	}
	if r, ok := a.lookup(a.in.ActiveSpeaker); ok {
		a.showCamera(r)
	}
	for r := 0; r < len(roster) && a.free > 0; r++ {
		if a.marks[r]&inSet == 0 {
			a.showCamera(r)
		}
	}
	for r := 0; a.explicit && r < len(roster) && a.free > 0; r++ {
		a.showCamera(r)
	}
}

// placeBoard shows the whiteboard in the first free pane, if any.
func (a *assigner) placeBoard() {
	for a.next < len(a.out) && a.busy[a.next] {
		a.next++
	}
	if a.next < len(a.out) {
		a.out[a.next].Source = SourceWhiteboard
		a.busy[a.next] = true
		a.free--
	}
}

// showCamera places roster entry r's camera unless it is shown already or never shown.
func (a *assigner) showCamera(r int) {
	if a.marks[r]&(skip|onCamera) == 0 {
		a.place(r, SourceCamera)
	}
}

// rotate fills the polled panes and returns when the rotation changes them next.
//
// The candidates are the set (or the roster) minus everyone fill or a pin showed. Step k
// shows candidates k*n, k*n+1, ... k*n+n-1 (modulo their number) in the n polled panes,
// so consecutive steps move on by a whole screenful and, while the candidates stay the
// same, everyone appears within ceil(candidates/n) steps. When there are no more
// candidates than panes, they are shown once each, first panes first, and nothing rotates.
func (a *assigner) rotate() time.Time {
	polled := a.polled[:a.npolled]
	if len(polled) == 0 {
		return time.Time{}
	}
	p := &a.in.Polling
	var buf [64]int32
	cand := buf[:0]
	if len(a.in.Roster) > len(buf) {
		cand = make([]int32, 0, len(a.in.Roster))
	}
	eligible := func(r int) bool {
		return a.marks[r]&(skip|onCamera|queued) == 0 && (!p.SkipNoVideo || a.in.Roster[r].Video)
	}
	if a.explicit {
		for _, id := range p.Set {
			if r, ok := a.lookup(id); ok && eligible(r) {
				a.marks[r] |= queued
				cand = append(cand, int32(r))
			}
		}
	} else {
		for r := range a.in.Roster {
			if eligible(r) {
				cand = append(cand, int32(r))
			}
		}
	}
	n, m := len(polled), len(cand)
	if m <= n {
		for j, r := range cand {
			a.put(int(polled[j]), int(r), SourceCamera)
		}
		return time.Time{}
	}
	step, next := p.step(a.in.Now)
	off := int(step * int64(n) % int64(m))
	for j, i := range polled {
		a.put(int(i), int(cand[(off+j)%m]), SourceCamera)
	}
	return next
}
