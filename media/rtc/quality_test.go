package rtc

import (
	"testing"
	"time"
)

func TestQualityFor(t *testing.T) {
	for _, tc := range []struct {
		loss float64
		want int
	}{{0, 5}, {0.009, 5}, {0.01, 4}, {0.05, 3}, {0.1, 2}, {0.2, 1}, {1, 1}} {
		if got := qualityFor(tc.loss); got != tc.want {
			t.Errorf("qualityFor(%v) = %d, want %d", tc.loss, got, tc.want)
		}
	}
}

func TestObserveSeqCountsGapsAndLatePackets(t *testing.T) {
	var l localCounts
	// 65534, 65535, (0 lost), 1, 3, 2 (late), 1 (retransmitted), 4: 7 sent from 65534 to 4.
	for _, s := range []uint16{65534, 65535, 1, 3, 2, 1, 4} {
		l.observeSeq(s, 0)
	}
	if l.expected != 7 || l.received != 7 {
		t.Errorf("expected %d received %d, want 7 and 7", l.expected, l.received)
	}
	var m localCounts
	for _, s := range []uint16{10, 11, 15} { // 12, 13, 14 lost
		m.observeSeq(s, 0)
	}
	if m.expected != 6 || m.received != 3 {
		t.Errorf("expected %d received %d, want 6 and 3", m.expected, m.received)
	}
}

// TestObserveSeqSkipsALinkOutage: the packets a publisher sent while its link was down
// (no packet for iceDisconnected or more) are not loss on the link that came back;
// a shorter gap is.
func TestObserveSeqSkipsALinkOutage(t *testing.T) {
	var l localCounts
	ms := int64(time.Millisecond)
	l.observeSeq(100, 0)
	l.observeSeq(101, 20*ms)
	l.observeSeq(111, 520*ms) // 9 lost in half a second
	if l.expected != 12 || l.received != 3 {
		t.Errorf("after a short gap: expected %d received %d, want 12 and 3", l.expected, l.received)
	}
	l.observeSeq(611, 520*ms+int64(iceDisconnected)+ms) // 10 s of packets sent into a dead link
	l.observeSeq(612, 540*ms+int64(iceDisconnected)+ms)
	if l.expected != 14 || l.received != 5 {
		t.Errorf("after an outage: expected %d received %d, want 14 and 5", l.expected, l.received)
	}
}
