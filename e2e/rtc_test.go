package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/xtest"

	"github.com/jishitong/jishitong/media/signal"
)

// TestRTCAdmitsJoinTokens checks /rtc is served by the binary and admits exactly the
// tokens joinMeeting issues, once each.
func TestRTCAdmitsJoinTokens(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	var b struct{ BookMeeting struct{ Number string } }
	f.member.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:3}){number}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second)}).Decode(t, &b)
	var j struct{ JoinMeeting struct{ Token string } }
	f.member.Do(t, `mutation($n:String!){joinMeeting(number:$n){token}}`, map[string]any{"n": b.BookMeeting.Number}).Decode(t, &j)

	join := func(token string) (map[string]any, websocket.StatusCode) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ws.CloseNow()
		msg, _ := json.Marshal(map[string]any{"v": signal.Version, "id": "1", "type": "join", "data": map[string]any{"token": token}})
		if err := ws.Write(ctx, websocket.MessageText, msg); err != nil {
			t.Fatal(err)
		}
		for range 10 {
			_, data, err := ws.Read(ctx)
			if err != nil {
				return nil, websocket.CloseStatus(err)
			}
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				t.Fatalf("frame %s: %v", data, err)
			}
			if m["type"] == "joined" {
				return m, -1
			}
		}
		return nil, -1
	}
	m, _ := join(j.JoinMeeting.Token)
	if m == nil {
		t.Fatal("no joined message for a fresh join token")
	}
	data, _ := m["data"].(map[string]any)
	if data["participantId"] == "" || data["protocol"] != float64(signal.Version) {
		t.Fatalf("joined: %v", m)
	}
	if _, code := join(j.JoinMeeting.Token); code != 4401 {
		t.Fatalf("a used join token: close %d, want 4401", code)
	}
	if _, code := join("jjt_forged"); code != 4401 {
		t.Fatalf("a forged join token: close %d, want 4401", code)
	}
}
