package auth

import (
	"sync"
	"time"
)

// Throttle counts failed attempts per key and locks a key out once it has Limit
// failures within Window. The lock-out doubles with each further failure, up to
// MaxLock. An attempt is reserved (Reserve) before it is made and counts against the
// limit while it is under way, so that whatever the concurrency at most Limit
// attempts of a key fail before it locks. It is safe for concurrent use.
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
	failures    []time.Time // within Window, oldest first
	pending     int         // reserved attempts not yet settled
	lockedUntil time.Time
	over        int // lock-outs so far, for the growing lock-out
}

// maxTracked bounds memory under a flood of distinct keys: past it, the oldest state
// is swept first and, when still full, new keys are counted against a shared entry.
const maxTracked = 100_000

// overflowKey is the shared entry of keys that found the table full.
const overflowKey = "\x00overflow"

// PendingWait is the wait answered to an attempt refused because the key's
// remaining attempts are all under way: their outcome is known within a password
// check.
const PendingWait = time.Second

// ThrottleKey names one key of one throttle for ReserveAll.
type ThrottleKey struct {
	Throttle *Throttle
	Key      string
	// KeepOnSuccess keeps the key's failures when the attempt succeeds (a source's
	// failures are not forgiven because one of its logins was right).
	KeepOnSuccess bool
	// CountOnly counts the attempt's failure against the key but never refuses the
	// attempt, even while the key is locked.
	CountOnly bool

	held bool // a reservation was made
}

// Ticket is a reserved attempt. Exactly one of Succeed, Fail or Release settles it;
// later calls do nothing. A Ticket is used by one goroutine.
type Ticket struct {
	keys    []ThrottleKey
	settled bool
}

// Reserve reserves an attempt by key. It returns the ticket, or nil and how long key
// must wait before its next attempt.
func (t *Throttle) Reserve(key string) (*Ticket, time.Duration) {
	return ReserveAll(ThrottleKey{Throttle: t, Key: key})
}

// ReserveAll reserves one attempt on every key, or on none: when one key refuses, the
// reservations already made are released and the longest wait among the refusing
// keys is returned.
func ReserveAll(keys ...ThrottleKey) (*Ticket, time.Duration) {
	tk := &Ticket{keys: make([]ThrottleKey, 0, len(keys))}
	var wait time.Duration
	for _, k := range keys {
		if k.CountOnly {
			tk.keys = append(tk.keys, k)
			continue
		}
		got, d := k.Throttle.reserve(k.Key)
		if d > 0 {
			wait = max(wait, d)
			continue
		}
		k.Key, k.held = got, true
		tk.keys = append(tk.keys, k)
	}
	if wait > 0 {
		tk.Release()
		return nil, wait
	}
	return tk, 0
}

// Succeed settles the attempt as a success: the keys' failures are forgotten, except
// those reserved with KeepOnSuccess.
func (tk *Ticket) Succeed() {
	tk.settle(func(t *Throttle, k ThrottleKey, now time.Time) {
		if !k.KeepOnSuccess {
			t.forget(k.Key)
		}
	})
}

// Fail settles the attempt as a failure, counted against every key.
func (tk *Ticket) Fail() {
	tk.settle(func(t *Throttle, k ThrottleKey, now time.Time) { t.fail(k.Key, now) })
}

// Release settles the attempt as not made (it ended before the password was
// checked): nothing is counted.
func (tk *Ticket) Release() {
	tk.settle(func(*Throttle, ThrottleKey, time.Time) {})
}

func (tk *Ticket) settle(f func(t *Throttle, k ThrottleKey, now time.Time)) {
	if tk == nil || tk.settled {
		return
	}
	tk.settled = true
	for _, k := range tk.keys {
		t := k.Throttle
		t.mu.Lock()
		if e := t.entries[k.Key]; e != nil && k.held && e.pending > 0 {
			e.pending--
		}
		f(t, k, t.clock())
		t.mu.Unlock()
	}
}

// Failures returns how many failures key has within the window.
func (t *Throttle) Failures(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.entries[key]
	if e == nil {
		return 0
	}
	e.trim(t.clock().Add(-t.Window))
	return len(e.failures)
}

// reserve counts an attempt by key as under way and returns the key it was counted
// against (the shared overflow key when the table is full), or the wait.
func (t *Throttle) reserve(key string) (string, time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock()
	t.sweep(now)
	key, e := t.entry(key)
	if d := e.lockedUntil.Sub(now); d > 0 {
		return "", d
	}
	e.trim(now.Add(-t.Window))
	if len(e.failures)+e.pending >= t.Limit {
		return "", PendingWait
	}
	e.pending++
	return key, 0
}

// entry returns the state of key, created when new; past maxTracked keys a new key
// is counted against the shared overflow entry, whose key it returns. Called with
// mu held.
func (t *Throttle) entry(key string) (string, *throttleEntry) {
	if t.entries == nil {
		t.entries = make(map[string]*throttleEntry)
	}
	if e := t.entries[key]; e != nil {
		return key, e
	}
	if len(t.entries) >= maxTracked {
		key = overflowKey
		if e := t.entries[key]; e != nil {
			return key, e
		}
	}
	e := &throttleEntry{}
	t.entries[key] = e
	return key, e
}

// fail records a failure by key. Called with mu held.
func (t *Throttle) fail(key string, now time.Time) {
	key, e := t.entry(key)
	e.trim(now.Add(-t.Window))
	e.failures = append(e.failures, now)
	if len(e.failures) >= t.Limit {
		lock := t.BaseLock << min(e.over, 16)
		if lock > t.MaxLock || lock <= 0 {
			lock = t.MaxLock
		}
		e.lockedUntil = now.Add(lock)
		e.over++
		// After the lock-out one attempt at a time is allowed, and its failure
		// locks again, for longer.
		e.failures = e.failures[len(e.failures)-(t.Limit-1):]
	}
}

// forget drops key's failures and lock-out. Called with mu held.
func (t *Throttle) forget(key string) {
	e := t.entries[key]
	if e == nil {
		return
	}
	if e.pending == 0 {
		delete(t.entries, key)
		return
	}
	*e = throttleEntry{pending: e.pending}
}

func (e *throttleEntry) trim(cut time.Time) {
	i := 0
	for i < len(e.failures) && !e.failures[i].After(cut) {
		i++
	}
	e.failures = e.failures[i:]
}

func (t *Throttle) clock() time.Time {
	if t.now != nil {
		return t.now()
	}
	return time.Now()
}

// sweep drops entries that are neither locked, nor under way, nor have recent
// failures, at most once a minute. Called with mu held.
func (t *Throttle) sweep(now time.Time) {
	if now.Before(t.sweepAt) {
		return
	}
	t.sweepAt = now.Add(time.Minute)
	cut := now.Add(-t.Window)
	for k, e := range t.entries {
		if e.pending == 0 && now.After(e.lockedUntil) && (len(e.failures) == 0 || !e.failures[len(e.failures)-1].After(cut)) {
			delete(t.entries, k)
		}
	}
}
