package notify

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/emersion/go-smtp"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/errs"
)

// smtpURL builds a URL for the test server with percent-encoded credentials.
func smtpURL(scheme, user, pass, addr string) string {
	u := url.URL{Scheme: scheme, Host: addr}
	if user != "" {
		u.User = url.UserPassword(user, pass)
	}
	return u.String()
}

var threeAttendees = []Person{
	{Name: "张三", Email: "zhangsan@corp.example.cn", Lang: "zh-CN"},
	{Name: "Bob Smith", Email: "bob@partner.example.com", Lang: "en"},
	{Name: "王五", Email: "wangwu@corp.example.cn"},
}

// byRecipient parses the messages and keys them by envelope recipient.
func byRecipient(t *testing.T, msgs []received) map[string]parsedMail {
	t.Helper()
	out := map[string]parsedMail{}
	for _, m := range msgs {
		if len(m.To) != 1 {
			t.Fatalf("message to %v, want one recipient per message", m.To)
		}
		out[m.To[0]] = parseMail(t, m.Data)
	}
	return out
}

func checkICS(t *testing.T, pm parsedMail, method string, seq string, inv Invitation) *ics.VEvent {
	t.Helper()
	if pm.Calendar == "" || pm.Attachment != pm.Calendar {
		t.Fatalf("calendar part and invite.ics attachment differ or are missing; structure %v", pm.Structure)
	}
	if !strings.Contains(pm.CalendarCT, "method="+method) || !strings.Contains(pm.AttachmentCT, `name="invite.ics"`) {
		t.Fatalf("content types %q, %q", pm.CalendarCT, pm.AttachmentCT)
	}
	cal := parseICS(t, []byte(pm.Calendar))
	if m := calProp(cal, ics.PropertyMethod); m != method {
		t.Fatalf("METHOD %q, want %q", m, method)
	}
	ev := cal.Events()[0]
	if prop(ev, ics.ComponentPropertyUniqueId) != inv.UID || prop(ev, ics.ComponentPropertySequence) != seq ||
		prop(ev, ics.ComponentPropertyRrule) != inv.RRULE {
		t.Fatalf("UID %q SEQUENCE %q RRULE %q", prop(ev, ics.ComponentPropertyUniqueId),
			prop(ev, ics.ComponentPropertySequence), prop(ev, ics.ComponentPropertyRrule))
	}
	if ex := ev.GetProperty(ics.ComponentPropertyExdate); ex == nil || ex.Value != "20260316T100000" {
		t.Fatalf("EXDATE %+v", ex)
	}
	if tz := ev.GetProperty(ics.ComponentPropertyDtStart).ICalParameters["TZID"]; len(tz) != 1 || tz[0] != "Europe/Berlin" {
		t.Fatalf("DTSTART TZID %v", tz)
	}
	if tzs := cal.Timezones(); len(tzs) != 1 || prop2(&tzs[0].ComponentBase, ics.ComponentPropertyTzid) != "Europe/Berlin" {
		t.Fatalf("VTIMEZONE %v", tzs)
	}
	return ev
}

// TestInvitationUpdateCancel is the booking flow against a real SMTP server with AUTH PLAIN:
// a weekly series to three attendees, an update and a cancellation.
func TestInvitationUpdateCancel(t *testing.T) {
	st := testStore(t)
	srv := startSMTP(t, "", nil, withAuth("mailer", "pa55:w/rd@"))
	o := newOutbox(t, testConfig(smtpURL("smtp+insecure", "mailer", "pa55:w/rd@", srv.Addr)), st, nil)
	o.Start()
	ctx := context.Background()
	inv := weekly(t)

	if err := o.Enqueue(ctx, "meeting", "m-42", inv, threeAttendees); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "3 invitations", func() bool { return srv.count() == 3 })
	msgs := srv.messages()
	for _, m := range msgs {
		if m.Auth != "mailer" || m.From != "noreply@meet.example.cn" || m.TLS {
			t.Errorf("envelope: %+v", m)
		}
	}
	mails := byRecipient(t, msgs)
	want := map[string]struct{ subject, lang []string }{
		"zhangsan@corp.example.cn": {[]string{"邀请：产品周会"}, []string{"张三，您好：", "会议号：123456789", "会议密码：4321", "SIP 终端呼叫：sip:123456789@sip.example.cn", "加入会议：https://meet.example.cn/join/123456789"}},
		"bob@partner.example.com":  {[]string{"Invitation: 产品周会"}, []string{"Hello Bob Smith,", "Meeting number: 123456789", "Password: 4321", "SIP video system: sip:123456789@sip.example.cn", "Join: https://meet.example.cn/join/123456789"}},
		"wangwu@corp.example.cn":   {[]string{"邀请：产品周会"}, []string{"王五，您好：", "会议号：123456789"}},
	}
	for addr, w := range want {
		pm, ok := mails[addr]
		if !ok {
			t.Fatalf("no mail for %s", addr)
		}
		if pm.Subject != w.subject[0] {
			t.Errorf("%s: subject %q", addr, pm.Subject)
		}
		for _, s := range w.lang {
			if !strings.Contains(pm.Text, s) {
				t.Errorf("%s: text lacks %q:\n%s", addr, s, pm.Text)
			}
		}
		if !strings.Contains(pm.HTML, `href="https://meet.example.cn/join/123456789"`) {
			t.Errorf("%s: HTML has no join link", addr)
		}
		wantStructure := []string{"multipart/mixed", "  multipart/alternative", "    text/plain", "    text/html", "    text/calendar", "  application/ics"}
		if !slices.Equal(pm.Structure, wantStructure) {
			t.Errorf("%s: MIME structure %v", addr, pm.Structure)
		}
		if id := pm.Header.Get("Message-Id"); !strings.HasSuffix(id, "@meet.example.cn>") {
			t.Errorf("%s: Message-ID %q", addr, id)
		}
		if rt := pm.Header.Get("Reply-To"); !strings.Contains(rt, "lisi@corp.example.cn") {
			t.Errorf("%s: Reply-To %q", addr, rt)
		}
		if to := pm.Header.Get("To"); !strings.Contains(to, addr) {
			t.Errorf("%s: To %q", addr, to)
		}
		ev := checkICS(t, pm, "REQUEST", "0", inv)
		if n := len(ev.Attendees()); n != 3 {
			t.Errorf("%s: %d attendees in the .ics", addr, n)
		}
	}
	eventually(t, 5*time.Second, "3 sent", func() bool { return allStatus(statuses(t, o, "meeting", "m-42"), StatusSent, 3) })

	// The update: same UID, SEQUENCE 1, "Updated".
	inv.Sequence = 1
	inv.Start = inv.Start.Add(time.Hour)
	if err := o.Enqueue(ctx, "meeting", "m-42", inv, threeAttendees); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "3 updates", func() bool { return srv.count() == 6 })
	mails = byRecipient(t, srv.messages()[3:])
	for addr, pm := range mails {
		checkICS(t, pm, "REQUEST", "1", inv)
		if !strings.HasPrefix(pm.Subject, "已更新：") && !strings.HasPrefix(pm.Subject, "Updated: ") {
			t.Errorf("%s: update subject %q", addr, pm.Subject)
		}
	}
	if s := mails["bob@partner.example.com"].Subject; s != "Updated: 产品周会" {
		t.Errorf("update subject %q", s)
	}

	// The cancellation.
	inv.Sequence = 2
	inv.Method = MethodCancel
	if err := o.Enqueue(ctx, "meeting", "m-42", inv, threeAttendees); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "3 cancellations", func() bool { return srv.count() == 9 })
	mails = byRecipient(t, srv.messages()[6:])
	for addr, pm := range mails {
		ev := checkICS(t, pm, "CANCEL", "2", inv)
		if prop(ev, ics.ComponentPropertyStatus) != "CANCELLED" {
			t.Errorf("%s: STATUS %q", addr, prop(ev, ics.ComponentPropertyStatus))
		}
	}
	if s := mails["zhangsan@corp.example.cn"].Subject; s != "已取消：产品周会" {
		t.Errorf("cancel subject %q", s)
	}

	eventually(t, 5*time.Second, "9 sent", func() bool { return allStatus(statuses(t, o, "meeting", "m-42"), StatusSent, 9) })
	ds, err := o.Deliveries(ctx, "meeting", "m-42")
	if err != nil {
		t.Fatal(err)
	}
	latest := Latest(ds)
	if len(latest) != 3 {
		t.Fatalf("latest per recipient: %d", len(latest))
	}
	for _, d := range latest {
		if d.Method != MethodCancel || d.Sequence != 2 || d.Status != StatusSent || d.Attempts != 1 || d.SentAt.IsZero() ||
			d.LastError != "" || d.UID != inv.UID || d.RefType != "meeting" || d.RefID != "m-42" {
			t.Errorf("latest delivery %+v", d)
		}
	}
	if other, _ := o.Deliveries(ctx, "meeting", "other"); len(other) != 0 {
		t.Errorf("deliveries of another reference: %v", other)
	}
}

// TestTLS: STARTTLS and implicit TLS with a self-signed certificate trusted through
// Config.RootCAs; an untrusted certificate and a server without STARTTLS are refused.
func TestTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	ctx := context.Background()
	inv := weekly(t)
	one := []Person{{Email: "zhangsan@corp.example.cn"}}

	for _, mode := range []struct{ server, scheme string }{{"starttls", "smtp"}, {"tls", "smtps"}} {
		t.Run(mode.scheme, func(t *testing.T) {
			srv := startSMTP(t, mode.server, cert, withAuth("mailer", "secret"))
			cfg := testConfig(smtpURL(mode.scheme, "mailer", "secret", srv.Addr))
			cfg.RootCAs = pool
			o := newOutbox(t, cfg, testStore(t), nil)
			o.Start()
			if err := o.Enqueue(ctx, "meeting", "m-1", inv, one); err != nil {
				t.Fatal(err)
			}
			eventually(t, 10*time.Second, "the mail", func() bool { return srv.count() == 1 })
			if m := srv.messages()[0]; !m.TLS && mode.server == "tls" || m.Auth != "mailer" {
				t.Fatalf("received %+v", m)
			}
			eventually(t, 5*time.Second, "sent", func() bool { return allStatus(statuses(t, o, "meeting", "m-1"), StatusSent, 1) })
		})
	}

	refused := func(t *testing.T, serverMode, scheme string, trust bool, wantErr string) {
		srv := startSMTP(t, serverMode, cert, withAuth("mailer", "secret"))
		cfg := testConfig(smtpURL(scheme, "mailer", "secret", srv.Addr))
		cfg.RetryDelays = []time.Duration{time.Hour}
		if trust {
			cfg.RootCAs = pool
		}
		o := newOutbox(t, cfg, testStore(t), nil)
		o.Start()
		if err := o.Enqueue(ctx, "meeting", "m-1", inv, one); err != nil {
			t.Fatal(err)
		}
		var d Delivery
		eventually(t, 10*time.Second, "retrying", func() bool {
			ds, _ := o.Deliveries(ctx, "meeting", "m-1")
			if len(ds) == 1 {
				d = ds[0]
			}
			return d.Status == StatusRetrying
		})
		if !strings.Contains(d.LastError, wantErr) || srv.count() != 0 {
			t.Fatalf("last error %q, %d received", d.LastError, srv.count())
		}
	}
	t.Run("untrusted certificate", func(t *testing.T) { refused(t, "starttls", "smtp", false, "certificate") })
	t.Run("no STARTTLS offered", func(t *testing.T) { refused(t, "", "smtp", true, "STARTTLS") })
}

// TestUnreachableServer: Enqueue returns at once and the booking is intact; the
// delivery is retrying with an error and a next attempt in the future.
func TestUnreachableServer(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now

	st := testStore(t)
	cfg := testConfig(smtpURL("smtp+insecure", "", "", addr))
	cfg.RetryDelays = []time.Duration{time.Hour}
	o := newOutbox(t, cfg, st, nil)
	o.Start()
	start := time.Now()
	err = o.Enqueue(context.Background(), "meeting", "m-1", weekly(t), threeAttendees)
	t.Logf("Enqueue of 3 deliveries with the mail server down took %v", time.Since(start))
	if err != nil {
		t.Fatal(err)
	}
	var ds []Delivery
	eventually(t, 10*time.Second, "retrying", func() bool {
		ds, _ = o.Deliveries(context.Background(), "meeting", "m-1")
		return len(ds) == 3 && allStatus([]Status{ds[0].Status, ds[1].Status, ds[2].Status}, StatusRetrying, 3)
	})
	for _, d := range ds {
		if d.LastError == "" || !strings.Contains(d.LastError, "refused") || d.Attempts != 1 ||
			d.NextAttemptAt.Before(time.Now().Add(50*time.Minute)) || !d.SentAt.IsZero() {
			t.Errorf("delivery %+v", d)
		}
	}
}

// TestRetryUntilSent: the server answers 451 twice, then accepts.
func TestRetryUntilSent(t *testing.T) {
	srv := startSMTP(t, "", nil)
	srv.rejectFirst = 2
	o := newOutbox(t, testConfig(smtpURL("smtp+insecure", "", "", srv.Addr)), testStore(t), nil)
	o.Start()
	if err := o.Enqueue(context.Background(), "meeting", "m-1", weekly(t), threeAttendees[:1]); err != nil {
		t.Fatal(err)
	}
	var d Delivery
	eventually(t, 10*time.Second, "sent", func() bool {
		ds, _ := o.Deliveries(context.Background(), "meeting", "m-1")
		d = ds[0]
		return d.Status == StatusSent
	})
	if d.Attempts != 3 || d.LastError != "" || srv.count() != 1 {
		t.Fatalf("delivery %+v, %d received", d, srv.count())
	}
}

// TestRetriesExhausted: a server that keeps answering 451 fails the delivery after the
// last retry; a 550 for one recipient fails that delivery at once.
func TestRetriesExhausted(t *testing.T) {
	srv := startSMTP(t, "", nil)
	srv.rejectFirst = 1000
	cfg := testConfig(smtpURL("smtp+insecure", "", "", srv.Addr))
	o := newOutbox(t, cfg, testStore(t), nil)
	o.Start()
	if err := o.Enqueue(context.Background(), "meeting", "m-1", weekly(t), threeAttendees[:1]); err != nil {
		t.Fatal(err)
	}
	var d Delivery
	eventually(t, 10*time.Second, "failed", func() bool {
		ds, _ := o.Deliveries(context.Background(), "meeting", "m-1")
		d = ds[0]
		return d.Status == StatusFailed
	})
	if d.Attempts != len(cfg.RetryDelays)+1 || !strings.Contains(d.LastError, "451") {
		t.Fatalf("delivery %+v", d)
	}

	srv2 := startSMTP(t, "", nil)
	srv2.rcptReject["bob@partner.example.com"] = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	o2 := newOutbox(t, testConfig(smtpURL("smtp+insecure", "", "", srv2.Addr)), testStore(t), nil)
	o2.Start()
	if err := o2.Enqueue(context.Background(), "meeting", "m-2", weekly(t), threeAttendees); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "final states", func() bool {
		ds, _ := o2.Deliveries(context.Background(), "meeting", "m-2")
		final := 0
		for _, d := range ds {
			if d.Status == StatusSent || d.Status == StatusFailed {
				final++
			}
		}
		return final == 3
	})
	ds, _ := o2.Deliveries(context.Background(), "meeting", "m-2")
	for _, d := range ds {
		bob := d.Recipient.Email == "bob@partner.example.com"
		if bob && (d.Status != StatusFailed || d.Attempts != 1 || !strings.Contains(d.LastError, "550")) ||
			!bob && d.Status != StatusSent {
			t.Errorf("delivery %+v", d)
		}
	}
}

// TestTwoOutboxesDeliverOnce: two outboxes on one database, as two processes would be,
// the second writing over other connections than the first, race for 50 deliveries; the
// server gets each message exactly once.
func TestTwoOutboxesDeliverOnce(t *testing.T) {
	srv := startSMTP(t, "", nil)
	st := testStore(t)
	cfg := testConfig(smtpURL("smtp+insecure", "", "", srv.Addr))
	a := newOutbox(t, cfg, st, nil)
	b := newOutbox(t, cfg, pooledWriter(st), nil)
	var people []Person
	for i := range 50 {
		people = append(people, Person{Email: fmt.Sprintf("user%02d@corp.example.cn", i)})
	}
	if err := a.Enqueue(context.Background(), "meeting", "m-50", weekly(t), people); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(a.Start)
	wg.Go(b.Start)
	wg.Wait()
	eventually(t, 15*time.Second, "50 sent", func() bool { return allStatus(statuses(t, a, "meeting", "m-50"), StatusSent, 50) })
	time.Sleep(200 * time.Millisecond) // a duplicate would arrive now
	got := map[string]int{}
	for _, m := range srv.messages() {
		got[m.To[0]]++
	}
	for _, p := range people {
		if got[p.Email] != 1 {
			t.Errorf("%s received %d times", p.Email, got[p.Email])
		}
	}
	if len(got) != 50 {
		t.Errorf("%d recipients", len(got))
	}
	byOwner := map[string]int{}
	cur, err := st.R.Collection(claimsColl).Find(context.Background(), bson.M{})
	if err != nil {
		t.Fatal(err)
	}
	var claims []claimDoc
	if err := cur.All(context.Background(), &claims); err != nil {
		t.Fatal(err)
	}
	for _, c := range claims {
		byOwner[c.Owner]++
	}
	t.Logf("claims by outbox: %v", byOwner)
	if len(claims) != 50 {
		t.Errorf("%d claims for 50 single attempts", len(claims))
	}
}

// TestRestart: deliveries queued by an outbox that closes before sending are sent by a
// new one; a send cut by Close is retried by the next without counting as a failure.
func TestRestart(t *testing.T) {
	srv := startSMTP(t, "", nil)
	st := testStore(t)
	cfg := testConfig(smtpURL("smtp+insecure", "", "", srv.Addr))
	ctx := context.Background()

	first, err := NewOutbox(ctx, cfg, st, testLog(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Enqueue(ctx, "meeting", "m-1", weekly(t), threeAttendees); err != nil {
		t.Fatal(err)
	}
	first.Close()
	if s := statuses(t, first, "meeting", "m-1"); !allStatus(s, StatusPending, 3) || srv.count() != 0 {
		t.Fatalf("after close: %v, %d received", s, srv.count())
	}
	second := newOutbox(t, cfg, st, nil)
	second.Start()
	eventually(t, 10*time.Second, "sent after restart", func() bool { return allStatus(statuses(t, second, "meeting", "m-1"), StatusSent, 3) })
	if srv.count() != 3 {
		t.Fatalf("%d received", srv.count())
	}
	second.Close()

	// Close in the middle of DATA.
	for len(srv.dataStarted) > 0 {
		<-srv.dataStarted
	}
	srv.mu.Lock()
	srv.hang = make(chan struct{})
	srv.mu.Unlock()
	third, err := NewOutbox(ctx, cfg, st, testLog(nil))
	if err != nil {
		t.Fatal(err)
	}
	third.Start()
	if err := third.Enqueue(ctx, "meeting", "m-2", weekly(t), threeAttendees[:1]); err != nil {
		t.Fatal(err)
	}
	select {
	case <-srv.dataStarted:
	case <-time.After(10 * time.Second):
		t.Fatal("no DATA")
	}
	start := time.Now()
	third.Close()
	took := time.Since(start)
	if took > time.Second {
		t.Errorf("Close took %v with a send hanging (SendTimeout %v)", took, cfg.SendTimeout)
	}
	docs := deliveryDocs(t, st, "m-2")
	if len(docs) != 1 || docs[0].Status != string(StatusRetrying) || docs[0].LastError != "interrupted by shutdown" ||
		docs[0].Attempts != 1 || docs[0].Failures != 0 || docs[0].NextAttemptAt.After(time.Now()) {
		t.Fatalf("interrupted delivery %+v", docs)
	}
	srv.mu.Lock()
	close(srv.hang)
	srv.hang = nil
	srv.mu.Unlock()
	fourth := newOutbox(t, cfg, st, nil)
	fourth.Start()
	eventually(t, 10*time.Second, "sent", func() bool { return allStatus(statuses(t, fourth, "meeting", "m-2"), StatusSent, 1) })
	if d := deliveryDocs(t, st, "m-2")[0]; d.Attempts != 2 || srv.count() != 4 {
		t.Fatalf("attempts %d, %d received", d.Attempts, srv.count())
	}
}

// TestAbandonedAttempts: an attempt whose process died is taken over after its lease; a
// live claim is left alone.
func TestAbandonedAttempts(t *testing.T) {
	srv := startSMTP(t, "", nil)
	st := testStore(t)
	cfg := testConfig(smtpURL("smtp+insecure", "", "", srv.Addr))
	ctx := context.Background()
	o := newOutbox(t, cfg, st, nil)
	people := []Person{{Email: "died-before-marking@x.cn"}, {Email: "died-while-sending@x.cn"}, {Email: "live-claim@x.cn"}}
	if err := o.Enqueue(ctx, "meeting", "m-1", weekly(t), people); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, d := range deliveryDocs(t, st, "m-1") {
		switch d.Email {
		case "died-before-marking@x.cn": // claim 1 inserted, delivery never marked
			mustInsert(t, st.W.Collection(claimsColl), claimDoc{ID: d.ID + ":1", Owner: "dead", CreatedAt: old})
		case "died-while-sending@x.cn": // marked sending, lease expired
			mustInsert(t, st.W.Collection(claimsColl), claimDoc{ID: d.ID + ":1", Owner: "dead", CreatedAt: old})
			if _, err := st.W.Collection(outboxColl).UpdateOne(ctx, bson.M{"_id": d.ID}, bson.M{"$set": bson.M{
				"status": string(StatusSending), "attempts": 1, "nextAttemptAt": time.Now().Add(-time.Second)}}); err != nil {
				t.Fatal(err)
			}
		case "live-claim@x.cn": // another worker is about to mark it
			mustInsert(t, st.W.Collection(claimsColl), claimDoc{ID: d.ID + ":1", Owner: "alive", CreatedAt: time.Now()})
		}
	}
	o.Start()
	eventually(t, 10*time.Second, "two sent", func() bool { return srv.count() == 2 })
	time.Sleep(300 * time.Millisecond)
	for _, d := range deliveryDocs(t, st, "m-1") {
		switch d.Email {
		case "live-claim@x.cn":
			if d.Status != string(StatusPending) || d.Attempts != 0 {
				t.Errorf("live claim taken over: %+v", d)
			}
		default:
			if d.Status != string(StatusSent) || d.Attempts != 2 {
				t.Errorf("abandoned attempt: %+v", d)
			}
		}
	}
	if srv.count() != 2 {
		t.Errorf("%d received", srv.count())
	}
}

func mustInsert(t *testing.T, c interface {
	InsertOne(context.Context, any, ...options.Lister[options.InsertOneOptions]) (*mongo.InsertOneResult, error)
}, doc any) {
	t.Helper()
	if _, err := c.InsertOne(context.Background(), doc); err != nil {
		t.Fatal(err)
	}
}

// TestMailDisabled: without --smtp-url deliveries are recorded as disabled.
func TestMailDisabled(t *testing.T) {
	st := testStore(t)
	o := newOutbox(t, testConfig(""), st, nil)
	o.Start()
	if err := o.Enqueue(context.Background(), "meeting", "m-1", weekly(t), threeAttendees); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if s := statuses(t, o, "meeting", "m-1"); !allStatus(s, StatusDisabled, 3) {
		t.Fatalf("statuses %v", s)
	}
	if d := deliveryDocs(t, st, "m-1")[0]; d.Subject == "" || d.Text == "" || d.Attempts != 0 {
		t.Fatalf("disabled delivery %+v", d)
	}
}

// TestHeaderInjection: CR/LF in the title or a name cannot add headers or recipients.
func TestHeaderInjection(t *testing.T) {
	srv := startSMTP(t, "", nil)
	o := newOutbox(t, testConfig(smtpURL("smtp+insecure", "", "", srv.Addr)), testStore(t), nil)
	o.Start()
	inv := weekly(t)
	inv.Title = "周会\r\nBcc: evil@x.cn\r\nX-Evil: 1\n\n<b>body</b>"
	inv.Organizer.Name = "Li\r\nCc: evil2@x.cn"
	attendee := Person{Name: "Eve\r\nBcc: evil3@x.cn", Email: "eve@corp.example.cn", Lang: "en"}
	if err := o.Enqueue(context.Background(), "meeting", "m-1", inv, []Person{attendee}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the mail", func() bool { return srv.count() == 1 })
	m := srv.messages()[0]
	if !slices.Equal(m.To, []string{"eve@corp.example.cn"}) {
		t.Fatalf("envelope recipients %v", m.To)
	}
	pm := parseMail(t, m.Data)
	for _, h := range []string{"Bcc", "Cc", "X-Evil"} {
		if v := pm.Header.Get(h); v != "" {
			t.Errorf("header %s: %q", h, v)
		}
	}
	if pm.Subject != "Invitation: 周会 Bcc: evil@x.cn X-Evil: 1 <b>body</b>" {
		t.Errorf("subject %q", pm.Subject)
	}
	if strings.Contains(pm.HTML, "<b>body</b>") || !strings.Contains(pm.HTML, "&lt;b&gt;body&lt;/b&gt;") {
		t.Errorf("HTML not escaped")
	}
	to, err := pm.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "eve@corp.example.cn" || to[0].Name != "Eve Bcc: evil3@x.cn" {
		t.Errorf("To %q: %v %v", pm.Header.Get("To"), to, err)
	}
}

// TestSecretsStayOut: a wrong password shows neither in the delivery's error nor in logs.
func TestSecretsStayOut(t *testing.T) {
	const secret = "Wr0ng-S3cret"
	srv := startSMTP(t, "", nil, withAuth("mailer", "right"))
	var logs syncBuffer
	cfg := testConfig(smtpURL("smtp+insecure", "mailer", secret, srv.Addr))
	cfg.RetryDelays = []time.Duration{time.Hour}
	o := newOutbox(t, cfg, testStore(t), &logs)
	o.Start()
	if err := o.Enqueue(context.Background(), "meeting", "m-1", weekly(t), threeAttendees[:1]); err != nil {
		t.Fatal(err)
	}
	var d Delivery
	eventually(t, 10*time.Second, "retrying", func() bool {
		ds, _ := o.Deliveries(context.Background(), "meeting", "m-1")
		d = ds[0]
		return d.Status == StatusRetrying
	})
	o.Close()
	if d.LastError == "" || !strings.Contains(d.LastError, "535") {
		t.Errorf("last error %q", d.LastError)
	}
	all := d.LastError + logs.String()
	if strings.Contains(all, secret) {
		t.Fatalf("password leaked:\n%s", all)
	}
	if !strings.Contains(logs.String(), "mailer:xxxxx@") {
		t.Errorf("start-up log without the redacted URL:\n%s", logs.String())
	}
}

func TestEnqueueRejectsBadInput(t *testing.T) {
	st := testStore(t)
	o := newOutbox(t, testConfig(""), st, nil)
	ctx := context.Background()
	bad := append(slices.Clone(threeAttendees), Person{Email: "not-an-address"})
	if err := o.Enqueue(ctx, "meeting", "m-1", weekly(t), bad); errs.KindOf(err) != errs.KindInvalid {
		t.Fatalf("bad attendee: %v", err)
	}
	inv := weekly(t)
	inv.Method = MethodUnknown
	if err := o.Enqueue(ctx, "meeting", "m-1", inv, threeAttendees); errs.KindOf(err) != errs.KindInvalid {
		t.Fatalf("bad invitation: %v", err)
	}
	if err := o.Enqueue(ctx, "", "m-1", weekly(t), threeAttendees); errs.KindOf(err) != errs.KindInvalid {
		t.Fatalf("no reference: %v", err)
	}
	if n := len(deliveryDocs(t, st, "m-1")); n != 0 {
		t.Fatalf("%d deliveries written", n)
	}
	// Repeated addresses (in any case) are sent once.
	dup := []Person{{Email: "A@corp.example.cn"}, {Email: "a@corp.example.cn"}}
	if err := o.Enqueue(ctx, "meeting", "m-1", weekly(t), dup); err != nil || len(deliveryDocs(t, st, "m-1")) != 1 {
		t.Fatalf("duplicates: %v", err)
	}
}

// TestInstantMeeting: a "start now" meeting (and an invitation from inside a running
// meeting) is a single event in the meeting's zone with the same mail.
func TestInstantMeeting(t *testing.T) {
	srv := startSMTP(t, "", nil)
	o := newOutbox(t, testConfig(smtpURL("smtp+insecure", "", "", srv.Addr)), testStore(t), nil)
	o.Start()
	sh := mustZone(t, "Asia/Shanghai")
	inv := Invitation{
		UID: "i-7@meet.example.cn", Method: MethodRequest, Title: "临时会议",
		Start: time.Date(2026, 5, 4, 14, 3, 0, 0, sh), Duration: time.Hour, Zone: sh,
		Organizer: Person{Name: "李四", Email: "lisi@corp.example.cn"}, MeetingNumber: "987654321", JoinPath: "/join/987654321",
	}
	if err := o.Enqueue(context.Background(), "meeting", "i-7", inv, threeAttendees[:1]); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "the mail", func() bool { return srv.count() == 1 })
	pm := parseMail(t, srv.messages()[0].Data)
	for _, want := range []string{"时间：2026年5月4日（周一） 14:03–15:03 北京时间（UTC+08:00）", "会议号：987654321", "sip:987654321@sip.example.cn"} {
		if !strings.Contains(pm.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, pm.Text)
		}
	}
	if strings.Contains(pm.Text, "会议密码") || strings.Contains(pm.Text, "重复") {
		t.Errorf("text shows a password or recurrence:\n%s", pm.Text)
	}
	cal := parseICS(t, []byte(pm.Calendar))
	ev := cal.Events()[0]
	if ev.HasProperty(ics.ComponentPropertyRrule) || prop(ev, ics.ComponentPropertyDtStart) != "20260504T140300" ||
		len(cal.Timezones()) != 1 {
		t.Fatalf("instant meeting .ics:\n%s", pm.Calendar)
	}
}

// TestSendTimeout: a server that stalls in DATA costs one attempt of SendTimeout.
func TestSendTimeout(t *testing.T) {
	srv := startSMTP(t, "", nil)
	srv.hang = make(chan struct{})
	cfg := testConfig(smtpURL("smtp+insecure", "", "", srv.Addr))
	cfg.SendTimeout = 300 * time.Millisecond
	cfg.RetryDelays = []time.Duration{time.Hour}
	o := newOutbox(t, cfg, testStore(t), nil)
	o.Start()
	if err := o.Enqueue(context.Background(), "meeting", "m-1", weekly(t), threeAttendees[:1]); err != nil {
		t.Fatal(err)
	}
	var d Delivery
	eventually(t, 10*time.Second, "retrying", func() bool {
		ds, _ := o.Deliveries(context.Background(), "meeting", "m-1")
		d = ds[0]
		return d.Status == StatusRetrying
	})
	if !strings.Contains(d.LastError, "timed out after 300ms") || d.Attempts != 1 {
		t.Fatalf("delivery %+v", d)
	}
}

// TestDeliveriesOf reads the deliveries of several references in one query: each
// reference gets what Deliveries gives it, newest first, and nothing of the others.
func TestDeliveriesOf(t *testing.T) {
	ctx := context.Background()
	o := newOutbox(t, testConfig(""), testStore(t), nil)
	inv := weekly(t)
	for _, ref := range []string{"m-1", "m-2", "m-1", "m-3"} {
		if err := o.Enqueue(ctx, "meeting", ref, inv, threeAttendees); err != nil {
			t.Fatal(err)
		}
		inv.Sequence++
		time.Sleep(2 * time.Millisecond) // createdAt is stored in milliseconds
	}
	if err := o.Enqueue(ctx, "other", "m-2", inv, threeAttendees); err != nil {
		t.Fatal(err)
	}
	got, err := o.DeliveriesOf(ctx, "meeting", []string{"m-1", "m-2", "m-9"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got["m-1"]) != 6 || len(got["m-2"]) != 3 || got["m-9"] != nil {
		t.Fatalf("deliveries by reference: m-1 %d, m-2 %d, m-9 %d (%d references)", len(got["m-1"]), len(got["m-2"]), len(got["m-9"]), len(got))
	}
	for _, ref := range []string{"m-1", "m-2"} {
		one, err := o.Deliveries(ctx, "meeting", ref)
		if err != nil {
			t.Fatal(err)
		}
		for i := range one {
			if one[i].ID != got[ref][i].ID || got[ref][i].RefType != "meeting" {
				t.Fatalf("%s: delivery %d is %+v, Deliveries has %+v", ref, i, got[ref][i], one[i])
			}
		}
	}
	if got["m-1"][0].Sequence != 2 {
		t.Errorf("m-1 newest first: sequence %d, want 2", got["m-1"][0].Sequence)
	}
	if none, err := o.DeliveriesOf(ctx, "meeting", nil); err != nil || len(none) != 0 {
		t.Errorf("no references: %v, %v", none, err)
	}
}
