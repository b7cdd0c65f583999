package layout

import (
	"testing"
	"time"
)

// BenchmarkAssign measures one recompute: 1+21 with 200 participants (a sharer, a
// presenter, pins, polling of 5 panes through the 180 not otherwise shown), and a small
// meeting for comparison. Now moves on by a step per iteration.
func BenchmarkAssign(b *testing.B) {
	big := people(200)
	big[3].Screen, big[7].Presenter = true, true
	cases := []struct {
		name string
		in   Input
	}{
		{"1+21/200/polling", Input{
			Mode: OnePlus21, Roster: big, ActiveSpeaker: "p150",
			Pins:    map[int]ParticipantID{2: "p100", 3: "p101"},
			Polling: Polling{Enabled: true, Panes: []int{17, 18, 19, 20, 21}, Interval: 10 * time.Second, Epoch: epoch},
		}},
		{"1+21/200/polling-set", Input{
			Mode: OnePlus21, Roster: big, ActiveSpeaker: "p150",
			Polling: Polling{Enabled: true, Panes: []int{17, 18, 19, 20, 21}, Set: ids(50, 150), Interval: 10 * time.Second, Epoch: epoch},
		}},
		{"2x2/6", Input{Mode: Grid2x2, Roster: people(6), ActiveSpeaker: "p5"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			in := c.in
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				in.Now = at(time.Duration(i) * 10 * time.Second)
				i++
				if r := Assign(in); r.Panes[0].Participant == "" {
					b.Fatal("empty big pane")
				}
			}
		})
	}
}
