package conference

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
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

// Grant is what a join token admits: one participant into one live run.
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
// Wrong passwords are throttled per meeting and per source.
func (s *Service) Join(ctx context.Context, p *auth.Principal, in JoinInput) (*Joined, error) {
	number := strings.TrimSpace(in.Number)
	srcKey, numKey := "src:"+in.Source, "num:"+number
	throttled := func() error {
		if wait := max(s.joinThrottleSource.Allowed(srcKey), s.joinThrottleMeeting.Allowed(numKey)); wait > 0 {
			e := errs.New(errs.KindRateLimited, "too many wrong passwords; try again in %d seconds", int(math.Ceil(wait.Seconds())))
			e.Details = map[string]any{"retryAfterSeconds": int(math.Ceil(wait.Seconds()))}
			return e
		}
		return nil
	}
	fail := func() (*Joined, error) {
		s.joinThrottleSource.Fail(srcKey)
		s.joinThrottleMeeting.Fail(numKey)
		return nil, errWrongNumberOrPassword()
	}
	var m *Meeting
	if number != "" && len(number) <= 20 && strings.Trim(number, "0123456789") == "" {
		m, _ = s.meetingByNumber(ctx, number)
	}
	// The host, the enterprise's admins and invited members need no password, and
	// guessing by others does not lock them out.
	trusted := m != nil && p != nil && p.EnterpriseID == m.EnterpriseID && (canControl(p, m) || slices.Contains(m.Invitees.MemberIDs, p.UserID))
	if !trusted {
		if err := throttled(); err != nil {
			return nil, err
		}
		if m == nil || (m.Password != "" && subtle.ConstantTimeCompare([]byte(in.Password), []byte(m.Password)) != 1) {
			return fail()
		}
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
	s.joinThrottleMeeting.Succeed(numKey)
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

// Redeem exchanges a join token for its grant, once: a second redeem, an expired
// or unknown token answer UNAUTHENTICATED.
func (s *Service) Redeem(ctx context.Context, token string) (*Grant, error) {
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
	return &doc.Grant, nil
}

func hashJoinToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

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
