package loadtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/loadtest"
	"github.com/jishitong/jishitong/internal/xtest"
)

// bookLiveMeeting creates an enterprise and a member on the server at c's URL (c signed
// in as platform admin), books a password-protected meeting as that member and starts
// it by joining as host, so that guests can join at once. It returns number, password.
func bookLiveMeeting(t testing.TB, root *xtest.Client, participants int) (string, string) {
	m := bookRunningMeeting(t, root, participants)
	return m.Number, m.Password
}

// runningMeeting is a meeting bookRunningMeeting started, with its host's session.
type runningMeeting struct {
	ID, Number, Password, HostToken string
}

// bookRunningMeeting is bookLiveMeeting returning the meeting's ID and the host's
// session token too.
func bookRunningMeeting(t testing.TB, root *xtest.Client, participants int) runningMeeting {
	t.Helper()
	code := "lt" + strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	var e struct{ CreateEnterprise struct{ ID string } }
	root.Do(t, `mutation($c:String!){createEnterprise(input:{name:"Load",code:$c,quota:200}){id}}`, map[string]any{"c": code}).Decode(t, &e)
	email := code + "-host@load.example"
	root.Do(t, `mutation($id:ID!,$e:String!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"Host",email:$e,password:"host-password-1"}){member{id}}}`,
		map[string]any{"id": e.CreateEnterprise.ID, "e": email}).Decode(t, &struct{}{})
	host := &xtest.Client{URL: root.URL, HTTP: root.HTTP, Header: http.Header{}}
	var l struct{ Login struct{ Token string } }
	host.Do(t, `mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}`, map[string]any{"e": email, "p": "host-password-1"}).Decode(t, &l)
	host.Token = l.Login.Token
	var b struct {
		BookMeeting struct{ ID, Number, Password string }
	}
	host.Do(t, `mutation($s:Time!,$n:Int!){bookMeeting(input:{start:$s,participants:$n,password:"246810",options:{guestsMayStart:true}}){id number password}}`,
		map[string]any{"s": time.Now().Add(time.Minute).Truncate(time.Second), "n": participants}).Decode(t, &b)
	// The host's join starts the meeting (hosts may start early); the token is unused.
	host.Do(t, `mutation($n:String!){joinMeeting(number:$n){token}}`, map[string]any{"n": b.BookMeeting.Number}).Decode(t, &struct{}{})
	return runningMeeting{ID: b.BookMeeting.ID, Number: b.BookMeeting.Number, Password: b.BookMeeting.Password, HostToken: host.Token}
}

func TestLoadToolReceivesMedia(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real server and WebRTC media")
	}
	srv := xtest.StartServer(t, xtest.Options{})
	number, password := bookLiveMeeting(t, srv.Admin(t), 10)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rep, err := loadtest.Run(ctx, loadtest.Config{URL: srv.URL, Meeting: number, Password: password,
		Publishers: 2, Subscribers: 1, Duration: 3 * time.Second, LoopbackOnly: true, Simulcast: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	t.Logf("report: %s", b)
	if rep.ReceivedPacketsPerSecond <= 0 || rep.LossPercent >= 5 || rep.JoinToFirstPacketMsP50 <= 0 {
		t.Errorf("report: %s", b)
	}
	if rep.Errors != 0 {
		t.Errorf("errors: %d %v", rep.Errors, rep.ErrorSamples)
	}
	// The server's own figures come from its /metrics: it forwarded what was received.
	if rep.Server == nil || rep.Server.ForwardedPacketsPerSecond <= 0 || rep.Server.RSSBytes <= 0 {
		t.Errorf("server figures: %+v", rep.Server)
	} else if got, want := rep.Server.ForwardedPacketsPerSecond, rep.ReceivedPacketsPerSecond; got < want/2 || got > want*2 {
		// Forwarding goroutines add to the counters every 64 packets, so a 3 s window
		// is only roughly comparable.
		t.Errorf("server forwarded %.0f packets/s, clients received %.0f", got, want)
	}
	// Every participant receives both tracks of every other publisher.
	if rep.TracksReceived != rep.TracksExpected || rep.TracksExpected != 2*(2*1)+1*(2*2) { // publishers: 1 other each; the subscriber: 2
		t.Errorf("tracks received %d of %d", rep.TracksReceived, rep.TracksExpected)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"received_packets_per_second", "received_kbps", "join_to_first_packet_ms_p50",
		"join_to_first_packet_ms_p99", "loss_percent", "participants", "publishers", "subscribers", "duration_s",
		"errors", "cpu_seconds"} {
		if _, ok := m[k]; !ok {
			t.Errorf("report has no %q", k)
		}
	}
}

// TestBench is `make bench`'s load run: with JISHITONG_BENCH=1 it books a meeting and
// runs 5 publishers and 10 subscribers for 20 s, printing the JSON report. The server
// is JISHITONG_BENCH_URL (with JISHITONG_ADMIN_EMAIL/PASSWORD) when set, so that the
// report's CPU is the load tool's alone; otherwise one started in this process.
func TestBench(t *testing.T) {
	if os.Getenv("JISHITONG_BENCH") != "1" {
		t.Skip("set JISHITONG_BENCH=1")
	}
	url, root := benchServer(t)
	number, password := bookLiveMeeting(t, root, 30)
	rep, err := loadtest.Run(context.Background(), loadtest.Config{URL: url, Meeting: number, Password: password,
		Publishers: 5, Subscribers: 10, Duration: 20 * time.Second, LoopbackOnly: true, Simulcast: true})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	os.Stdout.Write(append(b, '\n'))
}

// TestFanoutTool: the fan-out tool subscribes sockets to a running meeting's state,
// changes its layout and sees every change reach every socket, with the server's
// figures.
func TestFanoutTool(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real server")
	}
	srv := xtest.StartServer(t, xtest.Options{})
	m := bookRunningMeeting(t, srv.Admin(t), 10)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	rep, err := loadtest.RunFanout(ctx, loadtest.FanoutConfig{URL: srv.URL, Token: m.HostToken, MeetingID: m.ID, Subscribers: 20, Events: 6, Interval: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	t.Logf("report: %s", b)
	if rep.Delivered != 20*6 || rep.Lost != 0 || rep.LatencyMsP50 <= 0 || rep.LatencyMsMax < rep.LatencyMsP99 {
		t.Errorf("report: %s", b)
	}
	if rep.Server == nil || rep.Server.CPUMicrosPerDelivered <= 0 || rep.Server.GoroutinesPerSubscription <= 0 {
		t.Errorf("server figures: %s", b)
	}
}

// TestBenchFanout is `make bench`'s meetingState fan-out: with JISHITONG_BENCH=1,
// 1,000 graphql-ws subscribers of one meeting and 20 layout changes, against
// JISHITONG_BENCH_URL when set (so that the server's CPU is its own), printing the
// JSON report.
func TestBenchFanout(t *testing.T) {
	if os.Getenv("JISHITONG_BENCH") != "1" {
		t.Skip("set JISHITONG_BENCH=1")
	}
	url, root := benchServer(t)
	m := bookRunningMeeting(t, root, 30)
	rep, err := loadtest.RunFanout(context.Background(), loadtest.FanoutConfig{URL: url, Token: m.HostToken, MeetingID: m.ID,
		Subscribers: 1000, Events: 20, Interval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(rep)
	os.Stdout.Write(append(b, '\n'))
}

// benchServer returns the server of a bench run: JISHITONG_BENCH_URL signed in with
// JISHITONG_ADMIN_EMAIL/PASSWORD when set, else one started in this process.
func benchServer(t *testing.T) (string, *xtest.Client) {
	t.Helper()
	url := os.Getenv("JISHITONG_BENCH_URL")
	if url == "" {
		srv := xtest.StartServer(t, xtest.Options{})
		return srv.URL, srv.Admin(t)
	}
	waitReady(t, url)
	root := &xtest.Client{URL: url, HTTP: &http.Client{Timeout: time.Minute}, Header: http.Header{}}
	var l struct{ Login struct{ Token string } }
	root.Do(t, `mutation($e:String!,$p:String!){login(email:$e,password:$p){token}}`,
		map[string]any{"e": os.Getenv("JISHITONG_ADMIN_EMAIL"), "p": os.Getenv("JISHITONG_ADMIN_PASSWORD")}).Decode(t, &l)
	root.Token = l.Login.Token
	return url, root
}

// waitReady polls url/readyz until it answers 200, for a server just started.
func waitReady(t testing.TB, url string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
