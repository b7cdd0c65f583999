package sfu

import (
	"bytes"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/rtp"
)

func audioTrack(src *Source) *DownTrack {
	return NewDownTrack(src, DownTrackConfig{Kind: KindAudio, SSRC: 0xA0D10, PayloadType: 111, ClockRate: 48000})
}

func videoTrack(src *Source) *DownTrack {
	return NewDownTrack(src, DownTrackConfig{Kind: KindVideo, SSRC: 0x71DE0, PayloadType: 96, ClockRate: 90000})
}

func audioPkt(seq uint16, ms int) PacketMeta {
	return PacketMeta{SSRC: 42, Seq: seq, TS: uint32(seq) * 960, Arrival: at(ms)}
}

func TestHostMuteStopsNextPacketAndResumesContinuously(t *testing.T) {
	src := NewSource(0)
	d := audioTrack(src)
	var last uint16
	for i := uint16(0); i < 5; i++ {
		out, ok := d.Forward(audioPkt(1000+i, int(i)*20))
		if !ok {
			t.Fatalf("packet %d not forwarded", i)
		}
		last = out.Seq
	}

	// The host mutes from another goroutine (the meeting's control goroutine).
	done := make(chan struct{})
	go func() { src.SetHostMuted(true); close(done) }()
	<-done

	// The client keeps sending: nothing goes out, starting with the very next packet.
	for i := uint16(5); i < 105; i++ {
		if _, ok := d.Forward(audioPkt(1000+i, int(i)*20)); ok {
			t.Fatalf("packet %d forwarded while host-muted", i)
		}
	}

	go func() { src.SetHostMuted(false) }()
	deadline := time.Now().Add(5 * time.Second)
	for src.HostMuted() {
		if time.Now().After(deadline) {
			t.Fatal("unmute never observed")
		}
		time.Sleep(time.Millisecond)
	}
	out, ok := d.Forward(audioPkt(1105, 2100))
	if !ok {
		t.Fatal("not forwarded after unmute")
	}
	if out.Seq != last+1 {
		t.Fatalf("seq after unmute = %d, want %d (no hole)", out.Seq, last+1)
	}
	// Last forwarded packet arrived at 80 ms, this one at 2100 ms: 2.02 s of 48 kHz.
	if want := uint32(4*960 + 96960); out.TS-uint32(1000*960) != want {
		t.Fatalf("ts advanced by %d, want %d", out.TS-uint32(1000*960), want)
	}
	out2, _ := d.Forward(audioPkt(1106, 2120))
	if out2.Seq != last+2 || out2.TS-out.TS != 960 {
		t.Fatalf("second packet seq %d ts +%d, want %d, +960", out2.Seq, out2.TS-out.TS, last+2)
	}
}

// TestHostMuteConcurrent toggles the flag while the forwarding goroutine runs (for -race)
// and checks that no packet goes out while the track is muted and the flag is stable.
func TestHostMuteConcurrent(t *testing.T) {
	src := NewSource(0)
	d := audioTrack(src)
	var (
		wg   sync.WaitGroup
		gen  atomic.Uint64 // odd while the toggler is changing the flag
		stop = make(chan struct{})
	)
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			gen.Add(1)
			src.SetHostMuted(!src.HostMuted())
			gen.Add(1)
		}
	})
	forwarded := 0
	for i := range 20000 {
		g1 := gen.Load()
		muted := src.HostMuted()
		_, ok := d.Forward(audioPkt(uint16(i), i))
		if ok {
			forwarded++
		}
		if g1%2 == 0 && gen.Load() == g1 && muted && ok {
			t.Fatalf("packet %d forwarded while muted", i)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d of 20000 forwarded while toggling", forwarded)
}

func TestVideoMuteResumesOnKeyframeWithRequest(t *testing.T) {
	src := NewSource(time.Millisecond)
	d := videoTrack(src)
	v := func(seq uint16, kf bool, ms int) PacketMeta {
		return PacketMeta{SSRC: 9, Layer: 2, Seq: seq, TS: uint32(seq) * 3000, Keyframe: kf, Arrival: at(ms)}
	}
	if _, ok := d.Forward(v(1, false, 0)); ok {
		t.Fatal("forwarded before any keyframe")
	}
	if l := <-src.KeyframeRequests(); l != 2 {
		t.Fatalf("keyframe request for %v, want 2", l)
	}
	first, ok := d.Forward(v(2, true, 33))
	if !ok {
		t.Fatal("keyframe not forwarded")
	}
	d.SetPaused(true)
	if _, ok := d.Forward(v(3, false, 66)); ok {
		t.Fatal("forwarded while paused")
	}
	d.SetPaused(false)
	if _, ok := d.Forward(v(4, false, 99)); ok {
		t.Fatal("delta frame forwarded after resume")
	}
	select {
	case <-src.KeyframeRequests():
	default:
		t.Fatal("no keyframe request after resume")
	}
	out, ok := d.Forward(v(5, true, 132))
	if !ok || out.Seq != first.Seq+1 || !out.Rebased {
		t.Fatalf("after resume got %+v %v, want seq %d rebased", out, ok, first.Seq+1)
	}
}

func TestMarshalToRewritesCopy(t *testing.T) {
	d := videoTrack(NewSource(0))
	h := rtp.Header{Version: 2, PayloadType: 100, SequenceNumber: 7, Timestamp: 8, SSRC: 9}
	if err := h.SetExtension(3, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	payload := []byte{0xde, 0xad, 0xbe, 0xef}
	buf := make([]byte, 1500)
	n, err := d.MarshalTo(buf, &h, payload, Translated{Seq: 1234, TS: 5678, Marker: true})
	if err != nil {
		t.Fatal(err)
	}
	var p rtp.Packet
	if err := p.Unmarshal(buf[:n]); err != nil {
		t.Fatal(err)
	}
	if p.SSRC != 0x71DE0 || p.PayloadType != 96 || p.SequenceNumber != 1234 || p.Timestamp != 5678 ||
		!p.Marker || p.Extension || !bytes.Equal(p.Payload, payload) {
		t.Fatalf("bad packet %+v", p)
	}
	if h.SequenceNumber != 7 || h.SSRC != 9 || !h.Extension {
		t.Fatal("source header modified")
	}
	if _, err := d.MarshalTo(buf[:10], &h, payload, Translated{}); err == nil {
		t.Fatal("short buffer accepted")
	}
}

func TestForwardZeroAllocs(t *testing.T) {
	payload := make([]byte, 1000)
	buf := make([]byte, 1500)
	for _, tc := range []struct {
		name string
		d    *DownTrack
	}{{"video", videoTrack(NewSource(0))}, {"audio", audioTrack(NewSource(0))}} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			h := rtp.Header{Version: 2, PayloadType: 96, SSRC: 5}
			if err := h.SetExtension(1, []byte("f")); err != nil {
				t.Fatal(err)
			}
			seq := uint16(0)
			now := t0
			d.Forward(PacketMeta{SSRC: 5, Layer: 2, Keyframe: true, Arrival: now})
			allocs := testing.AllocsPerRun(1000, func() {
				seq++
				now = now.Add(time.Millisecond)
				h.SequenceNumber = seq
				out, ok := d.Forward(PacketMeta{SSRC: 5, Layer: 2, Seq: seq, Arrival: now})
				if !ok {
					t.Fatal("dropped")
				}
				if _, err := d.MarshalTo(buf, &h, payload, out); err != nil {
					t.Fatal(err)
				}
			})
			if allocs != 0 {
				t.Fatalf("%v allocs per packet, want 0", allocs)
			}
		})
	}
	t.Run("fanout", func(t *testing.T) {
		var s Spreader
		for range 10 {
			s.Add(audioTrack(NewSource(0)))
		}
		h := rtp.Header{Version: 2, PayloadType: 111, SSRC: 42}
		i := 0
		allocs := testing.AllocsPerRun(1000, func() {
			i++
			in := PacketMeta{SSRC: 42, Seq: uint16(i), Arrival: t0.Add(time.Duration(i) * time.Millisecond)}
			s.ForEach(func(d *DownTrack) {
				if out, ok := d.Forward(in); ok {
					_, _ = d.MarshalTo(buf, &h, payload[:100], out)
				}
			})
		})
		if allocs != 0 {
			t.Fatalf("%v allocs per packet, want 0", allocs)
		}
	})
}
