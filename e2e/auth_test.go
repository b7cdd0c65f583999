package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/app"
	"github.com/jishitong/jishitong/internal/auth"
	"github.com/jishitong/jishitong/internal/config"
	"github.com/jishitong/jishitong/internal/xtest"
)

const loginDoc = `mutation($e:String!,$p:String!){login(email:$e,password:$p){token expiresAt user{email role}}}`

// authFixture is an enterprise with an admin and a member, each signed in.
type authFixture struct {
	srv          *xtest.Server
	root         *xtest.Client
	enterpriseID string
	admin        *xtest.Client
	memberID     string
	member       *xtest.Client
}

func newAuthFixture(t *testing.T, srv *xtest.Server) *authFixture {
	t.Helper()
	f := &authFixture{srv: srv, root: srv.Admin(t)}
	var e struct{ CreateEnterprise struct{ ID string } }
	f.root.Do(t, `mutation{createEnterprise(input:{name:"Acme 测试",code:"acme",quota:50}){id}}`, nil).Decode(t, &e)
	f.enterpriseID = e.CreateEnterprise.ID
	f.root.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"管理员",email:"boss@acme.example",password:"boss-password-1"}){member{id}}}`,
		map[string]any{"id": f.enterpriseID}).Decode(t, &struct{}{})
	f.admin = srv.Login(t, "boss@acme.example", "boss-password-1")
	var m struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	f.admin.Do(t, `mutation{createMember(input:{name:"张三",email:"zhang@acme.example",password:"zhang-password-1"}){member{id}}}`, nil).Decode(t, &m)
	f.memberID = m.CreateMember.Member.ID
	f.member = srv.Login(t, "zhang@acme.example", "zhang-password-1")
	return f
}

func TestLoginAndMe(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	c := srv.Client()

	r := c.Do(t, `{me{email}}`, nil)
	if r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous me: code %q, want UNAUTHENTICATED (%+v)", r.Code(), r.Errors)
	}

	var out struct {
		Login struct {
			Token     string
			ExpiresAt time.Time
			User      struct{ Email, Role string }
		}
	}
	c.Do(t, loginDoc, map[string]any{"e": " ROOT@example.com ", "p": xtest.AdminPassword}).Decode(t, &out)
	if !strings.HasPrefix(out.Login.Token, "jst_") || out.Login.User.Role != "PLATFORM_ADMIN" || out.Login.User.Email != xtest.AdminEmail {
		t.Fatalf("login: %+v", out.Login)
	}
	if d := time.Until(out.Login.ExpiresAt); d < 71*time.Hour || d > 73*time.Hour {
		t.Errorf("session lasts %v, want the 72h default", d)
	}
	c.Token = out.Login.Token
	var me struct{ Me struct{ Email, Name string } }
	c.Do(t, `{me{email name}}`, nil).Decode(t, &me)
	if me.Me.Email != xtest.AdminEmail {
		t.Fatalf("me = %q", me.Me.Email)
	}
	// The Chinese interface shows the bootstrap admin's name: no English in it.
	if me.Me.Name != "平台管理员" {
		t.Errorf("the platform admin is named %q", me.Me.Name)
	}

	// A forged or mangled token is anonymous.
	for _, tok := range []string{out.Login.Token + "x", "jst_", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", strings.Repeat("a", 5000)} {
		bad := srv.Client()
		bad.Token = tok
		if r := bad.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Errorf("token %.20q: code %q, want UNAUTHENTICATED", tok, r.Code())
		}
	}
}

func TestLoginFailuresAnswerAlike(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	// Frozen accounts also answer alike.
	f.admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){status}}`, map[string]any{"id": f.memberID}).Decode(t, &struct{}{})

	cases := map[string][2]string{
		"unknown account": {"nobody@acme.example", "whatever-password"},
		"wrong password":  {"boss@acme.example", "wrong-password-1"},
		"frozen account":  {"zhang@acme.example", "zhang-password-1"},
		"huge password":   {"boss@acme.example", strings.Repeat("x", 10000)},
	}
	// Naming no account is a malformed request, not a failed sign-in.
	if r := srv.Client().Do(t, loginDoc, map[string]any{"e": "", "p": ""}); r.Code() != "BAD_USER_INPUT" {
		t.Errorf("empty: code %q, want BAD_USER_INPUT: %+v", r.Code(), r.Errors)
	}
	var first string
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := srv.Client().Do(t, loginDoc, map[string]any{"e": tc[0], "p": tc[1]})
			if r.Code() != "UNAUTHENTICATED" {
				t.Fatalf("code %q, want UNAUTHENTICATED: %+v", r.Code(), r.Errors)
			}
			if first == "" {
				first = r.Errors[0].Message
			} else if r.Errors[0].Message != first {
				t.Errorf("message %q differs from %q", r.Errors[0].Message, first)
			}
		})
	}
}

func TestLoginThrottle(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	newAuthFixture(t, srv)
	c := srv.Client()
	// Per account: 5 failures lock the account, even for the right password.
	for i := range 5 {
		if r := c.Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "wrong-password"}); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("failure %d: code %q", i, r.Code())
		}
	}
	r := c.Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "boss-password-1"})
	if r.Code() != "RATE_LIMITED" {
		t.Fatalf("after 5 failures: code %q, want RATE_LIMITED", r.Code())
	}
	if s, _ := r.Errors[0].Extensions["retryAfterSeconds"].(float64); s < 1 {
		t.Errorf("retryAfterSeconds = %v", r.Errors[0].Extensions["retryAfterSeconds"])
	}
	// Another account from the same source is not locked yet...
	c.Do(t, loginDoc, map[string]any{"e": "zhang@acme.example", "p": "zhang-password-1"}).Decode(t, &struct{}{})
	// ...until the source itself has failed 20 times, across accounts.
	for i := range 15 {
		c.Do(t, loginDoc, map[string]any{"e": "spray" + string(rune('a'+i)) + "@acme.example", "p": "x"})
	}
	if r := c.Do(t, loginDoc, map[string]any{"e": "zhang@acme.example", "p": "zhang-password-1"}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("after 20 failures from one source: code %q, want RATE_LIMITED", r.Code())
	}
}

func TestLogout(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	other := srv.Login(t, "zhang@acme.example", "zhang-password-1")
	var out struct{ Logout bool }
	f.member.Do(t, `mutation{logout}`, nil).Decode(t, &out)
	if !out.Logout {
		t.Fatal("logout returned false")
	}
	if r := f.member.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("after logout: code %q", r.Code())
	}
	// Only that session ended.
	other.Do(t, `{me{email}}`, nil).Decode(t, &struct{}{})
	if r := srv.Client().Do(t, `mutation{logout}`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("anonymous logout: code %q", r.Code())
	}
}

// TestFreezeEndsSessions checks the requirement: freezing or deleting a
// member ends their sessions, including open websocket subscriptions, within a
// second.
func TestFreezeEndsSessions(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	ws, err := f.member.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Subscribe(ctx, "1", `subscription{directoryChanged{kind id}}`, nil); err != nil {
		t.Fatal(err)
	}
	// The subscription works: a change arrives. The server subscribes after it has
	// read the request, so changes made before then are not seen: make them until one
	// is. (One reader: a websocket read whose context ends closes the socket.)
	first := make(chan *xtest.WSMessage, 1)
	go func() {
		m, err := ws.Read(ctx)
		if err != nil {
			m = &xtest.WSMessage{Type: "read error: " + err.Error()}
		}
		first <- m
	}()
	for i := 0; ; i++ {
		if i == 20 {
			t.Fatal("no directoryChanged event for 20 changes")
		}
		f.admin.Do(t, `mutation($n:String!){createGroup(name:$n){id}}`, map[string]any{"n": fmt.Sprintf("一组 %d", i)}).Decode(t, &struct{}{})
		select {
		case m := <-first:
			if m.Type != "next" {
				t.Fatalf("expected an event, got %+v", m)
			}
		case <-time.After(500 * time.Millisecond):
			continue
		}
		break
	}

	start := time.Now()
	f.admin.Do(t, `mutation($id:ID!){freezeMember(id:$id){status}}`, map[string]any{"id": f.memberID}).Decode(t, &struct{}{})
	if _, err := ws.WaitClosed(time.Second); err != nil {
		t.Fatalf("subscription of a frozen member: %v", err)
	}
	t.Logf("websocket closed %v after the freeze", time.Since(start))
	if r := f.member.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("frozen member's token: code %q", r.Code())
	}
	if r := srv.Client().Do(t, loginDoc, map[string]any{"e": "zhang@acme.example", "p": "zhang-password-1"}); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("frozen member login: code %q", r.Code())
	}
	// Unfrozen, they sign in again; deleted, their new session and socket end too.
	f.admin.Do(t, `mutation($id:ID!){unfreezeMember(id:$id){status}}`, map[string]any{"id": f.memberID}).Decode(t, &struct{}{})
	again := srv.Login(t, "zhang@acme.example", "zhang-password-1")
	ws2, err := again.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	f.admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": f.memberID}).Decode(t, &struct{}{})
	if _, err := ws2.WaitClosed(time.Second); err != nil {
		t.Fatalf("subscription of a deleted member: %v", err)
	}
	if r := again.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("deleted member's token: code %q", r.Code())
	}
}

func TestFreezeEnterpriseEndsSessions(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := f.admin.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	f.root.Do(t, `mutation($id:ID!){updateEnterprise(id:$id,input:{frozen:true}){frozen}}`, map[string]any{"id": f.enterpriseID}).Decode(t, &struct{}{})
	if _, err := ws.WaitClosed(time.Second); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*xtest.Client{f.admin, f.member} {
		if r := c.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("frozen enterprise's session: code %q", r.Code())
		}
	}
	if r := srv.Client().Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "boss-password-1"}); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("frozen enterprise login: code %q", r.Code())
	}
	f.root.Do(t, `mutation($id:ID!){updateEnterprise(id:$id,input:{frozen:false}){frozen}}`, map[string]any{"id": f.enterpriseID}).Decode(t, &struct{}{})
	srv.Login(t, "boss@acme.example", "boss-password-1")
}

func TestRoleChangeEndsSessions(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	f.admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{role:ENTERPRISE_ADMIN}){role}}`, map[string]any{"id": f.memberID}).Decode(t, &struct{}{})
	if r := f.member.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("session kept across a role change: code %q", r.Code())
	}
	promoted := srv.Login(t, "zhang@acme.example", "zhang-password-1")
	var me struct{ Me struct{ Role string } }
	promoted.Do(t, `{me{role}}`, nil).Decode(t, &me)
	if me.Me.Role != "ENTERPRISE_ADMIN" {
		t.Fatalf("role = %s", me.Me.Role)
	}
}

func TestWebsocketNeedsSession(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := srv.Client().DialWS(ctx, t); err == nil {
		t.Fatal("anonymous websocket was acknowledged")
	}
	bad := srv.Client()
	bad.Token = "jst_nope"
	if _, err := bad.DialWS(ctx, t); err == nil {
		t.Fatal("websocket with a bad token was acknowledged")
	}
}

func TestSessionCookie(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	c := srv.Client()
	body := `{"query":"mutation{login(email:\"` + xtest.AdminEmail + `\",password:\"` + xtest.AdminPassword + `\"){token}}"}`
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var cookie *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "jst_session" {
			cookie = ck
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", cookie)
	}
	c.Header.Set("Cookie", "jst_session="+cookie.Value)
	c.Do(t, `{me{email}}`, nil).Decode(t, &struct{}{})
	// Another site's page cannot use the visitor's cookie.
	c.Header.Set("Origin", "http://evil.example")
	if r := c.Do(t, `{me{email}}`, nil); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("cross-origin request with the cookie: code %q", r.Code())
	}
}

func TestChangePassword(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	r := f.member.Do(t, `mutation{changePassword(currentPassword:"wrong",newPassword:"new-password-1")}`, nil)
	if r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("wrong current password: %q", r.Code())
	}
	if r := f.member.Do(t, `mutation{changePassword(currentPassword:"zhang-password-1",newPassword:"short")}`, nil); r.Code() != "BAD_USER_INPUT" {
		t.Fatalf("short password: %q", r.Code())
	}
	f.member.Do(t, `mutation{changePassword(currentPassword:"zhang-password-1",newPassword:"new-password-1")}`, nil).Decode(t, &struct{}{})
	srv.Login(t, "zhang@acme.example", "new-password-1")
	if r := srv.Client().Do(t, loginDoc, map[string]any{"e": "zhang@acme.example", "p": "zhang-password-1"}); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("old password still works: %q", r.Code())
	}
}

// TestChangePasswordThrottled: a session is no unlimited oracle for its account's
// password. Of 30 parallel wrong guesses of the current password only 5 are checked
// (each answered "wrong"); the rest are refused before the hash, and so is the
// right one while the lock lasts.
func TestChangePasswordThrottled(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	const doc = `mutation($c:String!){changePassword(currentPassword:$c,newPassword:"new-password-1")}`
	codes := make(chan string, 30)
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := f.member.Do(t, doc, map[string]any{"c": fmt.Sprintf("wrong-guess-%d", i)})
			codes <- r.Code()
		}()
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for c := range codes {
		count[c]++
	}
	if count["BAD_USER_INPUT"] != 5 || count["RATE_LIMITED"] != 25 {
		t.Fatalf("30 parallel wrong current passwords: %v, want 5 checked (BAD_USER_INPUT) and 25 RATE_LIMITED", count)
	}
	if r := f.member.Do(t, doc, map[string]any{"c": "zhang-password-1"}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("right current password while locked: %q", r.Code())
	}
	srv.Login(t, "zhang@acme.example", "zhang-password-1") // unchanged
}

// TestWeakPasswordsRefused: every way of setting a password refuses common ones,
// simple patterns and the account's own email (NIST SP 800-63B 5.1.1.2), and
// changes nothing.
func TestWeakPasswordsRefused(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	f := newAuthFixture(t, srv)
	for _, pw := range []string{"password", "12345678", "Password123", "qwertyuiop", "woaini1314", "aaaaaaaa", "jishitong", "zhang@acme.example", "wang5@acme.example"} {
		if pw != "wang5@acme.example" { // not zhang's own
			r := f.member.Do(t, `mutation($p:String!){changePassword(currentPassword:"zhang-password-1",newPassword:$p)}`, map[string]any{"p": pw})
			if r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "password" {
				t.Errorf("change to %q: %q %+v", pw, r.Code(), r.Errors)
			}
		}
		if pw == "zhang@acme.example" {
			continue // not wang5's own
		}
		r := f.admin.Do(t, `mutation($p:String!){createMember(input:{name:"王五",email:"wang5@acme.example",password:$p}){member{id}}}`, map[string]any{"p": pw})
		if r.Code() != "BAD_USER_INPUT" {
			t.Errorf("create with %q: %q %+v", pw, r.Code(), r.Errors)
		}
	}
	srv.Login(t, "zhang@acme.example", "zhang-password-1")
	if r := srv.Client().Do(t, loginDoc, map[string]any{"e": "wang5@acme.example", "p": "password"}); r.Code() != "UNAUTHENTICATED" {
		t.Fatalf("a refused member was created: %q", r.Code())
	}
	// The first admin from the environment is checked too.
	cfg, err := config.Parse([]string{"--http", "127.0.0.1:0", "--data", t.TempDir(), "--rtc-loopback-only"},
		func(k string) string {
			return map[string]string{"JISHITONG_ADMIN_EMAIL": "first@example.com", "JISHITONG_ADMIN_PASSWORD": "password1"}[k]
		})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if s, err := app.Start(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
		s.Close()
		t.Fatal("the server started with JISHITONG_ADMIN_PASSWORD=password1")
	} else if !strings.Contains(err.Error(), "common") {
		t.Errorf("start with a weak admin password: %v", err)
	}
}

// TestRestartKeepsData restarts the server on the same data folder.
func TestRestartKeepsData(t *testing.T) {
	dir := t.TempDir()
	first := xtest.StartServer(t, xtest.Options{DataDir: dir})
	newAuthFixture(t, first)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	// The bootstrap variables are ignored on a database that has an admin.
	second := xtest.StartServer(t, xtest.Options{DataDir: dir, Env: map[string]string{"JISHITONG_ADMIN_PASSWORD": "another-password"}})
	second.Admin(t)
	member := second.Login(t, "zhang@acme.example", "zhang-password-1")
	var me struct {
		Me struct {
			Name       string
			Enterprise struct{ Name string }
		}
	}
	member.Do(t, `{me{name enterprise{name}}}`, nil).Decode(t, &me)
	if me.Me.Name != "张三" || me.Me.Enterprise.Name != "Acme 测试" {
		t.Fatalf("after restart: %+v", me.Me)
	}
}

// loginBurst runs n logins at once through the auth service, login(i) giving the
// email, password and source of the i-th, and returns how many passwords the
// service verified meanwhile.
func loginBurst(t *testing.T, srv *xtest.Server, n int, login func(i int) (email, password, source string)) uint64 {
	t.Helper()
	a := srv.Auth()
	before := a.PasswordChecks()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, p, src := login(i)
			_, _ = a.Login(context.Background(), auth.Attempt{Email: e, Password: p, Source: src, UserAgent: "burst"})
		}()
	}
	wg.Wait()
	return a.PasswordChecks() - before
}

// TestLoginThrottleParallel checks that the documented limits hold for parallel
// attempts: a refused attempt never reaches the password hash.
func TestLoginThrottleParallel(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	newAuthFixture(t, srv)
	// 50 wrong passwords at once on one account from one source: 5 checked.
	if n := loginBurst(t, srv, 50, func(int) (string, string, string) {
		return "boss@acme.example", "wrong-password-1", "198.51.100.1"
	}); n != 5 {
		t.Errorf("50 parallel guesses on one account: %d passwords checked, want 5", n)
	}
	// 60 logins at once from one source over different accounts: 20 checked.
	if n := loginBurst(t, srv, 60, func(i int) (string, string, string) {
		return fmt.Sprintf("spray%d@acme.example", i), "wrong-password-1", "198.51.100.2"
	}); n != 20 {
		t.Errorf("60 parallel logins from one source: %d passwords checked, want 20", n)
	}
	// 300 guesses at once on one account from 300 sources: 5 checked.
	if n := loginBurst(t, srv, 300, func(i int) (string, string, string) {
		return "zhang@acme.example", "wrong-password-1", fmt.Sprintf("203.0.%d.%d", 113+i/250, i%250+1)
	}); n != 5 {
		t.Errorf("300 parallel guesses on one account: %d passwords checked, want 5", n)
	}

	// From outside: 50 wrong passwords at once over HTTP from one address, on an
	// account that has not been guessed: 5 are checked and answer UNAUTHENTICATED,
	// the others RATE_LIMITED.
	f := srv.Admin(t)
	var e struct{ CreateEnterprise struct{ ID string } }
	f.Do(t, `mutation{createEnterprise(input:{name:"Burst",code:"burst",quota:5}){id}}`, nil).Decode(t, &e)
	f.Do(t, `mutation($id:ID!){createEnterpriseAdmin(enterpriseId:$id,input:{name:"B",email:"b@burst.example",password:"burst-password-1"}){member{id}}}`,
		map[string]any{"id": e.CreateEnterprise.ID}).Decode(t, &struct{}{})
	c := clientFrom(srv, "127.0.0.9")
	before := srv.Auth().PasswordChecks()
	codes := make(chan string, 50)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body, _ := json.Marshal(map[string]any{"query": loginDoc, "variables": map[string]any{"e": "b@burst.example", "p": "wrong-password-1"}})
			r, err := c.Post(body)
			if err != nil {
				codes <- err.Error()
				return
			}
			codes <- r.Code()
		}()
	}
	wg.Wait()
	close(codes)
	count := map[string]int{}
	for code := range codes {
		count[code]++
	}
	if n := srv.Auth().PasswordChecks() - before; n != 5 || count["UNAUTHENTICATED"] != 5 || count["RATE_LIMITED"] != 45 {
		t.Errorf("50 parallel logins over HTTP: %d passwords checked, answers %v; want 5 checked, 5 UNAUTHENTICATED, 45 RATE_LIMITED", n, count)
	}
}

// clientFrom returns an anonymous client whose requests come from ip, a loopback
// address other than 127.0.0.1, so that tests can play several sources. Each
// request has a connection of its own: parallel requests over a pool can leave a
// dialled connection unused, which holds up the server's shutdown for 5 seconds.
func clientFrom(srv *xtest.Server, ip string) *xtest.Client {
	c := srv.Client()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.HTTP.Transport = &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	return c
}

// loginCookies logs c in as a browser does and returns the cookies the server set.
func loginCookies(t *testing.T, c *xtest.Client, email, password string) map[string]*http.Cookie {
	t.Helper()
	body := fmt.Sprintf(`{"query":"mutation{login(email:\"%s\",password:\"%s\"){token}}"}`, email, password)
	req, err := http.NewRequest(http.MethodPost, c.URL+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range c.Header {
		req.Header[k] = v
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	out := map[string]*http.Cookie{}
	for _, ck := range resp.Cookies() {
		out[ck.Name] = ck
	}
	if out["jst_session"] == nil {
		t.Fatalf("login of %s set no session cookie", email)
	}
	return out
}

// TestLoginGuessingDoesNotLockOutOwner: others' wrong passwords lock the account for
// unknown sources, but not for its owner's browser (device cookie) or for a source
// the owner logged in from before.
func TestLoginGuessingDoesNotLockOutOwner(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	newAuthFixture(t, srv) // boss logged in from 127.0.0.1
	browser := clientFrom(srv, "127.0.0.5")
	cookies := loginCookies(t, browser, "boss@acme.example", "boss-password-1")
	dev := cookies["jst_device"]
	if dev == nil || !dev.HttpOnly || dev.SameSite != http.SameSiteStrictMode || dev.MaxAge < 300*24*3600 {
		t.Fatalf("device cookie: %+v", dev)
	}
	// Guessing from several other sources.
	for i := range 4 {
		g := clientFrom(srv, fmt.Sprintf("127.0.1.%d", i+1))
		for range 3 {
			if r := g.Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "wrong-password-1"}); r.Code() != "UNAUTHENTICATED" && r.Code() != "RATE_LIMITED" {
				t.Fatalf("guess: code %q", r.Code())
			}
		}
	}
	// A new source without a device cookie is held by the account-wide limit...
	if r := clientFrom(srv, "127.0.2.1").Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "boss-password-1"}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("new source after 12 guesses: code %q, want RATE_LIMITED", r.Code())
	}
	// ...the owner's browser is not, even from another address...
	owner := clientFrom(srv, "127.0.2.2")
	owner.Header.Set("Cookie", "jst_device="+dev.Value)
	owner.Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "boss-password-1"}).Decode(t, &struct{}{})
	// ...nor a source the owner logged in from before.
	srv.Client().Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "boss-password-1"}).Decode(t, &struct{}{})
	// The device cookie is bound to its account and cannot be forged.
	for _, ck := range []string{"jst_device=" + dev.Value + "x", "jst_device=d1.AAAA.AAAAAAAAAAA.AAAA"} {
		c := clientFrom(srv, "127.0.2.3")
		c.Header.Set("Cookie", ck)
		if r := c.Do(t, loginDoc, map[string]any{"e": "boss@acme.example", "p": "boss-password-1"}); r.Code() != "RATE_LIMITED" {
			t.Fatalf("forged device cookie %q: code %q, want RATE_LIMITED", ck, r.Code())
		}
	}
	// Guesses on another account with this cookie count against that account.
	for i := range 5 {
		c := clientFrom(srv, fmt.Sprintf("127.0.3.%d", i+1))
		c.Header.Set("Cookie", "jst_device="+dev.Value)
		c.Do(t, loginDoc, map[string]any{"e": "zhang@acme.example", "p": "wrong-password-1"})
	}
	if r := clientFrom(srv, "127.0.3.9").Do(t, loginDoc, map[string]any{"e": "zhang@acme.example", "p": "zhang-password-1"}); r.Code() != "RATE_LIMITED" {
		t.Fatalf("boss's device cookie shielded guesses on another account: code %q", r.Code())
	}
}
