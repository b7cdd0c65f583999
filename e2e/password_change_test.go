package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// wantPasswordChange fails unless r is refused with FORBIDDEN and reason
// PASSWORD_CHANGE_REQUIRED.
func wantPasswordChange(t *testing.T, what string, r *xtest.Response) {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("%s: answered %s, want PASSWORD_CHANGE_REQUIRED", what, r.Data)
	}
	e := r.Errors[0]
	if e.Extensions["code"] != "FORBIDDEN" || e.Extensions["reason"] != "PASSWORD_CHANGE_REQUIRED" {
		t.Fatalf("%s: error %+v, want FORBIDDEN with reason PASSWORD_CHANGE_REQUIRED", what, e)
	}
}

// TestPasswordChangeRequired: an account signed in with a password set for it (a
// generated one at creation, or a reset) can do nothing but read itself, change the
// password and sign out, on every edge, until it changes the password; the new one
// follows the policy; afterwards the same session works.
func TestPasswordChangeRequired(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	tn := dirNewTenant(t, srv, root, "pwchange")
	m, gen := dirCreate(t, tn.Admin, map[string]any{"name": "Generated Gao", "email": "gao@pwchange.example.com"})
	if gen == nil {
		t.Fatal("no generated password")
	}

	var login struct {
		Login struct {
			Token string
			User  struct{ MustChangePassword bool }
		}
	}
	srv.Client().Do(t, `mutation($e:String!,$p:String!){login(email:$e,password:$p){token user{mustChangePassword}}}`,
		map[string]any{"e": "gao@pwchange.example.com", "p": *gen}).Decode(t, &login)
	if !login.Login.User.MustChangePassword {
		t.Fatal("login with a generated password: user.mustChangePassword false")
	}
	c := srv.Client()
	c.Token = login.Login.Token

	// Reading itself works and says what is needed.
	var me struct {
		Me struct {
			ID, Name           string
			MustChangePassword bool
		}
	}
	c.Do(t, `{me{id name mustChangePassword}}`, nil).Decode(t, &me)
	if me.Me.ID != m.ID || !me.Me.MustChangePassword {
		t.Fatalf("me %+v", me.Me)
	}
	// Anything else is refused, however it is asked.
	r := c.Do(t, `{members{totalCount}}`, nil)
	wantPasswordChange(t, "members", r)
	wantPasswordChange(t, "me and members", c.Do(t, `{me{id} members{totalCount}}`, nil))
	wantPasswordChange(t, "members in an inline fragment", c.Do(t, `{... on Query { members{totalCount} }}`, nil))
	wantPasswordChange(t, "members in a fragment", c.Do(t, `query{...F} fragment F on Query { members{totalCount} }`, nil))
	wantPasswordChange(t, "bookMeeting", c.Do(t, `mutation{bookMeeting(input:{name:"x",start:"2030-01-01T00:00:00Z",durationMinutes:30}){id}}`, nil))
	wantPasswordChange(t, "setLanguage", c.Do(t, `mutation{setLanguage(language:"en"){id}}`, nil))
	if resp, body := c.Get(t, "/api/directory/template.csv"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("template download: status %d %s, want 403", resp.StatusCode, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ws, err := c.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Subscribe(ctx, "1", `subscription{directoryChanged{kind}}`, nil); err != nil {
		t.Fatal(err)
	}
	msg, err := ws.Read(ctx)
	if err != nil || msg.Type == "complete" || !strings.Contains(string(msg.Payload), "PASSWORD_CHANGE_REQUIRED") {
		t.Fatalf("subscription: %+v %v, want an error with PASSWORD_CHANGE_REQUIRED", msg, err)
	}

	// The policy applies to the new password, which must differ from the old one.
	change := `mutation($c:String!,$n:String!){changePassword(currentPassword:$c,newPassword:$n)}`
	for _, bad := range []string{"short", "password123", "gao@pwchange.example.com", *gen} {
		r := c.Do(t, change, map[string]any{"c": *gen, "n": bad})
		if r.Code() != "BAD_USER_INPUT" {
			t.Fatalf("new password %q: code %q, want BAD_USER_INPUT", bad, r.Code())
		}
	}
	wantPasswordChange(t, "members after refused changes", c.Do(t, `{members{totalCount}}`, nil))
	var ok struct{ ChangePassword bool }
	c.Do(t, change, map[string]any{"c": *gen, "n": "Gao-chose-this-1"}).Decode(t, &ok)
	// The same session now works.
	var list struct{ Members struct{ TotalCount int } }
	c.Do(t, `{members{totalCount}}`, nil).Decode(t, &list)
	if list.Members.TotalCount < 2 {
		t.Fatalf("members after the change: %d", list.Members.TotalCount)
	}
	if resp, body := c.Get(t, "/api/directory/template.csv"); resp.StatusCode != http.StatusOK {
		t.Fatalf("template download after the change: status %d %s", resp.StatusCode, body)
	}
	c.Do(t, `{me{id name mustChangePassword}}`, nil).Decode(t, &me)
	if me.Me.MustChangePassword {
		t.Fatal("me.mustChangePassword still true after the change")
	}
	srv.Login(t, "gao@pwchange.example.com", "Gao-chose-this-1").Do(t, `{members{totalCount}}`, nil).Decode(t, &list)

	// A reset by an admin requires a change again.
	var reset struct{ ResetMemberPassword string }
	tn.Admin.Do(t, `mutation($id:ID!){resetMemberPassword(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &reset)
	wantPasswordChange(t, "members after a reset", srv.Login(t, "gao@pwchange.example.com", reset.ResetMemberPassword).Do(t, `{members{totalCount}}`, nil))

	// A password the admin chose is not one to change (the member was told it).
	dirCreate(t, tn.Admin, map[string]any{"name": "Given Gu", "email": "gu@pwchange.example.com", "password": dirPassword})
	srv.Login(t, "gu@pwchange.example.com", dirPassword).Do(t, `{members{totalCount}}`, nil).Decode(t, &list)
}
