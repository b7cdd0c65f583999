package conference

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"regexp"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/errs"
	"github.com/jishitong/jishitong/internal/store"
)

// numbersColl reserves dialable numbers {_id: number, kind, refId}: meeting numbers
// and room numbers share one namespace, so a number typed on a SIP terminal or in
// the join form means one thing.
const numbersColl = "numbers"

var roomNumberRe = regexp.MustCompile(`^[1-9][0-9]{3,10}$`)

// meetingNumberMin and meetingNumberMax bound meeting numbers: 10 digits, drawn
// uniformly at random, so numbers are neither sequential nor guessable from another
// (9·10⁹ possibilities).
var (
	meetingNumberMin  = big.NewInt(1_000_000_000)
	meetingNumberSpan = big.NewInt(9_000_000_000)
)

func randomMeetingNumber() string {
	n, err := rand.Int(rand.Reader, meetingNumberSpan)
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n.Add(n, meetingNumberMin).String()
}

// claimNumber reserves number for ref. It fails with a conflict when taken.
func claimNumber(ctx context.Context, st *store.Store, number, kind, refID string) error {
	_, err := st.W.Collection(numbersColl).InsertOne(ctx, bson.M{"_id": number, "kind": kind, "refId": refID})
	if store.IsDuplicateKey(err) {
		return errs.Conflict("number", "number %s is already in use", number)
	}
	if err != nil {
		return fmt.Errorf("conference: claim number: %w", err)
	}
	return nil
}

// newMeetingNumber reserves a fresh random meeting number for meetingID.
func newMeetingNumber(ctx context.Context, st *store.Store, meetingID string) (string, error) {
	for range 20 {
		n := randomMeetingNumber()
		err := claimNumber(ctx, st, n, "meeting", meetingID)
		if err == nil {
			return n, nil
		}
		if errs.KindOf(err) != errs.KindConflict {
			return "", err
		}
	}
	return "", fmt.Errorf("conference: no free meeting number after 20 draws")
}

func releaseNumber(ctx context.Context, st *store.Store, number string) error {
	if _, err := st.W.Collection(numbersColl).DeleteOne(ctx, bson.M{"_id": number}); err != nil {
		return fmt.Errorf("conference: release number: %w", err)
	}
	return nil
}
