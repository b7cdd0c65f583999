package whiteboard

import (
	"errors"
	"sync"
	"testing"
	"time"
)

// fakeChannel is a data channel whose buffer the test drains by hand.
type fakeChannel struct {
	mu        sync.Mutex
	buffered  uint64
	threshold uint64
	onLow     func()
	sent      []string
}

func (c *fakeChannel) SendText(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, s)
	c.buffered += uint64(len(s))
	return nil
}

func (c *fakeChannel) BufferedAmount() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buffered
}

func (c *fakeChannel) SetBufferedAmountLowThreshold(th uint64) { c.threshold = th }
func (c *fakeChannel) OnBufferedAmountLow(f func())            { c.onLow = f }

// drain empties the buffer and fires the low event as pion does.
func (c *fakeChannel) drain() {
	c.mu.Lock()
	c.buffered = 0
	f := c.onLow
	c.mu.Unlock()
	f()
}

func TestChannelSender(t *testing.T) {
	ch := &fakeChannel{}
	send := ChannelSender(ch, 100, time.Minute)
	if ch.threshold != 50 || ch.onLow == nil {
		t.Fatalf("threshold %d", ch.threshold)
	}
	if err := send(make([]byte, 150)); err != nil { // under the mark: sent at once
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- send([]byte("next")) }()
	select {
	case <-done:
		t.Fatal("sent while the buffer was above the high-water mark")
	case <-time.After(20 * time.Millisecond):
	}
	ch.drain()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(ch.sent) != 2 || ch.sent[1] != "next" {
		t.Fatalf("sent %q", ch.sent)
	}

	stuck := &fakeChannel{buffered: 1 << 30}
	send = ChannelSender(stuck, 0, 10*time.Millisecond)
	if err := send([]byte("x")); !errors.Is(err, ErrSlowPeer) {
		t.Fatalf("send to a stuck channel = %v, want ErrSlowPeer", err)
	}
	if stuck.threshold != DefaultHighWater/2 {
		t.Fatalf("default threshold %d", stuck.threshold)
	}
}
