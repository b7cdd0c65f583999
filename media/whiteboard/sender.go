package whiteboard

import "time"

// ChannelSender defaults.
const (
	DefaultHighWater    = 1 << 20
	DefaultDrainTimeout = 5 * time.Second
)

// TextChannel is the part of a WebRTC data channel that ChannelSender needs;
// pion's *webrtc.DataChannel implements it.
type TextChannel interface {
	SendText(s string) error
	BufferedAmount() uint64
	SetBufferedAmountLowThreshold(th uint64)
	OnBufferedAmountLow(f func())
}

// ChannelSender returns a send function for Hub.Attach that writes text
// messages to ch with back-pressure (pion's data-channels-flow-control
// example): while more than highWater bytes wait in the channel's buffer it
// waits for the buffer to drain to highWater/2, and gives up with ErrSlowPeer
// after timeout. Zero arguments mean DefaultHighWater and
// DefaultDrainTimeout. It takes over ch's OnBufferedAmountLow callback.
func ChannelSender(ch TextChannel, highWater uint64, timeout time.Duration) func([]byte) error {
	if highWater == 0 {
		highWater = DefaultHighWater
	}
	if timeout <= 0 {
		timeout = DefaultDrainTimeout
	}
	low := make(chan struct{}, 1)
	ch.SetBufferedAmountLowThreshold(highWater / 2)
	ch.OnBufferedAmountLow(func() {
		select {
		case low <- struct{}{}:
		default:
		}
	})
	return func(b []byte) error {
		if ch.BufferedAmount() > highWater {
			timer := time.NewTimer(timeout)
			defer timer.Stop()
			for ch.BufferedAmount() > highWater {
				select {
				case <-low:
				case <-timer.C:
					return ErrSlowPeer
				}
			}
		}
		return ch.SendText(string(b))
	}
}
