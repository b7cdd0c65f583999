package meeting

import (
	"context"
)

// Update is one message of a subscription: either a full state (Full non-nil) or the
// next event (Event non-nil). Receivers share both and must not modify them.
type Update struct {
	Full  *State
	Event *Event
}

// Seq returns the sequence number the update brings its receiver to.
func (u Update) Seq() uint64 {
	if u.Full != nil {
		return u.Full.Seq
	}
	return u.Event.Seq
}

// subscriber is one subscription. Only the owner goroutine sends on or closes ch.
type subscriber struct {
	ch chan Update
	// stop cancels the context.AfterFunc that unsubscribes.
	stop func() bool
	// resyncs counts the full states sent because the queue overflowed.
	resyncs int
}

// Subscribe returns the meeting's updates from after sinceSeq: the events since then
// when the history still holds them (none when the subscriber is up to date), else,
// and always for sinceSeq 0, a full state first. Events follow in order. A subscriber
// whose queue fills up loses its queue and gets a full state instead, so it never
// delays the meeting. The channel is closed when ctx is done or the meeting ends.
// Whether the caller may see the meeting is the edge's decision.
func (m *Owner) Subscribe(ctx context.Context, sinceSeq uint64) (<-chan Update, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return call(ctx, m, func(o *loop) (<-chan Update, error) {
		s := &subscriber{ch: make(chan Update, o.cfg.QueueSize)}
		evs, ok := o.since(sinceSeq)
		if sinceSeq == 0 || !ok || len(evs) >= cap(s.ch) {
			full := o.st.Clone()
			s.ch <- Update{Full: &full}
		} else {
			for i := range evs {
				s.ch <- Update{Event: &evs[i]}
			}
		}
		o.subs[s] = struct{}{}
		s.stop = context.AfterFunc(ctx, func() {
			select { // unsubscribe on the owner, unless it has gone
			case m.reqs <- func(o *loop) { o.drop(s) }:
			case <-m.done:
			}
		})
		return s.ch, nil
	})
}

// publish queues e for every subscriber; a full queue is replaced by a full state.
// Owner goroutine; it never blocks.
func (o *loop) publish(e *Event) {
	var full *State
	for s := range o.subs {
		select {
		case s.ch <- Update{Event: e}:
			continue
		default:
		}
		if full == nil {
			c := o.st.Clone()
			full = &c
		}
		o.resync(s, full)
	}
}

// resync empties s's queue and puts the full state in it. Owner goroutine: as the only
// sender it finds room after emptying, whatever the receiver does meanwhile.
func (o *loop) resync(s *subscriber, full *State) {
	s.resyncs++
	for {
		select {
		case <-s.ch:
			continue
		default:
		}
		break
	}
	select {
	case s.ch <- Update{Full: full}:
	default:
	}
}

// drop ends a subscription. Owner goroutine.
func (o *loop) drop(s *subscriber) {
	if _, ok := o.subs[s]; !ok {
		return
	}
	delete(o.subs, s)
	s.stop()
	close(s.ch)
}
