package conference

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// locksColl holds lock documents {_id: name, owner, leaseUntil}. Holding a lock is
// having inserted its document: the unique _id index decides between racing
// processes on every backend, including the embedded one whose conditional updates
// are not atomic across connections.
const locksColl = "locks"

// lock is a held lock; release it with unlock.
type lock struct {
	name  string
	owner string
	// tookOver is true when a previous holder's lease had run out: it may have died
	// part-way through a write, so cached state must be reloaded.
	tookOver bool
}

type lockDoc struct {
	ID         string    `bson:"_id"`
	Owner      string    `bson:"owner"`
	LeaseUntil time.Time `bson:"leaseUntil"`
}

// acquire takes the named lock, waiting up to wait for it. A lock whose lease ran
// out is taken over.
func acquire(ctx context.Context, st *store.Store, name string, lease, wait time.Duration) (*lock, error) {
	b := make([]byte, 12)
	rand.Read(b)
	l := &lock{name: name, owner: hex.EncodeToString(b)}
	c := st.W.Collection(locksColl)
	deadline := time.Now().Add(wait)
	backoff := 2 * time.Millisecond
	for {
		_, err := c.InsertOne(ctx, lockDoc{ID: name, Owner: l.owner, LeaseUntil: time.Now().Add(lease)})
		if err == nil {
			return l, nil
		}
		if !store.IsDuplicateKey(err) {
			return nil, fmt.Errorf("conference: lock %s: %w", name, err)
		}
		var held lockDoc
		err = st.R.Collection(locksColl).FindOne(ctx, bson.M{"_id": name}).Decode(&held)
		switch {
		case errors.Is(err, mongo.ErrNoDocuments):
			continue // released meanwhile
		case err != nil:
			return nil, fmt.Errorf("conference: read lock %s: %w", name, err)
		case time.Now().After(held.LeaseUntil):
			// The holder died or stalled: remove exactly its document. Racing
			// takers-over may both delete it, but only one insert succeeds after.
			if _, err := c.DeleteOne(ctx, bson.M{"_id": name, "owner": held.Owner}); err != nil {
				return nil, fmt.Errorf("conference: take over lock %s: %w", name, err)
			}
			l.tookOver = true
			continue
		}
		if time.Now().After(deadline) {
			return nil, errs.New(errs.KindConflict, "the schedule is busy; please try again")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 50*time.Millisecond)
	}
}

// unlock releases l if it still holds it.
func (l *lock) unlock(st *store.Store) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	st.W.Collection(locksColl).DeleteOne(ctx, bson.M{"_id": l.name, "owner": l.owner})
}
