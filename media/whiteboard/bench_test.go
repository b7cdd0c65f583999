package whiteboard

import (
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// freedraw returns a freedraw element of about 2 KB: Excalidraw sends the
// whole stroke again on every change.
func freedraw(version int64) string {
	var pts strings.Builder
	for i := range 140 {
		if i > 0 {
			pts.WriteByte(',')
		}
		fmt.Fprintf(&pts, "[%d.5,%d.25]", i*3, i%17)
	}
	return fmt.Sprintf(`{"id":"fd_bench","type":"freedraw","x":300,"y":200,"width":420,"height":17,"angle":0,"strokeColor":"#e03131","backgroundColor":"transparent","fillStyle":"solid","strokeWidth":2,"strokeStyle":"solid","roughness":1,"opacity":100,"groupIds":[],"frameId":null,"index":"a1","roundness":null,"seed":99,"version":%d,"versionNonce":%d,"isDeleted":false,"boundElements":null,"updated":1718000000000,"link":null,"locked":false,"points":[%s],"pressures":[],"simulatePressure":true,"lastCommittedPoint":null}`,
		version, version*7919, pts.String())
}

// BenchmarkRelayFreedraw20Peers measures one participant's update of a ~2 KB
// freedraw element, relayed to 20 peers (the sender included), from Receive
// to the last peer's send function.
func BenchmarkRelayFreedraw20Peers(b *testing.B) {
	var now atomic.Int64
	h := NewHub(Config{Now: func() time.Time { return time.Unix(0, now.Add(int64(time.Second))) }, Logger: slog.New(slog.DiscardHandler)})
	defer h.Close()
	var delivered atomic.Int64
	for i := range 20 {
		if err := h.Attach(ParticipantID(fmt.Sprintf("PA_%d", i)), func(f []byte) error { delivered.Add(1); return nil }); err != nil {
			b.Fatal(err)
		}
	}
	waitIdle(b, h)
	msgs := make([][]byte, b.N)
	for i := range msgs {
		msgs[i] = update("", freedraw(int64(i+1)))
	}
	b.SetBytes(int64(len(msgs[0])))
	b.ReportAllocs()
	b.ResetTimer()
	start := delivered.Load()
	for i := range b.N {
		if err := h.Receive("PA_0", false, msgs[i]); err != nil {
			b.Fatal(err)
		}
		if i%256 == 255 {
			waitIdle(b, h) // stay within the queues: overflow would send snapshots instead
		}
	}
	waitIdle(b, h)
	b.StopTimer()
	if got := delivered.Load() - start; got != int64(b.N)*20 {
		b.Fatalf("%d frames delivered, want %d", got, b.N*20)
	}
}

// BenchmarkDecodeFreedraw measures decoding and validating the same update.
func BenchmarkDecodeFreedraw(b *testing.B) {
	msg := update("", freedraw(1))
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSnapshot5000 measures what a joiner costs on a board of 5,000
// elements of about 400 bytes: the capture under the lock, the sort and the
// encoding of every part.
func BenchmarkSnapshot5000(b *testing.B) {
	bd := newBoard()
	for i := range 5000 {
		e := elIndexed(fmt.Sprintf("el_%05d", i), fmt.Sprintf("a%05d", (i*7919)%5000), 1, int64(i), false)
		e = e[:len(e)-1] + `,"x":1024.5,"y":-77.25,"width":240,"height":120,"angle":0,"strokeColor":"#1e1e1e","backgroundColor":"transparent","fillStyle":"solid","strokeWidth":2,"strokeStyle":"solid","roughness":1,"opacity":100,"groupIds":[],"frameId":null,"roundness":{"type":3},"seed":1468221,"boundElements":null,"updated":1718000000000,"link":null,"locked":false}`
		m, err := Decode(update("", e))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bd.apply(m.Elements); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	var size, parts int
	for b.Loop() {
		bd.snap = nil // as after a change
		s := bd.capture()
		parts = s.numParts()
		size = 0
		for i := range parts {
			size += len(s.frame(i))
		}
	}
	b.ReportMetric(float64(parts), "parts")
	b.ReportMetric(float64(size), "bytes")
}
