package graph

import (
	"encoding/json"

	"github.com/jishitong/jishitong/internal/meeting"
)

// LiveUpdateJSON encodes a live meeting update exactly as the meetingState
// subscription delivers it (a MeetingStateUpdate: seq, and full or event), so that
// clients apply /rtc state messages and GraphQL updates with one reducer.
func LiveUpdateJSON(u meeting.Update) ([]byte, error) {
	return json.Marshal(meetingStateUpdate(u))
}
