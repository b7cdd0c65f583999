package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"

	gomail "github.com/wneessen/go-mail"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// send builds the message of d and hands it to the mail server, within ctx. One
// connection per message: sends are few and this keeps a failure to one recipient.
// Called by a send goroutine.
func (o *Outbox) send(ctx context.Context, d *deliveryDoc) error {
	var b batchDoc
	if err := o.st.R.Collection(batchesColl).FindOne(ctx, bson.M{"_id": d.BatchID}).Decode(&b); err != nil {
		if errors.Is(err, mongo.ErrNoDocuments) {
			return permanentError{errors.New("calendar of the delivery is missing")}
		}
		return fmt.Errorf("load calendar: %w", err)
	}
	msg, err := o.message(d, []byte(b.ics(d.Lang)))
	if err != nil {
		return err
	}
	c, err := o.client(ctx)
	if err != nil {
		return err
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if err != nil && msg.IsDelivered() {
		// The server accepted the message (250 after DATA); only RSET or QUIT failed.
		// Retrying would send it twice.
		o.log.Debug("error after the message was accepted", "delivery", d.ID, "err", o.scrub(err))
		return nil
	}
	return err
}

// message builds the MIME message, the structure Google Calendar and Exchange send:
//
//	multipart/mixed
//	├── multipart/alternative
//	│   ├── text/plain; charset=UTF-8                      (quoted-printable)
//	│   ├── text/html; charset=UTF-8                       (quoted-printable)
//	│   └── text/calendar; method=REQUEST; charset=UTF-8   (base64) ← Outlook, Gmail and Apple Mail show the invitation from this part
//	└── application/ics; name="invite.ics"                 (attachment, base64) ← for clients that only offer attachments
//
// The Message-ID is the delivery's ID, the same for every attempt, so a retry after a
// lost reply is recognisable as the same message.
func (o *Outbox) message(d *deliveryDoc, ics []byte) (*gomail.Msg, error) {
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.FromMailAddress(o.cfg.from)
	if err := m.AddToFormat(d.Name, d.Email); err != nil {
		return nil, permanentError{fmt.Errorf("recipient address: %w", err)}
	}
	if d.ReplyTo != "" {
		_ = m.ReplyToFormat(d.ReplyToName, d.ReplyTo) // validated at Enqueue; a bad one is just left out
	}
	m.Subject(d.Subject)
	m.SetMessageIDWithValue(d.ID + "@" + o.cfg.publicHost)
	m.SetDate()
	m.SetBodyString(gomail.TypeTextPlain, d.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, d.HTML)
	m.AddAlternativeString(gomail.ContentType("text/calendar; method="+d.Method), string(ics),
		gomail.WithPartEncoding(gomail.EncodingB64))
	if err := m.AttachReader("invite.ics", bytes.NewReader(ics), gomail.WithFileContentType("application/ics")); err != nil {
		return nil, err
	}
	return m, nil
}

// client returns a go-mail client for one send. Its dialer closes the connection when
// ctx ends, so Close and SendTimeout cut a send short even in the middle of a command.
func (o *Outbox) client(ctx context.Context) (*gomail.Client, error) {
	t := o.cfg.smtp
	tlsConf := &tls.Config{ServerName: t.host, MinVersion: tls.VersionTLS12, RootCAs: o.cfg.RootCAs}
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		nd := &net.Dialer{}
		var conn net.Conn
		var err error
		if t.security == securityTLS {
			// Implicit TLS (RFC 8314): our dialer does the handshake, so that go-mail's
			// smtp client sees a *tls.Conn.
			conn, err = (&tls.Dialer{NetDialer: nd, Config: tlsConf}).DialContext(dctx, network, addr)
		} else {
			conn, err = nd.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		context.AfterFunc(ctx, func() { conn.Close() })
		return conn, nil
	}
	opts := []gomail.Option{
		gomail.WithPort(t.port),
		gomail.WithTimeout(o.cfg.SendTimeout),
		gomail.WithTLSConfig(tlsConf),
		gomail.WithDialContextFunc(dial),
	}
	if net.ParseIP(o.cfg.publicHost) == nil && strings.Contains(o.cfg.publicHost, ".") {
		opts = append(opts, gomail.WithHELO(o.cfg.publicHost))
	}
	switch t.security {
	case securityStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	default:
		// smtps: TLS is already up; smtp+insecure: none.
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if t.user != "" {
		opts = append(opts, gomail.WithUsername(t.user), gomail.WithPassword(t.password))
		if t.auth != "" {
			opts = append(opts, gomail.WithSMTPAuth(t.auth))
		} else {
			opts = append(opts, gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
		}
	}
	return gomail.NewClient(t.host, opts...)
}

// permanentError marks a failure that retrying cannot fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

// permanent reports whether err is the server refusing this message or recipient for
// good (a 5xx reply to MAIL, RCPT or DATA, RFC 5321 section 4.2.1). Connection, TLS and
// authentication problems are retried: they are the platform's, not the message's.
func permanent(err error) bool {
	var pe permanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *gomail.SendError
	if !errors.As(err, &se) || se.IsTemp() || se.ErrorCode() < 500 {
		return false
	}
	switch se.Reason {
	case gomail.ErrSMTPMailFrom, gomail.ErrSMTPRcptTo, gomail.ErrSMTPData, gomail.ErrSMTPDataClose:
		return true
	}
	return false
}

// scrub turns an error into a short single line for the delivery record and the log,
// without the SMTP password.
func (o *Outbox) scrub(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if t := o.cfg.smtp; t != nil && t.password != "" {
		s = strings.ReplaceAll(s, t.password, "xxxxx")
	}
	s = cleanLine(s, 300)
	return s
}
