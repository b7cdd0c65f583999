package conference

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/jishitong/jishitong/internal/bus"
	"github.com/jishitong/jishitong/internal/store"
)

// TestRunsInProgressMigrate: runs marked in progress under the collection's old name
// ("live_runs") are in progress after a start with the new name, and the old
// collection is gone; a second start changes nothing.
func TestRunsInProgressMigrate(t *testing.T) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := store.Open(ctx, store.Config{DataDir: t.TempDir()}, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close(context.Background()) })

	// Data as an older version left it: two runs in progress, one ended.
	now := time.Now().UTC().Truncate(time.Millisecond)
	ended := now.Add(-time.Minute)
	runs := []Run{
		{ID: "r1", MeetingID: "m1", EnterpriseID: "e1", StartedAt: now, ScheduledEnd: now.Add(time.Hour)},
		{ID: "r2", MeetingID: "m2", EnterpriseID: "e2", StartedAt: now, ScheduledEnd: now.Add(time.Hour)},
		{ID: "r3", MeetingID: "m3", EnterpriseID: "e1", StartedAt: now.Add(-time.Hour), EndedAt: &ended},
	}
	for _, r := range runs {
		if _, err := st.W.Collection(runsColl).InsertOne(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range runs[:2] {
		if _, err := st.W.Collection(oldInProgressColl).InsertOne(ctx, bson.M{"_id": r.ID, "enterpriseId": r.EnterpriseID}); err != nil {
			t.Fatal(err)
		}
	}

	for start := 1; start <= 2; start++ {
		s, err := New(ctx, Config{}, st, nil, nil, bus.New(log), log)
		if err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
		var ids []string
		for _, r := range s.runsInProgress(ctx) {
			ids = append(ids, r.ID)
		}
		slices.Sort(ids)
		s.Close()
		if !slices.Equal(ids, []string{"r1", "r2"}) {
			t.Errorf("start %d: runs in progress %v, want [r1 r2]", start, ids)
		}
		names, err := st.R.ListCollectionNames(ctx, bson.M{"name": oldInProgressColl})
		if err != nil {
			t.Fatal(err)
		}
		if len(names) != 0 {
			t.Errorf("start %d: collection %s still exists", start, oldInProgressColl)
		}
		var doc bson.M
		if err := st.R.Collection(inProgressColl).FindOne(ctx, bson.M{"_id": "r2"}).Decode(&doc); err != nil || doc["enterpriseId"] != "e2" {
			t.Errorf("start %d: r2 in %s: %v %v", start, inProgressColl, doc, err)
		}
	}
}
