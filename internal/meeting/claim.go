package meeting

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/jishitong/jishitong/internal/errs"
)

// Claim is what a state token proves: its holder is (or was) participant Participant
// of run RunID. Guests, who have no account, follow their meeting's state over
// GraphQL with it; it is worth nothing once they are off the roster or the run ended.
type Claim struct {
	RunID       string
	Participant ParticipantID
}

// stateTokenTTL bounds a state token's life; the edge that issued it issues a fresh
// one at every join and resume.
const stateTokenTTL = 12 * time.Hour

// stateTokenPrefix marks state tokens.
const stateTokenPrefix = "jms_"

// errBadStateToken answers every token that does not verify, alike.
var errBadStateToken = errs.New(errs.KindUnauthenticated, "invalid or expired meeting token")

// newTokenKey returns a fresh key for state tokens: tokens of an earlier process are
// void, and clients get new ones when they rejoin.
func newTokenKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k) // never fails (crypto/rand)
	return k
}

// StateToken returns a token proving that participant id is in run runID, for its
// holder to follow the meeting's state (Claim). The media plane hands it to the
// participant when they join or resume.
func (s *Service) StateToken(runID string, id ParticipantID) string {
	exp := strconv.FormatInt(time.Now().Add(stateTokenTTL).Unix(), 10)
	payload := base64.RawURLEncoding.EncodeToString([]byte(runID + "\x00" + string(id) + "\x00" + exp))
	return stateTokenPrefix + payload + "." + s.sign(payload)
}

func (s *Service) sign(payload string) string {
	mac := hmac.New(sha256.New, s.tokenKey)
	mac.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// VerifyStateToken returns the claim of a token StateToken issued, or
// UNAUTHENTICATED for anything else (forged, expired, of another process).
func (s *Service) VerifyStateToken(tok string) (Claim, error) {
	rest, ok := strings.CutPrefix(tok, stateTokenPrefix)
	if !ok || len(tok) > 512 {
		return Claim{}, errBadStateToken
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.sign(payload))) {
		return Claim{}, errBadStateToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Claim{}, errBadStateToken
	}
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 {
		return Claim{}, errBadStateToken
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return Claim{}, errBadStateToken
	}
	return Claim{RunID: parts[0], Participant: ParticipantID(parts[1])}, nil
}

// AttachClaim is Attach for the holder of a claim: the owner of meetingID's run in
// progress and the participant as its actor (with their account, and as a moderator
// when they are the host), while the claim's participant is on that run's roster. Anything else answers NOT_FOUND, as for a meeting one may not see.
func (s *Service) AttachClaim(ctx context.Context, c Claim, meetingID string) (*Owner, Actor, error) {
	runID, ok := s.reg.RunOf(meetingID)
	if !ok || runID != c.RunID {
		return nil, Actor{}, errs.NotFound("running meeting")
	}
	m := s.reg.Get(runID)
	if m == nil {
		return nil, Actor{}, errs.NotFound("running meeting")
	}
	p, err := call(ctx, m, func(o *loop) (*Participant, error) {
		if p, ok := o.st.Participant(c.Participant); ok {
			return &p, nil
		}
		return nil, nil
	})
	if err != nil || p == nil {
		return nil, Actor{}, errs.NotFound("running meeting")
	}
	// The participant's own rights: their account's (for what they may read) and the
	// host's when they are the host.
	return m, Actor{ParticipantID: c.Participant, UserID: p.UserID, IsModerator: p.Role == RoleHost}, nil
}
