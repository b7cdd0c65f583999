package audiolevel

import (
	"testing"
	"time"

	"github.com/pion/rtp"
)

const ms = time.Millisecond

var t0 = time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)

func TestMeterFrameDuration(t *testing.T) {
	tests := []struct {
		name  string
		clock uint32
		ts    []uint32
		want  []time.Duration
	}{
		{"first packet assumes 20 ms, then timestamp steps", 0,
			[]uint32{1000, 1960, 2920, 3400, 5320},
			[]time.Duration{20 * ms, 20 * ms, 20 * ms, 10 * ms, 40 * ms}},
		{"120 ms is still one packet, more is a gap", 0,
			[]uint32{0, 5760, 5760 + 5761, 5760 + 5761 + 960},
			[]time.Duration{20 * ms, 120 * ms, 20 * ms, 20 * ms}},
		{"DTX: 400 ms of nothing, then speech", 0,
			[]uint32{0, 19200, 20160},
			[]time.Duration{20 * ms, 20 * ms, 20 * ms}},
		{"duplicate counts nothing", 0,
			[]uint32{0, 960, 960, 1920},
			[]time.Duration{20 * ms, 20 * ms, 0, 20 * ms}},
		{"late packet was covered by the one that overtook it", 0,
			[]uint32{0, 1920, 960, 2880},
			[]time.Duration{20 * ms, 40 * ms, 0, 20 * ms}},
		{"timestamp wraps around", 0,
			[]uint32{4294966816, 480, 1440},
			[]time.Duration{20 * ms, 20 * ms, 20 * ms}},
		{"jump back by more than a second restarts", 0,
			[]uint32{1_000_000, 900_000, 900_960},
			[]time.Duration{20 * ms, 20 * ms, 20 * ms}},
		{"16 kHz clock", 16000,
			[]uint32{0, 320, 960},
			[]time.Duration{20 * ms, 20 * ms, 40 * ms}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMeter(MeterConfig{ClockRate: tt.clock})
			for i, ts := range tt.ts {
				if got := time.Duration(m.frameDuration(ts)); got != tt.want[i] {
					t.Fatalf("packet %d (ts %d): %v, want %v", i, ts, got, tt.want[i])
				}
			}
		})
	}
}

func TestMeterVoiced(t *testing.T) {
	tests := []struct {
		name   string
		cfg    MeterConfig
		levels []uint8 // 20 ms frames, 20 ms apart
		want   time.Duration
	}{
		{"silence", MeterConfig{}, []uint8{127, 127, 127}, 0},
		{"speech at and below the default level", MeterConfig{}, []uint8{127, 40, 20, 0, 41, 90}, 60 * ms},
		{"custom level", MeterConfig{ActiveLevel: 30}, []uint8{127, 40, 30, 20}, 40 * ms},
		{"level beyond 127 means the default", MeterConfig{ActiveLevel: 200}, []uint8{127, 40, 41}, 20 * ms},
		{"a steady fan at 38 is not voice, speech over it is", MeterConfig{}, []uint8{38, 37, 38, 38, 27, 20, 38}, 40 * ms},
		{"the floor follows quiet frames within the window", MeterConfig{}, []uint8{25, 25, 127, 25}, 20 * ms},
		{"custom noise margin", MeterConfig{NoiseMargin: 3}, []uint8{38, 35, 36}, 20 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMeter(tt.cfg)
			for i, l := range tt.levels {
				m.Observe(l, 20*ms, t0.Add(time.Duration(i)*20*ms))
			}
			if got := time.Duration(m.voiced.Load()); got != tt.want {
				t.Fatalf("voiced %v, want %v", got, tt.want)
			}
		})
	}
}

// TestMeterNoiseWindow checks that the floor of a noisy stretch ages out: once a quiet room
// has been quiet for two windows, a level just above the threshold counts again.
func TestMeterNoiseWindow(t *testing.T) {
	m := NewMeter(MeterConfig{NoiseWindow: time.Second})
	at := 0
	feed := func(level uint8, frames int) time.Duration {
		before := m.voiced.Load()
		for range frames {
			m.Observe(level, 20*ms, t0.Add(time.Duration(at)*ms))
			at += 20
		}
		return time.Duration(m.voiced.Load() - before)
	}
	feed(38, 100) // two seconds next to a fan: floor 38, threshold 28
	if got := feed(35, 5); got != 0 {
		t.Fatalf("35 over a fan at 38 counted %v", got)
	}
	feed(127, 100) // the fan is off for two seconds
	if got := feed(35, 5); got != 100*ms {
		t.Fatalf("35 in a quiet room counted %v, want 100ms", got)
	}
}

func TestMeterEnergy(t *testing.T) {
	for _, tt := range []struct {
		level uint8
		amp   uint32
	}{{0, 65536}, {6, 32846}, {20, 6554}, {40, 655}, {127, 0}} {
		if amplitude[tt.level] != tt.amp {
			t.Errorf("amplitude[%d] = %d, want %d", tt.level, amplitude[tt.level], tt.amp)
		}
	}
	m := NewMeter(MeterConfig{})
	m.Observe(127, 20*ms, t0)
	m.Observe(20, 20*ms, t0.Add(20*ms))
	m.Observe(0, 10*ms, t0.Add(40*ms))
	if got, want := m.energy.Load(), uint64(6554*20000+65536*10000); got != want {
		t.Fatalf("energy %d, want %d", got, want)
	}
}

func TestMeterMuted(t *testing.T) {
	m := NewMeter(MeterConfig{})
	m.Observe(127, 20*ms, t0)
	m.SetMuted(true)
	if !m.Muted() {
		t.Fatal("Muted = false after SetMuted(true)")
	}
	m.Observe(10, 20*ms, t0.Add(20*ms))
	if m.voiced.Load() != 0 || m.energy.Load() != 0 {
		t.Fatal("a muted meter accumulated voice")
	}
	m.SetMuted(false)
	m.Observe(10, 20*ms, t0.Add(40*ms))
	if time.Duration(m.voiced.Load()) != 20*ms {
		t.Fatalf("voiced %v after unmute", time.Duration(m.voiced.Load()))
	}
}

func TestMeterObserveRTP(t *testing.T) {
	m := NewMeter(MeterConfig{})
	h := rtp.Header{Version: 2, PayloadType: 111, Timestamp: 0}
	if m.ObserveRTP(&h, 1, t0) {
		t.Fatal("ObserveRTP without extension = true")
	}
	if err := h.SetExtension(1, []byte{127}); err != nil {
		t.Fatal(err)
	}
	if m.ObserveRTP(&h, 2, t0) {
		t.Fatal("ObserveRTP with another id = true")
	}
	if !m.ObserveRTP(&h, 1, t0) {
		t.Fatal("ObserveRTP = false")
	}
	h.Timestamp = 960
	if err := h.SetExtension(1, []byte{0x80 | 20}); err != nil {
		t.Fatal(err)
	}
	if !m.ObserveRTP(&h, 1, t0.Add(20*ms)) || time.Duration(m.voiced.Load()) != 20*ms {
		t.Fatalf("voiced %v, want 20ms", time.Duration(m.voiced.Load()))
	}
	// A packet without the level leaves its time to the next packet's step.
	h.Timestamp = 1920
	if err := h.DelExtension(1); err != nil {
		t.Fatal(err)
	}
	m.ObserveRTP(&h, 1, t0.Add(40*ms))
	h.Timestamp = 2880
	if err := h.SetExtension(1, []byte{20}); err != nil {
		t.Fatal(err)
	}
	m.ObserveRTP(&h, 1, t0.Add(60*ms))
	if got := time.Duration(m.voiced.Load()); got != 60*ms {
		t.Fatalf("voiced %v, want 60ms", got)
	}
}

func TestMeterAllocs(t *testing.T) {
	m := NewMeter(MeterConfig{})
	h := rtp.Header{Version: 2, PayloadType: 111}
	if err := h.SetExtension(1, []byte{25}); err != nil {
		t.Fatal(err)
	}
	now := t0
	n := testing.AllocsPerRun(1000, func() {
		h.Timestamp += 960
		now = now.Add(20 * ms)
		m.ObserveRTP(&h, 1, now)
	})
	if n != 0 {
		t.Fatalf("ObserveRTP allocates %v times", n)
	}
}
