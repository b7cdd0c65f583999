package sfu

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Spreader is the copy-on-write set of down-tracks of one published track. Add and Remove
// (control goroutines) copy the slice under a writers-only mutex and publish it atomically;
// ForEach (forwarding goroutine) reads the current slice without a lock or an allocation.
type Spreader struct {
	mu     sync.Mutex // serializes writers; never taken by ForEach
	tracks atomic.Pointer[[]*DownTrack]
}

// Add adds d; adding a down-track already present does nothing. Any goroutine may call it.
func (s *Spreader) Add(d *DownTrack) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.load()
	if slices.Contains(old, d) {
		return
	}
	next := make([]*DownTrack, len(old), len(old)+1)
	copy(next, old)
	next = append(next, d)
	s.tracks.Store(&next)
}

// Remove removes d and reports whether it was present. Any goroutine may call it.
func (s *Spreader) Remove(d *DownTrack) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.load()
	i := slices.Index(old, d)
	if i < 0 {
		return false
	}
	next := make([]*DownTrack, 0, len(old)-1)
	next = append(next, old[:i]...)
	next = append(next, old[i+1:]...)
	s.tracks.Store(&next)
	return true
}

// Len returns the number of down-tracks.
func (s *Spreader) Len() int { return len(s.load()) }

// ForEach calls fn for every down-track in the set as it was when ForEach started. The
// slice it walks is never modified, so fn may run while Add and Remove publish new sets.
func (s *Spreader) ForEach(fn func(*DownTrack)) {
	for _, d := range s.load() {
		fn(d)
	}
}

func (s *Spreader) load() []*DownTrack {
	if p := s.tracks.Load(); p != nil {
		return *p
	}
	return nil
}
