package e2e

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jishitong/jishitong/internal/xtest"
)

// phoneLoginDoc signs in by phone number.
const phoneLoginDoc = `mutation($ph:String,$e:String,$p:String!){login(phone:$ph,email:$e,password:$p){token user{id email phone mustChangePassword}}}`

type phoneLogin struct {
	Token string
	User  struct {
		ID, Email, Phone   string
		MustChangePassword bool
	}
}

// phoneSignIn signs in with phone and password from c and returns the result, or
// the response's error code.
func phoneSignIn(t *testing.T, c *xtest.Client, phone, password string) (phoneLogin, string, string) {
	t.Helper()
	r := c.Do(t, phoneLoginDoc, map[string]any{"ph": phone, "p": password})
	if len(r.Errors) > 0 {
		return phoneLogin{}, r.Code(), r.Errors[0].Message
	}
	var out struct{ Login phoneLogin }
	r.Decode(t, &out)
	return out.Login, "", ""
}

// TestPhoneMember: a member may have a phone number instead of an email, signs in
// with it however it is spelled, and holds it alone across the platform while not
// deleted.
func TestPhoneMember(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	a := dirNewTenant(t, srv, root, "phone-a")
	b := dirNewTenant(t, srv, root, "phone-b")

	// Created with a phone number only, written with spaces; the password is
	// generated and must be changed.
	m, gen := dirCreate(t, a.Admin, map[string]any{"name": "王小明", "phone": "138 0013 8000"})
	if m.Email != "" || m.Phone != "13800138000" || gen == nil {
		t.Fatalf("phone-only member %+v, generated %v", m, gen)
	}

	t.Run("neither email nor phone", func(t *testing.T) {
		r := a.Admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`, map[string]any{"in": map[string]any{"name": "无名氏"}})
		if msg := dirWantErr(t, r, "BAD_USER_INPUT", "email"); !strings.Contains(msg, "an email address or a phone number is required") {
			t.Errorf("message %q", msg)
		}
		r = a.Admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`, map[string]any{"in": map[string]any{"name": "无名氏", "email": " ", "phone": ""}})
		dirWantErr(t, r, "BAD_USER_INPUT", "email")
		// Clearing the only one is refused too.
		r = a.Admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{phone:""}){id}}`, map[string]any{"id": m.ID})
		dirWantErr(t, r, "BAD_USER_INPUT", "email")
	})

	t.Run("sign in by phone in three spellings", func(t *testing.T) {
		for _, spelling := range []string{"138 0013 8000", "+8613800138000", "13800138000"} {
			got, code, msg := phoneSignIn(t, srv.Client(), spelling, *gen)
			if code != "" {
				t.Fatalf("%q: %s %s", spelling, code, msg)
			}
			if got.User.ID != m.ID || !got.User.MustChangePassword || got.User.Email != "" || got.User.Phone != "13800138000" {
				t.Errorf("%q signed in as %+v", spelling, got.User)
			}
		}
	})

	t.Run("failures answer alike", func(t *testing.T) {
		// A source of its own, so that these failures do not throttle the others.
		c := clientFrom(srv, "127.0.0.21")
		r := c.Do(t, phoneLoginDoc, map[string]any{"e": "nobody@phone-a.example.com", "p": "whatever-password"})
		if r.Code() != "UNAUTHENTICATED" {
			t.Fatalf("unknown email: %s", r.Code())
		}
		want := r.Errors[0].Message
		for name, tc := range map[string][2]string{
			"unknown phone":    {"13912345678", "whatever-password"},
			"wrong password":   {"13800138000", "wrong-password-1"},
			"malformed phone":  {"12345", "whatever-password"},
			"phone with an @":  {"138@0013", "whatever-password"},
			"international 16": {"+1234567890123456", "whatever-password"},
		} {
			_, code, msg := phoneSignIn(t, c, tc[0], tc[1])
			if code != "UNAUTHENTICATED" || msg != want {
				t.Errorf("%s: %s %q, want UNAUTHENTICATED %q", name, code, msg, want)
			}
		}
		// The phone number in the email argument is no email.
		r = c.Do(t, phoneLoginDoc, map[string]any{"e": "13800138000", "p": *gen})
		if r.Code() != "UNAUTHENTICATED" || r.Errors[0].Message != want {
			t.Errorf("phone as email: %s %+v", r.Code(), r.Errors)
		}
		// Exactly one of email and phone.
		r = srv.Client().Do(t, phoneLoginDoc, map[string]any{"p": *gen})
		dirWantErr(t, r, "BAD_USER_INPUT", "email")
		r = srv.Client().Do(t, phoneLoginDoc, map[string]any{"e": a.AdminEmail, "ph": "13800138000", "p": *gen})
		dirWantErr(t, r, "BAD_USER_INPUT", "phone")
		// Old clients, which send email alone as String!, still sign in.
		srv.Login(t, a.AdminEmail, dirPassword)
	})

	t.Run("throttled as one account across spellings", func(t *testing.T) {
		_, pw := dirCreate(t, a.Admin, map[string]any{"name": "赵六", "phone": "13700137000"})
		c := clientFrom(srv, "127.0.0.22")
		spellings := []string{"137 0013 7000", "+86 137-0013-7000", "13700137000", "+8613700137000", "137-0013-7000"}
		for i, s := range spellings {
			if _, code, _ := phoneSignIn(t, c, s, "wrong-password-1"); code != "UNAUTHENTICATED" {
				t.Fatalf("failure %d (%q): %s", i, s, code)
			}
		}
		if _, code, _ := phoneSignIn(t, c, "(137) 0013 7000", *pw); code != "RATE_LIMITED" {
			t.Fatalf("after 5 failures in 5 spellings the right password answers %q, want RATE_LIMITED", code)
		}
		// From elsewhere the account is locked too (per account, unknown source).
		if _, code, _ := phoneSignIn(t, clientFrom(srv, "127.0.0.23"), "13700137000", *pw); code != "RATE_LIMITED" {
			t.Fatalf("from another source: %q, want RATE_LIMITED", code)
		}
	})

	t.Run("one live account per phone across enterprises", func(t *testing.T) {
		r := b.Admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`,
			map[string]any{"in": map[string]any{"name": "冒名", "phone": "+86 138-0013-8000"}})
		if msg := dirWantErr(t, r, "CONFLICT", "phone"); !strings.Contains(msg, "phone number") {
			t.Errorf("message %q", msg)
		}
		other, _ := dirCreate(t, b.Admin, map[string]any{"name": "李雷", "email": "lilei@phone-b.example.com", "password": dirPassword})
		r = b.Admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{phone:"13800138000"}){id}}`, map[string]any{"id": other.ID})
		dirWantErr(t, r, "CONFLICT", "phone")
		// An email owner in the same enterprise cannot take it either.
		r = a.Admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`,
			map[string]any{"in": map[string]any{"name": "同号", "email": "same@phone-a.example.com", "phone": "13800138000"}})
		dirWantErr(t, r, "CONFLICT", "phone")
	})

	t.Run("changing the phone moves the sign-in", func(t *testing.T) {
		u, _ := dirCreate(t, a.Admin, map[string]any{"name": "钱七", "phone": "13600136000", "password": dirPassword})
		var out struct{ UpdateMember dirUser }
		a.Admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{phone:"+86 136 0013 6001",email:"qian@phone-a.example.com"}){`+dirUserFields+`}}`,
			map[string]any{"id": u.ID}).Decode(t, &out)
		if out.UpdateMember.Phone != "13600136001" {
			t.Fatalf("updated %+v", out.UpdateMember)
		}
		if _, code, _ := phoneSignIn(t, srv.Client(), "13600136000", dirPassword); code != "UNAUTHENTICATED" {
			t.Errorf("old phone: %q, want UNAUTHENTICATED", code)
		}
		if got, code, _ := phoneSignIn(t, srv.Client(), "13600136001", dirPassword); code != "" || got.User.ID != u.ID {
			t.Errorf("new phone: %q %+v", code, got.User)
		}
		if dirLoginCode(t, srv, "qian@phone-a.example.com", dirPassword) != "" {
			t.Error("the added email does not sign in")
		}
		// Dropping the email keeps the phone.
		a.Admin.Do(t, `mutation($id:ID!){updateMember(id:$id,input:{email:""}){id}}`, map[string]any{"id": u.ID}).Decode(t, &struct{}{})
		if dirLoginCode(t, srv, "qian@phone-a.example.com", dirPassword) != "UNAUTHENTICATED" {
			t.Error("the dropped email still signs in")
		}
		if _, code, _ := phoneSignIn(t, srv.Client(), "13600136001", dirPassword); code != "" {
			t.Errorf("phone after dropping the email: %q", code)
		}
	})

	t.Run("the table shows phone-only members", func(t *testing.T) {
		conn := dirMembers(t, a.Admin, map[string]any{"search": "13800138000"}, 10, "")
		if conn.TotalCount != 1 || conn.Edges[0].Node.Name != "王小明" || conn.Edges[0].Node.Email != "" {
			t.Fatalf("search by phone: %+v", conn)
		}
	})

	t.Run("a deleted member's phone is free again", func(t *testing.T) {
		a.Admin.Do(t, `mutation($id:ID!){deleteMember(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &struct{}{})
		if _, code, _ := phoneSignIn(t, srv.Client(), "13800138000", *gen); code != "UNAUTHENTICATED" {
			t.Fatalf("deleted member signs in: %q", code)
		}
		nb, _ := dirCreate(t, b.Admin, map[string]any{"name": "新主人", "phone": "+8613800138000", "password": "new-owner-pass-1"})
		if nb.Phone != "13800138000" {
			t.Fatalf("created %+v", nb)
		}
		got, code, _ := phoneSignIn(t, srv.Client(), "138 0013 8000", "new-owner-pass-1")
		if code != "" || got.User.ID != nb.ID {
			t.Fatalf("the new owner signs in: %q %+v", code, got.User)
		}
	})

	t.Run("the phone number is no password", func(t *testing.T) {
		r := a.Admin.Do(t, `mutation($in:NewMemberInput!){createMember(input:$in){member{id}}}`,
			map[string]any{"in": map[string]any{"name": "孙八", "phone": "13500135000", "password": "13500135000"}})
		dirWantErr(t, r, "BAD_USER_INPUT", "password")
	})
}

// TestPhoneImport imports rows with a phone number instead of an email: a row
// with neither and a phone repeated in the file are refused per cell; rows match
// existing members by phone; export writes phone-only members.
func TestPhoneImport(t *testing.T) {
	srv := xtest.StartServer(t, xtest.Options{})
	root := srv.Admin(t)
	a := dirNewTenant(t, srv, root, "imp-a")
	b := dirNewTenant(t, srv, root, "imp-b")
	dirCreate(t, b.Admin, map[string]any{"name": "别家", "phone": "13900139999", "password": dirPassword})

	bad := dirCSV([][]string{dirHeader,
		{"手机甲", "", "139 0013 9001", "研发部", "", "", ""},
		{"邮箱乙", "yi@imp-a.example.com", "", "研发部", "", "", ""},
		{"两无丙", "", "", "研发部", "", "", ""},
		{"重号丁", "", "+86 139-0013-9001", "", "", "", ""},
		{"别家号", "", "13900139999", "", "", "", ""},
	})
	res := dirImport(t, a.Admin, "members.csv", bad, true)
	type cell struct {
		Row          int
		Column, Code string
	}
	var got []cell
	for _, e := range res.Errors {
		got = append(got, cell{e.Row, e.Column, e.Code})
	}
	want := []cell{{4, "B", "email_or_phone_required"}, {5, "C", "duplicate_in_file"}, {6, "C", "phone_taken"}}
	if !slices.Equal(got, want) || res.Applied {
		t.Fatalf("errors %+v, want %+v", res.Errors, want)
	}
	if !strings.Contains(res.Errors[0].Message, "an email address or a phone number is required") || !strings.Contains(res.Errors[1].Message, "row 2") {
		t.Errorf("messages %+v", res.Errors)
	}

	good := dirCSV([][]string{dirHeader,
		{"手机甲", "", "139 0013 9001", "研发部", "", "", ""},
		{"邮箱乙", "yi@imp-a.example.com", "", "研发部", "", "", ""},
		{"手机丙", "", "+8613900139003", "市场部", "", "E3", ""},
	})
	res = dirImport(t, a.Admin, "members.csv", good, false)
	if !res.Applied || res.Created != 3 || len(res.Errors) != 0 {
		t.Fatalf("import %+v", res)
	}
	conn := dirMembers(t, a.Admin, map[string]any{"search": "1390013900"}, 10, "")
	if conn.TotalCount != 2 {
		t.Fatalf("phone-only members after import: %+v", conn)
	}
	for _, e := range conn.Edges {
		if e.Node.Email != "" || !strings.HasPrefix(e.Node.Phone, "1390013900") {
			t.Errorf("imported %+v", e.Node)
		}
	}
	// Imported members sign in by phone once an admin gave them a password.
	var jia string
	for _, e := range conn.Edges {
		if e.Node.Name == "手机甲" {
			jia = e.Node.ID
		}
	}
	var pw struct{ ResetMemberPassword string }
	a.Admin.Do(t, `mutation($id:ID!){resetMemberPassword(id:$id)}`, map[string]any{"id": jia}).Decode(t, &pw)
	if got, code, msg := phoneSignIn(t, srv.Client(), "13900139001", pw.ResetMemberPassword); code != "" || got.User.ID != jia {
		t.Fatalf("imported member signs in by phone: %s %s", code, msg)
	}

	// The same file again changes nothing (rows match by phone); adding an email
	// to a phone-only row updates that member.
	res = dirImport(t, a.Admin, "members.csv", good, false)
	if !res.Applied || res.Unchanged != 3 || res.Created+res.Updated != 0 {
		t.Fatalf("re-import %+v", res)
	}
	withEmail := dirCSV([][]string{dirHeader, {"手机甲", "jia@imp-a.example.com", "13900139001", "研发部", "", "", ""}})
	res = dirImport(t, a.Admin, "members.csv", withEmail, false)
	if !res.Applied || res.Updated != 1 || res.Created != 0 {
		t.Fatalf("email added by import %+v", res)
	}
	if dirLoginCode(t, srv, "jia@imp-a.example.com", pw.ResetMemberPassword) != "" {
		t.Error("the imported email does not sign in")
	}

	// A file without an email column imports by phone.
	phoneOnly := dirCSV([][]string{{"姓名", "手机号"}, {"手机戊", "13900139005"}})
	if res = dirImport(t, a.Admin, "phones.csv", phoneOnly, false); !res.Applied || res.Created != 1 {
		t.Fatalf("phone column only: %+v", res)
	}

	// A file with neither column says so.
	res = dirImport(t, a.Admin, "names.csv", dirCSV([][]string{{"姓名", "部门"}, {"某人", "研发部"}}), true)
	if len(res.Errors) != 1 || res.Errors[0].Code != "missing_column" || res.Errors[0].Field != "email" ||
		res.Errors[0].Message != "the file needs an email or a phone column (or both)" {
		t.Errorf("no email or phone column: %+v", res.Errors)
	}

	// Export writes the phone-only members, and the file imports back unchanged.
	resp, body := a.Admin.Get(t, "/api/directory/export.csv")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		if r[0] == "手机丙" {
			found = r[1] == "" && r[2] == "13900139003"
		}
	}
	if !found {
		t.Errorf("export lacks the phone-only member: %q", recs)
	}
	if res = dirImport(t, a.Admin, "export.csv", body, false); !res.Applied || res.Created+res.Updated != 0 || len(res.Errors) != 0 {
		t.Errorf("export imported back: %+v", res)
	}
}

// TestPhoneMemberBooking: a booking that invites a member with a phone number only
// succeeds, mails the others (not that member) and tells that member in the app.
func TestPhoneMemberBooking(t *testing.T) {
	ms := mailStartSMTP(t)
	srv := xtest.StartServer(t, xtest.Options{Args: []string{"--smtp-url", "smtp+insecure://" + ms.Addr, "--public-url", mailPublicURL}})
	mt := mailNewTenant(t, srv)
	var pm struct {
		CreateMember struct{ Member struct{ ID string } }
	}
	mt.admin.Do(t, `mutation{createMember(input:{name:"手机用户",phone:"13800138123",password:"phone-password-1"}){member{id}}}`, nil).Decode(t, &pm)
	phoneID := pm.CreateMember.Member.ID
	var login struct{ Login struct{ Token string } }
	phoneClient := srv.Client()
	phoneClient.Do(t, `mutation{login(phone:"13800138123",password:"phone-password-1"){token}}`, nil).Decode(t, &login)
	phoneClient.Token = login.Login.Token

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs := isoSubscribeDoc(ctx, t, phoneClient, "the phone member", `subscription{notifications{kind meetingId}}`, nil)
	type note struct{ Kind, MeetingID string }
	events := make(chan note, 32)
	go func() {
		defer close(events)
		for m := range msgs {
			var p struct {
				Data struct{ Notifications note }
			}
			if m.Type == "next" && json.Unmarshal(m.Payload, &p) == nil {
				events <- p.Data.Notifications
			}
		}
	}()
	// The subscription starts asynchronously: invite the phone member alone (no mail
	// at all) until its INVITED arrives.
	warm := time.Now().Add(10 * time.Second)
	for i := 1; ; i++ {
		if time.Now().After(warm) {
			t.Fatal("no INVITED notification for the phone-only member within 10s")
		}
		start := time.Now().Add(time.Duration(i) * 24 * time.Hour).Truncate(time.Hour)
		mt.member.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id}}`, map[string]any{"in": map[string]any{
			"start": start.Format(time.RFC3339), "participants": 2, "memberIds": []string{phoneID}}}).Decode(t, &struct{}{})
		select {
		case n := <-events:
			if n.Kind == "INVITED" {
				goto warmed
			}
		case <-time.After(300 * time.Millisecond):
		}
	}
warmed:
	for len(events) > 0 {
		<-events
	}

	const outside = "guest@partner.example.org"
	in := map[string]any{"start": mailNextMonday(t).Format(time.RFC3339), "durationMinutes": 30, "timeZone": "Asia/Shanghai", "name": "手机号成员的会",
		"memberIds": []string{phoneID, mt.liID, mt.wangID}, "emails": []string{outside}}
	var booked struct{ BookMeeting mailMeeting }
	mt.member.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){`+mailMeetingFields+`}}`, map[string]any{"in": in}).Decode(t, &booked)
	m := booked.BookMeeting
	got := mailWait(t, ms, m.ID+"@meet.example.com", "0", "REQUEST", 3)
	for _, to := range []string{"li@acme.example", "wang@acme.example", outside} {
		if _, ok := got[to]; !ok {
			t.Errorf("no invitation to %s: %v", to, slices.Collect(mapKeys(got)))
		}
	}
	final := mailDeliveries(t, mt.member, m.ID, "three sent", func(m mailMeeting) bool {
		return len(m.Deliveries) == 3 && !slices.ContainsFunc(m.Deliveries, func(d mailDelivery) bool { return d.Status != "sent" })
	})
	for _, d := range final.Deliveries {
		if d.Email == "" {
			t.Errorf("a delivery without an address: %+v", d)
		}
	}
	deadline := time.After(5 * time.Second)
	for {
		select {
		case n := <-events:
			if n.Kind == "INVITED" && n.MeetingID == m.ID {
				return
			}
		case <-deadline:
			t.Fatal("the phone-only member got no in-app invitation")
		}
	}
}
