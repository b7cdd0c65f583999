// Package bus carries events between planes. This is the in-process implementation;
// a NATS-backed one with the same interface lets several nodes share events later.
package bus

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
)

// Event is one message on a topic.
type Event struct {
	Topic   string
	Payload any
}

// Bus fans events out to subscribers. Publishing never blocks: a subscriber whose
// buffer is full loses the event and the drop is counted.
type Bus struct {
	mu      sync.RWMutex
	subs    map[string]map[*sub]struct{}
	dropped atomic.Uint64
	log     *slog.Logger
}

type sub struct {
	ch chan Event
}

// New returns an empty bus.
func New(log *slog.Logger) *Bus {
	return &Bus{subs: make(map[string]map[*sub]struct{}), log: log}
}

// Publish delivers ev to every current subscriber of ev.Topic without blocking.
func (b *Bus) Publish(ev Event) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[ev.Topic] {
		select {
		case s.ch <- ev:
		default:
			b.dropped.Add(1)
			b.log.Warn("bus subscriber too slow, event dropped", "topic", ev.Topic)
		}
	}
}

// Subscribe returns a channel of the topic's events with room for buffer events, open
// until ctx is done. The channel is closed after ctx is done.
func (b *Bus) Subscribe(ctx context.Context, topic string, buffer int) <-chan Event {
	s := &sub{ch: make(chan Event, buffer)}
	b.mu.Lock()
	m := b.subs[topic]
	if m == nil {
		m = make(map[*sub]struct{})
		b.subs[topic] = m
	}
	m[s] = struct{}{}
	b.mu.Unlock()
	go func() {
		<-ctx.Done()
		b.mu.Lock()
		delete(b.subs[topic], s)
		if len(b.subs[topic]) == 0 {
			delete(b.subs, topic)
		}
		close(s.ch)
		b.mu.Unlock()
	}()
	return s.ch
}

// Dropped returns how many events were dropped for slow subscribers.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }
