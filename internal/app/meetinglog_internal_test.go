package app

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/meeting"
)

// logRecorder keeps the rows the appender writes, in order.
type logRecorder struct {
	mu   sync.Mutex
	rows []conference.LogEntry
	chat []conference.ChatMessage
}

func (r *logRecorder) SaveChat(_ context.Context, m conference.ChatMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.chat = append(r.chat, m)
	return nil
}

func (r *logRecorder) Log(_ context.Context, _ string, e conference.LogEntry) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rows = append(r.rows, e)
}

// TestMeetingLogScreenShare drives a running meeting as the media plane does when a
// participant starts and stops sharing their screen (SetMedia as the system) and
// checks that the meeting log says who shared, and nothing for camera changes.
func TestMeetingLogScreenShare(t *testing.T) {
	rec := &logRecorder{}
	a := newLogAppender(rec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	m := meeting.Start(ctx, meeting.Config{Log: func(e meeting.Event) { a.Append("run-1", e) }})
	host := meeting.Actor{ParticipantID: "p-host", UserID: "u-host", IsModerator: true}
	if err := m.Join(ctx, host, meeting.Participant{ID: "p-host", Name: "张三", UserID: "u-host", Role: meeting.RoleHost, Client: meeting.ClientBrowser}); err != nil {
		t.Fatal(err)
	}
	guest := meeting.Actor{ParticipantID: "p-guest"}
	if err := m.Join(ctx, guest, meeting.Participant{ID: "p-guest", Name: "访客甲", Client: meeting.ClientBrowser}); err != nil {
		t.Fatal(err)
	}
	for _, md := range []meeting.Media{{Audio: true, Video: true}, {Audio: true, Video: true, Screen: true}, {Audio: true, Screen: true}, {Audio: true}} {
		if err := m.SetMedia(ctx, meeting.System, "p-guest", md); err != nil {
			t.Fatal(err)
		}
	}
	// A sharer who leaves (or is hung up) stops sharing.
	if err := m.SetMedia(ctx, meeting.System, "p-host", meeting.Media{Screen: true}); err != nil {
		t.Fatal(err)
	}
	if err := m.Leave(ctx, meeting.System, "p-host"); err != nil {
		t.Fatal(err)
	}
	m.Close()
	<-m.Done()
	a.Close()
	var got []string
	for _, e := range rec.rows {
		got = append(got, e.Kind+" "+e.ActorName+" "+e.Subject)
	}
	want := []string{"screen_started 访客甲 ", "screen_stopped 访客甲 ", "screen_started 张三 ", "screen_stopped 张三 "}
	if !slices.Equal(got, want) {
		t.Errorf("log rows %q, want %q", got, want)
	}
}

// TestMeetingLogHands checks that raising and lowering hands are log rows naming who
// did it to whom (lowering all: how many), and that chat is stored apart, not logged.
func TestMeetingLogHands(t *testing.T) {
	rec := &logRecorder{}
	a := newLogAppender(rec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	m := meeting.Start(ctx, meeting.Config{Log: func(e meeting.Event) { a.Append("run-1", e) }})
	host := meeting.Actor{ParticipantID: "p-host", UserID: "u-host", IsModerator: true}
	guest := meeting.Actor{ParticipantID: "p-guest"}
	steps := []func() error{
		func() error {
			return m.Join(ctx, host, meeting.Participant{ID: "p-host", Name: "张三", UserID: "u-host", Role: meeting.RoleHost, Client: meeting.ClientBrowser})
		},
		func() error {
			return m.Join(ctx, guest, meeting.Participant{ID: "p-guest", Name: "访客甲", Client: meeting.ClientBrowser})
		},
		func() error { return m.RaiseHand(ctx, guest, "p-guest") },
		func() error { return m.LowerHand(ctx, host, "p-guest") },
		func() error { return m.RaiseHand(ctx, guest, "p-guest") },
		func() error { return m.LowerHand(ctx, guest, "p-guest") },
		func() error { return m.RaiseHand(ctx, guest, "p-guest") },
		func() error { return m.LowerAllHands(ctx, host) },
		func() error {
			_, err := m.SendChat(ctx, guest, meeting.ChatInput{Text: "<b>hi</b>", ToHosts: true})
			return err
		},
	}
	for i, f := range steps {
		if err := f(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	m.Close()
	<-m.Done()
	a.Close()
	var got []string
	for _, e := range rec.rows {
		got = append(got, e.Kind+" "+e.Detail+" "+e.ActorName+" "+e.Subject+" "+e.Value)
	}
	want := []string{"control hand_raised 访客甲 访客甲 ", "control hand_lowered 张三 访客甲 ", "control hand_raised 访客甲 访客甲 ",
		"control hand_lowered 访客甲 访客甲 ", "control hand_raised 访客甲 访客甲 ", "control hands_lowered 张三  1"}
	if !slices.Equal(got, want) {
		t.Errorf("log rows %q, want %q", got, want)
	}
	if len(rec.chat) != 1 || rec.chat[0].Text != "<b>hi</b>" || rec.chat[0].Private != "p-guest" || rec.chat[0].FromName != "访客甲" || rec.chat[0].RunID != "run-1" {
		t.Errorf("stored chat %+v", rec.chat)
	}
}
