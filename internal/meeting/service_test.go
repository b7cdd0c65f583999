package meeting

import (
	"context"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/identity"
)

// fakeBookings is a meeting.Bookings of func fields; nil fields answer the zero
// value. It records every call by name.
type fakeBookings struct {
	access   func(p *identity.Principal, meetingID string) (bool, error)
	runs     map[string]string
	settings Settings
	save     func(runID string, sw Switches) error
	end      func(runID, by string) error
	call     func(p *identity.Principal, runID string, present []string) (CallResult, error)

	mu    sync.Mutex
	calls []string
}

func (b *fakeBookings) called(name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = append(b.calls, name)
}

func (b *fakeBookings) take() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.calls
	b.calls = nil
	return out
}

func (b *fakeBookings) Access(_ context.Context, p *identity.Principal, meetingID string) (bool, error) {
	b.called("Access")
	if b.access == nil {
		return false, nil
	}
	return b.access(p, meetingID)
}

func (b *fakeBookings) RunsInProgress(context.Context) (map[string]string, error) {
	b.called("RunsInProgress")
	return b.runs, nil
}

func (b *fakeBookings) RunSettings(context.Context, string) (Settings, error) {
	b.called("RunSettings")
	return b.settings, nil
}

func (b *fakeBookings) SaveSwitches(_ context.Context, runID string, sw Switches) error {
	b.called("SaveSwitches")
	if b.save == nil {
		return nil
	}
	return b.save(runID, sw)
}

func (b *fakeBookings) Redeem(context.Context, string) (*Grant, error) {
	b.called("Redeem")
	return nil, errs.New(errs.KindUnauthenticated, "invalid or used join token")
}

func (b *fakeBookings) Confirm(context.Context, *Grant) error {
	b.called("Confirm")
	return nil
}

func (b *fakeBookings) Joined(context.Context, Presence) error {
	b.called("Joined")
	return nil
}

func (b *fakeBookings) Left(context.Context, Presence) error {
	b.called("Left")
	return nil
}

func (b *fakeBookings) EndRun(_ context.Context, runID, by string) error {
	b.called("EndRun")
	if b.end == nil {
		return nil
	}
	return b.end(runID, by)
}

func (b *fakeBookings) CallAbsent(_ context.Context, p *identity.Principal, runID string, present []string) (CallResult, error) {
	b.called("CallAbsent")
	if b.call == nil {
		return CallResult{}, nil
	}
	return b.call(p, runID, present)
}

var (
	hostUser   = &identity.Principal{UserID: "u-h", EnterpriseID: "e1", Role: identity.RoleMember}
	memberUser = &identity.Principal{UserID: "u-a", EnterpriseID: "e1", Role: identity.RoleMember}
	outsider   = &identity.Principal{UserID: "u-x", EnterpriseID: "e2", Role: identity.RoleMember}
)

// newService starts a coordinator whose bookings know meeting m1 (run r1, hosted by
// u-h) and m2 (run r2): outsiders may not see them.
func newService(t *testing.T, b *fakeBookings) *Service {
	t.Helper()
	if b.access == nil {
		b.access = func(p *identity.Principal, meetingID string) (bool, error) {
			if p.EnterpriseID != "e1" || (meetingID != "m1" && meetingID != "m2" && meetingID != "m3") {
				return false, errs.NotFound("meeting")
			}
			return p.UserID == "u-h", nil
		}
	}
	if b.runs == nil {
		b.runs = map[string]string{"m1": "r1", "m2": "r2"}
	}
	s, err := NewService(context.Background(), ServiceConfig{Bookings: b, Owner: Config{Clock: newFakeClock()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// joinRun puts the host (connection "h", user u-h) and a member (connection "a",
// user u-a) into run r1, as the media plane does.
func joinRun(t *testing.T, s *Service, runID string) *Owner {
	t.Helper()
	m, err := s.Ensure(runID)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := m.Join(ctx, Actor{System: true, UserID: "u-h", IsModerator: true}, Participant{ID: "h", Name: "主持人", UserID: "u-h", Client: ClientBrowser, Role: RoleHost, Audio: true}); err != nil {
		t.Fatal(err)
	}
	if err := m.Join(ctx, Actor{System: true, UserID: "u-a"}, Participant{ID: "a", Name: "李四", UserID: "u-a", Client: ClientBrowser, Audio: true}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestServiceMute: a control is one coordinator call; the owner tells a host mute of
// someone else from a member muting their own connection, from the actor alone.
func TestServiceMute(t *testing.T) {
	b := &fakeBookings{}
	s := newService(t, b)
	joinRun(t, s, "r1")
	ctx := context.Background()

	st, err := s.Control(ctx, hostUser, "m1", Mute{ID: "a"})
	checkErr(t, err, errs.KindUnknown)
	if p, _ := st.Participant("a"); !p.MutedByHost || p.SelfMuted {
		t.Fatalf("host mute of a: %+v", p)
	}
	if got := b.take(); !slices.Equal(got, []string{"RunsInProgress", "RunSettings", "Access"}) {
		t.Errorf("bookings calls %q: a control reads only the caller's access", got)
	}

	// The member mutes their own connection through an edge that holds none: a self
	// mute, which they may lift again.
	st, err = s.Control(ctx, memberUser, "m1", Mute{ID: "a"})
	checkErr(t, err, errs.KindUnknown)
	if p, _ := st.Participant("a"); !p.SelfMuted {
		t.Fatalf("own mute of a: %+v", p)
	}
	// … but not the host's.
	_, err = s.Control(ctx, memberUser, "m1", Mute{ID: "h"})
	checkErr(t, err, errs.KindForbidden)
	_, err = s.Control(ctx, memberUser, "m1", Unmute{ID: "a"})
	checkErr(t, err, errs.KindForbidden) // the host's mute stays
	if got := b.take(); slices.Contains(got, "SaveSwitches") {
		t.Errorf("a mute saved switches: %q", got)
	}
}

// TestServiceSwitches: lock and the host's switches are saved with the run before
// the owner applies them, so that the two never disagree; a non-moderator's try
// writes nothing.
func TestServiceSwitches(t *testing.T) {
	var saved []Switches
	b := &fakeBookings{save: func(runID string, sw Switches) error {
		if runID != "r1" {
			t.Errorf("saved switches of run %s", runID)
		}
		saved = append(saved, sw)
		return nil
	}}
	s := newService(t, b)
	joinRun(t, s, "r1")
	ctx := context.Background()

	_, err := s.Control(ctx, memberUser, "m1", SetLocked{On: true})
	checkErr(t, err, errs.KindForbidden)
	if len(saved) != 0 {
		t.Fatalf("a member's lock was saved: %+v", saved)
	}

	cases := []struct {
		cmd   Command
		check func(Switches, State) bool
	}{
		{SetLocked{On: true}, func(sw Switches, st State) bool { return sw.Locked != nil && *sw.Locked && st.Locked }},
		{SetMuteOnEntry{On: true}, func(sw Switches, st State) bool { return sw.MuteOnEntry != nil && *sw.MuteOnEntry && st.MuteOnEntry }},
		{SetAllowSelfUnmute{On: true}, func(sw Switches, st State) bool {
			return sw.AllowSelfUnmute != nil && *sw.AllowSelfUnmute && st.AllowSelfUnmute
		}},
		{MuteAll{AllowSelfUnmute: false}, func(sw Switches, st State) bool {
			p, _ := st.Participant("a")
			return sw.AllowSelfUnmute != nil && !*sw.AllowSelfUnmute && !st.AllowSelfUnmute && p.MutedByHost
		}},
	}
	for _, c := range cases {
		saved = nil
		st, err := s.Control(ctx, hostUser, "m1", c.cmd)
		checkErr(t, err, errs.KindUnknown)
		if len(saved) != 1 || !c.check(saved[0], st) {
			t.Errorf("%T: saved %+v, state %+v", c.cmd, saved, st)
		}
	}

	// A failed save changes nothing in the running meeting.
	b.save = func(string, Switches) error { return errors.New("store down") }
	if _, err = s.Control(ctx, hostUser, "m1", SetLocked{On: false}); err == nil {
		t.Fatal("unlocked although the run could not be saved")
	}
	st, err := s.Registry().Get("r1").Snapshot(ctx)
	if err != nil || !st.Locked {
		t.Error("the meeting unlocked although the run could not be saved")
	}
}

// TestServiceRuns: the coordinator knows each meeting's run from the bookings at
// start and from run starts and ends, never per call; a meeting the caller may not
// see answers like one that is not running, and starts no owner.
func TestServiceRuns(t *testing.T) {
	b := &fakeBookings{}
	s := newService(t, b)
	ctx := context.Background()

	_, err := s.Control(ctx, outsider, "m1", LowerAllHands{})
	checkErr(t, err, errs.KindNotFound)
	if s.Registry().Get("r1") != nil {
		t.Error("an outsider's control started the owner")
	}
	_, err = s.Control(ctx, hostUser, "m3", LowerAllHands{}) // no run
	checkErr(t, err, errs.KindNotFound)

	s.Registry().Started("m3", "r3")
	_, err = s.Control(ctx, hostUser, "m3", LowerAllHands{})
	checkErr(t, err, errs.KindUnknown)
	if id, ok := s.Registry().RunOf("m3"); !ok || id != "r3" {
		t.Errorf("RunOf(m3) = %q, %v", id, ok)
	}

	s.Registry().End(ctx, "r3")
	_, err = s.Control(ctx, hostUser, "m3", LowerAllHands{})
	checkErr(t, err, errs.KindNotFound)
	if _, ok := s.Registry().RunOf("m3"); ok {
		t.Error("the ended run is still the meeting's")
	}
	// A late start of the ended run does not revive it.
	s.Registry().Started("m3", "r3")
	if _, ok := s.Registry().RunOf("m3"); ok {
		t.Error("an ended run came back")
	}
	for _, c := range b.take() {
		if c == "RunsInProgress" {
			continue
		}
		if c != "Access" && c != "RunSettings" {
			t.Errorf("unexpected bookings call %s", c)
		}
	}
}

// TestServiceChat: a member chats as their own connection through GraphQL; naming
// someone else's connection is refused.
func TestServiceChat(t *testing.T) {
	s := newService(t, &fakeBookings{})
	joinRun(t, s, "r1")
	ctx := context.Background()
	msg, err := s.SendChat(ctx, memberUser, "m1", ChatInput{Text: "大家好", From: "a"})
	checkErr(t, err, errs.KindUnknown)
	if msg.From != "a" || msg.FromUserID != "u-a" || msg.Text != "大家好" {
		t.Fatalf("sent %+v", msg)
	}
	_, err = s.SendChat(ctx, memberUser, "m1", ChatInput{Text: "冒充", From: "h"})
	checkErr(t, err, errs.KindForbidden)
}

// TestServiceEnd: only moderators end a meeting; the run ends in the bookings (which
// then end the owner through the registry, as conference does).
func TestServiceEnd(t *testing.T) {
	var s *Service
	var ended []string
	b := &fakeBookings{}
	b.end = func(runID, by string) error {
		ended = append(ended, runID+" by "+by)
		s.Registry().End(context.Background(), runID) // what conference's Config.Runs does
		return nil
	}
	s = newService(t, b)
	m := joinRun(t, s, "r1")
	ctx := context.Background()
	if _, err := s.End(ctx, memberUser, "m1"); errs.KindOf(err) != errs.KindForbidden {
		t.Fatalf("a member ended the meeting: %v", err)
	}
	if _, err := s.End(ctx, outsider, "m1"); errs.KindOf(err) != errs.KindNotFound {
		t.Fatalf("an outsider: %v", err)
	}
	if _, err := s.End(ctx, hostUser, "m3"); errs.KindOf(err) != errs.KindNotFound {
		t.Fatalf("a meeting not running: %v", err)
	}
	runID, err := s.End(ctx, hostUser, "m1")
	if err != nil || runID != "r1" || !slices.Equal(ended, []string{"r1 by u-h"}) {
		t.Fatalf("end: %q %v, ended %q", runID, err, ended)
	}
	select {
	case <-m.Done():
	default:
		t.Error("the owner still runs after the end")
	}
	if _, err := s.Control(ctx, hostUser, "m1", LowerAllHands{}); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("a control after the end: %v", err)
	}
}

// TestServiceStateTokens: a state token admits its participant to their own running
// meeting while they are on its roster, and nothing else; forged, altered and foreign
// tokens are refused alike.
func TestServiceStateTokens(t *testing.T) {
	s := newService(t, &fakeBookings{})
	m := joinRun(t, s, "r1")
	ctx := context.Background()
	tok := s.StateToken("r1", "a")
	c, err := s.VerifyStateToken(tok)
	if err != nil || c != (Claim{RunID: "r1", Participant: "a"}) {
		t.Fatalf("verify: %+v %v", c, err)
	}
	if _, a, err := s.AttachClaim(ctx, c, "m1"); err != nil || a.ParticipantID != "a" || a.IsModerator || a.UserID != "u-a" {
		t.Fatalf("attach: %+v %v", a, err)
	}
	if _, a, err := s.AttachClaim(ctx, Claim{RunID: "r1", Participant: "h"}, "m1"); err != nil || !a.IsModerator || a.UserID != "u-h" {
		t.Fatalf("the host's claim: %+v %v", a, err)
	}
	if _, _, err := s.AttachClaim(ctx, c, "m2"); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("another meeting: %v", err)
	}
	other := newService(t, &fakeBookings{})
	for name, bad := range map[string]string{
		"empty":          "",
		"no prefix":      strings.TrimPrefix(tok, "jms_"),
		"altered":        tok[:len(tok)-2] + "xx",
		"other payload":  "jms_" + base64.RawURLEncoding.EncodeToString([]byte("r1\x00h\x009999999999")) + tok[strings.Index(tok, "."):],
		"another server": other.StateToken("r1", "a"),
		"oversized":      tok + strings.Repeat("a", 600),
	} {
		if _, err := s.VerifyStateToken(bad); errs.KindOf(err) != errs.KindUnauthenticated {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Off the roster, the token is worth nothing.
	if err := m.Hangup(ctx, Actor{System: true, IsModerator: true}, "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.AttachClaim(ctx, c, "m1"); errs.KindOf(err) != errs.KindNotFound {
		t.Errorf("after the hangup: %v", err)
	}
}

// TestServiceCallAbsent: only moderators call the absent; the bookings get the run and
// the members present as the owner knows them, and nothing is asked of a meeting not
// running.
func TestServiceCallAbsent(t *testing.T) {
	var got []string
	b := &fakeBookings{call: func(p *identity.Principal, runID string, present []string) (CallResult, error) {
		got = append([]string{p.UserID, runID}, present...)
		return CallResult{Called: []string{"u-z"}, Skipped: []string{}}, nil
	}}
	s := newService(t, b)
	joinRun(t, s, "r1")
	ctx := context.Background()
	if _, err := s.CallAbsent(ctx, memberUser, "m1"); errs.KindOf(err) != errs.KindForbidden {
		t.Fatalf("a member calls: %v", err)
	}
	if _, err := s.CallAbsent(ctx, hostUser, "m3"); errs.KindOf(err) != errs.KindNotFound {
		t.Fatalf("a meeting not running: %v", err)
	}
	if got != nil {
		t.Fatalf("the bookings were asked: %v", got)
	}
	res, err := s.CallAbsent(ctx, hostUser, "m1")
	slices.Sort(got[2:])
	if err != nil || !slices.Equal(res.Called, []string{"u-z"}) || !slices.Equal(got, []string{"u-h", "r1", "u-a", "u-h"}) {
		t.Fatalf("call: %+v %v, bookings got %v", res, err, got)
	}
}
