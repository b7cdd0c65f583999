package auth

import (
	"sync"
	"time"
)

// Throttle counts failures per key and locks a key out once it has too many within a
// window. The lock-out doubles with each further failure, up to MaxLock. It is safe
// for concurrent use.
type Throttle struct {
	// Limit is how many failures are allowed within Window before a lock-out.
	Limit int
	// Window is how long a failure counts.
	Window time.Duration
	// BaseLock is the first lock-out; MaxLock the longest.
	BaseLock, MaxLock time.Duration

	mu      sync.Mutex
	entries map[string]*throttleEntry
	now     func() time.Time
	sweepAt time.Time
}

type throttleEntry struct {
	failures    []time.Time
	lockedUntil time.Time
	over        int // failures beyond the limit, for the growing lock-out
}

// maxTracked bounds memory under a flood of distinct keys: past it, the oldest state
// is swept first and, when still full, new keys are counted against a shared entry.
const maxTracked = 100_000

// Allowed returns how long key must wait before its next attempt; zero when it may try
// now.
func (t *Throttle) Allowed(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e == nil {
		return 0
	}
	if d := e.lockedUntil.Sub(t.clock()); d > 0 {
		return d
	}
	return 0
}

// Fail records a failed attempt by key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock()
	t.sweep(now)
	if t.entries == nil {
		t.entries = make(map[string]*throttleEntry)
	}
	e := t.entries[key]
	if e == nil {
		if len(t.entries) >= maxTracked {
			key = "\x00overflow"
			e = t.entries[key]
		}
		if e == nil {
			e = &throttleEntry{}
			t.entries[key] = e
		}
	}
	cut := now.Add(-t.Window)
	kept := e.failures[:0]
	for _, f := range e.failures {
		if f.After(cut) {
			kept = append(kept, f)
		}
	}
	e.failures = append(kept, now)
	if len(e.failures) > t.Limit {
		e.failures = e.failures[len(e.failures)-t.Limit:]
	}
	if len(e.failures) >= t.Limit {
		lock := t.BaseLock << min(e.over, 16)
		if lock > t.MaxLock || lock <= 0 {
			lock = t.MaxLock
		}
		e.lockedUntil = now.Add(lock)
		e.over++
	}
}

// Succeed forgets key's failures.
func (t *Throttle) Succeed(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.entries, key)
}

func (t *Throttle) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// sweep drops entries that are neither locked nor have recent failures, at most once
// a minute. Called with mu held.
func (t *Throttle) sweep(now time.Time) {
	if now.Before(t.sweepAt) {
		return
	}
	t.sweepAt = now.Add(time.Minute)
	cut := now.Add(-t.Window)
	for k, e := range t.entries {
		if now.After(e.lockedUntil) && (len(e.failures) == 0 || !e.failures[len(e.failures)-1].After(cut)) {
			delete(t.entries, k)
		}
	}
}
