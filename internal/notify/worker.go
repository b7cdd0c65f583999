package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/jishitong/jishitong/internal/store"
)

const (
	scanLimit      = 64             // due deliveries looked at per pass
	claimRetention = 24 * time.Hour // claim documents older than this are deleted
	janitorEvery   = time.Hour
	writeTimeout   = 10 * time.Second // for recording an attempt's result
	// maxSkippedClaims bounds how many abandoned attempts in a row one claim skips over.
	maxSkippedClaims = 20
)

// lease is how long an attempt may take before another worker may assume its process
// died: the send itself is cut at SendTimeout.
func (o *Outbox) lease() time.Duration { return 2*o.cfg.SendTimeout + 10*time.Second }

// run is the worker goroutine: it sends due deliveries, then sleeps until the next one is
// due, the poll interval passes, or Enqueue pokes it.
func (o *Outbox) run() {
	defer o.wg.Done()
	timer := time.NewTimer(0)
	defer timer.Stop()
	var lastJanitor time.Time
	for {
		select {
		case <-o.ctx.Done():
			return
		case <-o.wake:
		case <-timer.C:
		}
		if time.Since(lastJanitor) > janitorEvery {
			o.deleteOldClaims()
			lastJanitor = time.Now()
		}
		next := o.pass()
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
	}
}

// pass claims and starts the sends of due deliveries, as send slots free up, and
// returns how long to sleep. Called by the worker goroutine.
func (o *Outbox) pass() time.Duration {
	ctx := o.ctx
	now := time.Now()
	cur, err := o.st.R.Collection(outboxColl).Find(ctx,
		bson.M{"status": bson.M{"$in": activeStatuses}, "nextAttemptAt": bson.M{"$lte": now}},
		options.Find().SetSort(bson.D{{Key: "nextAttemptAt", Value: 1}}).SetLimit(scanLimit).
			SetProjection(bson.M{"_id": 1}))
	if err != nil {
		if ctx.Err() == nil {
			o.log.Warn("mail outbox scan failed", "err", err)
		}
		return o.cfg.PollInterval
	}
	var due []struct {
		ID string `bson:"_id"`
	}
	if err := cur.All(ctx, &due); err != nil {
		if ctx.Err() == nil {
			o.log.Warn("mail outbox scan failed", "err", err)
		}
		return o.cfg.PollInterval
	}
	claimed := 0
	for _, d := range due {
		select {
		case o.sem <- struct{}{}:
		case <-ctx.Done():
			return 0
		}
		doc, n, err := o.claim(ctx, d.ID)
		if err != nil && ctx.Err() == nil {
			o.log.Warn("mail delivery claim failed", "delivery", d.ID, "err", err)
		}
		if doc == nil {
			<-o.sem
			continue
		}
		claimed++
		o.wg.Add(1)
		go func() {
			defer o.wg.Done()
			defer func() { <-o.sem; o.poke() }()
			o.deliver(doc, n)
		}()
	}
	if len(due) == scanLimit && claimed > 0 {
		return 0 // more may be due
	}
	return o.untilNextDue()
}

// untilNextDue returns the time until the next active delivery falls due, at most the
// poll interval. Deliveries due now that this pass could not claim (another worker is
// on them) are looked at again after the poll interval, not in a busy loop. Called by the
// worker goroutine.
func (o *Outbox) untilNextDue() time.Duration {
	var next struct {
		NextAttemptAt time.Time `bson:"nextAttemptAt"`
	}
	err := o.st.R.Collection(outboxColl).FindOne(o.ctx,
		bson.M{"status": bson.M{"$in": activeStatuses}, "nextAttemptAt": bson.M{"$gt": time.Now()}},
		options.FindOne().SetSort(bson.D{{Key: "nextAttemptAt", Value: 1}}).SetProjection(bson.M{"nextAttemptAt": 1}),
	).Decode(&next)
	if err != nil {
		return o.cfg.PollInterval
	}
	return min(max(time.Until(next.NextAttemptAt), time.Millisecond), o.cfg.PollInterval)
}

// claim takes the next attempt of a due delivery for this worker and marks it sending,
// or returns a nil document when it is not due any more or another worker has it.
// Called by the worker goroutine.
//
// Claims rest on the unique _id of claim documents "<deliveryID>:<attempt>", because a
// guarded update is not atomic across connections on the embedded store (see
// docs/architecture.md): only the worker whose insert of attempt n succeeds sends attempt
// n, and only it writes the delivery until the attempt ends. If a claim's holder died
// before it could mark the delivery (the claim is older than the lease while the delivery
// still shows the previous attempt), the next attempt number is claimed instead.
func (o *Outbox) claim(ctx context.Context, id string) (*deliveryDoc, int, error) {
	out := o.st.W.Collection(outboxColl)
	claims := o.st.W.Collection(claimsColl)
	var d deliveryDoc
	if err := o.st.R.Collection(outboxColl).FindOne(ctx, bson.M{"_id": id}).Decode(&d); err != nil {
		return nil, 0, err
	}
	now := time.Now()
	if !isActive(d.Status) || d.NextAttemptAt.After(now) {
		return nil, 0, nil
	}
	n := d.Attempts + 1
	for range maxSkippedClaims + 1 {
		cid := id + ":" + strconv.Itoa(n)
		_, err := claims.InsertOne(ctx, claimDoc{ID: cid, Owner: o.owner, CreatedAt: now})
		if err == nil {
			_, err = out.UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{
				"status": string(StatusSending), "attempts": n,
				"nextAttemptAt": now.Add(o.lease()), "updatedAt": now,
			}})
			if err != nil {
				// Not marked, so not sent: give the attempt back.
				dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), writeTimeout)
				_, _ = claims.DeleteOne(dctx, bson.M{"_id": cid, "owner": o.owner})
				cancel()
				return nil, 0, err
			}
			d.Attempts = n
			return &d, n, nil
		}
		if !store.IsDuplicateKey(err) {
			return nil, 0, err
		}
		var c claimDoc
		if err := o.st.R.Collection(claimsColl).FindOne(ctx, bson.M{"_id": cid}).Decode(&c); err != nil {
			return nil, 0, nil // deleted meanwhile: the next pass will see
		}
		if time.Since(c.CreatedAt) < o.lease() {
			return nil, 0, nil // another worker is on it
		}
		var fresh deliveryDoc
		if err := o.st.R.Collection(outboxColl).FindOne(ctx, bson.M{"_id": id}).Decode(&fresh); err != nil {
			return nil, 0, err
		}
		if fresh.Attempts >= n || !isActive(fresh.Status) || fresh.NextAttemptAt.After(time.Now()) {
			return nil, 0, nil // our first read was stale
		}
		n++ // attempt n was abandoned before it was recorded
	}
	return nil, 0, nil
}

func isActive(s string) bool {
	return s == string(StatusPending) || s == string(StatusSending) || s == string(StatusRetrying)
}

// deliver sends attempt n of d and records the outcome. Called on its own goroutine,
// holding a send slot.
func (o *Outbox) deliver(d *deliveryDoc, n int) {
	defer func() {
		if p := recover(); p != nil {
			o.log.Error("mail delivery panicked", "delivery", d.ID, "panic", p)
			o.record(d, n, errors.New("internal error"), false)
		}
	}()
	ctx, cancel := context.WithTimeout(o.ctx, o.cfg.SendTimeout)
	defer cancel()
	start := time.Now()
	err := o.send(ctx, d)
	interrupted := err != nil && o.ctx.Err() != nil
	var nerr net.Error
	if err != nil && !interrupted && (errors.Is(ctx.Err(), context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout())) {
		// The connection was closed under the client; say why.
		err = fmt.Errorf("timed out after %v: %w", o.cfg.SendTimeout, err)
	}
	o.record(d, n, err, interrupted)
	log := o.log.With("delivery", d.ID, "ref", d.RefType+"/"+d.RefID, "attempt", n, "took", time.Since(start).Round(time.Millisecond))
	switch {
	case err == nil:
		log.Debug("invitation sent")
	case interrupted:
		log.Info("invitation send interrupted by shutdown; will retry")
	default:
		log.Warn("invitation send failed", "err", o.scrub(err))
	}
}

// record writes the outcome of attempt n. Only the holder of claim n calls it (from the
// send goroutine), so the guard on attempts only matters when an attempt outlived its
// lease.
func (o *Outbox) record(d *deliveryDoc, n int, sendErr error, interrupted bool) {
	now := time.Now()
	set := bson.M{"updatedAt": now}
	var unset bson.M
	switch {
	case sendErr == nil:
		set["status"] = string(StatusSent)
		set["sentAt"] = now
		unset = bson.M{"lastError": ""}
	case interrupted:
		// The attempt did not fail on its merits: it does not count against the schedule.
		set["status"] = string(StatusRetrying)
		set["nextAttemptAt"] = now
		set["lastError"] = "interrupted by shutdown"
	default:
		failures := d.Failures + 1
		set["failures"] = failures
		set["lastError"] = o.scrub(sendErr)
		if permanent(sendErr) || failures > len(o.cfg.RetryDelays) {
			set["status"] = string(StatusFailed)
		} else {
			set["status"] = string(StatusRetrying)
			set["nextAttemptAt"] = now.Add(jitter(o.cfg.RetryDelays[failures-1]))
		}
	}
	upd := bson.M{"$set": set}
	if unset != nil {
		upd["$unset"] = unset
	}
	// The shutdown must not lose the outcome: write with a context of its own, and try a
	// few times, since a lost write means a duplicate mail after the lease.
	var err error
	for try := range 3 {
		if try > 0 {
			time.Sleep(time.Duration(try) * 200 * time.Millisecond)
		}
		ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
		var res *mongo.UpdateResult
		res, err = o.st.W.Collection(outboxColl).UpdateOne(ctx, bson.M{"_id": d.ID, "attempts": n}, upd)
		cancel()
		if err == nil {
			if res.MatchedCount == 0 {
				o.log.Warn("mail delivery moved on while it was being sent (lease exceeded)", "delivery", d.ID, "attempt", n)
			}
			return
		}
	}
	o.log.Error("recording a mail delivery failed; it will be retried after its lease", "delivery", d.ID, "err", err)
}

// jitter spreads d by ±10% so that retries of many deliveries do not arrive together.
func jitter(d time.Duration) time.Duration {
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// deleteOldClaims removes claim documents of attempts long over. Called by the worker.
func (o *Outbox) deleteOldClaims() {
	ctx, cancel := context.WithTimeout(o.ctx, time.Minute)
	defer cancel()
	cutoff := time.Now().Add(-max(claimRetention, 10*o.lease()))
	if _, err := o.st.W.Collection(claimsColl).DeleteMany(ctx, bson.M{"createdAt": bson.M{"$lt": cutoff}}); err != nil && !errors.Is(err, context.Canceled) {
		o.log.Warn("deleting old mail claims failed", "err", err)
	}
}
