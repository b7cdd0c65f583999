// Package notify sends meeting invitations by email with an iCalendar attachment.
//
// # Building
//
// BuildICS makes the iCalendar object (RFC 5545) of an Invitation with the iTIP method
// REQUEST or CANCEL (RFC 5546) using github.com/arran4/golang-ical: a stable UID per
// meeting or series, SEQUENCE bumped by the caller on every update, DTSTART/DTEND with the
// meeting's TZID and a VTIMEZONE generated from Go's zone database (yearly STANDARD and
// DAYLIGHT rules when the zone has them, else its transitions over the series), RRULE and
// EXDATE for a series, one VEVENT with RECURRENCE-ID per moved occurrence, ORGANIZER and
// an ATTENDEE with RSVP per invitee; a cancellation has STATUS:CANCELLED. RenderMail
// renders the subject and the text and HTML bodies in the recipient's language (zh-CN by
// default, or en): time in the meeting's zone, recurrence, join link, meeting number,
// password and SIP dial strings. Every link is built from Config.PublicURL, never from a
// request; user input is escaped by html/template and kept to one line in headers.
//
// # Use
//
// The booking code calls Outbox.Enqueue(ctx, "meeting", meetingID, inv, invitees) after it
// has saved the meeting: with UID "<meetingID>@<public host>" and Sequence 0 when booked,
// the same UID and Sequence+1 with MethodRequest on every change (moved occurrences as
// Overrides, dropped ones as ExDates), and MethodCancel with the next Sequence when
// cancelled. An instant ("start now") meeting is a single Invitation starting now; an
// invitation from inside a running meeting sends that meeting's current UID and Sequence
// to the new invitees only. Deliveries (with Latest) answers "who got the invitation".
// internal/app builds the Outbox from --smtp-url and --public-url, calls Start after the
// store is up and Close before the store closes.
//
// # Sending
//
// An Outbox queues in the store and sends from a worker, so that booking never waits for,
// or fails because of, the mail server. Enqueue renders everything at once and writes a
// batch document (collection mail_batches: the .ics, once per language) and one delivery
// per recipient (mail_outbox: refType/refID, recipient, method, UID, sequence, rendered
// subject and bodies, status, attempts, nextAttemptAt, lastError, createdAt, sentAt), then
// pokes the worker and returns; it never talks to SMTP. Without --smtp-url the deliveries
// are recorded as "disabled".
//
// The worker scans for due deliveries (pending, retrying, or sending with an expired
// lease) when poked, when the next one is due and at least every PollInterval, and sends
// at most Concurrency at a time, each on its own connection through
// github.com/wneessen/go-mail: STARTTLS mandatory for smtp://, TLS from the first byte for
// smtps://, none for smtp+insecure://; PLAIN or LOGIN (or the auth parameter's mechanism)
// when the URL has a user. A send is cut at SendTimeout; Close cancels sends in flight
// (the connection is closed under them), records them as retrying without counting a
// failure, and returns when every goroutine has ended.
//
// # Claims
//
// Several processes may share the queue. A guarded update is not atomic across
// connections on the embedded FerretDB, so the claim rests on a unique index: attempt n of
// delivery D belongs to whoever inserts the document mail_claims{_id: "D:n"}; only that
// worker marks D sending (attempts = n, nextAttemptAt = now + lease), sends, and records
// the outcome. A worker whose process dies mid-send leaves D "sending" until the lease
// (2×SendTimeout + 10s) expires; then attempt n+1 is claimed. If it died between inserting
// the claim and marking D, a claim older than the lease on a delivery still at attempt
// n-1 is skipped over. Each attempt is therefore made by exactly one worker; a message
// may still be sent twice when an attempt's process dies after the server accepted it
// (or the server's reply is lost), which no SMTP client can rule out — the Message-ID is
// the delivery ID on every attempt, so the copies are recognisable. Claim documents are
// deleted after a day.
//
// # Retries
//
// A 5xx reply to MAIL, RCPT or DATA fails the delivery at once. Anything else (refused or
// timed-out connection, TLS, authentication, 4xx) is retried after RetryDelays[0],
// RetryDelays[1], … (default 30s, 2m, 10m, 30m, 2h, each ±10%); the failure after the
// last delay makes the delivery "failed". LastError keeps the last failure, one line,
// without the password.
package notify
