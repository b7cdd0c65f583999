package auth

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	th := &Throttle{Limit: 3, Window: 5 * time.Minute, BaseLock: 10 * time.Second, MaxLock: 40 * time.Second, now: func() time.Time { return now }}
	fail := func() {
		tk, wait := th.Reserve("k")
		if tk == nil {
			t.Fatalf("attempt refused (wait %v)", wait)
		}
		tk.Fail()
	}
	waitOf := func(key string) time.Duration {
		tk, wait := th.Reserve(key)
		tk.Release()
		return wait
	}
	steps := []struct {
		name    string
		advance time.Duration
		fail    bool
		want    time.Duration
	}{
		{"fresh", 0, false, 0},
		{"1st failure", 0, true, 0},
		{"2nd failure", time.Second, true, 0},
		{"3rd failure locks", time.Second, true, 10 * time.Second},
		{"still locked", 5 * time.Second, false, 5 * time.Second},
		{"unlocked", 5 * time.Second, false, 0},
		{"next failure doubles", 0, true, 20 * time.Second},
		{"unlocked again", 20 * time.Second, false, 0},
		{"doubles again", 0, true, 40 * time.Second},
		{"unlocked once more", 40 * time.Second, false, 0},
		{"capped", 0, true, 40 * time.Second},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.fail {
			fail()
		}
		if got := waitOf("k"); got != s.want {
			t.Fatalf("%s: wait %v, want %v", s.name, got, s.want)
		}
	}
	now = now.Add(time.Hour)
	tk, _ := th.Reserve("k")
	tk.Succeed()
	if waitOf("k") != 0 || th.Failures("k") != 0 {
		t.Fatal("success did not reset")
	}
	// Failures older than the window are forgotten.
	fail()
	fail()
	now = now.Add(6 * time.Minute)
	fail()
	if waitOf("k") != 0 || th.Failures("k") != 1 {
		t.Fatal("old failures counted")
	}
	// A released attempt counts nothing.
	for range 10 {
		tk, _ := th.Reserve("r")
		tk.Release()
	}
	if th.Failures("r") != 0 || waitOf("r") != 0 {
		t.Fatal("released attempts counted")
	}
}

// TestThrottleReservesAtomically: attempts under way count against the limit, so
// that parallel attempts cannot exceed it.
func TestThrottleReservesAtomically(t *testing.T) {
	th := &Throttle{Limit: 5, Window: time.Minute, BaseLock: time.Minute, MaxLock: time.Hour}
	var granted atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range 300 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			tk, wait := th.Reserve("k")
			if tk == nil {
				if wait <= 0 {
					t.Error("refused without a wait")
				}
				return
			}
			granted.Add(1)
			time.Sleep(time.Millisecond) // the password check
			tk.Fail()
		}()
	}
	close(start)
	wg.Wait()
	if n := granted.Load(); n != 5 {
		t.Fatalf("%d of 300 parallel attempts were let through, want 5", n)
	}
	if _, wait := th.Reserve("k"); wait < 59*time.Second {
		t.Fatalf("after 5 failures: wait %v, want the 1 minute lock-out", wait)
	}
}

func TestReserveAllIsAllOrNothing(t *testing.T) {
	a := &Throttle{Limit: 2, Window: time.Minute, BaseLock: time.Minute, MaxLock: time.Hour}
	b := &Throttle{Limit: 1, Window: time.Minute, BaseLock: time.Minute, MaxLock: time.Hour}
	tk, _ := ReserveAll(ThrottleKey{Throttle: a, Key: "x"}, ThrottleKey{Throttle: b, Key: "y"})
	if tk == nil {
		t.Fatal("first attempt refused")
	}
	// b's only attempt is under way: the second is refused and holds nothing of a.
	if tk2, wait := ReserveAll(ThrottleKey{Throttle: a, Key: "x"}, ThrottleKey{Throttle: b, Key: "y"}); tk2 != nil || wait != PendingWait {
		t.Fatalf("second attempt: %v %v", tk2, wait)
	}
	tk.Fail()
	if _, wait := b.Reserve("y"); a.Failures("x") != 1 || wait < 59*time.Second {
		t.Fatalf("after a failure: %d failures of x, y waits %v", a.Failures("x"), wait)
	}
	// A CountOnly key counts the failure but does not refuse, even while locked.
	tk, _ = ReserveAll(ThrottleKey{Throttle: a, Key: "x"}, ThrottleKey{Throttle: b, Key: "y", CountOnly: true})
	if tk == nil {
		t.Fatal("refused by a CountOnly key")
	}
	tk.Fail()
	if _, wait := a.Reserve("x"); wait < 59*time.Second {
		t.Fatalf("x after 2 failures: wait %v", wait)
	}
	// KeepOnSuccess keeps a key's failures when the attempt succeeds.
	tk, _ = ReserveAll(ThrottleKey{Throttle: a, Key: "x", KeepOnSuccess: true}, ThrottleKey{Throttle: b, Key: "z"})
	tk.Succeed()
	if a.Failures("x") != 1 {
		t.Fatal("KeepOnSuccess key was reset")
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	th := &Throttle{Limit: 3, Window: time.Minute, BaseLock: time.Second, MaxLock: time.Minute}
	for i := range maxTracked + 500 {
		if tk, _ := th.Reserve(fmt.Sprint("k", i)); tk != nil {
			tk.Fail()
		}
	}
	if n := len(th.entries); n > maxTracked+1 {
		t.Fatalf("%d entries tracked", n)
	}
}
