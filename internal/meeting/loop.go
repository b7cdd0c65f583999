package meeting

import (
	"context"
	"time"

	"github.com/jishitong/jishitong/internal/layout"
)

// loop is the state of a meeting's owner goroutine. Only that goroutine touches it.
type loop struct {
	m   *Owner
	cfg Config
	st  State
	// hungUp holds the participants who may not rejoin, with how they were removed.
	hungUp map[ParticipantID]RemovedDelta
	// hist is a ring of the last len(hist) events: event s is at hist[(s-1)%len(hist)].
	hist []Event
	subs map[*subscriber]struct{}
	// chat is the run's chat in order, at most MaxChatMessages; chatRate holds each
	// sender's token bucket.
	chat     []ChatMessage
	chatRate map[ParticipantID]*chatBucket
	// timer fires at due, the next polling step.
	timer Timer
	due   time.Time
}

func newLoop(m *Owner, cfg Config) *loop {
	o := &loop{
		m:      m,
		cfg:    cfg,
		hungUp: make(map[ParticipantID]RemovedDelta),
		hist:   make([]Event, cfg.History),
		subs:   make(map[*subscriber]struct{}),
		// chatRate is keyed by participant; a run has as many as ever joined.
		chatRate: make(map[ParticipantID]*chatBucket),
	}
	o.st.Mode = cfg.Mode
	o.st.MuteOnEntry = cfg.MuteOnEntry
	o.st.Locked = cfg.Locked
	o.st.AllowSelfUnmute = cfg.AllowSelfUnmuteDefault
	o.st.Assignment, _ = o.assign(cfg.Clock.Now())
	return o
}

// run is the owner goroutine.
func (o *loop) run(ctx context.Context) {
	defer close(o.m.done)
	defer o.shutdown()
	for !o.st.Ended {
		select {
		case <-ctx.Done():
			return
		case f := <-o.m.reqs:
			f(o)
		case <-o.m.tick:
			o.due = time.Time{}
			o.emit(KindLayout, System, "", nil)
		}
	}
}

// shutdown stops the timer and ends every subscription. Owner goroutine.
func (o *loop) shutdown() {
	if o.timer != nil {
		o.timer.Stop()
	}
	for s := range o.subs {
		o.drop(s)
	}
}

// emit makes one change: it applies d, recomputes the panes, numbers the event, keeps it
// in the history and hands it to the log and the subscribers. A nil d (a polling step)
// that leaves the panes as they are is no change and emits nothing. Owner goroutine.
func (o *loop) emit(kind Kind, a Actor, subject ParticipantID, d Delta) {
	e := Event{Seq: o.st.Seq + 1, At: o.cfg.Clock.Now(), Kind: kind, Actor: a, Subject: subject, Delta: d}
	if d != nil {
		d.apply(&o.st)
	}
	if asg, changed := o.assign(e.At); changed {
		o.st.Assignment = asg
		e.Assignment = &asg
	} else if d == nil {
		return
	}
	o.st.Seq = e.Seq
	o.hist[(e.Seq-1)%uint64(len(o.hist))] = e
	o.syncMuted()
	if o.cfg.Log != nil {
		o.cfg.Log(e)
	}
	o.publish(&e)
}

// assign computes the panes at now, reports whether they differ from the current ones
// and sets the timer for the next polling step. Owner goroutine.
func (o *loop) assign(now time.Time) (Assignment, bool) {
	r := layout.Assign(o.st.layoutInput(now))
	o.schedule(now, r.NextChange)
	asg := Assignment{Panes: r.Panes, Hidden: r.Hidden}
	return asg, !asg.equal(o.st.Assignment)
}

// schedule makes the timer fire at next (never when next is zero). Owner goroutine.
func (o *loop) schedule(now, next time.Time) {
	if next.Equal(o.due) {
		return
	}
	if o.timer != nil {
		o.timer.Stop()
		o.timer = nil
	}
	o.due = next
	if next.IsZero() {
		return
	}
	tick := o.m.tick
	o.timer = o.cfg.Clock.AfterFunc(next.Sub(now), func() {
		select { // a tick already pending does the same work
		case tick <- struct{}{}:
		default:
		}
	})
}

// syncMuted publishes the host-muted set when it changed and tells OnMute. Owner
// goroutine.
func (o *loop) syncMuted() {
	old := *o.m.muted.Load()
	n, same := 0, true
	for _, p := range o.st.Participants {
		if p.MutedByHost {
			n++
			if _, ok := old[p.ID]; !ok {
				same = false
			}
		}
	}
	if same && n == len(old) {
		return
	}
	muted := make(map[ParticipantID]struct{}, n)
	for _, p := range o.st.Participants {
		if p.MutedByHost {
			muted[p.ID] = struct{}{}
		}
	}
	o.m.muted.Store(&muted)
	if o.cfg.OnMute == nil {
		return
	}
	for _, p := range o.st.Participants {
		if _, was := old[p.ID]; was != p.MutedByHost {
			o.cfg.OnMute(p.ID, p.MutedByHost)
		}
	}
}

// since returns the events after seq, or false when the history no longer holds them
// all (or seq is not one of this meeting's). Owner goroutine.
func (o *loop) since(seq uint64) ([]Event, bool) {
	n := uint64(len(o.hist))
	if seq > o.st.Seq || o.st.Seq-seq > n {
		return nil, false
	}
	out := make([]Event, 0, o.st.Seq-seq)
	for s := seq + 1; s <= o.st.Seq; s++ {
		out = append(out, o.hist[(s-1)%n])
	}
	return out, true
}
