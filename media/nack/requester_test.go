package nack

import (
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"go.uber.org/goleak"
)

func TestRequesterAsksForAGapUntilRepaired(t *testing.T) {
	defer goleak.VerifyNone(t)
	var mu sync.Mutex
	var asked []uint16
	r, err := NewRequester(0xabc, func(pkts []rtcp.Packet) error {
		mu.Lock()
		defer mu.Unlock()
		n := pkts[0].(*rtcp.TransportLayerNack)
		if n.MediaSSRC != 0xabc {
			t.Errorf("media SSRC %x", n.MediaSSRC)
		}
		for _, p := range n.Nacks {
			asked = append(asked, p.PacketList()...)
		}
		return nil
	}, 5*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, s := range []uint16{65533, 65534, 1, 2} { // 65535 and 0 lost across the wrap
		r.Push(s)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		n := len(asked)
		mu.Unlock()
		if n >= 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	mu.Lock()
	if len(asked) < 2 || asked[0] != 65535 || asked[1] != 0 {
		t.Fatalf("asked for %v, want 65535 and 0", asked)
	}
	mu.Unlock()
	r.Push(65535)
	r.Push(0)
	if st := r.Stats(); st.Repaired != 2 || st.Missing != 2 {
		t.Errorf("stats %+v: want 2 missing, 2 repaired", st)
	}
	r.Close()
	r.Close()
}
