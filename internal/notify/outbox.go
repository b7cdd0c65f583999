package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// Status is the state of one delivery.
type Status string

// Delivery states. Pending, Sending and Retrying are active: the worker will (still)
// send; Sent, Failed and Disabled are final.
const (
	StatusPending  Status = "pending"  // queued, not tried yet
	StatusSending  Status = "sending"  // an attempt is under way (or its process died: retried after a lease)
	StatusSent     Status = "sent"     // the mail server accepted the message
	StatusRetrying Status = "retrying" // an attempt failed; another is due at NextAttemptAt
	StatusFailed   Status = "failed"   // refused for good, or every retry failed
	StatusDisabled Status = "disabled" // mail was not configured when it was queued
)

var activeStatuses = bson.A{string(StatusPending), string(StatusSending), string(StatusRetrying)}

// Delivery is one invitation mail to one recipient.
type Delivery struct {
	ID      string
	RefType string
	RefID   string
	// BatchID groups the deliveries of one Enqueue.
	BatchID   string
	Recipient Person
	Method    Method
	UID       string
	Sequence  int
	Subject   string
	Status    Status
	// Attempts counts the attempts started.
	Attempts int
	// LastError is the last failure, short and without secrets; empty once sent.
	LastError string
	// NextAttemptAt is when an active delivery is due.
	NextAttemptAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// SentAt is when the mail server accepted the message; zero until then.
	SentAt time.Time
}

// Collections of the outbox.
const (
	outboxColl  = "mail_outbox"  // one document per recipient per Enqueue
	batchesColl = "mail_batches" // the .ics of one Enqueue, per language
	claimsColl  = "mail_claims"  // one document per attempt: "<deliveryID>:<attempt>"
)

type deliveryDoc struct {
	ID            string     `bson:"_id"`
	RefType       string     `bson:"refType"`
	RefID         string     `bson:"refId"`
	BatchID       string     `bson:"batchId"`
	Email         string     `bson:"email"`
	EmailKey      string     `bson:"emailKey"` // lower case, to group by recipient
	Name          string     `bson:"name,omitempty"`
	Lang          string     `bson:"lang"`
	ReplyTo       string     `bson:"replyTo,omitempty"`
	ReplyToName   string     `bson:"replyToName,omitempty"`
	Method        string     `bson:"method"`
	UID           string     `bson:"uid"`
	Sequence      int        `bson:"sequence"`
	Subject       string     `bson:"subject"`
	Text          string     `bson:"text"`
	HTML          string     `bson:"html"`
	Status        string     `bson:"status"`
	Attempts      int        `bson:"attempts"` // attempts started = highest claim taken
	Failures      int        `bson:"failures"` // attempts that failed (drive the retry schedule)
	NextAttemptAt time.Time  `bson:"nextAttemptAt"`
	LastError     string     `bson:"lastError,omitempty"`
	CreatedAt     time.Time  `bson:"createdAt"`
	UpdatedAt     time.Time  `bson:"updatedAt"`
	SentAt        *time.Time `bson:"sentAt,omitempty"`
}

func (d *deliveryDoc) delivery() Delivery {
	out := Delivery{
		ID: d.ID, RefType: d.RefType, RefID: d.RefID, BatchID: d.BatchID,
		Recipient: Person{Name: d.Name, Email: d.Email, Lang: d.Lang},
		Method:    parseMethod(d.Method), UID: d.UID, Sequence: d.Sequence, Subject: d.Subject,
		Status: Status(d.Status), Attempts: d.Attempts, LastError: d.LastError,
		NextAttemptAt: d.NextAttemptAt, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.SentAt != nil {
		out.SentAt = *d.SentAt
	}
	return out
}

type batchDoc struct {
	ID        string    `bson:"_id"`
	RefType   string    `bson:"refType"`
	RefID     string    `bson:"refId"`
	ICSZH     string    `bson:"icsZh,omitempty"`
	ICSEN     string    `bson:"icsEn,omitempty"`
	CreatedAt time.Time `bson:"createdAt"`
}

func (b *batchDoc) ics(lang string) string {
	if lang == LangEN && b.ICSEN != "" {
		return b.ICSEN
	}
	if b.ICSZH != "" {
		return b.ICSZH
	}
	return b.ICSEN
}

type claimDoc struct {
	ID        string    `bson:"_id"`
	Owner     string    `bson:"owner"`
	CreatedAt time.Time `bson:"createdAt"`
}

// Outbox queues invitation mails in the store and sends them from a worker: at most
// Concurrency at once, with retries, each attempt claimed through a unique index so that
// several processes can share the queue. See the package documentation.
type Outbox struct {
	cfg    *resolved
	st     *store.Store
	log    *slog.Logger
	owner  string        // this instance, in claim documents
	wake   chan struct{} // Enqueue and finished sends poke the worker
	sem    chan struct{} // one token per send in flight
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	startOnce, closeOnce sync.Once
}

// NewOutbox checks the configuration and creates the outbox's indexes. Call Start to send.
func NewOutbox(ctx context.Context, cfg Config, st *store.Store, log *slog.Logger) (*Outbox, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	if err := st.EnsureIndexes(ctx, outboxColl,
		mongo.IndexModel{Keys: bson.D{{Key: "status", Value: 1}, {Key: "nextAttemptAt", Value: 1}}},
		mongo.IndexModel{Keys: bson.D{{Key: "refType", Value: 1}, {Key: "refId", Value: 1}, {Key: "createdAt", Value: -1}}},
	); err != nil {
		return nil, err
	}
	if err := st.EnsureIndexes(ctx, claimsColl,
		mongo.IndexModel{Keys: bson.D{{Key: "createdAt", Value: 1}}},
	); err != nil {
		return nil, err
	}
	var id [6]byte
	_, _ = rand.Read(id[:])
	o := &Outbox{
		cfg: r, st: st, log: log.With("component", "notify"),
		owner: hex.EncodeToString(id[:]),
		wake:  make(chan struct{}, 1),
		sem:   make(chan struct{}, r.Concurrency),
	}
	o.ctx, o.cancel = context.WithCancel(context.Background())
	if r.smtp == nil {
		o.log.Info("mail disabled (no --smtp-url); invitations are recorded as disabled")
	} else {
		o.log.Info("mail enabled", "smtp", r.smtp.redacted(), "from", r.from.Address)
	}
	return o, nil
}

// Start starts the worker. It does nothing when mail is disabled.
func (o *Outbox) Start() {
	o.startOnce.Do(func() {
		if o.cfg.smtp == nil || o.ctx.Err() != nil {
			return
		}
		o.wg.Add(1)
		go o.run()
	})
}

// Close stops the worker and returns when it and every send have ended. Sends in flight
// are interrupted and stay due, for this or another process to retry.
func (o *Outbox) Close() {
	o.closeOnce.Do(func() {
		o.cancel()
		o.wg.Wait()
	})
}

// poke wakes the worker without blocking.
func (o *Outbox) poke() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Enqueue records one delivery per attendee of inv (duplicates removed), with the mail
// rendered now in each attendee's language and the .ics stored once, so that a later
// edit cannot change a message already queued. It never talks to the mail server: it
// returns once the documents are written and wakes the worker. With mail disabled the
// deliveries are recorded with status "disabled". Invalid input is an errs.KindInvalid
// error and nothing is written.
func (o *Outbox) Enqueue(ctx context.Context, refType, refID string, inv Invitation, attendees []Person) error {
	if refType == "" || refID == "" {
		return errs.Invalid("ref", "a delivery needs a reference type and ID")
	}
	if err := inv.validate(); err != nil {
		return err
	}
	people, err := normalizeAttendees(attendees)
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return nil
	}
	inv = inv.normalize()
	now := time.Now()

	batch := batchDoc{ID: store.NewID(), RefType: refType, RefID: refID, CreatedAt: now}
	for _, p := range people {
		switch {
		case p.Lang == LangEN && batch.ICSEN == "":
			batch.ICSEN = string(buildICS(o.cfg, inv, people, LangEN, now))
		case p.Lang == LangZH && batch.ICSZH == "":
			batch.ICSZH = string(buildICS(o.cfg, inv, people, LangZH, now))
		}
	}
	status := StatusPending
	if o.cfg.smtp == nil {
		status = StatusDisabled
	}
	docs := make([]any, 0, len(people))
	for _, p := range people {
		m, err := renderMail(o.cfg, inv, p)
		if err != nil {
			return err
		}
		docs = append(docs, deliveryDoc{
			ID: store.NewID(), RefType: refType, RefID: refID, BatchID: batch.ID,
			Email: p.Email, EmailKey: strings.ToLower(p.Email), Name: p.Name, Lang: p.Lang,
			ReplyTo: inv.Organizer.Email, ReplyToName: inv.Organizer.Name,
			Method: inv.Method.String(), UID: inv.UID, Sequence: inv.Sequence,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML,
			Status: string(status), NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
		})
	}
	// The batch first: a delivery must never point at a missing .ics.
	if _, err := o.st.W.Collection(batchesColl).InsertOne(ctx, batch); err != nil {
		return fmt.Errorf("notify: queue invitation: %w", err)
	}
	if _, err := o.st.W.Collection(outboxColl).InsertMany(ctx, docs); err != nil {
		return fmt.Errorf("notify: queue invitation: %w", err)
	}
	o.log.Debug("invitation queued", "ref", refType+"/"+refID, "uid", inv.UID, "method", inv.Method.String(),
		"sequence", inv.Sequence, "recipients", len(docs), "status", string(status))
	o.poke()
	return nil
}

// maxAttendees bounds one Enqueue.
const maxAttendees = 2000

// normalizeAttendees cleans and checks attendees and drops repeated addresses and
// people without one (a member known by phone number only gets no mail; the others
// still do).
func normalizeAttendees(in []Person) ([]Person, error) {
	if len(in) > maxAttendees {
		return nil, errs.Invalid("attendees", "at most %d attendees per invitation", maxAttendees)
	}
	seen := make(map[string]bool, len(in))
	out := make([]Person, 0, len(in))
	for _, p := range in {
		p = p.normalize()
		if p.Email == "" {
			continue
		}
		if !validEmail(p.Email) {
			return nil, errs.Invalid("attendees", "%q is not a valid email address", cleanLine(p.Email, 100))
		}
		k := strings.ToLower(p.Email)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out, nil
}

// maxDeliveries bounds what Deliveries returns.
const maxDeliveries = 5000

// Deliveries returns every delivery of a reference, newest first (at most 5,000). Latest
// reduces them to the newest per recipient, which is "who got the invitation".
func (o *Outbox) Deliveries(ctx context.Context, refType, refID string) ([]Delivery, error) {
	ctx, cancel := context.WithTimeout(ctx, maxDeliveriesTime)
	defer cancel()
	cur, err := o.st.R.Collection(outboxColl).Find(ctx,
		bson.M{"refType": refType, "refId": refID},
		options.Find().
			SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).
			SetLimit(maxDeliveries).
			SetProjection(bson.M{"text": 0, "html": 0}))
	if err != nil {
		return nil, fmt.Errorf("notify: deliveries: %w", err)
	}
	var docs []deliveryDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, fmt.Errorf("notify: deliveries: %w", err)
	}
	out := make([]Delivery, len(docs))
	for i := range docs {
		out[i] = docs[i].delivery()
	}
	return out, nil
}

// DeliveriesOf returns the deliveries of several references of one type, by
// reference ID, each newest first as Deliveries orders them: one query for all, so
// that a list of meetings asking for their invitation status costs one store read
// (the embedded store scans the outbox for any filter but _id, once per query). At
// most maxDeliveries per reference are kept and the query runs at most
// maxDeliveriesTime.
func (o *Outbox) DeliveriesOf(ctx context.Context, refType string, refIDs []string) (map[string][]Delivery, error) {
	out := make(map[string][]Delivery, len(refIDs))
	if len(refIDs) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithTimeout(ctx, maxDeliveriesTime)
	defer cancel()
	cur, err := o.st.R.Collection(outboxColl).Find(ctx,
		bson.M{"refType": refType, "refId": bson.M{"$in": refIDs}},
		options.Find().
			SetSort(bson.D{{Key: "createdAt", Value: -1}, {Key: "_id", Value: -1}}).
			SetLimit(int64(maxDeliveries*len(refIDs))).
			SetBatchSize(maxDeliveries). // a few round trips, not one per 101 deliveries
			SetProjection(bson.M{"text": 0, "html": 0}))
	if err != nil {
		return nil, fmt.Errorf("notify: deliveries: %w", err)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var d deliveryDoc
		if err := cur.Decode(&d); err != nil {
			return nil, fmt.Errorf("notify: deliveries: %w", err)
		}
		if len(out[d.RefID]) < maxDeliveries {
			out[d.RefID] = append(out[d.RefID], d.delivery())
		}
	}
	if err := cur.Err(); err != nil {
		return nil, fmt.Errorf("notify: deliveries: %w", err)
	}
	return out, nil
}

// maxDeliveriesTime bounds how long one read of deliveries may hold the store.
const maxDeliveriesTime = 5 * time.Second

// Latest keeps the first (newest, as Deliveries orders them) delivery per recipient
// address, in order.
func Latest(ds []Delivery) []Delivery {
	seen := make(map[string]bool, len(ds))
	var out []Delivery
	for _, d := range ds {
		k := strings.ToLower(d.Recipient.Email)
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}
