package sfu

import (
	"sync"
	"testing"
)

func TestSpreaderAddRemove(t *testing.T) {
	var s Spreader
	src := NewSource(0)
	a, b, c := audioTrack(src), audioTrack(src), audioTrack(src)
	s.Add(a)
	s.Add(b)
	s.Add(a) // no duplicate
	s.Add(c)
	if s.Len() != 3 {
		t.Fatalf("len = %d, want 3", s.Len())
	}
	if !s.Remove(b) || s.Remove(b) {
		t.Fatal("remove b: want true then false")
	}
	var got []*DownTrack
	s.ForEach(func(d *DownTrack) { got = append(got, d) })
	if len(got) != 2 || got[0] != a || got[1] != c {
		t.Fatalf("ForEach = %v, want [a c]", got)
	}
}

func TestSpreaderConcurrent(t *testing.T) {
	var s Spreader
	src := NewSource(0)
	fixed := audioTrack(src)
	s.Add(fixed)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			mine := audioTrack(src)
			for {
				select {
				case <-stop:
					return
				default:
				}
				s.Add(mine)
				s.Remove(mine)
			}
		})
	}
	// The forwarding goroutine: every snapshot contains the fixed track exactly once.
	for i := range 20000 {
		n := 0
		s.ForEach(func(d *DownTrack) {
			if d == fixed {
				n++
				d.Forward(audioPkt(uint16(i), i))
			}
		})
		if n != 1 {
			t.Fatalf("fixed track seen %d times", n)
		}
	}
	close(stop)
	wg.Wait()
	if s.Len() != 1 {
		t.Fatalf("len = %d after all removes, want 1", s.Len())
	}
}
