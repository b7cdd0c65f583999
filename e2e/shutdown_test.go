package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
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

// TestShutdownFinishesBookingsUnderFanout starts 12 bookings while two clients
// send fragment fan-out documents without pause, and shuts the server down with
// all 12 in flight (their handlers running, their bodies still being sent): every
// booking must be answered, and nothing be cut at the deadline.
func TestShutdownFinishesBookingsUnderFanout(t *testing.T) {
	w := confSetup(t)
	attack, _ := json.Marshal(map[string]any{"query": fanoutDocument(8, 10)})
	stop := make(chan struct{})
	var attackers sync.WaitGroup
	for range 2 {
		attackers.Add(1)
		go func() {
			defer attackers.Done()
			c := w.srv.Client()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Post(attack); err != nil {
					return // the server is gone
				}
			}
		}()
	}
	defer func() { close(stop); attackers.Wait() }()

	const bookings = 12
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	conns := make([]net.Conn, bookings)
	rest := make([]string, bookings)
	for i := range conns {
		in := map[string]any{"start": start.Add(time.Duration(i) * time.Hour).Format(time.RFC3339), "participants": 2}
		body, _ := json.Marshal(map[string]any{"query": confBookDoc, "variables": map[string]any{"in": in}})
		c, err := net.Dial("tcp", w.srv.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n\r\n%s",
			w.srv.Addr(), w.member.Token, len(body), body[:10])
		conns[i], rest[i] = c, string(body[10:])
	}
	// Every booking's handler runs (reading its body): with at most two attack
	// requests running, bookings+2 handlers mean all 12.
	for deadline := time.Now().Add(10 * time.Second); w.srv.Handlers() < bookings+2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d handlers running, want %d", w.srv.Handlers(), bookings+2)
		}
	}
	closed := make(chan error, 1)
	go func() { closed <- w.srv.Close() }()
	time.Sleep(50 * time.Millisecond) // shutting down
	for i, c := range conns {
		io.WriteString(c, rest[i])
	}

	ok := 0
	for _, c := range conns {
		c.SetDeadline(time.Now().Add(time.Minute))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Errorf("booking: %v", err)
			continue
		}
		var r xtest.Response
		err = json.NewDecoder(resp.Body).Decode(&r)
		resp.Body.Close()
		switch {
		case err != nil:
			t.Errorf("booking: %s: %v", resp.Status, err)
		case len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"number"`):
			t.Errorf("booking: %s %+v", r.Data, r.Errors)
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
