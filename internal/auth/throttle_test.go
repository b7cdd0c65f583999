package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestThrottle(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	th := &Throttle{Limit: 3, Window: time.Minute, BaseLock: 10 * time.Second, MaxLock: 40 * time.Second, now: func() time.Time { return now }}
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
		{"capped", 0, true, 40 * time.Second},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if s.fail {
			th.Fail("k")
		}
		if got := th.Allowed("k"); got != s.want {
			t.Fatalf("%s: wait %v, want %v", s.name, got, s.want)
		}
	}
	th.Succeed("k")
	if th.Allowed("k") != 0 {
		t.Fatal("success did not reset")
	}
	// Failures older than the window are forgotten.
	th.Fail("w")
	th.Fail("w")
	now = now.Add(2 * time.Minute)
	th.Fail("w")
	if th.Allowed("w") != 0 {
		t.Fatal("old failures counted")
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	th := &Throttle{Limit: 3, Window: time.Minute, BaseLock: time.Second, MaxLock: time.Minute}
	for i := range maxTracked + 500 {
		th.Fail(fmt.Sprint("k", i))
	}
	if n := len(th.entries); n > maxTracked+1 {
		t.Fatalf("%d entries tracked", n)
	}
}
