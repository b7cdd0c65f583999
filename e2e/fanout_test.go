package e2e

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// fanUpdate is one meetingState update as the tests select it.
type fanUpdate struct {
	Seq   int
	Full  *struct{ Seq int }
	Event *struct {
		Seq  int
		Kind string
	}
}

// fanSub subscribes c's own socket to doc and returns a reader of its updates
// (the response key is key: an alias changes it).
func fanSub(ctx context.Context, t *testing.T, c *xtest.Client, doc, key string, vars map[string]any) func() fanUpdate {
	t.Helper()
	ws, err := c.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Subscribe(ctx, "s1", doc, vars); err != nil {
		t.Fatal(err)
	}
	return func() fanUpdate {
		t.Helper()
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		m, err := ws.Read(rctx)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if m.Type != "next" || m.ID != "s1" {
			t.Fatalf("got %s %s %s", m.Type, m.ID, m.Payload)
		}
		var p struct {
			Data   map[string]fanUpdate
			Errors []json.RawMessage
		}
		if err := json.Unmarshal(m.Payload, &p); err != nil || len(p.Errors) > 0 {
			t.Fatalf("payload %s: %v", m.Payload, err)
		}
		u, ok := p.Data[key]
		if !ok {
			t.Fatalf("no %q in %s", key, m.Payload)
		}
		return u
	}
}

// TestMeetingStateFanout: subscriptions of one meeting that select differently (one
// through an alias and a fragment) each get their own selection of every update in
// order; a subscriber resuming with sinceSeq gets exactly the events it missed, one
// resuming from too far back (or from the future) a full state; a subscription that
// ends leaves the others running.
func TestMeetingStateFanout(t *testing.T) {
	w := confSetup(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m, _ := confInstant(t, w.member, map[string]any{"name": "扇出", "participants": 5})
	vars := map[string]any{"id": m.ID}
	const plain = `subscription($id:ID!){meetingState(meetingId:$id){seq full{seq} event{seq kind}}}`
	const aliased = `subscription($id:ID!,$since:Int){s:meetingState(meetingId:$id,sinceSeq:$since){...U}}
		fragment U on MeetingStateUpdate{seq event{kind seq} full{seq mode}}`
	a := fanSub(ctx, t, w.member, plain, "meetingState", vars)
	b := fanSub(ctx, t, w.admin, plain, "meetingState", vars) // same selection: one group
	c := fanSub(ctx, t, w.member, aliased, "s", map[string]any{"id": m.ID, "since": nil})
	first := a().Full
	if first == nil || b().Full == nil || c().Full == nil {
		t.Fatal("no full state first")
	}
	layout := func(mode string) {
		w.member.Do(t, `mutation($id:ID!,$m:LayoutMode!){setLayout(meetingId:$id,mode:$m){mode}}`, map[string]any{"id": m.ID, "m": mode}).Decode(t, &struct{}{})
	}
	modes := []string{"GRID_2X2", "SINGLE", "ONE_PLUS_SEVEN", "GRID_2X2"}
	for _, mode := range modes {
		layout(mode)
	}
	var seqs []int
	for i := range modes {
		ua, ub, uc := a(), b(), c()
		if ua.Event == nil || ub.Event == nil || uc.Event == nil || ua.Event.Kind != "layout_mode" ||
			ua.Event.Seq != ub.Event.Seq || ua.Event.Seq != uc.Event.Seq || uc.Seq != ua.Seq {
			t.Fatalf("change %d: %+v %+v %+v", i, ua.Event, ub.Event, uc.Event)
		}
		if i > 0 && ua.Seq != seqs[i-1]+1 {
			t.Errorf("change %d: seq %d after %d", i, ua.Seq, seqs[i-1])
		}
		seqs = append(seqs, ua.Seq)
	}

	// Resuming after the second change: the last two changes, then live ones.
	r := fanSub(ctx, t, w.member, aliased, "s", map[string]any{"id": m.ID, "since": seqs[1]})
	for _, want := range seqs[2:] {
		if u := r(); u.Full != nil || u.Event == nil || u.Event.Seq != want {
			t.Fatalf("resume: %+v, want event %d", u, want)
		}
	}
	for _, since := range []int{seqs[3] + 50, 1} {
		f := fanSub(ctx, t, w.member, aliased, "s", map[string]any{"id": m.ID, "since": since})
		if u := f(); u.Full == nil || u.Full.Seq != seqs[3] {
			if since == 1 && u.Event != nil && u.Event.Seq == 2 {
				continue // the hub still holds every event since 1: a replay is right too
			}
			t.Errorf("since %d: %+v, want a full state at %d", since, u, seqs[3])
		}
	}
	layout("SINGLE")
	if u := r(); u.Event == nil || u.Event.Seq != seqs[3]+1 {
		t.Errorf("after resuming: %+v", u)
	}
	if u := a(); u.Event == nil || u.Event.Seq != seqs[3]+1 {
		t.Errorf("the first subscriber after others came and went: %+v", u)
	}
}
