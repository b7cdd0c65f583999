package conference

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
)

// joinTokensColl holds single-use join tokens {_id: sha256(token), grant...}. A
// token is redeemed by deleting its document by _id: of racing redeemers exactly
// one deletes it, on every backend.
const joinTokensColl = "join_tokens"

// JoinTokenTTL is how long a join token may wait to be redeemed at /rtc.
const JoinTokenTTL = time.Minute

// ParticipantRole is a participant's role in a meeting.
type ParticipantRole string

// Participant roles.
const (
	RoleHost        ParticipantRole = "host"
	RolePresenter   ParticipantRole = "presenter"
	RoleParticipant ParticipantRole = "participant"
)

// Grant is what a join token admits: one participant into one run in progress.
type Grant struct {
	RunID     string          `bson:"runId"`
	MeetingID string          `bson:"meetingId"`
	UserID    string          `bson:"userId,omitempty"` // empty for guests
	Name      string          `bson:"name"`
	Role      ParticipantRole `bson:"role"`
	// Moderator marks the meeting's host and the enterprise's admins, who may control
	// the meeting and enter it while it is locked.
	Moderator bool      `bson:"moderator,omitempty"`
	Source    string    `bson:"source"`
	ExpiresAt time.Time `bson:"expiresAt"`
	// AccountRole is the member's account role when the token was issued: a join
	// after a role change is refused (Confirm).
	AccountRole string `bson:"accountRole,omitempty"`
}

// JoinInput is a request to join a meeting.
type JoinInput struct {
	Number      string
	Password    string
	DisplayName string
	// Source is the client's address, for throttling and the meeting log.
	Source string
}

// Joined is the answer to a join: a token for /rtc and what the client shows.
type Joined struct {
	Token   string
	Grant   Grant
	Meeting *Meeting
	Run     *Run
	// Options are what the client applies on entry: the meeting's, with the run's
	// mute on entry when the host changed it during the meeting.
	Options Options
}

// errWrongNumberOrPassword is the one answer to an unknown number and a wrong
// password, so that numbers cannot be probed.
func errWrongNumberOrPassword() error {
	return errs.New(errs.KindNotFound, "wrong meeting number or password")
}

// Join checks that the caller may enter the meeting with this number now and
// returns a short-lived, single-use token for /rtc. Members and guests (p nil) join
// alike; the host, the enterprise's admins and invited members skip the password.
//
// Password attempts are reserved with the throttles before the password is
// compared: per source, and per (meeting number, source). A meeting-wide count
// refuses only sources that have already failed for the meeting, so that others'
// guessing never locks out a guest who has not. An unknown number and a wrong
// password do the same store work and answer alike.
func (s *Service) Join(ctx context.Context, p *auth.Principal, in JoinInput) (*Joined, error) {
	number := strings.TrimSpace(in.Number)
	var gate *Meeting
	if number != "" && len(number) <= 20 && strings.Trim(number, "0123456789") == "" {
		gate = s.joinGate(ctx, number)
	}
	// The host, the enterprise's admins and invited members need no password, and
	// guessing by others does not lock them out.
	trusted := gate != nil && p != nil && p.EnterpriseID == gate.EnterpriseID && (canControl(p, gate) || slices.Contains(gate.Invitees.MemberIDs, p.UserID))
	if !trusted {
		pairKey := number + "\x00" + in.Source
		ticket, wait := auth.ReserveAll(
			auth.ThrottleKey{Throttle: s.joinThrottleSource, Key: in.Source, KeepOnSuccess: true},
			auth.ThrottleKey{Throttle: s.joinThrottlePair, Key: pairKey},
			auth.ThrottleKey{Throttle: s.joinThrottleMeeting, Key: number, KeepOnSuccess: true,
				CountOnly: s.joinThrottlePair.Failures(pairKey) == 0},
		)
		if ticket == nil {
			e := errs.New(errs.KindRateLimited, "too many wrong passwords; try again in %d seconds", int(math.Ceil(wait.Seconds())))
			e.Details = map[string]any{"retryAfterSeconds": int(math.Ceil(wait.Seconds()))}
			return nil, e
		}
		// Both outcomes compare the password, an unknown number against a stand-in.
		want := noMeetingPassword
		if gate != nil {
			want = gate.Password
		}
		match := subtle.ConstantTimeCompare([]byte(in.Password), []byte(want)) == 1
		if gate == nil || (gate.Password != "" && !match) {
			ticket.Fail()
			return nil, errWrongNumberOrPassword()
		}
		ticket.Succeed()
	}
	m, err := s.loadMeeting(ctx, gate.ID)
	if err != nil || m.Status == StatusCancelled {
		return nil, errWrongNumberOrPassword()
	}
	name := strings.TrimSpace(in.DisplayName)
	if p != nil {
		if mem, err := s.dir.MemberByID(ctx, p.UserID); err == nil && name == "" {
			name = mem.Name
		}
	}
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return nil, errs.Invalid("displayName", "a display name of at most 64 characters is required")
	}
	_, run, err := s.Admit(ctx, number, Joiner{Principal: p, Name: name})
	if err != nil {
		return nil, err
	}
	if run.Locked && !(p != nil && canControl(p, m)) {
		return nil, errs.New(errs.KindForbidden, "the meeting is locked")
	}
	if run.Present >= m.Participants && !(p != nil && canControl(p, m)) {
		return nil, errs.Conflict("number", "the meeting is full (%d participants)", m.Participants)
	}
	g := Grant{RunID: run.ID, MeetingID: m.ID, Name: name, Role: RoleParticipant, Source: in.Source, ExpiresAt: time.Now().Add(JoinTokenTTL).UTC()}
	if p != nil {
		g.UserID, g.AccountRole = p.UserID, p.Role.String()
		g.Moderator = canControl(p, m)
		switch {
		case p.UserID == m.HostID:
			g.Role = RoleHost
		case p.UserID == m.PresenterID:
			g.Role = RolePresenter
		}
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("conference: join token: %w", err)
	}
	token := "jjt_" + base64.RawURLEncoding.EncodeToString(raw)
	doc := struct {
		ID    string `bson:"_id"`
		Grant `bson:",inline"`
	}{ID: hashJoinToken(token), Grant: g}
	if _, err := s.st.W.Collection(joinTokensColl).InsertOne(ctx, doc); err != nil {
		return nil, fmt.Errorf("conference: store join token: %w", err)
	}
	opts := m.Options
	if run.MuteOnEntry != nil {
		opts.MuteOnEntry = *run.MuteOnEntry
	}
	return &Joined{Token: token, Grant: g, Meeting: m, Run: run, Options: opts}, nil
}

// Redeem implements meeting.Bookings: it exchanges a join token for its grant, once:
// a second redeem, an expired or unknown token answer UNAUTHENTICATED.
func (s *Service) Redeem(ctx context.Context, token string) (*meeting.Grant, error) {
	bad := errs.New(errs.KindUnauthenticated, "invalid or used join token")
	if !strings.HasPrefix(token, "jjt_") || len(token) > 128 {
		return nil, bad
	}
	id := hashJoinToken(token)
	var doc struct {
		Grant `bson:",inline"`
	}
	if err := s.st.W.Collection(joinTokensColl).FindOneAndDelete(ctx, bson.M{"_id": id}).Decode(&doc); err != nil {
		return nil, bad
	}
	if time.Now().After(doc.ExpiresAt) {
		return nil, bad
	}
	return doc.Grant.meeting(), nil
}

// meeting is the grant as the running meeting takes it.
func (g *Grant) meeting() *meeting.Grant {
	return &meeting.Grant{RunID: g.RunID, MeetingID: g.MeetingID, UserID: g.UserID, Name: g.Name, Role: meeting.ParseRole(string(g.Role)),
		Moderator: g.Moderator, Source: g.Source, AccountRole: g.AccountRole}
}

func hashJoinToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// noMeetingPassword stands in for the password of the meeting behind an unknown
// number.
const noMeetingPassword = "\x00no meeting\x00"

// joinGate returns what Join checks before it admits a caller (the meeting's
// enterprise, host, invitees, password and status) of the active meeting with this
// number, or nil. It does the same store work whether or not the number exists, so
// that the time of a refusal does not tell an unknown number from a wrong
// password: for an unknown number it reads the last meeting found here instead
// (a decoy) and discards it.
func (s *Service) joinGate(ctx context.Context, number string) *Meeting {
	var ref struct {
		Kind  string `bson:"kind"`
		RefID string `bson:"refId"`
	}
	found := false
	id := "-" // no meeting has this ID (IDs are hex object IDs)
	decoy := s.joinDecoy.Load()
	if err := s.st.R.Collection(numbersColl).FindOne(ctx, bson.M{"_id": number}).Decode(&ref); err == nil && ref.Kind == "meeting" {
		id, found = ref.RefID, true
	} else if decoy != nil {
		id = *decoy
	}
	var m Meeting
	err := s.st.R.Collection(meetingsColl).FindOne(ctx, bson.M{"_id": id}, options.FindOne().SetProjection(joinGateFields)).Decode(&m)
	if !found {
		if errors.Is(err, mongo.ErrNoDocuments) && decoy != nil {
			s.joinDecoy.CompareAndSwap(decoy, nil) // the decoy is gone; the next meeting found replaces it
		}
		return nil
	}
	if err != nil {
		return nil
	}
	if d := s.joinDecoy.Load(); d == nil || *d != id {
		s.joinDecoy.Store(&id)
	}
	if m.Status == StatusCancelled {
		return nil
	}
	return &m
}

var joinGateFields = bson.M{"enterpriseId": 1, "hostId": 1, "invitees.memberIds": 1, "password": 1, "status": 1}

// meetingByNumber returns the active meeting with this number.
func (s *Service) meetingByNumber(ctx context.Context, number string) (*Meeting, error) {
	var ref struct {
		Kind  string `bson:"kind"`
		RefID string `bson:"refId"`
	}
	if err := s.st.R.Collection(numbersColl).FindOne(ctx, bson.M{"_id": number}).Decode(&ref); err != nil || ref.Kind != "meeting" {
		return nil, errs.NotFound("meeting")
	}
	m, err := s.loadMeeting(ctx, ref.RefID)
	if err != nil || m.Status == StatusCancelled {
		return nil, errs.NotFound("meeting")
	}
	return m, nil
}
