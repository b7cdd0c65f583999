package conference

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/errs"
)

// chatColl holds every chat message of every run, one document each, with _id
// "<runID>:<seq, 12 digits>" so that a run's chat is one range of the _id index, in
// order.
const chatColl = "meeting_chat"

// MaxChatPage is the most messages RunChat returns at once.
const MaxChatPage = 200

// ChatMessage is one stored chat message of a run (meeting.ChatMessage as kept).
type ChatMessage struct {
	RunID      string    `bson:"runId"`
	Seq        uint64    `bson:"seq"`
	At         time.Time `bson:"at"`
	From       string    `bson:"from"`
	FromName   string    `bson:"fromName"`
	FromUserID string    `bson:"fromUserId,omitempty"`
	// Private is the participant whose private conversation with the hosts this is,
	// "" for a message to everyone.
	Private       string `bson:"private,omitempty"`
	PrivateName   string `bson:"privateName,omitempty"`
	PrivateUserID string `bson:"privateUserId,omitempty"`
	Text          string `bson:"text"`
}

func chatID(runID string, seq uint64) string { return fmt.Sprintf("%s:%012d", runID, seq) }

// SaveChat stores one chat message of a run. The meeting owner bounds how many a run
// has; a message stored twice (the same seq) is kept once.
func (s *Service) SaveChat(ctx context.Context, m ChatMessage) error {
	_, err := s.st.W.Collection(chatColl).ReplaceOne(ctx, bson.M{"_id": chatID(m.RunID, m.Seq)}, m, options.Replace().SetUpsert(true))
	if err != nil {
		return fmt.Errorf("conference: save chat: %w", err)
	}
	return nil
}

// RunChat returns up to first (1..MaxChatPage) chat messages of a run after seq
// after, in order, that p may read, and whether more follow. Those who could see
// the meeting read its messages to everyone; private ones only their host and admins,
// and the members who sent or received them.
func (s *Service) RunChat(ctx context.Context, p *auth.Principal, runID string, first int, after uint64) ([]ChatMessage, bool, error) {
	if first < 1 || first > MaxChatPage {
		return nil, false, errs.Invalid("first", "first is 1 to %d", MaxChatPage)
	}
	r, err := s.runFor(ctx, p, runID)
	if err != nil {
		return nil, false, err
	}
	m, err := s.loadMeeting(ctx, r.MeetingID)
	if err != nil {
		return nil, false, err
	}
	moderator := canControl(p, m)
	filter := bson.M{"_id": bson.M{"$gt": chatID(runID, after), "$lt": runID + ";"}}
	if !moderator {
		filter["$or"] = bson.A{bson.M{"private": bson.M{"$exists": false}}, bson.M{"fromUserId": p.UserID}, bson.M{"privateUserId": p.UserID}}
	}
	cur, err := s.st.R.Collection(chatColl).Find(ctx, filter, options.Find().SetSort(bson.M{"_id": 1}).SetLimit(int64(first+1)))
	if err != nil {
		return nil, false, fmt.Errorf("conference: read chat: %w", err)
	}
	var out []ChatMessage
	if err := cur.All(ctx, &out); err != nil && !errors.Is(err, mongo.ErrNoDocuments) {
		return nil, false, fmt.Errorf("conference: read chat: %w", err)
	}
	more := len(out) > first
	if more {
		out = out[:first]
	}
	return out, more, nil
}
