package meeting

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jishitong/jishitong/internal/errs"
)

// Chat limits.
const (
	// MaxChatLength is the longest chat message, in characters.
	MaxChatLength = 2000
	// MaxChatMessages is the most chat messages one run keeps; later ones are refused.
	MaxChatMessages = 1000
	// ChatBurst messages may be sent at once; then one per ChatInterval.
	ChatBurst    = 5
	ChatInterval = time.Second
)

// ChatMessage is one message of a meeting's chat: to everyone, or private between one
// participant and the hosts.
type ChatMessage struct {
	// Seq is the sequence number of the chat event that carried it; it identifies the
	// message within its run.
	Seq      uint64
	At       time.Time
	From     ParticipantID
	FromName string
	// FromUserID is the signed-in member who sent it, "" for guests.
	FromUserID string
	// Private is the participant whose private conversation with the hosts this is
	// ("" for a message to everyone): the sender of a message to the hosts, or the
	// participant a host answered.
	Private       ParticipantID
	PrivateName   string
	PrivateUserID string
	// Text is plain text, 1 to MaxChatLength characters; clients show it as text.
	Text string
}

// VisibleTo reports whether the participant viewer (or, with moderator, a host or an
// admin) may read m: everyone reads messages to everyone; a private message is read
// by its sender, the participant it is private with, and the moderators.
func (m ChatMessage) VisibleTo(viewer ParticipantID, moderator bool) bool {
	return m.Private == "" || moderator || viewer != "" && (viewer == m.Private || viewer == m.From)
}

// ChatInput is a message to send.
type ChatInput struct {
	Text string
	// ToHosts sends it privately to the hosts. A moderator sends privately to one
	// participant with To instead; others may not name a participant.
	ToHosts bool
	To      ParticipantID
	// From names the sender's connection for an edge that does not hold one (GraphQL):
	// the owner accepts it only when it is a connection of the actor's account.
	From ParticipantID
}

// chatBucket is a participant's token bucket of chat messages.
type chatBucket struct {
	tokens float64
	at     time.Time
}

// CheckChatText returns the error SendChat gives for the text, nil when it is fine;
// edges call it before any other work.
func CheckChatText(text string) error {
	n := utf8.RuneCountInString(text)
	switch {
	case !utf8.ValidString(text):
		return errs.Invalid("text", "a chat message is UTF-8 text")
	case n > MaxChatLength:
		return errs.New(errs.KindTooLarge, "a chat message has at most %d characters (this one has %d)", MaxChatLength, n)
	case strings.TrimSpace(text) == "":
		return errs.Invalid("text", "a chat message cannot be empty")
	}
	return nil
}

// SendChat sends a chat message from the actor's own participant, who must be in the
// meeting. The text is checked first (CheckChatText); each participant may send
// ChatBurst messages at once and then one per ChatInterval (RATE_LIMITED); a run
// keeps at most MaxChatMessages (CONFLICT after). The message is a chat event.
func (m *Owner) SendChat(ctx context.Context, a Actor, in ChatInput) (ChatMessage, error) {
	if err := CheckChatText(in.Text); err != nil {
		return ChatMessage{}, err
	}
	return call(ctx, m, func(o *loop) (ChatMessage, error) {
		a := o.asSelf(a, in.From)
		from, ok := o.st.Participant(a.ParticipantID)
		if a.ParticipantID == "" || !ok {
			return ChatMessage{}, forbidden("join the meeting to chat")
		}
		moderator := a.IsModerator || from.Role == RoleHost
		msg := ChatMessage{At: o.cfg.Clock.Now(), From: from.ID, FromName: from.Name, FromUserID: from.UserID, Text: in.Text}
		switch {
		case in.To != "" && !moderator:
			return ChatMessage{}, forbidden("private messages go to the host")
		case in.To != "" && in.To == from.ID:
			return ChatMessage{}, errs.Invalid("to", "a private message goes to someone else")
		case in.To != "":
			to, err := o.present(in.To)
			if err != nil {
				return ChatMessage{}, err
			}
			msg.Private, msg.PrivateName, msg.PrivateUserID = to.ID, to.Name, to.UserID
		case in.ToHosts:
			msg.Private, msg.PrivateName, msg.PrivateUserID = from.ID, from.Name, from.UserID
		}
		if !o.takeChatToken(from.ID, msg.At) {
			return ChatMessage{}, errs.New(errs.KindRateLimited, "you are sending messages too fast; wait a moment")
		}
		if len(o.chat) >= MaxChatMessages {
			return ChatMessage{}, errs.Conflict("", "this meeting has reached its limit of %d chat messages", MaxChatMessages)
		}
		msg.Seq = o.st.Seq + 1
		o.chat = append(o.chat, msg)
		o.emit(KindChat, a, from.ID, ChatDelta{msg})
		return msg, nil
	})
}

// takeChatToken takes one token of id's bucket at now, and reports whether there was
// one. Owner goroutine.
func (o *loop) takeChatToken(id ParticipantID, now time.Time) bool {
	b := o.chatRate[id]
	if b == nil {
		b = &chatBucket{tokens: ChatBurst, at: now}
		o.chatRate[id] = b
	}
	b.tokens = min(ChatBurst, b.tokens+now.Sub(b.at).Seconds()/ChatInterval.Seconds())
	b.at = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// Chat returns the chat so far that viewer (with moderator, a host or admin) may read,
// in order, and the state's sequence number it is current as of.
func (m *Owner) Chat(ctx context.Context, viewer ParticipantID, moderator bool) ([]ChatMessage, uint64, error) {
	type res struct {
		msgs []ChatMessage
		seq  uint64
	}
	r, err := call(ctx, m, func(o *loop) (res, error) { return res{o.visibleChat(viewer, moderator), o.st.Seq}, nil })
	return r.msgs, r.seq, err
}

// View returns the current state and the chat viewer may read, as of the same event:
// what a participant needs on joining.
func (m *Owner) View(ctx context.Context, viewer ParticipantID, moderator bool) (State, []ChatMessage, error) {
	type res struct {
		st   State
		msgs []ChatMessage
	}
	r, err := call(ctx, m, func(o *loop) (res, error) {
		return res{o.st.Clone(), o.visibleChat(viewer, moderator)}, nil
	})
	return r.st, r.msgs, err
}

// visibleChat returns the messages viewer may read. Owner goroutine.
func (o *loop) visibleChat(viewer ParticipantID, moderator bool) []ChatMessage {
	out := make([]ChatMessage, 0, len(o.chat))
	for _, c := range o.chat {
		if c.VisibleTo(viewer, moderator) {
			out = append(out, c)
		}
	}
	return out
}

// VisibleToMember reports whether the signed-in member userID (with moderator, the
// meeting's host or an admin) may read m outside the meeting's connections: messages
// to everyone, and private ones they sent or received on any of their connections.
func (m ChatMessage) VisibleToMember(userID string, moderator bool) bool {
	return m.Private == "" || moderator || userID != "" && (userID == m.FromUserID || userID == m.PrivateUserID)
}

// Hidden returns e as a receiver who may not read its private chat message gets it:
// the event without its message, sender or actor, so that their sequence has no gaps
// and says nothing of who wrote to whom.
func (e *Event) Hidden() *Event {
	c := *e
	c.Delta, c.Subject, c.Actor = nil, "", Actor{}
	return &c
}
