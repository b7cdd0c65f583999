package notify

import (
	"fmt"
	"html/template"
	"strings"
)

// Mail is a rendered invitation mail.
type Mail struct {
	Subject string
	Text    string
	HTML    string
}

// RenderMail renders the invitation mail for one recipient in their language (zh-CN by
// default, or en): the subject ("邀请：…", "已更新：…" when Sequence > 0, "已取消：…"), and
// a text and an HTML body with the time in the meeting's zone, the recurrence, the join
// link (built from the public URL), meeting number, password and SIP dial strings. User
// input is HTML-escaped in the HTML body and stripped of line breaks in the subject.
func RenderMail(cfg Config, inv Invitation, to Person) (Mail, error) {
	r, err := cfg.resolve()
	if err != nil {
		return Mail{}, err
	}
	if err := inv.validate(); err != nil {
		return Mail{}, err
	}
	return renderMail(r, inv.normalize(), to.normalize())
}

// row is one labelled line of the mail.
type row struct {
	Label, Value string
	Link         bool
}

// mailView is what the text and HTML templates show.
type mailView struct {
	Lang, Greeting, Intro, Title string
	Rows, JoinRows               []row
	JoinURL, JoinButton          string
	DetailsLabel, Details        string
	Footer                       string
}

func renderMail(r *resolved, inv Invitation, to Person) (Mail, error) {
	v := view(r, inv, to)
	tx := texts[to.Lang]
	subject := tx.subjectInvite
	switch {
	case inv.Method == MethodCancel:
		subject = tx.subjectCancel
	case inv.Sequence > 0:
		subject = tx.subjectUpdate
	}
	subject = cleanLine(subject+v.Title, 250)

	var b strings.Builder
	b.WriteString(v.Greeting + "\n\n" + v.Intro + "\n\n" + v.Title + "\n")
	for _, rw := range v.Rows {
		b.WriteString(rw.Label + tx.colon + rw.Value + "\n")
	}
	if len(v.JoinRows) > 0 {
		b.WriteString("\n")
		for _, rw := range v.JoinRows {
			b.WriteString(rw.Label + tx.colon + rw.Value + "\n")
		}
	}
	if v.Details != "" {
		b.WriteString("\n" + v.DetailsLabel + strings.TrimSpace(tx.colon) + "\n" + v.Details + "\n")
	}
	b.WriteString("\n-- \n" + v.Footer + "\n")
	text := b.String()

	var h strings.Builder
	if err := htmlMail.Execute(&h, v); err != nil {
		return Mail{}, fmt.Errorf("notify: render mail: %w", err)
	}
	return Mail{Subject: subject, Text: text, HTML: h.String()}, nil
}

// view gathers the facts of a mail in the recipient's language.
func view(r *resolved, inv Invitation, to Person) mailView {
	lang := to.Lang
	tx := texts[lang]
	loc := inv.zone()
	title := inv.Title
	if title == "" {
		title = tx.defaultTitle
	}
	org := inv.Organizer.Name
	if org == "" {
		org = inv.Organizer.Email
	}
	if org == "" {
		org = r.from.Name
	}
	if org == "" {
		org = r.from.Address
	}
	v := mailView{
		Lang: lang, Greeting: tx.greeting(to.Name), Title: title,
		JoinButton: tx.joinButton, DetailsLabel: tx.details, Details: inv.Description, Footer: tx.footer,
	}
	switch {
	case inv.Method == MethodCancel:
		v.Intro = tx.introCancel(org)
	case inv.Sequence > 0:
		v.Intro = tx.introUpdate(org)
	default:
		v.Intro = tx.introInvite(org)
	}
	v.Rows = append(v.Rows, row{Label: tx.when, Value: whenText(inv.Start, inv.Duration, loc, lang)})
	if inv.RRULE != "" {
		v.Rows = append(v.Rows, row{Label: tx.repeat, Value: describeRRULE(inv.RRULE, inv.Start, loc, lang)})
		var skipped, moved []string
		for _, x := range inv.ExDates {
			skipped = append(skipped, tx.dayShort(x.In(loc)))
		}
		for _, o := range inv.Overrides {
			if o.Cancelled {
				skipped = append(skipped, tx.dayShort(o.RecurrenceID.In(loc)))
				continue
			}
			was, now := o.RecurrenceID.In(loc), o.Start.In(loc)
			moved = append(moved, tx.dayShort(was)+" "+was.Format("15:04")+" → "+tx.dayShort(now)+" "+now.Format("15:04"))
		}
		if len(skipped) > 0 {
			v.Rows = append(v.Rows, row{Label: tx.noMeeting, Value: listOf(skipped, tx.sep, 20)})
		}
		if len(moved) > 0 {
			v.Rows = append(v.Rows, row{Label: tx.moved, Value: listOf(moved, tx.sep, 20)})
		}
	}
	orgLine := inv.Organizer.Name
	if inv.Organizer.Email != "" {
		orgLine = strings.TrimSpace(orgLine + " <" + inv.Organizer.Email + ">")
	}
	if orgLine != "" {
		v.Rows = append(v.Rows, row{Label: tx.organizer, Value: orgLine})
	}
	if inv.Method == MethodCancel {
		return v
	}
	v.JoinURL = joinURL(r, inv)
	v.JoinRows = append(v.JoinRows, row{Label: tx.join, Value: v.JoinURL, Link: true})
	if inv.MeetingNumber != "" {
		v.JoinRows = append(v.JoinRows, row{Label: tx.number, Value: inv.MeetingNumber})
	}
	if inv.Password != "" {
		v.JoinRows = append(v.JoinRows, row{Label: tx.password, Value: inv.Password})
	}
	if inv.MeetingNumber != "" {
		v.JoinRows = append(v.JoinRows, row{Label: tx.sip, Value: sipAddress(r, inv.MeetingNumber, "")})
		if inv.Password != "" {
			v.JoinRows = append(v.JoinRows, row{Label: tx.sipWithPassword, Value: sipAddress(r, inv.MeetingNumber, inv.Password)})
		}
	}
	return v
}

func listOf(items []string, sep string, max int) string {
	if len(items) > max {
		return strings.Join(items[:max], sep) + sep + "…"
	}
	return strings.Join(items, sep)
}

// joinURL is the public URL plus the invitation's join path; never a request's host.
func joinURL(r *resolved, inv Invitation) string {
	return r.publicURL + inv.JoinPath
}

// sipAddress is sip:<number>@<domain>, or sip:<number>*<password>@<domain> — the
// "number*password" convention of meeting gateways for endpoints that cannot send DTMF.
func sipAddress(r *resolved, number, password string) string {
	user := sipUser(number)
	if password != "" {
		user += "*" + sipUser(password)
	}
	return "sip:" + user + "@" + r.SIPDomain
}

// sipUser percent-encodes what RFC 3261 section 25.1 does not allow unescaped in a user part.
func sipUser(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-_.!~*'()&=+$,;?/", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// icsDescription is the DESCRIPTION of the VEVENT: the description, then the join facts.
func icsDescription(r *resolved, inv Invitation, lang string, join string) string {
	v := view(r, inv, Person{Lang: lang})
	tx := texts[lang]
	var b strings.Builder
	if inv.Description != "" {
		b.WriteString(inv.Description + "\n\n")
	}
	for _, rw := range v.JoinRows {
		b.WriteString(rw.Label + tx.colon + rw.Value + "\n")
	}
	if len(v.JoinRows) == 0 {
		b.WriteString(tx.join + tx.colon + join + "\n")
	}
	return strings.TrimSpace(b.String())
}

// htmlMail escapes every value (html/template), and only lets http(s) URLs into href.
var htmlMail = template.Must(template.New("mail").Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>{{.Title}}</title></head>
<body style="margin:0;padding:24px;background:#f5f6f8;font-family:-apple-system,'PingFang SC','Microsoft YaHei',Helvetica,Arial,sans-serif;color:#1f2329;font-size:14px;line-height:1.6">
<div style="max-width:600px;margin:0 auto;background:#fff;border-radius:8px;padding:24px">
<p>{{.Greeting}}</p>
<p>{{.Intro}}</p>
<h2 style="font-size:18px;margin:16px 0 8px">{{.Title}}</h2>
<table role="presentation" style="border-collapse:collapse">
{{range .Rows}}<tr><td style="color:#646a73;padding:2px 16px 2px 0;vertical-align:top;white-space:nowrap">{{.Label}}</td><td style="padding:2px 0">{{.Value}}</td></tr>
{{end}}</table>
{{if .JoinURL}}<p style="margin:20px 0"><a href="{{.JoinURL}}" style="display:inline-block;background:#3370ff;color:#fff;text-decoration:none;padding:8px 20px;border-radius:6px">{{.JoinButton}}</a></p>
<table role="presentation" style="border-collapse:collapse">
{{range .JoinRows}}<tr><td style="color:#646a73;padding:2px 16px 2px 0;vertical-align:top;white-space:nowrap">{{.Label}}</td><td style="padding:2px 0;word-break:break-all">{{if .Link}}<a href="{{.Value}}">{{.Value}}</a>{{else}}{{.Value}}{{end}}</td></tr>
{{end}}</table>{{end}}
{{if .Details}}<p style="color:#646a73;margin:20px 0 4px">{{.DetailsLabel}}</p>
<div style="white-space:pre-wrap">{{.Details}}</div>{{end}}
<p style="color:#8f959e;font-size:12px;margin-top:24px;border-top:1px solid #eee;padding-top:12px">{{.Footer}}</p>
</div></body></html>
`))
