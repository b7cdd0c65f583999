package graph

import (
	"encoding/json"

	"github.com/jishitong/jishitong/internal/meeting"
)

// ChatJSON encodes chat messages as a JSON array in the shape of GraphQL's
// ChatMessage, for /rtc's chatHistory message.
func ChatJSON(msgs []meeting.ChatMessage) ([]byte, error) {
	out := make([]any, len(msgs))
	for i, m := range msgs {
		out[i] = chatMessage(m)
	}
	return json.Marshal(out)
}
