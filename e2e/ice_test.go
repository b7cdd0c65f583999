package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/jishitong/jishitong/internal/xtest"

	"github.com/jishitong/jishitong/media/signal"
)

type iceServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username"`
	Credential string   `json:"credential"`
}

// freePort returns a port free for UDP and TCP on 127.0.0.1 a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		u, err := net.ListenPacket("udp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := u.LocalAddr().(*net.UDPAddr).Port
		l, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		_ = u.Close()
		if err == nil {
			_ = l.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// checkMinted checks a TURN REST API credential: "<unix expiry>:<key>" signed with
// secret, expiring ttl from now.
func checkMinted(t *testing.T, s iceServer, secret string, ttl time.Duration, keyPrefix string) {
	t.Helper()
	exp, key, ok := strings.Cut(s.Username, ":")
	unix, err := strconv.ParseInt(exp, 10, 64)
	if !ok || err != nil || !strings.HasPrefix(key, keyPrefix) {
		t.Fatalf("username %q, want <unix expiry>:%s…", s.Username, keyPrefix)
	}
	if d := time.Until(time.Unix(unix, 0)); d < ttl-time.Minute || d > ttl+time.Minute {
		t.Errorf("credential expires in %v, want %v", d, ttl)
	}
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(s.Username))
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); s.Credential != want {
		t.Errorf("credential %q, want base64(HMAC-SHA1(secret, username)) %q", s.Credential, want)
	}
}

// TestICEServersReachClients checks the STUN and TURN servers given to a joiner by
// joinMeeting and again by /rtc joined, with TURN credentials minted per join.
func TestICEServersReachClients(t *testing.T) {
	const secret = "0123456789abcdef-app-test"
	turnPort := freePort(t)
	srv := xtest.StartServer(t, xtest.Options{
		Args: []string{"--stun-servers", "stun:stun.example.com:3478", "--turn-servers", "turns:turn.example.com:443?transport=tcp",
			"--turn-port", strconv.Itoa(turnPort), "--turn-ttl", "2h"},
		Env: map[string]string{"JISHITONG_TURN_SECRET": secret},
	})
	f := newAuthFixture(t, srv)
	var b struct{ BookMeeting struct{ Number string } }
	f.member.Do(t, `mutation($s:Time!){bookMeeting(input:{start:$s,participants:3}){number}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second)}).Decode(t, &b)
	var j struct {
		JoinMeeting struct {
			Token      string
			IceServers []iceServer
		}
	}
	f.member.Do(t, `mutation($n:String!){joinMeeting(number:$n){token iceServers{urls username credential}}}`,
		map[string]any{"n": b.BookMeeting.Number}).Decode(t, &j)

	embedded := []string{
		"turn:127.0.0.1:" + strconv.Itoa(turnPort) + "?transport=udp",
		"turn:127.0.0.1:" + strconv.Itoa(turnPort) + "?transport=tcp",
	}
	check := func(where string, got []iceServer, keyPrefix string) {
		t.Helper()
		if len(got) != 3 || strings.Join(got[0].URLs, ",") != "stun:stun.example.com:3478" || got[0].Username != "" ||
			strings.Join(got[1].URLs, ",") != "turns:turn.example.com:443?transport=tcp" || strings.Join(got[2].URLs, ",") != strings.Join(embedded, ",") {
			t.Fatalf("%s: iceServers %+v", where, got)
		}
		checkMinted(t, got[1], secret, 2*time.Hour, keyPrefix)
		checkMinted(t, got[2], secret, 2*time.Hour, keyPrefix)
	}
	check("joinMeeting", j.JoinMeeting.IceServers, "join-")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rtc", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	msg, _ := json.Marshal(map[string]any{"v": signal.Version, "id": "1", "type": "join", "data": map[string]any{"token": j.JoinMeeting.Token}})
	if err := ws.Write(ctx, websocket.MessageText, msg); err != nil {
		t.Fatal(err)
	}
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("no joined: %v", err)
		}
		var m struct {
			Type string
			Data struct {
				ParticipantID string `json:"participantId"`
				IceServers    []iceServer
			}
		}
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == "joined" {
			check("joined", m.Data.IceServers, m.Data.ParticipantID)
			break
		}
	}
}
