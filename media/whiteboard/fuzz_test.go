package whiteboard

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"testing"
	"time"
)

// FuzzDecode checks that Decode never panics, that every error is a typed
// protocol error, that elements keep their bytes verbatim, and that an
// accepted message re-encodes to a message that decodes to the same value.
func FuzzDecode(f *testing.F) {
	for _, m := range clientExamples {
		f.Add([]byte(m))
	}
	for _, m := range serverExamples {
		f.Add([]byte(m))
	}
	f.Add([]byte(`{"v":1,"type":"update","elements":[{"id":"a","id":"b"}]}`))
	f.Add([]byte(`{"v":1,"type":"update","elements":[{"id":"a","type":"text","version":1,"versionNonce":-1,"isDeleted":false,"index":null,"x":{"y":["\"}]"]}}]}`))
	f.Add([]byte(`{"v":1,"type":"pointer","x":-0,"y":1e-7,"id":"\u00e9"}`))
	f.Add([]byte(` {"\u0076":1 , "type" : "clear" } `))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		checkRoundTrip(t, b, m, err, false)
	})
}

// FuzzDecodeServer is FuzzDecode for the server-to-client direction.
func FuzzDecodeServer(f *testing.F) {
	for _, m := range serverExamples {
		f.Add([]byte(m))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeServer(b)
		checkRoundTrip(t, b, m, err, true)
	})
}

func checkRoundTrip(t *testing.T, in []byte, m Message, err error, server bool) {
	t.Helper()
	if err != nil {
		var pe *Error
		if !errors.As(err, &pe) || pe.Code == "" {
			t.Fatalf("untyped error %v", err)
		}
		return
	}
	for i, e := range m.Elements {
		if !json.Valid(e.Raw) || e.Raw[0] != '{' || !bytes.Contains(in, e.Raw) {
			t.Fatalf("element %d raw is not a verbatim object: %s", i, e.Raw)
		}
		if len(e.Raw) > MaxElementBytes || e.Version < 1 || e.Type == ElementUnknown || len(e.ID) == 0 {
			t.Fatalf("element %d escaped validation: %+v", i, e)
		}
	}
	var out []byte
	if server {
		out, err = EncodeServer(m)
	} else {
		out, err = Encode(m)
	}
	if err != nil {
		var pe *Error
		if errors.As(err, &pe) && pe.Code == CodeTooLarge {
			return // number formatting grew the message past the limit
		}
		t.Fatalf("Encode of an accepted message: %v\n%s", err, in)
	}
	decode := Decode
	if server {
		decode = DecodeServer
	}
	m2, err := decode(out)
	if err != nil {
		t.Fatalf("Decode(Encode): %v\n%s", err, out)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("round trip differs:\n%+v\n%+v", m, m2)
	}
}

// FuzzReceive feeds a script of messages from three participants (one of
// them a moderator) into a Hub, with a reattach now and then, and checks that
// nothing panics, the board's counters and limits hold, and every peer's
// stream is well-formed and converges to the board. Each line of the input
// is one step: its first byte picks the participant (or a reattach), the rest
// is the message.
func FuzzReceive(f *testing.F) {
	var seed bytes.Buffer
	for _, m := range clientExamples {
		seed.WriteString("\x00" + m + "\n")
	}
	f.Add(seed.Bytes())
	f.Add([]byte("\x01" + string(update("", el("a", 1, 5, false), el("b", 1, 1, false))) + "\n\x02" + string(update("x", el("a", 1, 4, true))) +
		"\n\x03\n\x00{\"v\":1,\"type\":\"clear\",\"id\":\"c\"}\n\x01" + string(update("", el("a", 1, 5, false)))))
	f.Add([]byte("\x01" + clientExamples["pointer"] + "\n\x02garbage\n\x01" + clientExamples["update delete"]))
	f.Fuzz(func(t *testing.T, script []byte) {
		clock := newFakeClock()
		h := NewHub(Config{Now: clock.Now, Logger: slog.New(slog.DiscardHandler), QueueFrames: 8})
		defer h.Close()
		ids := []ParticipantID{"PA_mod", "PA_1", "PA_2"}
		clients := map[ParticipantID]*client{}
		for _, id := range ids {
			clients[id] = newClient(t, id).attach(h)
		}
		for i, line := range bytes.Split(script, []byte("\n")) {
			if len(line) == 0 || i > 200 {
				continue
			}
			clock.Advance(50 * time.Millisecond)
			op := int(line[0]) % 4
			if op == 3 { // the data channel of PA_2 reopens
				h.Detach("PA_2")
				clients["PA_2"] = newClient(t, "PA_2").attach(h)
				continue
			}
			err := h.Receive(ids[op], op == 0, line[1:])
			var pe *Error
			if err != nil && !errors.As(err, &pe) {
				t.Fatalf("Receive: %v", err)
			}
		}
		waitIdle(t, h)
		h.mu.Lock()
		checkCounts(t, h.board)
		h.mu.Unlock()
		for _, id := range ids {
			clients[id].converged(h)
		}
	})
}

func TestFuzzSeedsAreSane(t *testing.T) {
	// The FuzzReceive seeds must exercise the Hub, not just be refused.
	h, _ := newTestHub(t, Config{})
	c := newClient(t, "PA_1").attach(h)
	for _, m := range clientExamples {
		if err := h.Receive("PA_1", true, []byte(m)); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	waitIdle(t, h)
	c.converged(h)
}
