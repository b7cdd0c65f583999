package graph

import (
	"github.com/jishitong/jishitong/graph/model"
	"github.com/jishitong/jishitong/internal/conference"
	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/meeting"
)

// defaultChatPage is the messages a chat page holds when first is absent.
const defaultChatPage = 100

// chatPageSize returns first checked, or the default.
func chatPageSize(first *int) (int, error) {
	if first == nil {
		return defaultChatPage, nil
	}
	if *first < 1 || *first > conference.MaxChatPage {
		return 0, errs.Invalid("first", "first is 1 to %d", conference.MaxChatPage)
	}
	return *first, nil
}

// chatScore is the score of a chat page of first messages with selection child.
func chatScore(first *int, child int) int {
	n := defaultChatPage
	if first != nil && *first >= 1 && *first <= conference.MaxChatPage {
		n = *first
	}
	return add(1, times(n, child))
}

func chatMessage(m meeting.ChatMessage) *model.ChatMessage {
	out := &model.ChatMessage{Seq: int(m.Seq), At: m.At, FromID: string(m.From), FromName: m.FromName, Text: m.Text, Private: m.Private != ""}
	if m.Private != "" {
		out.PrivateWithID, out.PrivateWithName = optID(m.Private), &m.PrivateName
	}
	return out
}

func storedChatMessage(m conference.ChatMessage) *model.ChatMessage {
	out := &model.ChatMessage{Seq: int(m.Seq), At: m.At, FromID: m.From, FromName: m.FromName, Text: m.Text, Private: m.Private != ""}
	if m.Private != "" {
		out.PrivateWithID, out.PrivateWithName = &m.Private, &m.PrivateName
	}
	return out
}
