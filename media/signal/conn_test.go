package signal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// fakeHandler is a Handler made of func fields; nil fields accept everything.
type fakeHandler struct {
	join   func(context.Context, *Join, func(*Joined) error) error
	handle func(context.Context, Message) error

	mu     sync.Mutex
	got    []Message
	closed chan error
}

func newFakeHandler() *fakeHandler { return &fakeHandler{closed: make(chan error, 1)} }

func (h *fakeHandler) HandleJoin(ctx context.Context, j *Join, reply func(*Joined) error) error {
	if h.join != nil {
		return h.join(ctx, j, reply)
	}
	if j.Token != "good" {
		return ErrUnauthorized
	}
	return reply(&Joined{ParticipantID: "PA_1", ResumeToken: "r1"})
}

func (h *fakeHandler) Handle(ctx context.Context, m Message) error {
	h.mu.Lock()
	h.got = append(h.got, m)
	h.mu.Unlock()
	if h.handle != nil {
		return h.handle(ctx, m)
	}
	return nil
}

func (h *fakeHandler) Closed(reason error) { h.closed <- reason }

func (h *fakeHandler) messages() []Message {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Message(nil), h.got...)
}

// pair is a server Conn and a client websocket over loopback.
type pair struct {
	t      *testing.T
	conn   *Conn
	h      *fakeHandler
	client *websocket.Conn
	served chan error
	srv    *httptest.Server
}

func newPair(t *testing.T, cfg Config, h *fakeHandler) *pair {
	t.Helper()
	if cfg.CloseGrace == 0 {
		cfg.CloseGrace = 500 * time.Millisecond
	}
	p := &pair{t: t, conn: NewConn(cfg), h: h, served: make(chan error, 1)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			t.Error(err)
			return
		}
		p.served <- p.conn.Serve(r.Context(), ws, h)
	}))
	p.srv = srv
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", nil)
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadLimit(MaxServerFrameBytes)
	p.client = c
	t.Cleanup(func() { c.CloseNow() })
	return p
}

func (p *pair) write(frame string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.client.Write(ctx, websocket.MessageText, []byte(frame)); err != nil {
		p.t.Fatalf("write: %v", err)
	}
}

// read returns the next message, or the read error (a close).
func (p *pair) read() (Message, error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, b, err := p.client.Read(ctx)
	if err != nil {
		return Message{}, err
	}
	m, err := Decode(b)
	if err != nil {
		p.t.Fatalf("server sent undecodable %s: %v", b, err)
	}
	return m, nil
}

func (p *pair) mustRead(want Type) Message {
	p.t.Helper()
	m, err := p.read()
	if err != nil {
		p.t.Fatalf("want %s, got %v", want, err)
	}
	if m.Type() != want {
		p.t.Fatalf("want %s, got %s %+v", want, m.Type(), m.Data)
	}
	return m
}

func (p *pair) join() {
	p.t.Helper()
	p.write(`{"v":2,"id":"j","type":"join","data":{"token":"good"}}`)
	m := p.mustRead(TypeJoined)
	if j := m.Data.(*Joined); m.ID != "j" || j.ParticipantID != "PA_1" || j.Protocol != Version || j.PingIntervalMS == 0 {
		p.t.Fatalf("joined %+v", j)
	}
}

// expectClose reads until the connection closes and checks the close code.
func (p *pair) expectClose(code websocket.StatusCode) {
	p.t.Helper()
	for {
		_, err := p.read()
		if err == nil {
			continue
		}
		if got := websocket.CloseStatus(err); got != code {
			p.t.Fatalf("want close %d, got %d (%v)", code, got, err)
		}
		return
	}
}

func (p *pair) closedReason() error {
	p.t.Helper()
	select {
	case err := <-p.h.closed:
		return err
	case <-time.After(5 * time.Second):
		p.t.Fatal("Handler.Closed not called")
		return nil
	}
}

func expectError(t *testing.T, m Message, code Code, refID string) {
	t.Helper()
	e, ok := m.Data.(*ErrorMessage)
	if !ok || e.Code != code || e.RefID != refID {
		t.Fatalf("want error %s ref %q, got %s %+v", code, refID, m.Type(), m.Data)
	}
}

func TestConnJoinPingAndHandle(t *testing.T) {
	p := newPair(t, Config{}, newFakeHandler())
	p.write(`{"v":2,"id":"p0","type":"ping","data":{"ts":5}}`) // ping works before join
	if m := p.mustRead(TypePong); m.Data.(*Pong).TS != 5 {
		t.Fatalf("pong %+v", m.Data)
	}
	p.write(`{"v":2,"id":"x","type":"mute","data":{"trackId":"t","muted":true}}`)
	expectError(t, p.mustRead(TypeError), CodeNotJoined, "x")
	p.join()
	p.write(`{"v":2,"id":"j2","type":"join","data":{"token":"good"}}`)
	expectError(t, p.mustRead(TypeError), CodeAlreadyJoined, "j2")
	p.write(validExamples["publish camera"])
	p.write(`{"v":2,"id":"srv","type":"joined","data":{"participantId":"p","resumeToken":"r","protocol":2}}`)
	expectError(t, p.mustRead(TypeError), CodeUnexpectedType, "srv")
	p.write(validExamples["ping"])
	p.mustRead(TypePong)
	if got := p.h.messages(); len(got) != 1 || got[0].Type() != TypePublish || got[0].ID != "3" {
		t.Fatalf("handler got %+v", got)
	}
	if err := p.conn.Send(Message{Data: &Notice{Kind: NoticeMutedByHost, TrackID: "TR_mic"}}); err != nil {
		t.Fatal(err)
	}
	p.mustRead(TypeNotice)
	p.write(validExamples["leave"])
	if m := p.mustRead(TypeBye); m.Data.(*Bye).Reason != ByeLeft {
		t.Fatalf("bye %+v", m.Data)
	}
	p.expectClose(CloseNormal)
	if r := p.closedReason(); !errors.Is(r, ErrLeft) {
		t.Fatalf("reason %v", r)
	}
	if got := p.h.messages(); got[len(got)-1].Type() != TypeLeave {
		t.Fatal("handler did not see leave")
	}
}

func TestConnMalformedKeepsConnection(t *testing.T) {
	h := newFakeHandler()
	h.handle = func(_ context.Context, m Message) error {
		if m.Type() == TypeUnpublish {
			return Errorf(CodeInvalidField, "no such track")
		}
		return nil
	}
	p := newPair(t, Config{}, h)
	p.join()
	for _, tc := range []struct {
		frame string
		code  Code
		ref   string
	}{
		{`not json`, CodeBadMessage, ""},
		{`{"v":2,"id":"a","type":"dance"}`, CodeUnknownType, "a"},
		{`{"v":7,"id":"b","type":"ping"}`, CodeBadVersion, "b"},
		{`{"v":2,"id":"c","type":"publish","data":{"cid":"x","kind":"video","source":"webcam"}}`, CodeInvalidField, "c"},
		{`{"v":2,"id":"d","type":"unpublish","data":{"trackId":"gone"}}`, CodeInvalidField, "d"},
	} {
		p.write(tc.frame)
		expectError(t, p.mustRead(TypeError), tc.code, tc.ref)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := p.client.Write(ctx, websocket.MessageBinary, []byte{1, 2}); err != nil {
		t.Fatal(err)
	}
	expectError(t, p.mustRead(TypeError), CodeBadMessage, "")
	p.write(validExamples["ping"]) // still alive
	p.mustRead(TypePong)
}

func TestConnUnauthorized(t *testing.T) {
	p := newPair(t, Config{}, newFakeHandler())
	p.write(`{"v":2,"id":"j","type":"join","data":{"token":"bad"}}`)
	expectError(t, p.mustRead(TypeError), CodeUnauthorized, "j")
	p.expectClose(CloseUnauthorized)
	if r := p.closedReason(); !errors.Is(r, ErrUnauthorized) {
		t.Fatalf("reason %v", r)
	}
}

func TestConnOversizedFrame(t *testing.T) {
	p := newPair(t, Config{}, newFakeHandler())
	p.join()
	p.write(`{"v":2,"type":"offer","data":{"sdp":"` + strings.Repeat("a", MaxFrameBytes) + `"}}`)
	expectError(t, p.mustRead(TypeError), CodeTooLarge, "")
	p.expectClose(CloseBadFrame)
	if r := p.closedReason(); !errors.Is(r, ErrTooLarge) {
		t.Fatalf("reason %v", r)
	}
}

// fakeClock is a manual clock for the rate limiter.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestConnFlood(t *testing.T) {
	clk := &fakeClock{now: time.Unix(1000, 0)}
	p := newPair(t, Config{Rate: 10, Burst: 5, Overdraft: 5, Now: clk.Now}, newFakeHandler())
	p.join() // 1 token
	for range 4 {
		p.write(validExamples["ping"])
		p.mustRead(TypePong)
	}
	p.write(validExamples["ping"]) // bucket empty: rejected with one error
	expectError(t, p.mustRead(TypeError), CodeRateLimited, "")
	clk.Add(time.Second) // repays the debt and refills: the client backed off
	p.write(validExamples["ping"])
	p.mustRead(TypePong)
	for range 20 { // a flood with a frozen clock
		p.write(validExamples["ping"])
	}
	pongs, limited := 0, 0
	for {
		m, err := p.read()
		if err != nil {
			if got := websocket.CloseStatus(err); got != CloseRateLimited {
				t.Fatalf("want close %d, got %v", CloseRateLimited, err)
			}
			break
		}
		switch m.Type() {
		case TypePong:
			pongs++
		case TypeError:
			limited++
		}
	}
	if pongs != 4 || limited != 1 {
		t.Fatalf("pongs %d rate_limited errors %d", pongs, limited)
	}
	if r := p.closedReason(); !errors.Is(r, ErrFlood) {
		t.Fatalf("reason %v", r)
	}
}

func TestConnSlowConsumer(t *testing.T) {
	p := newPair(t, Config{QueueSize: 8, WriteTimeout: time.Second}, newFakeHandler())
	p.join()
	// The client stops reading. Big frames fill the socket buffers, then the queue.
	sdp := strings.Repeat("s", MaxSDPBytes)
	result := make(chan error, 1)
	go func() { // if Send ever blocked, this loop would hang on the non-reading client
		for {
			if err := p.conn.Send(Message{Data: &Answer{SDP: sdp}}); err != nil {
				result <- err
				return
			}
		}
	}()
	var sendErr error
	select {
	case sendErr = <-result:
	case <-time.After(5 * time.Second):
		t.Fatal("Send blocked")
	}
	if !errors.Is(sendErr, ErrSlowConsumer) {
		t.Fatalf("want ErrSlowConsumer, got %v", sendErr)
	}
	if r := p.closedReason(); !errors.Is(r, ErrSlowConsumer) {
		t.Fatalf("reason %v", r)
	}
	if err := p.conn.Send(Message{Data: &Pong{}}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Send after close: %v", err)
	}
}

func TestConnKeepalive(t *testing.T) {
	p := newPair(t, Config{PingInterval: 20 * time.Millisecond, IdleTimeout: 100 * time.Millisecond}, newFakeHandler())
	p.join()
	// A reading client answers WebSocket pings, so it stays well past IdleTimeout.
	go func() {
		for {
			if _, _, err := p.client.Read(context.Background()); err != nil {
				return
			}
		}
	}()
	select {
	case r := <-p.h.closed:
		t.Fatalf("closed while the client answered pings: %v", r)
	case <-time.After(300 * time.Millisecond):
	}
}

func TestConnKeepaliveTimeout(t *testing.T) {
	p := newPair(t, Config{PingInterval: 20 * time.Millisecond, IdleTimeout: 100 * time.Millisecond}, newFakeHandler())
	p.join()
	// The client never reads again, so it never answers pings.
	if r := p.closedReason(); !errors.Is(r, ErrIdle) {
		t.Fatalf("reason %v", r)
	}
}

func TestConnJoinTimeout(t *testing.T) {
	p := newPair(t, Config{JoinTimeout: 50 * time.Millisecond}, newFakeHandler())
	p.expectClose(CloseTimeout)
	if r := p.closedReason(); !errors.Is(r, ErrJoinTimeout) {
		t.Fatalf("reason %v", r)
	}
}

func TestConnCloseWaitsForGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 5 {
		p := newPair(t, Config{}, newFakeHandler())
		p.join()
		go func() { // the client keeps reading so the close handshake completes
			for {
				if _, _, err := p.client.Read(context.Background()); err != nil {
					return
				}
			}
		}()
		p.conn.Close()
		select {
		case <-p.conn.Done():
		default:
			t.Fatal("Close returned before Serve finished")
		}
		if r := p.closedReason(); !errors.Is(r, ErrClosed) {
			t.Fatalf("reason %v", r)
		}
		if err := p.conn.Send(Message{Data: &Pong{}}); !errors.Is(err, ErrClosed) {
			t.Fatalf("Send after Close: %v", err)
		}
		p.client.CloseNow()
		p.srv.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before+2 { // httptest servers are closed at Cleanup
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines: before %d now %d\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestConnServerShutdownByContext(t *testing.T) {
	h := newFakeHandler()
	conn := NewConn(Config{CloseGrace: 500 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		served <- conn.Serve(ctx, ws, h)
	}))
	defer srv.Close()
	c, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	cancel()
	rctx, rcancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer rcancel()
	_, b, err := c.Read(rctx)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := Decode(b); m.Type() != TypeBye || m.Data.(*Bye).Reason != ByeShutdown {
		t.Fatalf("got %s", b)
	}
	if _, _, err := c.Read(rctx); websocket.CloseStatus(err) != CloseGoingAway {
		t.Fatalf("want 1001, got %v", err)
	}
	select {
	case <-served:
	case <-time.After(3 * time.Second):
		t.Fatal("Serve did not return")
	}
}

func TestConnJoinWithoutReply(t *testing.T) {
	h := newFakeHandler()
	h.join = func(context.Context, *Join, func(*Joined) error) error { return nil }
	p := newPair(t, Config{}, h)
	p.write(`{"v":2,"id":"j","type":"join","data":{"token":"good"}}`)
	expectError(t, p.mustRead(TypeError), CodeInternal, "j")
	p.expectClose(CloseInternal)
}

func TestConnJoinForbidden(t *testing.T) {
	h := newFakeHandler()
	h.join = func(context.Context, *Join, func(*Joined) error) error {
		return fmt.Errorf("meeting locked: %w", ErrForbidden)
	}
	p := newPair(t, Config{}, h)
	p.write(`{"v":2,"id":"j","type":"join","data":{"token":"good"}}`)
	expectError(t, p.mustRead(TypeError), CodeForbidden, "j")
	p.expectClose(CloseForbidden)
}

// TestConnEndCloseCodes checks each bye reason the server ends a session with reaches
// the client as bye, then the close code docs/rtc-protocol.md §8 gives it, and that
// the closed reason is not one a participant resumes from.
func TestConnEndCloseCodes(t *testing.T) {
	for _, tc := range []struct {
		reason ByeReason
		code   websocket.StatusCode
		cause  error
	}{
		{ByeRemoved, CloseForbidden, ErrForbidden},
		{ByeAccountDisabled, CloseForbidden, ErrForbidden},
		{ByeRoleChanged, CloseForbidden, ErrForbidden},
		{ByeMeetingEnded, CloseMeetingEnded, ErrForbidden},
		{ByeReplaced, CloseReplaced, ErrClosed},
	} {
		t.Run(tc.reason.String(), func(t *testing.T) {
			p := newPair(t, Config{}, newFakeHandler())
			p.join()
			p.conn.End(tc.reason, "")
			if b := p.mustRead(TypeBye).Data.(*Bye); b.Reason != tc.reason {
				t.Fatalf("bye %s, want %s", b.Reason, tc.reason)
			}
			p.expectClose(tc.code)
			if err := p.closedReason(); !errors.Is(err, tc.cause) {
				t.Fatalf("closed with %v, want %v", err, tc.cause)
			}
		})
	}
}
