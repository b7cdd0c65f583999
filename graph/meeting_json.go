package graph

import (
	"encoding/json"

	"github.com/jishitong/jishitong/internal/meeting"
)

// MeetingUpdateJSON encodes a running meeting update exactly as the meetingState
// subscription delivers it (a MeetingStateUpdate: seq, and full or event), so that
// clients apply /rtc state messages and GraphQL updates with one reducer.
func MeetingUpdateJSON(u meeting.Update) ([]byte, error) {
	return json.Marshal(meetingStateUpdate(u))
}
