package meeting

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/errs"
)

func TestHands(t *testing.T) {
	ctx := context.Background()
	f := start(t, Config{})
	f.join(t, "h", "a", "b")
	checkErr(t, f.m.RaiseHand(ctx, as("b"), "a"), errs.KindForbidden)
	checkErr(t, f.m.RaiseHand(ctx, host, "a"), errs.KindForbidden) // a host raises nobody's hand
	checkErr(t, f.m.RaiseHand(ctx, as("a"), "a"), 0)
	if p := f.participant(t, "a"); !p.HandRaised || !p.HandRaisedAt.Equal(f.clock.Now()) {
		t.Fatalf("after raising: %+v", p)
	}
	n := len(f.rec.all())
	checkErr(t, f.m.RaiseHand(ctx, as("a"), "a"), 0) // raised already: no event
	if len(f.rec.all()) != n {
		t.Fatal("raising a raised hand made an event")
	}
	checkErr(t, f.m.LowerHand(ctx, as("b"), "a"), errs.KindForbidden) // a guest cannot lower another's hand
	if !f.participant(t, "a").HandRaised {
		t.Fatal("b lowered a's hand")
	}
	checkErr(t, f.m.LowerHand(ctx, host, "a"), 0)
	if p := f.participant(t, "a"); p.HandRaised || !p.HandRaisedAt.IsZero() {
		t.Fatalf("after the host lowered it: %+v", p)
	}
	checkErr(t, f.m.RaiseHand(ctx, as("a"), "a"), 0)
	checkErr(t, f.m.LowerHand(ctx, as("a"), "a"), 0)
	checkErr(t, f.m.RaiseHand(ctx, as("a"), "a"), 0)
	checkErr(t, f.m.RaiseHand(ctx, as("b"), "b"), 0)
	checkErr(t, f.m.LowerAllHands(ctx, as("a")), errs.KindForbidden)
	checkErr(t, f.m.LowerAllHands(ctx, admin), 0)
	for _, id := range []ParticipantID{"a", "b"} {
		if f.participant(t, id).HandRaised {
			t.Fatalf("%s's hand is up after lowering all", id)
		}
	}
	// A participant who leaves and joins again comes back with the hand down.
	checkErr(t, f.m.RaiseHand(ctx, as("a"), "a"), 0)
	checkErr(t, f.m.Leave(ctx, as("a"), "a"), 0)
	f.join(t, "a")
	if f.participant(t, "a").HandRaised {
		t.Fatal("rejoined with the hand up")
	}
	ev := f.rec.all()
	checkSeqs(t, ev)
	var kinds []string
	for _, e := range ev {
		switch e.Kind {
		case KindHandRaised, KindHandLowered, KindHandsLowered:
			kinds = append(kinds, string(e.Kind)+":"+string(e.Subject))
		}
	}
	want := "hand_raised:a hand_lowered:a hand_raised:a hand_lowered:a hand_raised:a hand_raised:b hands_lowered: hand_raised:a"
	if got := strings.Join(kinds, " "); got != want {
		t.Fatalf("hand events %q, want %q", got, want)
	}
}

func TestChatVisibility(t *testing.T) {
	ctx := context.Background()
	f := start(t, Config{})
	f.join(t, "h", "a", "b")
	send := func(a Actor, in ChatInput) ChatMessage {
		t.Helper()
		m, err := f.m.SendChat(ctx, a, in)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	sub := subscribe(t, f.m, 0)
	pub := send(as("a"), ChatInput{Text: "hello <b>all</b>"})
	toHosts := send(as("a"), ChatInput{Text: "to the host", ToHosts: true})
	reply := send(host, ChatInput{Text: "answer to a", To: "a"})
	if toHosts.Private != "a" || reply.Private != "a" || pub.Private != "" || pub.Text != "hello <b>all</b>" {
		t.Fatalf("messages %+v %+v %+v", pub, toHosts, reply)
	}
	// A participant names nobody: private messages go to the host.
	_, err := f.m.SendChat(ctx, as("b"), ChatInput{Text: "psst", To: "a"})
	checkErr(t, err, errs.KindForbidden)
	_, err = f.m.SendChat(ctx, admin, ChatInput{Text: "not in the meeting"})
	checkErr(t, err, errs.KindForbidden)
	read := func(viewer ParticipantID, moderator bool) string {
		msgs, _, err := f.m.Chat(ctx, viewer, moderator)
		if err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, m := range msgs {
			s = append(s, m.Text)
		}
		return strings.Join(s, "|")
	}
	for _, c := range []struct {
		viewer    ParticipantID
		moderator bool
		want      string
	}{
		{"a", false, "hello <b>all</b>|to the host|answer to a"},
		{"b", false, "hello <b>all</b>"},
		{"h", true, "hello <b>all</b>|to the host|answer to a"},
		{"", true, "hello <b>all</b>|to the host|answer to a"}, // an admin outside the meeting
		{"", false, "hello <b>all</b>"},
	} {
		if got := read(c.viewer, c.moderator); got != c.want {
			t.Errorf("%q (moderator %v) reads %q, want %q", c.viewer, c.moderator, got, c.want)
		}
	}
	// Every message is one chat event, in order, with its seq.
	sub.until(t, reply.Seq)
	var seqs []uint64
	for _, e := range sub.deltas {
		if d, ok := e.Delta.(ChatDelta); ok && e.Kind == KindChat {
			if d.Message.Seq != e.Seq {
				t.Fatalf("message seq %d in event %d", d.Message.Seq, e.Seq)
			}
			seqs = append(seqs, e.Seq)
		}
	}
	if len(seqs) != 3 || seqs[0] != pub.Seq || seqs[2] != reply.Seq {
		t.Fatalf("chat events %v", seqs)
	}
	// Hidden, a private message's event keeps its place and kind, nothing else.
	for _, e := range sub.deltas {
		if e.Seq == toHosts.Seq {
			h := e.Hidden()
			if h.Seq != e.Seq || h.Kind != KindChat || h.Delta != nil || h.Subject != "" || h.Actor != (Actor{}) || e.Delta == nil {
				t.Fatalf("hidden %+v of %+v", h, e)
			}
		}
	}
}

func TestChatLimits(t *testing.T) {
	ctx := context.Background()
	f := start(t, Config{})
	f.join(t, "h", "a", "b")
	for _, c := range []struct {
		text string
		want errs.Kind
	}{
		{strings.Repeat("字", MaxChatLength), 0},
		{strings.Repeat("字", MaxChatLength+1), errs.KindTooLarge},
		{"  \n ", errs.KindInvalid},
		{"bad \xff utf-8", errs.KindInvalid},
	} {
		_, err := f.m.SendChat(ctx, as("b"), ChatInput{Text: c.text})
		checkErr(t, err, c.want)
		f.clock.Advance(time.Minute)
	}
	// Burst, then one a second.
	for i := range ChatBurst {
		if _, err := f.m.SendChat(ctx, as("a"), ChatInput{Text: "burst"}); err != nil {
			t.Fatalf("message %d of the burst: %v", i, err)
		}
	}
	_, err := f.m.SendChat(ctx, as("a"), ChatInput{Text: "one too many"})
	checkErr(t, err, errs.KindRateLimited)
	_, err = f.m.SendChat(ctx, as("b"), ChatInput{Text: "b has its own bucket"})
	checkErr(t, err, 0)
	f.clock.Advance(ChatInterval)
	_, err = f.m.SendChat(ctx, as("a"), ChatInput{Text: "after a second"})
	checkErr(t, err, 0)
	_, err = f.m.SendChat(ctx, as("a"), ChatInput{Text: "again at once"})
	checkErr(t, err, errs.KindRateLimited)
	// The run's cap.
	msgs, _, _ := f.m.Chat(ctx, "", true)
	for i := len(msgs); i < MaxChatMessages; i++ {
		f.clock.Advance(ChatInterval)
		if _, err := f.m.SendChat(ctx, as("b"), ChatInput{Text: "fill"}); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	f.clock.Advance(ChatInterval)
	_, err = f.m.SendChat(ctx, as("b"), ChatInput{Text: "over the cap"})
	checkErr(t, err, errs.KindConflict)
}
