package layout

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// FuzzAssign builds inputs from random bytes — rosters with repeated, empty and absent
// IDs, several sharers and presenters, pins and polling of any validity — and checks the
// invariants of checkInvariants, determinism, and that pinned participants keep their
// panes.
func FuzzAssign(f *testing.F) {
	// mode, flags, interval, panes (count, indexes), [set], pins, speaker, roster...
	f.Add([]byte{3, 1, 0, 1, 6, 7, 0, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, int64(0))
	f.Add([]byte{4, 65, 3, 2, 20, 21, 19, 4, 9, 10, 11, 12, 2, 3, 4, 5, 1, 2, 3, 4, 0xc5, 0xa6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25}, int64(123e9))
	f.Add([]byte{5, 7, 1, 0, 2, 0, 0x91, 0x92, 1, 1, 1, 2, 2, 2, 0xff, 0xfe, 0xfd, 0x10, 0x20}, int64(-5e9))
	f.Add([]byte{1, 1, 0, 0, 0, 0, 0x80, 0x80, 0x80, 40, 40}, int64(1<<62))
	f.Fuzz(func(t *testing.T, data []byte, now int64) {
		in := fuzzInput(data, now)
		r := Assign(in)
		checkInvariants(t, in, r)
		if again := Assign(in); !slices.Equal(again.Panes, r.Panes) || !again.NextChange.Equal(r.NextChange) || again.Hidden != r.Hidden {
			t.Fatalf("not deterministic: %q then %q", render(r), render(again))
		}
		// The lowest pin of a present participant holds.
		present := map[ParticipantID]bool{}
		for _, p := range in.Roster {
			present[p.ID] = p.ID != ""
		}
		held := map[ParticipantID]bool{}
		for i := range r.Panes {
			id, ok := in.Pins[i]
			if !ok || !present[id] || held[id] {
				continue
			}
			held[id] = true
			if a := r.Panes[i]; a.Participant != id || a.Source != SourceCamera || a.Polled {
				t.Fatalf("pane %d is pinned to %q but shows %+v", i, id, a)
			}
		}
	})
}

// fuzzInput decodes data: mode, polling, pins and the speaker first, then one byte per
// participant for the rest (ID from the low bits, so IDs repeat, are absent from the
// roster or empty; flags from the high bits). Missing bytes read as zero.
func fuzzInput(data []byte, now int64) Input {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	id := func(b int) ParticipantID {
		if b%41 == 40 {
			return ""
		}
		return ParticipantID(fmt.Sprintf("u%d", b%41))
	}
	in := Input{Mode: Mode(next() % 7), Now: epoch.Add(time.Duration(now))}

	// Polling is mostly valid, so that rotations run; the rest checks that invalid
	// polling stays off.
	flags := next()
	in.Polling = Polling{
		Enabled:     flags&3 != 0,
		Interval:    []time.Duration{MinInterval, 7 * time.Second, MaxInterval, 10 * time.Second, 13 * time.Second, 30 * time.Second, time.Second, 0}[next()%8],
		SkipNoVideo: flags&4 != 0,
	}
	if flags&8 == 0 || flags&16 == 0 {
		in.Polling.Epoch = epoch
	}
	panes := max(len(Of(in.Mode).Panes), 1)
	for range 1 + next()%5 {
		i := next()
		if i < 240 {
			i %= panes
		} else {
			i = i%25 - 1
		}
		if flags&32 != 0 || !slices.Contains(in.Polling.Panes, i) {
			in.Polling.Panes = append(in.Polling.Panes, i)
		}
	}
	if flags&64 != 0 {
		for range next() % 16 {
			in.Polling.Set = append(in.Polling.Set, id(next()))
		}
	}

	for range next() % 6 {
		if in.Pins == nil {
			in.Pins = map[int]ParticipantID{}
		}
		in.Pins[next()%26-1] = id(next())
	}
	in.ActiveSpeaker = id(next())
	in.Whiteboard = flags&128 != 0

	for len(data) > 0 {
		b := next()
		in.Roster = append(in.Roster, Participant{ID: id(b), Screen: b&0x80 != 0 && b&0x40 != 0, Presenter: b&0x80 != 0 && b&0x20 != 0, Video: b&0x10 == 0})
	}
	return in
}
