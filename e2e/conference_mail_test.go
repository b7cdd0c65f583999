package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-smtp"

	"github.com/jishitong/jishitong/internal/xtest"
)

// The mail tests book through GraphQL against a server whose --smtp-url points at
// a real SMTP server (emersion/go-smtp) started by the test on loopback, and read
// back what it received: the MIME parts, and the .ics parsed with golang-ical.

const mailPublicURL = "https://meet.example.com"

// mailServer is an SMTP server on 127.0.0.1 that keeps every message.
type mailServer struct {
	Addr string
	mu   sync.Mutex
	msgs []mailReceived
}

type mailReceived struct {
	From string
	To   []string
	Data []byte
}

func mailStartSMTP(t *testing.T) *mailServer {
	t.Helper()
	ms := &mailServer{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{s: ms}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.MaxMessageBytes = 10 << 20
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ms.Addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return ms
}

func (ms *mailServer) messages() []mailReceived {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return slices.Clone(ms.msgs)
}

type mailSession struct {
	s    *mailServer
	from string
	to   []string
}

func (ss *mailSession) AuthMechanisms() []string { return nil }
func (ss *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	return nil
}
func (ss *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *mailSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.mu.Lock()
	ss.s.msgs = append(ss.s.msgs, mailReceived{From: ss.from, To: slices.Clone(ss.to), Data: b})
	ss.s.mu.Unlock()
	return nil
}
func (ss *mailSession) Reset()        { ss.from, ss.to = "", nil }
func (ss *mailSession) Logout() error { return nil }

// mailParsed is a received invitation taken apart.
type mailParsed struct {
	To       []string // envelope recipients
	Subject  string
	Text     string
	HTML     string
	Calendar string // the text/calendar alternative
	CalCT    string // its Content-Type
	Attach   string // the invite.ics attachment
	Cal      *ics.Calendar
	Event    *ics.VEvent
}

func mailParse(t *testing.T, m mailReceived) mailParsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("parse message: %v\n%s", err, m.Data)
	}
	p := mailParsed{To: m.To}
	if p.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatal(err)
	}
	var walk func(ct string, h map[string][]string, body io.Reader)
	walk = func(ct string, h map[string][]string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		if err != nil {
			t.Fatalf("content type %q: %v", ct, err)
		}
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				part, err := mr.NextPart()
				if err == io.EOF {
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				walk(part.Header.Get("Content-Type"), part.Header, part) // quoted-printable is decoded by NextPart
			}
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatal(err)
		}
		if cte := h["Content-Transfer-Encoding"]; len(cte) > 0 && strings.EqualFold(cte[0], "base64") {
			if b, err = base64.StdEncoding.DecodeString(strings.NewReplacer("\r", "", "\n", "").Replace(string(b))); err != nil {
				t.Fatal(err)
			}
		}
		switch disp := h["Content-Disposition"]; {
		case len(disp) > 0 && strings.HasPrefix(disp[0], "attachment"):
			p.Attach = string(b)
		case mt == "text/plain":
			p.Text = string(b)
		case mt == "text/html":
			p.HTML = string(b)
		case mt == "text/calendar":
			p.Calendar, p.CalCT = string(b), ct
		}
	}
	walk(msg.Header.Get("Content-Type"), map[string][]string(msg.Header), msg.Body)
	if p.Calendar == "" {
		t.Fatalf("message to %v has no text/calendar part", m.To)
	}
	if p.Attach != p.Calendar {
		t.Errorf("message to %v: the invite.ics attachment differs from the text/calendar part", m.To)
	}
	if p.Cal, err = ics.ParseCalendar(strings.NewReader(p.Calendar)); err != nil {
		t.Fatalf("parse .ics: %v\n%s", err, p.Calendar)
	}
	evs := p.Cal.Events()
	if len(evs) == 0 {
		t.Fatalf("no VEVENT in\n%s", p.Calendar)
	}
	p.Event = evs[0]
	return p
}

func (p mailParsed) method() string {
	for _, cp := range p.Cal.CalendarProperties {
		if cp.IANAToken == string(ics.PropertyMethod) {
			return cp.Value
		}
	}
	return ""
}

func (p mailParsed) prop(name ics.ComponentProperty) *ics.IANAProperty {
	return p.Event.GetProperty(name)
}

func (p mailParsed) value(name ics.ComponentProperty) string {
	if v := p.prop(name); v != nil {
		return v.Value
	}
	return ""
}

// exdates returns every EXDATE value of the event.
func (p mailParsed) exdates() []string {
	var out []string
	for _, pr := range p.Event.Properties {
		if pr.IANAToken == string(ics.ComponentPropertyExdate) {
			out = append(out, strings.Split(pr.Value, ",")...)
		}
	}
	return out
}

// mailWait waits until n messages for uid with SEQUENCE seq and METHOD method
// arrived, and returns them by recipient.
func mailWait(t *testing.T, ms *mailServer, uid string, seq, method string, n int) map[string]mailParsed {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := map[string]mailParsed{}
		for _, m := range ms.messages() {
			p := mailParse(t, m)
			if p.value(ics.ComponentPropertyUniqueId) == uid && p.value(ics.ComponentPropertySequence) == seq && p.method() == method {
				for _, to := range m.To {
					if _, dup := out[to]; dup {
						t.Errorf("%s SEQUENCE %s sent twice to %s", method, seq, to)
					}
					out[to] = p
				}
			}
		}
		if len(out) >= n {
			if len(out) > n {
				t.Errorf("%d recipients of %s SEQUENCE %s, want %d: %v", len(out), method, seq, n, slices.Collect(mapKeys(out)))
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 15s: %d of %d %s mails with SEQUENCE %s for %s (%d messages received)", len(out), n, method, seq, uid, len(ms.messages()))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// mailTenant is an enterprise with a host and two more members in a group.
type mailTenant struct {
	*authFixture
	liID, wangID, groupID string
	li                    *xtest.Client
}

func mailNewTenant(t *testing.T, srv *xtest.Server) *mailTenant {
	t.Helper()
	mt := &mailTenant{authFixture: newAuthFixture(t, srv)}
	create := func(name, email string) string {
		var m struct {
			CreateMember struct{ Member struct{ ID string } }
		}
		mt.admin.Do(t, `mutation($n:String!,$e:String!){createMember(input:{name:$n,email:$e,password:"member-password-1"}){member{id}}}`,
			map[string]any{"n": name, "e": email}).Decode(t, &m)
		return m.CreateMember.Member.ID
	}
	mt.liID = create("李四", "li@acme.example")
	mt.wangID = create("王五", "wang@acme.example")
	var g struct{ CreateGroup struct{ ID string } }
	mt.admin.Do(t, `mutation($m:[ID!]){createGroup(name:"研发部",memberIds:$m){id}}`, map[string]any{"m": []string{mt.liID, mt.wangID}}).Decode(t, &g)
	mt.groupID = g.CreateGroup.ID
	mt.li = srv.Login(t, "li@acme.example", "member-password-1")
	return mt
}

const mailMeetingFields = `id number password joinUrl sipUri recurrence{rrule} deliveries{email method sequence status attempts lastError}`

type mailMeeting struct {
	ID, Number, Password, JoinURL, SipURI string
	Recurrence                            *struct{ Rrule string }
	Deliveries                            []mailDelivery
}

type mailDelivery struct {
	Email, Method, Status string
	Sequence, Attempts    int
	LastError             *string
}

// mailNextMonday is 10:00 Asia/Shanghai on a Monday at least two days ahead.
func mailNextMonday(t *testing.T) time.Time {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	d := time.Now().In(sh).AddDate(0, 0, 2)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 10, 0, 0, 0, sh)
}

// mailDeliveries polls the meeting's deliveries until cond holds (at most 15 s).
func mailDeliveries(t *testing.T, c *xtest.Client, id string, what string, cond func(mailMeeting) bool) mailMeeting {
	t.Helper()
	var last mailMeeting
	deadline := time.Now().Add(15 * time.Second)
	for {
		var out struct{ Meeting mailMeeting }
		c.Do(t, `query($id:ID!){meeting(id:$id){`+mailMeetingFields+`}}`, map[string]any{"id": id}).Decode(t, &out)
		last = out.Meeting
		if cond(last) {
			return last
		}
		if time.Now().After(deadline) {
			b, _ := json.Marshal(last.Deliveries)
			t.Fatalf("after 15s the deliveries are not %s: %s", what, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestMailInvitations books a weekly series for a group and an outside address,
// then edits, cancels one occurrence and cancels the series, reading each round of
// mails back from a real SMTP server.
func TestMailInvitations(t *testing.T) {
	ms := mailStartSMTP(t)
	srv := xtest.StartServer(t, xtest.Options{Args: []string{"--smtp-url", "smtp+insecure://" + ms.Addr, "--public-url", mailPublicURL}})
	mt := mailNewTenant(t, srv)
	const outside = "guest@partner.example.org"
	first := mailNextMonday(t)
	in := map[string]any{"start": first.Format(time.RFC3339), "durationMinutes": 45, "timeZone": "Asia/Shanghai", "name": "产品周会",
		"recurrence": map[string]any{"frequency": "WEEKLY", "weekdays": []string{"MONDAY"}, "count": 6},
		"groupIds":   []string{mt.groupID}, "emails": []string{outside}}
	var booked struct{ BookMeeting mailMeeting }
	mt.member.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){`+mailMeetingFields+`}}`, map[string]any{"in": in}).Decode(t, &booked)
	m := booked.BookMeeting
	if m.Recurrence == nil || !strings.Contains(m.Recurrence.Rrule, "FREQ=WEEKLY") || !strings.Contains(m.Recurrence.Rrule, "BYDAY=MO") || !strings.Contains(m.Recurrence.Rrule, "COUNT=6") {
		t.Fatalf("rrule %+v", m.Recurrence)
	}
	uid := m.ID + "@meet.example.com"
	recipients := []string{"li@acme.example", "wang@acme.example", outside}
	join := mailPublicURL + "/join/" + m.Number
	if m.JoinURL != join {
		t.Errorf("joinUrl %q, want %q", m.JoinURL, join)
	}

	// The invitation: METHOD:REQUEST, SEQUENCE:0, the series' RRULE, a DTSTART in
	// the meeting's zone, and the join facts in the body.
	got := mailWait(t, ms, uid, "0", "REQUEST", len(recipients))
	for _, to := range recipients {
		p, ok := got[to]
		if !ok {
			t.Errorf("no invitation to %s", to)
			continue
		}
		if !strings.Contains(p.CalCT, "method=REQUEST") {
			t.Errorf("%s: calendar part %q", to, p.CalCT)
		}
		if r := p.value(ics.ComponentPropertyRrule); r != m.Recurrence.Rrule {
			t.Errorf("%s: RRULE %q, want %q", to, r, m.Recurrence.Rrule)
		}
		ds := p.prop(ics.ComponentPropertyDtStart)
		if ds == nil || ds.ICalParameters["TZID"] == nil || ds.ICalParameters["TZID"][0] != "Asia/Shanghai" || ds.Value != first.Format("20060102T150405") {
			t.Errorf("%s: DTSTART %+v, want %s with TZID=Asia/Shanghai", to, ds, first.Format("20060102T150405"))
		}
		if !strings.Contains(p.Calendar, "BEGIN:VTIMEZONE") {
			t.Errorf("%s: no VTIMEZONE for the TZID", to)
		}
		if s := p.value(ics.ComponentPropertySummary); s != "产品周会" {
			t.Errorf("%s: SUMMARY %q", to, s)
		}
		if !strings.Contains(strings.ToLower(p.Calendar), "mailto:"+to) {
			t.Errorf("%s is not an ATTENDEE", to)
		}
		for _, want := range []string{join, m.Number, m.Password, "sip:" + m.Number + "@"} {
			if !strings.Contains(p.Text, want) || !strings.Contains(p.HTML, want) {
				t.Errorf("%s: body lacks %q:\n%s", to, want, p.Text)
			}
		}
		if !strings.HasPrefix(p.Subject, "邀请：") {
			t.Errorf("%s: subject %q", to, p.Subject)
		}
	}
	if !strings.HasPrefix(m.SipURI, "sip:"+m.Number+"@") {
		t.Errorf("sipUri %q", m.SipURI)
	}
	mailDeliveries(t, mt.member, m.ID, "all sent", func(m mailMeeting) bool {
		return len(m.Deliveries) == 3 && !slices.ContainsFunc(m.Deliveries, func(d mailDelivery) bool { return d.Status != "sent" })
	})

	// An edit: SEQUENCE:1, the same UID.
	in["name"] = "产品周会（改）"
	in["description"] = "议程见附件"
	mt.member.Do(t, `mutation($id:ID!,$in:BookMeetingInput!){updateMeeting(id:$id,input:$in){id}}`, map[string]any{"id": m.ID, "in": in}).Decode(t, &struct{}{})
	got = mailWait(t, ms, uid, "1", "REQUEST", len(recipients))
	for to, p := range got {
		if s := p.value(ics.ComponentPropertySummary); s != "产品周会（改）" {
			t.Errorf("update to %s: SUMMARY %q", to, s)
		}
		if !strings.HasPrefix(p.Subject, "已更新：") {
			t.Errorf("update to %s: subject %q", to, p.Subject)
		}
	}

	// One occurrence cancelled: SEQUENCE:2 with an EXDATE for it.
	second := first.AddDate(0, 0, 7)
	mt.member.Do(t, `mutation($id:ID!,$o:Time!){cancelOccurrence(id:$id,occurrence:$o){id}}`, map[string]any{"id": m.ID, "o": second.Format(time.RFC3339)}).Decode(t, &struct{}{})
	got = mailWait(t, ms, uid, "2", "REQUEST", len(recipients))
	for to, p := range got {
		ex := p.exdates()
		if !slices.ContainsFunc(ex, func(v string) bool { return strings.HasPrefix(v, second.Format("20060102")) }) {
			t.Errorf("cancelOccurrence to %s: EXDATE %v, want %s", to, ex, second.Format("20060102T150405"))
		}
		if r := p.value(ics.ComponentPropertyRrule); r != m.Recurrence.Rrule {
			t.Errorf("cancelOccurrence to %s: RRULE %q", to, r)
		}
	}

	// The series cancelled: METHOD:CANCEL, SEQUENCE:3.
	mt.member.Do(t, `mutation($id:ID!){cancelMeeting(id:$id)}`, map[string]any{"id": m.ID}).Decode(t, &struct{}{})
	got = mailWait(t, ms, uid, "3", "CANCEL", len(recipients))
	for to, p := range got {
		if !strings.Contains(p.CalCT, "method=CANCEL") || p.value(ics.ComponentPropertyStatus) != "CANCELLED" {
			t.Errorf("cancel to %s: content type %q, STATUS %q", to, p.CalCT, p.value(ics.ComponentPropertyStatus))
		}
		if !strings.HasPrefix(p.Subject, "已取消：") {
			t.Errorf("cancel to %s: subject %q", to, p.Subject)
		}
	}
	final := mailDeliveries(t, mt.member, m.ID, "all sent", func(m mailMeeting) bool {
		n := 0
		for _, d := range m.Deliveries {
			if d.Status == "sent" {
				n++
			}
		}
		return n == 4*len(recipients)
	})
	for _, d := range final.Deliveries {
		if d.Attempts != 1 || d.LastError != nil {
			t.Errorf("delivery %+v: want one attempt, no error", d)
		}
	}
	// The host is not mailed: they booked it.
	for _, r := range ms.messages() {
		if slices.Contains(r.To, "zhang@acme.example") {
			t.Errorf("the host was mailed")
		}
	}
}

// TestMailInstantMeeting starts an instant meeting: the invited member hears of it
// over the websocket (STARTED_NOW) and by mail.
func TestMailInstantMeeting(t *testing.T) {
	ms := mailStartSMTP(t)
	srv := xtest.StartServer(t, xtest.Options{Args: []string{"--smtp-url", "smtp+insecure://" + ms.Addr, "--public-url", mailPublicURL}})
	mt := mailNewTenant(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ws, err := mt.li.DialWS(ctx, t)
	if err != nil {
		t.Fatal(err)
	}
	if err := ws.Subscribe(ctx, "n", `subscription{notifications{kind meetingId number name hostName}}`, nil); err != nil {
		t.Fatal(err)
	}
	type note struct{ Kind, MeetingID, Number, Name, HostName string }
	events := make(chan note, 32)
	go func() {
		defer close(events)
		for {
			m, err := ws.Read(ctx)
			if err != nil {
				return
			}
			if m.Type != "next" {
				continue
			}
			var p struct {
				Data struct{ Notifications note }
			}
			if json.Unmarshal(m.Payload, &p) == nil {
				events <- p.Data.Notifications
			}
		}
	}()
	next := func(d time.Duration) *note {
		select {
		case n, ok := <-events:
			if !ok {
				return nil
			}
			return &n
		case <-time.After(d):
			return nil
		}
	}
	// The subscription starts asynchronously: invite li until an INVITED arrives.
	warm := time.Now().Add(10 * time.Second)
	for i := 1; ; i++ {
		if time.Now().After(warm) {
			t.Fatal("no INVITED notification within 10s")
		}
		start := time.Now().Add(time.Duration(i) * 24 * time.Hour).Truncate(time.Hour)
		mt.member.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id}}`, map[string]any{"in": map[string]any{
			"start": start.Format(time.RFC3339), "participants": 2, "memberIds": []string{mt.liID}}}).Decode(t, &struct{}{})
		if n := next(300 * time.Millisecond); n != nil && n.Kind == "INVITED" {
			break
		}
	}
	for next(100*time.Millisecond) != nil { // drain
	}

	var out struct {
		StartInstantMeeting struct {
			Meeting struct{ ID, Number string }
			Run     struct{ InProgress bool }
		}
	}
	mt.member.Do(t, `mutation($in:InstantMeetingInput!){startInstantMeeting(input:$in){meeting{id number} run{inProgress}}}`,
		map[string]any{"in": map[string]any{"name": "紧急碰头", "memberIds": []string{mt.liID}, "emails": []string{"guest@partner.example.org"}, "participants": 3}}).Decode(t, &out)
	im := out.StartInstantMeeting
	if !im.Run.InProgress {
		t.Error("the instant meeting is not live")
	}
	var started *note
	for n := next(5 * time.Second); n != nil; n = next(2 * time.Second) {
		if n.MeetingID == im.Meeting.ID && n.Kind == "STARTED_NOW" {
			started = n
			break
		}
	}
	if started == nil {
		t.Fatal("no STARTED_NOW notification for the instant meeting")
	}
	if started.Number != im.Meeting.Number || started.Name != "紧急碰头" || started.HostName != "张三" {
		t.Errorf("notification %+v", started)
	}
	got := mailWait(t, ms, im.Meeting.ID+"@meet.example.com", "0", "REQUEST", 2)
	for to, p := range got {
		if !strings.Contains(p.Text, mailPublicURL+"/join/"+im.Meeting.Number) {
			t.Errorf("instant meeting mail to %s lacks the join link:\n%s", to, p.Text)
		}
	}
	if _, ok := got["li@acme.example"]; !ok {
		t.Errorf("no instant meeting mail to li: %v", slices.Collect(mapKeys(got)))
	}
}

// TestMailUnreachableServer books with the mail server down: the booking succeeds at
// once and stays, and the deliveries say "retrying" with the error.
func TestMailUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	srv := xtest.StartServer(t, xtest.Options{Args: []string{"--smtp-url", "smtp+insecure://" + closed, "--public-url", mailPublicURL}})
	mt := mailNewTenant(t, srv)
	start := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	t0 := time.Now()
	var booked struct{ BookMeeting struct{ ID string } }
	mt.member.Do(t, `mutation($in:BookMeetingInput!){bookMeeting(input:$in){id}}`, map[string]any{"in": map[string]any{
		"start": start.Format(time.RFC3339), "participants": 3, "groupIds": []string{mt.groupID}, "emails": []string{"guest@partner.example.org"}}}).Decode(t, &booked)
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("bookMeeting took %v with the mail server down", d)
	}
	id := booked.BookMeeting.ID
	m := mailDeliveries(t, mt.member, id, "retrying", func(m mailMeeting) bool {
		if len(m.Deliveries) != 3 {
			return false
		}
		for _, d := range m.Deliveries {
			if d.Status != "retrying" {
				return false
			}
		}
		return true
	})
	for _, d := range m.Deliveries {
		if d.LastError == nil || *d.LastError == "" || d.Attempts != 1 {
			t.Errorf("delivery %s: attempts %d, lastError %v", d.Email, d.Attempts, d.LastError)
		}
	}
	t.Logf("lastError: %s", *m.Deliveries[0].LastError)
	// The meeting stays booked.
	var mine struct {
		MyMeetings []struct{ Meeting struct{ ID string } }
	}
	mt.member.Do(t, `query($f:Time!,$t:Time!){myMeetings(from:$f,to:$t){meeting{id}}}`,
		map[string]any{"f": start.Add(-time.Hour), "t": start.Add(2 * time.Hour)}).Decode(t, &mine)
	if len(mine.MyMeetings) != 1 || mine.MyMeetings[0].Meeting.ID != id {
		t.Errorf("myMeetings %+v, want the meeting", mine.MyMeetings)
	}
	var got struct{ Meeting struct{ Cancelled bool } }
	mt.member.Do(t, `query($id:ID!){meeting(id:$id){cancelled}}`, map[string]any{"id": id}).Decode(t, &got)
	if got.Meeting.Cancelled {
		t.Error("the meeting was cancelled")
	}
}
