package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// fanoutDocument is an anonymous query of nested fragments: fragment F0 selects
// __typename and each fragment Fi spreads F(i-1) width times, so that the
// operation expands to width^levels fields from a document of a few hundred bytes.
func fanoutDocument(levels, width int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{...F%d} fragment F0 on Query{__typename}", levels)
	for i := 1; i <= levels; i++ {
		fmt.Fprintf(&b, " fragment F%d on Query{%s}", i, strings.TrimSpace(strings.Repeat(fmt.Sprintf("...F%d ", i-1), width)))
	}
	return b.String()
}

// TestShutdownFinishesBookingsUnderFanout books 12 meetings while two clients send
// fragment fan-out documents in a loop, and shuts the server down with the
// bookings in flight: every booking must be answered, none cut at the deadline.
func TestShutdownFinishesBookingsUnderFanout(t *testing.T) {
	w := confSetup(t)
	attack := fanoutDocument(8, 10)
	stop := make(chan struct{})
	var attackers sync.WaitGroup
	for range 2 {
		attackers.Add(1)
		go func() {
			defer attackers.Done()
			c := w.srv.Client()
			body, _ := json.Marshal(map[string]any{"query": attack})
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Post(body); err != nil {
					return // the server is gone
				}
			}
		}()
	}
	defer func() { close(stop); attackers.Wait() }()
	time.Sleep(300 * time.Millisecond) // the attack documents are being validated

	const bookings = 12
	type result struct {
		r   *xtest.Response
		err error
	}
	results := make(chan result, bookings)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	for i := range bookings {
		go func() {
			in := map[string]any{"start": start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "participants": 2}
			body, _ := json.Marshal(map[string]any{"query": confBookDoc, "variables": map[string]any{"in": in}})
			r, err := w.member.Post(body)
			results <- result{r, err}
		}()
	}
	time.Sleep(100 * time.Millisecond) // the bookings are in flight
	closed := make(chan error, 1)
	go func() { closed <- w.srv.Close() }()

	ok := 0
	for range bookings {
		res := <-results
		switch {
		case res.err != nil:
			t.Errorf("booking: %v", res.err)
		case len(res.r.Errors) > 0:
			t.Errorf("booking: %+v", res.r.Errors)
		default:
			ok++
		}
	}
	if ok != bookings {
		t.Errorf("%d of %d bookings in flight at shutdown finished", ok, bookings)
	}
	if err := <-closed; err != nil {
		t.Errorf("close: %v", err)
	}
}
